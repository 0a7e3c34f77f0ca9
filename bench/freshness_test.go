package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/twittersim"
)

// freshnessInterval is the fixed schedule the freshness benchmark runs the producer on.
const freshnessInterval = 10 * time.Second

// freshnessBudget is the goal for p99: the interval plus two seconds.
const freshnessBudget = freshnessInterval + 2*time.Second

// freshnessAccounts are the timeline sources: a few accounts posting every few seconds.
var freshnessAccounts = []twittersim.AccountSpec{
	{Username: "fresh0", Interval: 2 * time.Second},
	{Username: "fresh1", Interval: 3 * time.Second},
	{Username: "fresh2", Interval: 4 * time.Second},
	{Username: "fresh3", Interval: 5 * time.Second},
}

func BenchmarkFreshness(b *testing.B) {
	collect := time.Duration(sized(25, 180)) * time.Second
	for b.Loop() {
		runFreshness(b, collect)
	}
}

func runFreshness(b *testing.B, collect time.Duration) {
	st := newFreshnessStack(b)
	watch := st.watchRows(b)
	// The first tick walks back one interval; tweets from before the steady state began
	// would measure the backfill, not the schedule.
	st.waitFirstWalks(b)
	from := time.Now()
	time.Sleep(collect)
	until := time.Now()
	truth := st.truthBetween(b, from, until)
	if len(truth) == 0 {
		b.Fatal("the simulator created no tweets during the collection")
	}
	waitFor(b, freshnessBudget+time.Minute, "every tweet of the collection stored", func() (bool, error) {
		return watch.hasAll(truth)
	})
	watch.stop()

	seen, fetched := watch.delays(truth)
	p50, p99 := quantile(seen, 0.50), quantile(seen, 0.99)
	f50, f99 := quantile(fetched, 0.50), quantile(fetched, 0.99)
	note := fmt.Sprintf("%d tweets of %d timelines over %s; from fetched_at: p50 %.2f s, p99 %.2f s",
		len(truth), len(freshnessAccounts), collect, f50.Seconds(), f99.Seconds())
	b.Log(note)
	ref := freshnessBudget.Seconds()
	record(b, Figure{
		Bench: "6. freshness", What: "p50 creation to row s", Measured: p50.Seconds(), Reference: ref,
		RefName: "interval + 2 s", Goal: "≤ interval + 2 s (the goal binds p99)", Met: p50 <= freshnessBudget,
		Note: note,
	})
	record(b, Figure{
		Bench: "6. freshness", What: "p99 creation to row s", Measured: p99.Seconds(), Reference: ref,
		RefName: "interval + 2 s", Goal: "p99 ≤ interval + 2 s", Met: p99 <= freshnessBudget,
		Note: note,
	})
}

// quantile is the q-quantile of ds (nearest rank).
func quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// freshnessStack is twittersim on the real clock, the producer on a 10-second schedule and
// one worker, as processes, with a database and vhost of their own.
type freshnessStack struct {
	sim *twittersim.Client
	db  *pgxpool.Pool
}

