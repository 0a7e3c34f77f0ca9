package poll_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/poll"
	"github.com/tweetflow/tweetflow/store"
)

func TestDispatcherGoesByTheAPIsLowerLimitInLaterWindows(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	now := time.Date(2026, 11, 2, 10, 20, 0, 0, time.UTC)
	// A worker saw a limit of 6 in an earlier window, whose reset is past.
	if err := st.ObserveRateLimit(ctx, "timeline", 6, 0, now.Add(-5*time.Minute), now.Add(-6*time.Minute)); err != nil {
		t.Fatal(err)
	}
	d := poll.NewDispatcher(st, poll.DefaultSettings(), []poll.Budget{{Endpoint: "timeline", Requests: 10_000, Window: poll.DefaultWindow}})
	var entries []poll.Entry
	for _, name := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		entries = append(entries, poll.Entry{Key: "user:" + name, Kind: "user", Value: name})
	}
	d.SetSources(entries)
	r, err := d.Round(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Endpoints[0].Capacity; got != 5.4 {
		t.Errorf("capacity %v, want 5.4: the API's limit of 6 less the reserve", got)
	}
	if len(r.Polls) != 5 {
		t.Errorf("%d polls in the round, want 5", len(r.Polls))
	}
	// Planned for 10,000 requests, every source would poll at its minimum for spare budget;
	// for 5.4, most stay at their maximum for want of room.
	noRoom := 0
	for _, row := range d.Plan() {
		if strings.Contains(row.Reason, "spare budget") {
			t.Errorf("%s: reason %q; the plan should be made for the API's limit", row.Key, row.Reason)
		}
		if strings.Contains(row.Reason, "no room") {
			noRoom++
		}
	}
	if noRoom == 0 {
		t.Errorf("no source is held back by the budget: %+v", d.Plan())
	}
}

func TestDispatcherPlansNewSourcesAgainOnceTheyHaveBeenFetched(t *testing.T) {
	ctx := context.Background()
	st := newStore(t)
	now := time.Date(2026, 11, 2, 10, 20, 0, 0, time.UTC)
	d := poll.NewDispatcher(st, poll.DefaultSettings(), []poll.Budget{{Endpoint: "timeline", Requests: 100, Window: poll.DefaultWindow}})
	d.SetSources([]poll.Entry{{Key: "user:a", Kind: "user", Value: "a"}})
	for _, step := range []struct {
		after time.Duration
		want  bool
	}{
		{0, true},                  // the first plan
		{5 * time.Second, false},   // too soon
		{11 * time.Second, true},   // a source never fetched: planned again soon
		{22 * time.Second, true},   // still never fetched
		{90 * time.Second, true},   // fetched by now (below), planned with what it posted
		{100 * time.Second, false}, // known: the next plan is a minute later
	} {
		if step.after == 90*time.Second {
			if _, err := st.EnsureSource(ctx, "user", "a"); err != nil {
				t.Fatal(err)
			}
		}
		r, err := d.Round(ctx, now.Add(step.after))
		if err != nil {
			t.Fatal(err)
		}
		if r.Replanned != step.want {
			t.Errorf("round at +%v: replanned %v, want %v", step.after, r.Replanned, step.want)
		}
	}
}

// newStore returns a migrated store on a database of the test's own.
func newStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Connect(context.Background(), testenv.Database(t), 1, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}
