// Package pollsim runs a collection against the API simulator in simulated time, so that a
// day of polling takes seconds: a population of accounts posts, a schedule (fixed, or the
// adaptive dispatcher) decides what to fetch, the real collector fetches it over HTTP into
// a real database, and the run reports how many posts were stored within the freshness
// target, lost to gaps and reported as such, and what the API was asked.
package pollsim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/poll"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

// Start is when every simulated run begins.
var Start = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// Burst is a batch of posts an account makes at once.
type Burst struct {
	Username string
	// At is the time since the run's start.
	At    time.Duration
	Count int
}

// Population is the accounts of a run and the bursts they post on top of their steady rate.
type Population struct {
	Accounts []twittersim.AccountSpec
	Bursts   []Burst
}

// Realistic returns n accounts shaped like a real collection over span: most nearly silent,
// some steady, a few bursting with over 100 posts at a time, and one posting thousands a
// day. The same seed gives the same population.
func Realistic(n int, span time.Duration, seed uint64) Population {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b9)) //nolint:gosec // a reproducible population, not a secret
	var p Population
	add := func(name string, every time.Duration) {
		p.Accounts = append(p.Accounts, twittersim.AccountSpec{Username: name, Interval: every})
	}
	add("firehose", 25*time.Second) // about 3,500 a day
	bursty := max(1, n/25)
	for i := range bursty {
		name := fmt.Sprintf("bursty%d", i)
		add(name, 2*time.Hour)
		next := func() time.Duration { return 3*time.Hour + time.Duration(rng.Int64N(int64(6*time.Hour))) }
		for at := time.Duration(rng.Int64N(int64(4 * time.Hour))); at < span; at += next() {
			p.Bursts = append(p.Bursts, Burst{Username: name, At: at, Count: 120 + rng.IntN(400)})
		}
	}
	steady := max(1, n/5)
	for i := range steady {
		add(fmt.Sprintf("steady%d", i), time.Duration(10+rng.IntN(110))*time.Minute)
	}
	// One flood of more posts than a timeline walk reaches: a gap no schedule can avoid,
	// which must be reported.
	p.Bursts = append(p.Bursts, Burst{Username: "bursty0", At: span / 2, Count: collector.TimelineDepth + 800})
	slices.SortStableFunc(p.Bursts, func(a, b Burst) int { return cmp.Compare(a.At, b.At) })
	for i := range max(0, n-1-bursty-steady) {
		every := time.Duration(0) // silent
		if rng.IntN(3) > 0 {
			every = time.Duration(12+rng.IntN(60)) * time.Hour
		}
		add(fmt.Sprintf("quiet%d", i), every)
	}
	return p
}

// Config describes one run.
type Config struct {
	Population Population
	// Span is the simulated time the run lasts; Step how far the clock moves between rounds.
	Span, Step time.Duration
	// Budget is the timeline requests per 15-minute window the simulated API allows; Users
	// the handle lookups.
	Budget, Users int
	// Target is the freshness target.
	Target time.Duration
	// Fixed, when set, polls every source at this interval; otherwise the adaptive
	// dispatcher runs with Settings.
	Fixed    time.Duration
	Settings poll.Settings
	// DatabaseURL is an empty database of the run's own.
	DatabaseURL string
	Log         *zap.Logger
}

// Result is what a run measured.
type Result struct {
	// Posts were created during the run, before its last Target; Fresh of them were stored
	// within the target, Stored at all.
	Posts, Fresh, Stored int
	// Lost posts were passed over for good: older than their source's cursor, not stored.
	// InGaps of them lie inside a gap the collector reported; Gaps is how many it reported.
	Lost, InGaps, Gaps int
	// Requests is every API request the run made; RateLimited the 429s among them.
	Requests, RateLimited int
}

// FreshShare is Fresh / Posts.
func (r Result) FreshShare() float64 {
	if r.Posts == 0 {
		return 0
	}
	return float64(r.Fresh) / float64(r.Posts)
}

