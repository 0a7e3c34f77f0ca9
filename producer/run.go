package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/metrics"
	"github.com/tweetflow/tweetflow/tasks"
)

// reloadEvery is how often the sources file is checked for changes.
const reloadEvery = 5 * time.Second

func newRunCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "run",
		Short: "Publish a fetch task for every source on each tick of its schedule",
		Long: "run is the long-running scheduler. On every tick of FETCH_SCHEDULE (or of a source's\n" +
			"own schedule) it publishes one fetch-source task per source of SOURCES_FILE. Schedules\n" +
			"run in UTC. Changes to SOURCES_FILE are picked up within a few seconds, without a\n" +
			"restart; a file with errors is rejected and the previous sources stay in force.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			err := runScheduler(ctx)
			if ctx.Err() != nil {
				return nil // stopped by a signal, whatever it was waiting for
			}
			return runErr(err)
		},
	}
}

func runScheduler(ctx context.Context) error {
	e, err := loadEnv()
	if err != nil {
		return err
	}
	defer func() { _ = e.log.Sync() }()
	sources, err := config.LoadSources(e.cfg.SourcesFile)
	if err != nil {
		return err
	}
	e.log.Info("producer starting", zap.Any("config", e.cfg.LogFields()), zap.Int("sources", len(sources)))
	if len(sources) == 0 {
		e.log.Warn("the sources file lists no sources; nothing will be fetched until it does",
			zap.String("file", e.cfg.SourcesFile))
	}
	context.AfterFunc(ctx, func() { e.log.Info("stop signal received; finishing the tick in progress") })
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	reg := metrics.NewRegistry()
	if err := startMetrics(ctx, e, reg); err != nil {
		return err
	}
	pub := tasks.NewPublisher(e.cfg.BrokerURL, "tweetflow-producer", tasks.DefaultTopology, e.log)
	defer pub.Close()
	if err := pub.Connect(ctx); err != nil {
		return err
	}
	s := newScheduler(e, st, pub, metrics.NewProducer(reg, tasks.FetchSourceTask))
	budget := metrics.NewBudget(reg)
	s.budget = budget
	if e.cfg.ScheduleMode == config.ScheduleAdaptive {
		s.adaptive = newAdaptive(s, budget)
	}
	if err := s.apply(sources); err != nil {
		return err
	}
	s.run(ctx)
	e.log.Info("producer stopped")
	return nil
}

func startMetrics(ctx context.Context, e *env, reg *prometheus.Registry) error {
	if e.cfg.MetricsAddr == "" {
		return nil
	}
	srv, err := metrics.Listen(ctx, e.cfg.MetricsAddr, reg, func() error { return nil })
	if err != nil {
		return fmt.Errorf("listen on METRICS_ADDR %s: %w", e.cfg.MetricsAddr, err)
	}
	go srv.Run(ctx, e.log)
	e.log.Info("metrics listening", zap.String("addr", srv.Addr()))
	return nil
}
