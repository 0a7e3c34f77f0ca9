package main

import (
	"context"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/store"
)

// base is an arbitrary moment between two ticks of every schedule below.
var base = time.Date(2025, 3, 13, 10, 7, 31, 400_000_000, time.UTC)

var scheduleCases = []struct {
	spec     string
	first    time.Time // the first activation after base
	interval time.Duration
}{
	{"@every 2s", time.Date(2025, 3, 13, 10, 7, 32, 0, time.UTC), 2 * time.Second},
	{"@every 1m", time.Date(2025, 3, 13, 10, 8, 0, 0, time.UTC), time.Minute},
	{"*/5 * * * *", time.Date(2025, 3, 13, 10, 10, 0, 0, time.UTC), 5 * time.Minute},
}

func parse(t *testing.T, spec string) cron.Schedule {
	t.Helper()
	s, err := config.ParseSchedule(spec)
	if err != nil {
		t.Fatalf("parse %q: %v", spec, err)
	}
	return alignEvery(s)
}

// activations lists what cron runs from start on, until the end of the window: it asks the
// schedule for the next activation when an entry is added, then at each wake-up, which comes
// a little after the activation.
func activations(s cron.Schedule, start, from, until time.Time) []time.Time {
	var out []time.Time
	for next := s.Next(start); !next.After(until); next = s.Next(next.Add(3 * time.Millisecond)) {
		if !next.Before(from) {
			out = append(out, next)
		}
	}
	return out
}

func TestAlignEvery_ProducersStartedAtDifferentTimesTickTogether(t *testing.T) {
	for _, c := range scheduleCases {
		t.Run(c.spec, func(t *testing.T) {
			s := parse(t, c.spec)
			if got := s.Next(base); !got.Equal(c.first) {
				t.Errorf("first tick after %v = %v, want %v", base, got, c.first)
			}
			from, until := base.Add(c.interval), base.Add(4*c.interval)
			want := activations(s, base, from, until)
			if len(want) != 3 {
				t.Fatalf("ticks in [%v, %v] = %v, want 3", from, until, want)
			}
			assertEvenlySpaced(t, want, c.interval)
			for _, late := range []time.Duration{737 * time.Millisecond, c.interval / 2} {
				got := activations(s, base.Add(late), from, until)
				if !equalTimes(got, want) {
					t.Errorf("started %v later: ticks %v, want %v", late, got, want)
				}
			}
		})
	}
}

func TestDueAt_IsTheActivationTheJobRunsFor(t *testing.T) {
	for _, c := range scheduleCases {
		t.Run(c.spec, func(t *testing.T) {
			s := parse(t, c.spec)
			act := c.first
			for _, r := range []struct {
				name string
				now  time.Time
				want time.Time
			}{
				{"on time", act, act},
				{"a little late", act.Add(5 * time.Millisecond), act},
				{"half an interval late", act.Add(c.interval / 2), act},
				{"a little early by the wall clock", act.Add(-100 * time.Millisecond), act},
				{"at the next activation", act.Add(c.interval), act.Add(c.interval)},
			} {
				if got := dueAt(s, r.now); !got.Equal(r.want) {
					t.Errorf("%s: dueAt(%v) = %v, want %v", r.name, r.now, got, r.want)
				}
			}
		})
	}
}

func TestDueAt_UnevenCronSpec(t *testing.T) {
	s := parse(t, "0 9,17 * * *")
	day := time.Date(2025, 3, 13, 0, 0, 0, 0, time.UTC)
	for _, r := range []struct{ now, want time.Time }{
		{day.Add(9*time.Hour + 20*time.Millisecond), day.Add(9 * time.Hour)},
		{day.Add(17*time.Hour + 20*time.Millisecond), day.Add(17 * time.Hour)},
		{day.Add(9*time.Hour - 50*time.Millisecond), day.Add(9 * time.Hour)},
	} {
		if got := dueAt(s, r.now); !got.Equal(r.want) {
			t.Errorf("dueAt(%v) = %v, want %v", r.now, got, r.want)
		}
	}
}

func assertEvenlySpaced(t *testing.T, ticks []time.Time, interval time.Duration) {
	t.Helper()
	for i := 1; i < len(ticks); i++ {
		if d := ticks[i].Sub(ticks[i-1]); d != interval {
			t.Errorf("ticks %v and %v are %v apart, want %v", ticks[i-1], ticks[i], d, interval)
		}
	}
}

func equalTimes(a, b []time.Time) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func TestClaim_OnlyTheWinnerPublishesUnlessTheDatabaseIsDown(t *testing.T) {
	ctx := context.Background()
	st, err := store.Connect(ctx, testenv.Database(t), 1, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	core, logs := observer.New(zap.DebugLevel)
	newProducer := func(id string) *scheduler { return &scheduler{e: &env{log: zap.New(core)}, st: st, id: id} }
	a, b := newProducer("host/1"), newProducer("host/2")
	g := &group{spec: "@every 2s"}
	due := scheduleCases[0].first

	if !a.claim(ctx, g, due, time.Second) {
		t.Fatal("the first claim of a tick did not publish")
	}
	if b.claim(ctx, g, due, time.Second) {
		t.Fatal("the second claim of a tick published it again")
	}
	if n := logs.FilterMessage("tick claimed by another producer").Len(); n != 1 {
		t.Errorf("lost-claim events = %d, want 1", n)
	}
	st.Close()
	if !b.claim(ctx, g, due.Add(2*time.Second), time.Second) {
		t.Error("with the database down, the tick was not published")
	}
	if n := logs.FilterMessage("tick claim failed; publishing unclaimed").FilterLevelExact(zap.WarnLevel).Len(); n != 1 {
		t.Errorf("claim-failure warnings = %d, want 1", n)
	}
}