func newFreshnessStack(b *testing.B) *freshnessStack {
	b.Helper()
	dbURL, brokerURL := testenv.Database(b), testenv.Vhost(b)
	simAddr := testenv.FreeAddr(b)
	var accounts []string
	var sources strings.Builder
	sources.WriteString("users:\n")
	for _, a := range freshnessAccounts {
		accounts = append(accounts, a.Username+":"+a.Interval.String())
		sources.WriteString("  - " + a.Username + "\n")
	}
	startProgram(b, "twittersim", nil, "-addr", simAddr, "-accounts", strings.Join(accounts, ","),
		"-seed", "5", "-speed", "1")
	st := &freshnessStack{sim: twittersim.NewClient("http://" + simAddr)}
	waitFor(b, time.Minute, "twittersim answers", func() (bool, error) {
		return st.sim.Healthz(context.Background()) == nil, nil
	})
	path := filepath.Join(b.TempDir(), "sources.yml")
	if err := os.WriteFile(path, []byte(sources.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	env := []string{
		"RABBITMQ_URL=" + brokerURL, "DATABASE_URL=" + dbURL,
		"TWITTER_API_URL=http://" + simAddr, "TWITTER_BEARER_TOKEN=" + twittersim.DefaultToken,
		"SOURCES_FILE=" + path, "FETCH_SCHEDULE=@every " + freshnessInterval.String(),
		"METRICS_ADDR=", "LOG_LEVEL=warn", "SHUTDOWN_GRACE=20s",
	}
	startProgram(b, "worker", env)
	startProgram(b, "producer", env, "run")
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	st.db = pool
	return st
}

// waitFirstWalks waits until every source has completed a walk.
func (s *freshnessStack) waitFirstWalks(b *testing.B) {
	b.Helper()
	waitFor(b, time.Minute, "every source walked once", func() (bool, error) {
		var n int
		err := s.db.QueryRow(context.Background(),
			`SELECT count(*) FROM sources WHERE last_walk_started_at IS NOT NULL AND walk_token IS NULL`).Scan(&n)
		if noSchemaYet(err) {
			return false, nil
		}
		return n == len(freshnessAccounts), err
	})
}

// noSchemaYet reports an error saying a table is missing: the programs have not migrated yet.
func noSchemaYet(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "42P01"
}

// truthBetween returns the creation time of every tweet the accounts made in [from, until),
// by id.
func (s *freshnessStack) truthBetween(b *testing.B, from, until time.Time) map[int64]time.Time {
	b.Helper()
	out := map[int64]time.Time{}
	for _, a := range freshnessAccounts {
		ts, err := s.sim.Truth(context.Background(), a.Username)
		if err != nil {
			b.Fatal(err)
		}
		for _, t := range ts {
			id, err := strconv.ParseInt(t.ID, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			// The id holds the creation time to the millisecond; created_at only to the second.
			created := store.SnowflakeTime(id)
			if !created.Before(from) && created.Before(until) {
				out[id] = created
			}
		}
	}
	return out
}

// rowWatch polls the tweets table every 20 ms and notes when each row was first seen,
// next to its fetched_at.
type rowWatch struct {
	mu      sync.Mutex
	seen    map[int64]time.Time
	fetched map[int64]time.Time
	err     error
	cancel  context.CancelFunc
	done    chan struct{}
}

func (s *freshnessStack) watchRows(b *testing.B) *rowWatch {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &rowWatch{
		seen: map[int64]time.Time{}, fetched: map[int64]time.Time{}, cancel: cancel, done: make(chan struct{}),
	}
	go w.run(ctx, s.db)
	b.Cleanup(w.stop)
	return w
}

func (w *rowWatch) run(ctx context.Context, db *pgxpool.Pool) {
	defer close(w.done)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := w.poll(ctx, db); err != nil && ctx.Err() == nil && !noSchemaYet(err) {
			w.mu.Lock()
			w.err = err
			w.mu.Unlock()
		}
	}
}

// poll reads the rows; a row is seen at the time the query that found it was sent.
func (w *rowWatch) poll(ctx context.Context, db *pgxpool.Pool) error {
	asked := time.Now()
	rows, err := db.Query(ctx, `SELECT id, fetched_at FROM tweets`)
	if err != nil {
		return err
	}
	defer rows.Close()
	w.mu.Lock()
	defer w.mu.Unlock()
	for rows.Next() {
		var id int64
		var fetched time.Time
		if err := rows.Scan(&id, &fetched); err != nil {
			return err
		}
		if _, ok := w.seen[id]; !ok {
			w.seen[id], w.fetched[id] = asked, fetched
		}
	}
	return rows.Err()
}

func (w *rowWatch) stop() {
	w.cancel()
	<-w.done
}

// hasAll reports whether every tweet of truth has been seen, or why polling failed.
func (w *rowWatch) hasAll(truth map[int64]time.Time) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return false, fmt.Errorf("poll the tweets table: %w", w.err)
	}
	for id := range truth {
		if _, ok := w.seen[id]; !ok {
			return false, nil
		}
	}
	return true, nil
}

// delays returns, per tweet of truth, the time from its creation to the poll that first saw
// its row, and to its fetched_at.
func (w *rowWatch) delays(truth map[int64]time.Time) (seen, fetched []time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, created := range truth {
		seen = append(seen, w.seen[id].Sub(created))
		fetched = append(fetched, w.fetched[id].Sub(created))
	}
	return seen, fetched
}
