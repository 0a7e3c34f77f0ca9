package main

import (
	"context"
	"sync"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/metrics"
	"github.com/tweetflow/tweetflow/poll"
	"github.com/tweetflow/tweetflow/tasks"
)

// With SCHEDULE_MODE=adaptive the producer runs a scheduling round every second instead of
// the cron ticks: the dispatcher (package poll) says which sources are due and fit the
// window's budget, and the round publishes one fetch task for each. Rounds are claimed like
// ticks, so of several producers exactly one runs each.

// roundEvery is how often the adaptive schedule looks for due sources.
const roundEvery = time.Second

// roundSpec names the adaptive rounds in the tick claims.
const roundSpec = "adaptive"

// adaptive is the producer's adaptive schedule.
type adaptive struct {
	s       *scheduler
	d       *poll.Dispatcher
	budget  *metrics.Budget
	mu      sync.Mutex
	sources map[string]config.Source
	// failing is set while rounds fail, so that a run of failures is logged once; only the
	// round loop uses it.
	failing bool
}

func newAdaptive(s *scheduler, m *metrics.Budget) *adaptive {
	cfg := s.e.cfg
	settings := poll.DefaultSettings()
	settings.MinInterval, settings.MaxInterval = cfg.PollMinInterval, cfg.PollMaxInterval
	settings.Target, settings.Reserve = cfg.FreshnessTarget, cfg.BudgetReserve
	return &adaptive{s: s, d: poll.NewDispatcher(s.st, settings, cfg.APIBudget), budget: m}
}

// setSources makes sources the ones planned from the next round on.
func (a *adaptive) setSources(sources []config.Source) {
	entries := make([]poll.Entry, len(sources))
	byKey := make(map[string]config.Source, len(sources))
	for i, src := range sources {
		prio, err := poll.ParsePriority(src.Priority)
		if err != nil {
			prio = poll.PriorityNormal // the sources file was checked; cannot happen
		}
		entries[i] = poll.Entry{
			Key: src.Key(), Kind: string(src.Kind), Value: src.Value, Priority: prio,
			Min: src.MinInterval, Max: src.MaxInterval,
		}
		byKey[src.Key()] = src
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.d.SetSources(entries)
	a.sources = byKey
}

// run runs a round every second until ctx ends.
func (a *adaptive) run(ctx context.Context) {
	t := time.NewTicker(roundEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			a.round(ctx, now.UTC())
		}
	}
}

// round publishes the sources due at now, if this producer wins the round's claim.
func (a *adaptive) round(ctx context.Context, now time.Time) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	due := now.Truncate(roundEvery)
	start := time.Now()
	won, err := a.s.st.ClaimTick(ctx, roundSpec, due, a.s.id)
	if err != nil {
		// Unlike a fixed tick, a round is not published unclaimed: the budget it spends
		// is shared, and the plan it follows is in the same database.
		a.fail("scheduling rounds skipped while the database is unavailable", err)
		return
	}
	if !won {
		// Another producer's round. Recording it as an empty tick keeps this producer's
		// last-tick gauge current, so a healthy standby does not look stalled.
		a.s.metrics.Tick(tasks.FetchSourceTask, 0, nil, time.Since(start))
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	r, err := a.d.Round(ctx, now)
	if err != nil {
		a.fail("scheduling rounds failing", err)
		return
	}
	if a.failing {
		a.s.e.log.Info("scheduling rounds resumed")
		a.failing = false
	}
	if r.Replanned {
		a.logPlan()
	}
	sigs := a.signatures(r.Polls)
	for _, er := range r.Endpoints {
		a.budget.Window(er.Endpoint, er.Capacity, er.Left, er.Planned, er.Deferred)
	}
	if len(sigs) == 0 {
		a.s.metrics.Tick(tasks.FetchSourceTask, 0, nil, time.Since(start)) // nothing due: a round all the same
		return
	}
	err = a.s.pub.Publish(ctx, sigs...)
	a.s.metrics.Tick(tasks.FetchSourceTask, len(sigs), err, time.Since(start))
	if err != nil {
		a.s.e.log.Error("round failed to publish", zap.Int("polls", len(sigs)), zap.String("error", err.Error()))
		return
	}
	if err := a.d.Commit(ctx, r, now); err != nil {
		// The polls went out but are not recorded: they are due again next round, and the
		// workers' source locks and cursors make the repeats cheap.
		a.s.e.log.Warn("published polls not recorded", zap.Error(err))
	}
	a.s.e.log.Debug("round published", zap.Int("published", len(sigs)), zap.Duration("duration", time.Since(start)))
	if a.s.e.log.Core().Enabled(zap.DebugLevel) {
		for _, sig := range sigs {
			a.s.e.log.Debug("signature published", zap.String("task_id", sig.UUID))
		}
	}
}

// fail logs the first of a run of failed rounds, one a second, once: the next that succeeds
// says so.
func (a *adaptive) fail(msg string, err error) {
	if !a.failing {
		a.s.e.log.Warn(msg, zap.String("error", err.Error()))
	}
	a.failing = true
}

// signatures builds the fetch signatures of polls.
func (a *adaptive) signatures(polls []poll.Poll) []*mtasks.Signature {
	backfill := a.s.e.cfg.BackfillWindow
	if backfill == 0 {
		backfill = a.s.e.cfg.PollMaxInterval
	}
	sigs := make([]*mtasks.Signature, 0, len(polls))
	for _, p := range polls {
		f := tasks.Fetch{Kind: p.Kind, Value: a.sources[p.Key].Value, BackfillSeconds: int64(backfill / time.Second)}
		sig, err := f.Signature()
		if err != nil {
			a.s.e.log.Error("source not published", zap.String("source", f.String()), zap.Error(err))
			continue
		}
		sigs = append(sigs, sig)
	}
	return sigs
}

// logPlan logs a summary of a new plan and feeds the interval histogram.
func (a *adaptive) logPlan() {
	plan := a.d.Plan()
	var shortest, longest time.Duration
	for i, row := range plan {
		a.budget.Planned(row.Endpoint, row.Interval)
		if i == 0 || row.Interval < shortest {
			shortest = row.Interval
		}
		longest = max(longest, row.Interval)
	}
	a.s.e.log.Info("polling planned", zap.Int("sources", len(plan)),
		zap.Duration("shortest_interval", shortest), zap.Duration("longest_interval", longest))
}
