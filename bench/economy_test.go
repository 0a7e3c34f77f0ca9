package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

// economyStart is when the simulated run of the economy benchmark begins.
var economyStart = time.Date(2026, 11, 2, 6, 0, 0, 0, time.UTC)

// economyTick is the fixed schedule of the economy benchmark, in simulated time.
const economyTick = time.Minute

// economyAccounts are sources of very different activity: silent, about one tweet an hour,
// a few a minute, and burst accounts that post only through sim.Post.
var economyAccounts = []twittersim.AccountSpec{
	{Username: "econ_silent0"},
	{Username: "econ_silent1"},
	{Username: "econ_silent2"},
	{Username: "econ_hourly0", Interval: time.Hour},
	{Username: "econ_hourly1", Interval: time.Hour},
	{Username: "econ_hourly2", Interval: time.Hour},
	{Username: "econ_hourly3", Interval: time.Hour},
	{Username: "econ_chatty0", Interval: 20 * time.Second},
	{Username: "econ_chatty1", Interval: 45 * time.Second},
	{Username: "econ_burst0"},
	{Username: "econ_burst1", Interval: 30 * time.Minute},
}

// economyQueries are search sources: a busy one, one that follows an hourly account, one
// whose bursts span pages (and are hidden by the search delay on the tick they are posted),
// and one that matches nothing.
var economyQueries = []string{"#golang", "from:econ_hourly0", "from:econ_burst0", "zyzzyva"}

// economyBursts is how many tweets a burst account posts before a tick; ticks not listed
// bring no burst. Every burst is over a page (100 tweets).
func economyBursts(tick int) map[string]int {
	switch {
	case tick%7 == 3:
		return map[string]int{"econ_burst0": 150}
	case tick%11 == 5:
		return map[string]int{"econ_burst1": 101, "econ_burst0": 250}
	}
	return nil
}

func BenchmarkEconomy(b *testing.B) {
	ticks := sized(20, 6*60)
	for b.Loop() {
		runEconomy(b, ticks)
	}
}

func runEconomy(b *testing.B, ticks int) {
	e := newEconomyEnv(b)
	sources := economySources()
	ctx := context.Background()
	started := time.Now()
	for tick := range ticks {
		e.clock.Advance(economyTick)
		for name, n := range economyBursts(tick) {
			if _, err := e.sim.Post(name, n); err != nil {
				b.Fatalf("post a burst for %s: %v", name, err)
			}
		}
		for _, f := range sources {
			if _, err := e.coll.Fetch(ctx, f); err != nil {
				b.Fatalf("tick %d: fetch %s: %v", tick, f, err)
			}
		}
	}
	elapsed := time.Since(started)
	e.checkStored(b)

	users := len(economyAccounts)
	tally := e.tally.snapshot()
	minimum := users + ticks*len(sources) + tally.nextTokens
	if stats := e.sim.Stats(); stats.Total != tally.requests {
		b.Fatalf("simulator counted %d requests, the recorder %d", stats.Total, tally.requests)
	}
	if tally.requests != minimum || tally.lookups != users {
		b.Fatalf("%d API requests (%d lookups); the protocol minimum is %d (%d lookups + %d ticks × %d sources "+
			"+ %d pages announced by next_token)", tally.requests, tally.lookups, minimum, users, ticks,
			len(sources), tally.nextTokens)
	}
	record(b, Figure{
		Bench: "4. API economy", What: "API requests", Measured: float64(tally.requests),
		Reference: float64(minimum), RefName: "protocol minimum", Goal: "= minimum",
		Met: tally.requests == minimum,
		Note: fmt.Sprintf("%d sources, %d ticks of %s simulated in %s, %d tweets stored",
			len(sources), ticks, economyTick, elapsed.Round(time.Millisecond), e.storedCount(b)),
	})
}

// economySources are the fetches of one tick: every account, then every query.
func economySources() []tasks.Fetch {
	var out []tasks.Fetch
	for _, a := range economyAccounts {
		out = append(out, tasks.Fetch{Kind: tasks.KindUser, Value: a.Username})
	}
	for _, q := range economyQueries {
		out = append(out, tasks.Fetch{Kind: tasks.KindQuery, Value: q})
	}
	return out
}