// Run runs cfg to its end.
func Run(ctx context.Context, cfg Config) (Result, error) {
	log := cfg.Log
	if log == nil {
		log = zap.NewNop()
	}
	clock := twittersim.NewManualClock(Start)
	sim, err := twittersim.New(twittersim.Config{
		Seed: 1, Accounts: cfg.Population.Accounts, Clock: clock, Start: Start,
		RateLimits: twittersim.RateLimits{Timeline: cfg.Budget, Users: cfg.Users, Search: 450},
	})
	if err != nil {
		return Result{}, err
	}
	srv := httptest.NewServer(sim.Handler())
	defer srv.Close()
	st, err := store.Connect(ctx, cfg.DatabaseURL, 1, log)
	if err != nil {
		return Result{}, err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return Result{}, err
	}
	r := &runner{cfg: cfg, clock: clock, sim: sim, st: st, log: log, rates: poll.NewRateRecorder(st, log)}
	r.rates.Now = clock.Now
	api := twitterapi.New(twitterapi.Options{
		BaseURL: srv.URL, BearerToken: twittersim.DefaultToken, Timeout: 10 * time.Second,
		Observe: r.rates.Observe,
	})
	r.coll = collector.New(api, st, log, time.Hour)
	r.coll.Now = clock.Now
	if err := r.run(ctx); err != nil {
		return Result{}, err
	}
	return r.measure(ctx)
}

type runner struct {
	cfg   Config
	clock *twittersim.ManualClock
	sim   *twittersim.Server
	st    *store.Store
	coll  *collector.Collector
	log   *zap.Logger
	// rates records the rate-limit headers of every answer, as a worker's recorder does.
	rates *poll.RateRecorder
}

