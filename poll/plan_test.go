package poll

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

const window = 15 * time.Minute

func timeline(key string, perHour float64) Source {
	return Source{Key: key, Endpoint: "timeline", Rate: perHour / 3600, Depth: 3200}
}

func budget(requests int) []Budget {
	return []Budget{{Endpoint: "timeline", Requests: requests, Window: window}}
}

// cost is the requests per window plan spends on sources.
func cost(t *testing.T, plan Plan, sources []Source) float64 {
	t.Helper()
	var sum float64
	for _, s := range sources {
		iv, ok := plan[s.Key]
		if !ok {
			t.Fatalf("no interval for %s", s.Key)
		}
		sum += window.Seconds() / iv.Every.Seconds() * iv.Pages
	}
	return sum
}

func TestPlanWithAmpleBudgetIsTheFixedScheduleAtTheMinimum(t *testing.T) {
	set := DefaultSettings()
	sources := []Source{timeline("silent", 0), timeline("hourly", 1), timeline("busy", 600)}
	plan := set.Plan(sources, budget(1_000_000))
	for _, s := range sources {
		if got := plan[s.Key].Every; got != set.MinInterval {
			t.Errorf("%s: interval %v, want the minimum %v (%s)", s.Key, got, set.MinInterval, plan[s.Key].Reason)
		}
	}
}

func TestPlanGivesTheFreshnessTargetToTheMostActiveFirst(t *testing.T) {
	set := DefaultSettings()
	sources := []Source{timeline("silent", 0), timeline("hourly", 1), timeline("busy", 60)}
	// Each at its maximum (1 h) costs 0.25 a window; one at the 5-minute target costs 3.
	// 0.9 × 5 = 4.5 leaves room for exactly one source at the target.
	plan := set.Plan(sources, budget(5))
	if got := plan["busy"].Every; got != set.Target {
		t.Errorf("busy: interval %v, want the target %v (%s)", got, set.Target, plan["busy"].Reason)
	}
	if got := plan["silent"].Every; got != set.MaxInterval {
		t.Errorf("silent: interval %v, want the maximum %v (%s)", got, set.MaxInterval, plan["silent"].Reason)
	}
	if got := plan["hourly"].Every; got >= set.MaxInterval || got <= set.Target {
		t.Errorf("hourly: interval %v, want part of the way from %v to %v", got, set.MaxInterval, set.Target)
	}
	if c := cost(t, plan, sources); c > 4.5+1e-9 {
		t.Errorf("the plan spends %.2f requests a window, more than the 4.5 it may", c)
	}
}

func TestPlanServesHighPriorityBeforeActivity(t *testing.T) {
	set := DefaultSettings()
	vip := timeline("vip", 0.1)
	vip.Priority = PriorityHigh
	sources := []Source{vip, timeline("busy", 60)}
	plan := set.Plan(sources, budget(4)) // room for one source at the target
	if got := plan["vip"].Every; got != set.Target {
		t.Errorf("vip: interval %v, want the target %v (%s)", got, set.Target, plan["vip"].Reason)
	}
	if got := plan["busy"].Every; got <= set.Target {
		t.Errorf("busy: interval %v, want longer than the target: the budget went to vip", got)
	}
}

func TestPlanStretchesLowPriorityMostWhenTheBudgetIsTooSmall(t *testing.T) {
	set := DefaultSettings()
	var sources []Source
	for i := range 20 {
		s := timeline(fmt.Sprintf("tail%d", i), 0.5)
		s.Priority = PriorityLow
		sources = append(sources, s)
	}
	sources = append(sources, timeline("normal", 0.5))
	plan := set.Plan(sources, budget(2)) // 21 sources at 1 h cost 5.25 a window; 1.8 may be spent
	if c := cost(t, plan, sources); c > 1.8+1e-6 {
		t.Errorf("the plan spends %.3f requests a window, more than the 1.8 it may", c)
	}
	if tail, normal := plan["tail0"].Every, plan["normal"].Every; tail != 4*normal {
		t.Errorf("intervals: low %v, normal %v; want the low one four times as long", tail, normal)
	}
	if r := plan["tail0"].Reason; !strings.Contains(r, "budget too small") {
		t.Errorf("tail0: reason %q, want it to say the budget is too small", r)
	}
}

func TestPlanPollsABusySourceBeforeItOutgrowsOneWalk(t *testing.T) {
	set := DefaultSettings()
	set.MaxInterval = 6 * time.Hour
	sources := []Source{timeline("firehose", 3600)} // a post a second
	// At the guard's 1,600 s a poll takes 17 pages, 9.6 a window; at the 5-minute target it
	// would take 12 a window, more than the 10.8 that may be spent.
	plan := set.Plan(sources, budget(12))
	got := plan["firehose"]
	if most := 1600 * time.Second; got.Every > most {
		t.Errorf("firehose: interval %v gathers more than half of 3,200 posts; want at most %v (%s)", got.Every, most, got.Reason)
	}
}

func TestPlanNeverSpendsMoreThanTheBudget(t *testing.T) {
	set := DefaultSettings()
	rng := rand.New(rand.NewPCG(1, 2)) //nolint:gosec // reproducible test inputs, not a secret
	for round := range 200 {
		var sources []Source
		for i := range 1 + rng.IntN(60) {
			s := timeline(fmt.Sprintf("s%d", i), rng.ExpFloat64()*10*float64(rng.IntN(3)))
			s.Priority = Priority(rng.IntN(3) - 1)
			sources = append(sources, s)
		}
		requests := 1 + rng.IntN(400)
		plan := set.Plan(sources, budget(requests))
		allowed := float64(requests) * (1 - set.Reserve)
		floor := 0.0 // what the gap guard and the maxima cost when the budget cannot cover them
		for _, s := range sources {
			if strings.Contains(plan[s.Key].Reason, "budget too small even") {
				floor = 1e18
			}
		}
		if c := cost(t, plan, sources); c > allowed*(1+1e-6) && floor == 0 {
			t.Fatalf("round %d: %d sources, budget %d: the plan spends %.3f requests a window, more than %.3f",
				round, len(sources), requests, c, allowed)
		}
		for _, s := range sources {
			if plan[s.Key].Every < set.MinInterval {
				t.Fatalf("round %d: %s polled every %v, below the minimum", round, s.Key, plan[s.Key].Every)
			}
		}
	}
}

func TestShortDurations(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", time.Hour: "1h", 90 * time.Minute: "1h30m", 45 * time.Second: "45s",
	} {
		if got := short(d); got != want {
			t.Errorf("short(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestPlanKeepsASourcesOwnMaximumBelowTheGlobalMinimum(t *testing.T) {
	set := DefaultSettings() // minimum 30 s
	s := timeline("eager", 0)
	s.Max = 10 * time.Second
	plan := set.Plan([]Source{s}, budget(1_000_000))
	if got := plan["eager"].Every; got != 10*time.Second {
		t.Errorf("interval %v, want the source's own maximum of 10s", got)
	}
}

func TestPlanSaysWhenTheBudgetLeavesABusySourceAtItsMaximum(t *testing.T) {
	set := DefaultSettings()
	sources := []Source{timeline("busy", 150), timeline("other", 100)}
	plan := set.Plan(sources, budget(1)) // 0.9 a window: not even both at the maximum's 0.5
	for _, s := range sources {
		if r := plan[s.Key].Reason; !strings.Contains(r, "budget") {
			t.Errorf("%s: reason %q does not say the budget holds it back", s.Key, r)
		}
	}
}
