package main

import (
	"context"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/tasks"
)

// publishAllTimeout bounds how long fetch --all waits for the broker; a tick of 100,000
// sources publishes in well under a minute.
const publishAllTimeout = 5 * time.Minute

// publishAll publishes one fetch task for every source of the sources file now, built as a
// scheduled tick builds them (scheduler.signatures, with the sources' stored states), and
// logs how many it published and how long that took once the broker confirmed all.
func publishAll(parent context.Context) error {
	e, err := loadEnv()
	if err != nil {
		return err
	}
	defer func() { _ = e.log.Sync() }()
	sources, err := config.LoadSources(e.cfg.SourcesFile)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(parent, publishAllTimeout)
	defer cancel()
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	pub := tasks.NewPublisher(e.cfg.BrokerURL, "tweetflow-producer-fetch", tasks.DefaultTopology, e.log)
	defer pub.Close()
	if err := pub.Connect(ctx); err != nil {
		return err
	}
	s := &scheduler{e: e, st: st, pub: pub}
	groups, err := s.group(sources)
	if err != nil {
		return err
	}

	start := time.Now()
	known, err := st.Sources(ctx)
	if err != nil {
		e.log.Warn("source states unavailable; publishing without cursor hints", zap.Error(err))
	}
	var sigs []*mtasks.Signature
	skipped := 0
	for _, g := range groups {
		gs, n := s.signatures(g, known, start)
		sigs = append(sigs, gs...)
		skipped += n
	}
	if err := pub.Publish(ctx, sigs...); err != nil {
		return err
	}
	e.log.Info("all sources published", zap.Int("published", len(sigs)), zap.Int("skipped", skipped),
		zap.Duration("duration", time.Since(start)))
	return nil
}