func (r *runner) run(ctx context.Context) error {
	var d *poll.Dispatcher
	if r.cfg.Fixed == 0 {
		d = r.dispatcher()
	}
	bursts := r.cfg.Population.Bursts
	var nextFixed time.Time
	for elapsed := time.Duration(0); elapsed < r.cfg.Span; elapsed += r.cfg.Step {
		r.clock.Set(Start.Add(elapsed))
		now := r.clock.Now()
		for len(bursts) > 0 && bursts[0].At <= elapsed {
			if _, err := r.sim.Post(bursts[0].Username, bursts[0].Count); err != nil {
				return err
			}
			bursts = bursts[1:]
		}
		var err error
		switch {
		case d != nil:
			err = r.adaptiveRound(ctx, d, now)
		case !now.Before(nextFixed):
			nextFixed = now.Add(r.cfg.Fixed)
			err = r.fixedTick(ctx, now)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// dispatcher returns the adaptive dispatcher of the run, its sources set.
func (r *runner) dispatcher() *poll.Dispatcher {
	set := r.cfg.Settings
	set.Target = r.cfg.Target
	d := poll.NewDispatcher(r.st, set, []poll.Budget{
		{Endpoint: twitterapi.EndpointTimeline, Requests: r.cfg.Budget, Window: poll.DefaultWindow},
		{Endpoint: twitterapi.EndpointUsers, Requests: r.cfg.Users, Window: poll.DefaultWindow},
	})
	entries := make([]poll.Entry, len(r.cfg.Population.Accounts))
	for i, a := range r.cfg.Population.Accounts {
		entries[i] = poll.Entry{Key: "user:" + a.Username, Kind: tasks.KindUser, Value: a.Username}
	}
	d.SetSources(entries)
	return d
}

// fixedTick fetches every source, as a tick of the fixed schedule publishes them all.
func (r *runner) fixedTick(ctx context.Context, now time.Time) error {
	for _, a := range r.cfg.Population.Accounts {
		if err := r.fetch(ctx, a.Username, now); err != nil {
			return err
		}
	}
	return nil
}

// adaptiveRound runs one round of the dispatcher and fetches what it published.
func (r *runner) adaptiveRound(ctx context.Context, d *poll.Dispatcher, now time.Time) error {
	if err := r.rates.Flush(ctx); err != nil {
		return err
	}
	round, err := d.Round(ctx, now)
	if err != nil {
		return err
	}
	if err := d.Commit(ctx, round, now); err != nil {
		return err
	}
	for _, p := range round.Polls {
		if err := r.fetch(ctx, p.Value, now); err != nil {
			return err
		}
	}
	return nil
}

// fetch runs one fetch task as a worker would: a rate limit pauses the endpoint until the
// window resets (the next scheduled fetch makes up for the task).
func (r *runner) fetch(ctx context.Context, username string, now time.Time) error {
	_, err := r.coll.Fetch(ctx, tasks.Fetch{Kind: tasks.KindUser, Value: username, PublishedAt: now})
	var ae *twitterapi.Error
	var paused *collector.PausedError
	switch {
	case err == nil, errors.As(err, &paused):
		return nil
	case errors.As(err, &ae) && ae.Kind == twitterapi.KindRateLimited:
		_, err := r.st.SetPause(ctx, store.Pause{
			Endpoint: ae.Endpoint, Reason: "rate_limited", Until: ae.ResetAt().Add(time.Second),
		}, now)
		return err
	case errors.As(err, &ae):
		r.log.Warn("fetch failed", zap.String("user", username), zap.Error(err))
		return nil
	}
	return fmt.Errorf("fetch @%s: %w", username, err)
}

// measure compares what the simulator created with what the database holds.
func (r *runner) measure(ctx context.Context) (Result, error) {
	var res Result
	stats := r.sim.Stats()
	res.Requests = stats.Total
	for _, byStatus := range stats.Requests {
		res.RateLimited += byStatus["429"]
	}
	stored, err := r.storedAt(ctx)
	if err != nil {
		return res, err
	}
	sources, err := r.st.Sources(ctx)
	if err != nil {
		return res, err
	}
	for _, a := range r.cfg.Population.Accounts {
		if err := r.measureAccount(ctx, &res, a.Username, sources["user:"+strings.ToLower(a.Username)], stored); err != nil {
			return res, err
		}
	}
	return res, nil
}

// measureAccount adds one account's posts to res: src is its source (nil if never
// fetched), stored the storage time of every stored tweet.
func (r *runner) measureAccount(ctx context.Context, res *Result, username string, src *store.Source,
	stored map[int64]time.Time,
) error {
	truth, err := r.sim.Truth(username)
	if err != nil {
		return err
	}
	var gaps []store.Gap
	if src != nil {
		if gaps, err = r.st.Gaps(ctx, src.ID); err != nil {
			return err
		}
	}
	res.Gaps += len(gaps)
	end := Start.Add(r.cfg.Span)
	for _, t := range truth {
		if t.CreatedAt.Before(Start) || t.CreatedAt.After(end.Add(-r.cfg.Target)) {
			continue
		}
		id, err := strconv.ParseInt(t.ID, 10, 64)
		if err != nil {
			return err
		}
		res.Posts++
		at, ok := stored[id]
		switch {
		case ok:
			res.Stored++
			if at.Sub(t.CreatedAt) <= r.cfg.Target {
				res.Fresh++
			}
		case src != nil && id <= src.CursorID:
			res.Lost++
			if inGap(gaps, id) {
				res.InGaps++
			}
		}
	}
	return nil
}

func inGap(gaps []store.Gap, id int64) bool {
	for _, g := range gaps {
		if id > g.AfterID && id < g.BeforeID {
			return true
		}
	}
	return false
}

// storedAt maps every stored tweet's id to when it was stored.
func (r *runner) storedAt(ctx context.Context) (map[int64]time.Time, error) {
	rows, err := r.st.Pool().Query(ctx, `SELECT id, fetched_at FROM tweets`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]time.Time{}
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, err
		}
		out[id] = at
	}
	return out, rows.Err()
}
