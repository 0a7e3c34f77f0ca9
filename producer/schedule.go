package main

import (
	"bytes"
	"context"
	"os"
	"sync"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/metrics"
	"github.com/tweetflow/tweetflow/poll"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
)

// scheduler publishes the fetch tasks of each schedule's sources on every tick.
type scheduler struct {
	e       *env
	st      *store.Store
	pub     *tasks.Publisher
	cron    *cron.Cron
	metrics *metrics.Producer
	// id names this producer in its tick claims.
	id string

	mu      sync.Mutex
	entries []cron.EntryID
	ctx     context.Context
	file    []byte // the sources file as last applied
	// unreadable is set while the file cannot be read, so that is logged once.
	unreadable bool
	// adaptive, when set, replaces the cron ticks (SCHEDULE_MODE=adaptive).
	adaptive *adaptive
	// budget, when set, is told every source's interval.
	budget *metrics.Budget
}

func newScheduler(e *env, st *store.Store, pub *tasks.Publisher, m *metrics.Producer) *scheduler {
	logger := cronLogger{e.log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)))
	return &scheduler{e: e, st: st, pub: pub, cron: c, metrics: m, id: producerID(), ctx: context.Background()}
}

// group is the sources that share one schedule.
type group struct {
	spec     string
	schedule cron.Schedule
	sources  []config.Source
}

// apply replaces the scheduled sources with sources.
func (s *scheduler) apply(sources []config.Source) error {
	if s.adaptive != nil {
		s.adaptive.setSources(sources)
		s.metrics.Sources(countKinds(sources))
		return nil
	}
	groups, err := s.group(sources)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range s.entries {
		s.cron.Remove(id)
	}
	s.entries = s.entries[:0]
	s.metrics.Sources(countKinds(sources))
	for _, g := range groups {
		if s.budget != nil {
			every := config.ScheduleInterval(g.schedule, time.Now())
			for _, src := range g.sources {
				s.budget.Planned(poll.Endpoint(string(src.Kind)), every)
			}
		}
		s.entries = append(s.entries, s.cron.Schedule(g.schedule, cron.FuncJob(func() { s.tick(g) })))
		s.e.log.Info("schedule set", zap.String("schedule", g.spec), zap.Int("sources", len(g.sources)),
			zap.Time("next_tick", g.schedule.Next(time.Now().UTC())))
	}
	return nil
}

func countKinds(sources []config.Source) map[string]int {
	byKind := map[string]int{}
	for _, src := range sources {
		byKind[string(src.Kind)]++
	}
	return byKind
}

func (s *scheduler) group(sources []config.Source) ([]*group, error) {
	bySpec := map[string]*group{}
	var order []*group
	for _, src := range sources {
		spec := src.Schedule
		if spec == "" {
			spec = s.e.cfg.FetchSchedule
		}
		g, ok := bySpec[spec]
		if !ok {
			sched, err := config.ParseSchedule(spec)
			if err != nil {
				return nil, err
			}
			g = &group{spec: spec, schedule: alignEvery(sched)}
			bySpec[spec] = g
			order = append(order, g)
		}
		g.sources = append(g.sources, src)
	}
	return order, nil
}

// run starts the schedule and watches the sources file until ctx ends, then waits for a
// tick in progress to finish.
func (s *scheduler) run(ctx context.Context) {
	s.ctx = ctx
	s.file, _ = os.ReadFile(s.e.cfg.SourcesFile)
	stopped := s.start(ctx)
	t := time.NewTicker(reloadEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			<-stopped
			return
		case <-t.C:
			s.reloadIfChanged()
		}
	}
}

// start starts the cron ticks, or the adaptive rounds; the returned channel closes once
// they have stopped after ctx ended, a tick or round in progress finished.
func (s *scheduler) start(ctx context.Context) <-chan struct{} {
	done := make(chan struct{})
	if s.adaptive != nil {
		go func() {
			defer close(done)
			s.adaptive.run(ctx)
		}()
		return done
	}
	s.cron.Start()
	go func() {
		defer close(done)
		<-ctx.Done()
		<-s.cron.Stop().Done()
	}()
	return done
}

