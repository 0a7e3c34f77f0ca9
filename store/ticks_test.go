package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/store"
)

// twoProducers opens two stores on one migrated database, as two producers would.
func twoProducers(t *testing.T) (a, b *store.Store) {
	t.Helper()
	ctx := context.Background()
	url := testenv.Database(t)
	stores := make([]*store.Store, 2)
	for i := range stores {
		st, err := store.Connect(ctx, url, 4, zap.NewNop())
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		t.Cleanup(st.Close)
		if _, err := st.Migrate(ctx); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		stores[i] = st
	}
	return stores[0], stores[1]
}

func TestClaimTick_ExactlyOneOfConcurrentClaimersWins(t *testing.T) {
	ctx := context.Background()
	a, b := twoProducers(t)
	due := time.Date(2025, 3, 13, 10, 5, 0, 0, time.UTC)
	const claimers = 8
	won := make([]bool, claimers)
	errs := make([]error, claimers)
	var wg sync.WaitGroup
	for i := range claimers {
		st := a
		if i%2 == 1 {
			st = b
		}
		wg.Go(func() { won[i], errs[i] = st.ClaimTick(ctx, "*/5 * * * *", due, fmt.Sprintf("host/%d", i)) })
	}
	wg.Wait()
	winners := 0
	winner := ""
	for i := range claimers {
		if errs[i] != nil {
			t.Fatalf("claim %d: %v", i, errs[i])
		}
		if won[i] {
			winners++
			winner = fmt.Sprintf("host/%d", i)
		}
	}
	if winners != 1 {
		t.Fatalf("%d of %d claims of one tick won, want 1", winners, claimers)
	}
	var by string
	err := a.Pool().QueryRow(ctx, `SELECT claimed_by FROM ticks WHERE schedule = $1 AND due = $2`,
		"*/5 * * * *", due).Scan(&by)
	if err != nil || by != winner {
		t.Errorf("claimed_by = %q, %v; want the winner %q", by, err, winner)
	}

	for _, c := range []struct {
		name     string
		schedule string
		due      time.Time
	}{
		{"the next tick of the schedule", "*/5 * * * *", due.Add(5 * time.Minute)},
		{"the same time of another schedule", "@every 1m", due},
	} {
		if ok, err := b.ClaimTick(ctx, c.schedule, c.due, "host/b"); !ok || err != nil {
			t.Errorf("claim of %s = %v, %v; want won", c.name, ok, err)
		}
	}
}

func TestClaimTick_WinnerPrunesClaimsOlderThanTheRetention(t *testing.T) {
	ctx := context.Background()
	a, b := twoProducers(t)
	const sched = "@every 1m"
	now := time.Date(2025, 3, 13, 10, 0, 0, 0, time.UTC)
	old := now.Add(-store.TickRetention - time.Hour)
	recent := now.Add(-store.TickRetention + time.Hour)
	for _, due := range []time.Time{old, recent, now} {
		if ok, err := a.ClaimTick(ctx, sched, due, "host/a"); !ok || err != nil {
			t.Fatalf("claim %v = %v, %v; want won", due, ok, err)
		}
	}
	if got := claimedDues(t, a); !sameTimes(got, recent, now) {
		t.Fatalf("claims after winning %v = %v; want %v and %v (older pruned)", now, got, recent, now)
	}

	// A lost claim deletes nothing; the next won claim does.
	_, err := a.Pool().Exec(ctx, `INSERT INTO ticks (schedule, due, claimed_by) VALUES ($1, $2, 'host/a')`,
		"@hourly", old)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := b.ClaimTick(ctx, sched, now, "host/b"); ok || err != nil {
		t.Fatalf("second claim of %v = %v, %v; want lost", now, ok, err)
	}
	if got := claimedDues(t, a); !sameTimes(got, old, recent, now) {
		t.Fatalf("claims after a lost claim = %v; want %v, %v, %v", got, old, recent, now)
	}
	next := now.Add(time.Minute)
	if ok, err := b.ClaimTick(ctx, sched, next, "host/b"); !ok || err != nil {
		t.Fatalf("claim %v = %v, %v; want won", next, ok, err)
	}
	if got := claimedDues(t, a); !sameTimes(got, recent, now, next) {
		t.Errorf("claims after winning %v = %v; want %v, %v, %v (other schedules pruned too)",
			next, got, recent, now, next)
	}
}

// claimedDues lists the due times of every claimed tick, oldest first.
func claimedDues(t *testing.T, st *store.Store) []time.Time {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `SELECT due FROM ticks ORDER BY due`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var due time.Time
		if err := rows.Scan(&due); err != nil {
			t.Fatal(err)
		}
		out = append(out, due)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTimes(got []time.Time, want ...time.Time) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !got[i].Equal(want[i]) {
			return false
		}
	}
	return true
}