// economyEnv is a simulator on a manual clock behind a request recorder, the real client
// over HTTP, the real store on a fresh database and a collector on the simulator's clock.
type economyEnv struct {
	clock *twittersim.ManualClock
	sim   *twittersim.Server
	tally *requestTally
	st    *store.Store
	coll  *collector.Collector
}

func newEconomyEnv(b *testing.B) *economyEnv {
	b.Helper()
	clock := twittersim.NewManualClock(economyStart)
	sim, err := twittersim.New(twittersim.Config{
		Seed: 11, Accounts: economyAccounts, Clock: clock, History: 2 * time.Hour,
		SearchDelay: twittersim.DefaultSearchDelay,
	})
	if err != nil {
		b.Fatal(err)
	}
	tally := &requestTally{}
	srv := httptest.NewServer(tally.wrap(sim.Handler()))
	b.Cleanup(srv.Close)
	api := twitterapi.New(twitterapi.Options{
		BaseURL: srv.URL, BearerToken: twittersim.DefaultToken, Timeout: 10 * time.Second,
	})
	st, err := store.Connect(context.Background(), testenv.Database(b), 4, zap.NewNop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(st.Close)
	if _, err := st.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	coll := collector.New(api, st, zap.NewNop(), economyTick)
	coll.Now = clock.Now
	return &economyEnv{clock: clock, sim: sim, tally: tally, st: st, coll: coll}
}

// checkStored fails the benchmark unless every tweet the sources could see is stored: each
// account's tweets since the first walk's backfill bound, and each query's up to the search
// delay before now.
func (e *economyEnv) checkStored(b *testing.B) {
	b.Helper()
	from := economyStart // the first fetch runs one tick in and reaches back one tick
	var want []twittersim.TruthTweet
	for _, a := range economyAccounts {
		ts, err := e.sim.Truth(a.Username)
		if err != nil {
			b.Fatal(err)
		}
		want = append(want, ts...)
	}
	searchable := e.clock.Now().Add(-twittersim.DefaultSearchDelay)
	for _, q := range economyQueries {
		ts, err := e.sim.TruthQuery(q)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range ts {
			if !t.CreatedAt.After(searchable) {
				want = append(want, t)
			}
		}
	}
	stored := e.storedIDs(b)
	missing := 0
	for _, t := range want {
		if !t.CreatedAt.Before(from) && !stored[t.ID] {
			missing++
		}
	}
	if missing > 0 {
		b.Fatalf("%d tweets the sources could see are not stored", missing)
	}
}

func (e *economyEnv) storedIDs(b *testing.B) map[string]bool {
	b.Helper()
	rows, err := e.st.Pool().Query(context.Background(), `SELECT id::text FROM tweets`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			b.Fatal(err)
		}
		out[id] = true
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return out
}

func (e *economyEnv) storedCount(b *testing.B) int {
	b.Helper()
	var n int
	if err := e.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM tweets`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// requestTally counts the API requests a simulator answers, the handle lookups among them,
// and the answers that hand out a next_token.
type requestTally struct {
	mu     sync.Mutex
	counts tallyCounts
}

type tallyCounts struct {
	requests, lookups, nextTokens int
}

func (t *requestTally) snapshot() tallyCounts {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.counts
}

// wrap records every /2/ exchange of next.
func (t *requestTally) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/2/") {
			next.ServeHTTP(w, r)
			return
		}
		tee := &teeWriter{ResponseWriter: w}
		next.ServeHTTP(tee, r)
		var body struct {
			Meta struct {
				NextToken string `json:"next_token"`
			} `json:"meta"`
		}
		hasToken := json.Unmarshal(tee.body.Bytes(), &body) == nil && body.Meta.NextToken != ""
		t.mu.Lock()
		defer t.mu.Unlock()
		t.counts.requests++
		if strings.HasPrefix(r.URL.Path, "/2/users/by") {
			t.counts.lookups++
		}
		if hasToken {
			t.counts.nextTokens++
		}
	})
}

// teeWriter keeps a copy of the body it writes.
type teeWriter struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (w *teeWriter) Write(p []byte) (int, error) {
	w.body.Write(p)
	return w.ResponseWriter.Write(p)
}