// reloadIfChanged applies the sources file when its contents changed. A file with errors is
// logged and ignored; the sources applied before stay in force.
func (s *scheduler) reloadIfChanged() {
	path := s.e.cfg.SourcesFile
	data, err := os.ReadFile(path) //nolint:gosec // the operator names the sources file
	if err != nil {
		if !s.unreadable {
			s.e.log.Error("sources file unreadable; keeping the previous sources", zap.String("error", err.Error()))
		}
		s.unreadable = true
		return
	}
	s.unreadable = false
	if bytes.Equal(data, s.file) {
		return
	}
	s.file = data
	sources, err := config.ParseSources(path, data)
	if err == nil {
		err = s.apply(sources)
	}
	if err != nil {
		s.e.log.Error("sources file rejected; keeping the previous sources", zap.String("error", err.Error()))
		return
	}
	s.e.log.Info("sources reloaded", zap.Int("sources", len(sources)))
}

// tick publishes one fetch task for each source of g, unless another producer claimed the
// tick first.
func (s *scheduler) tick(g *group) {
	start := time.Now()
	due := dueAt(g.schedule, start)
	interval := config.ScheduleInterval(g.schedule, start)
	ctx, cancel := context.WithTimeout(s.ctx, max(interval, 10*time.Second))
	defer cancel()
	if !s.claim(ctx, g, due, min(interval/2, 5*time.Second)) {
		// The tick is another producer's. Recording it as an empty tick keeps this producer's
		// last-tick gauge current, so a healthy standby does not look stalled.
		s.metrics.Tick(tasks.FetchSourceTask, 0, nil, time.Since(start))
		return
	}
	known, err := s.st.Sources(ctx)
	if err != nil {
		s.e.log.Warn("source states unavailable; publishing without cursor hints", zap.Error(err))
	}
	sigs, skipped := s.signatures(g, known, start)
	err = s.pub.Publish(ctx, sigs...)
	s.metrics.Tick(tasks.FetchSourceTask, len(sigs), err, time.Since(start))
	if err != nil {
		s.e.log.Error("tick failed", zap.String("schedule", g.spec), zap.Time("due", due),
			zap.String("error", err.Error()))
		return
	}
	s.e.log.Info("tick published", zap.String("schedule", g.spec), zap.Time("due", due),
		zap.Int("published", len(sigs)), zap.Int("skipped", skipped), zap.Duration("duration", time.Since(start)))
	if s.e.log.Core().Enabled(zap.DebugLevel) { // one line per task: for tracing, not for every day
		for _, sig := range sigs {
			s.e.log.Debug("signature published", zap.String("task_id", sig.UUID))
		}
	}
}

// claim reports whether this producer is to publish g's tick due at due: true when it won
// the tick's claim, and also when the claim could not be made within timeout (the database
// is down). Publishing unclaimed may duplicate another producer's tick, which is safe: a
// worker walks a source under its advisory lock and from its stored cursor, so a repeated
// task costs at most one API request that finds nothing new.
func (s *scheduler) claim(ctx context.Context, g *group, due time.Time, timeout time.Duration) bool {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	won, err := s.st.ClaimTick(ctx, g.spec, due, s.id)
	if err != nil {
		s.e.log.Warn("tick claim failed; publishing unclaimed", zap.String("schedule", g.spec),
			zap.Time("due", due), zap.Error(err))
		return true
	}
	if !won {
		s.e.log.Debug("tick claimed by another producer", zap.String("schedule", g.spec), zap.Time("due", due))
	}
	return won
}

// signatures builds g's fetch signatures, leaving out sources recently found missing.
func (s *scheduler) signatures(g *group, known map[string]*store.Source, now time.Time) ([]*mtasks.Signature, int) {
	backfill := int64(s.e.backfill(g.schedule, now) / time.Second)
	sigs := make([]*mtasks.Signature, 0, len(g.sources))
	skipped := 0
	for _, src := range g.sources {
		f := tasks.Fetch{Kind: string(src.Kind), Value: src.Value, BackfillSeconds: backfill}
		if st, ok := known[src.Key()]; ok {
			if st.Status != store.StatusActive && now.Sub(st.LastErrorAt) < collector.RecheckMissing {
				skipped++
				continue
			}
			if st.CursorID != 0 {
				f.SinceIDHint = idString(st.CursorID)
			}
		}
		sig, err := f.Signature()
		if err != nil {
			s.e.log.Error("source not published", zap.String("source", f.String()), zap.Error(err))
			continue
		}
		sigs = append(sigs, sig)
	}
	return sigs, skipped
}

// cronLogger routes the cron library's messages into zap.
type cronLogger struct{ log *zap.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	l.log.Debug("cron: "+msg, zap.Any("details", kv))
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, zap.Error(err), zap.Any("details", kv))
}
