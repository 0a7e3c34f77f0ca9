package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAdaptive_KeepsToTheBudgetServesPriorityFirstAndSaysWhy runs the producer in adaptive
// mode with a timeline budget of 6 requests per window for 12 sources: the producer plans
// at most 5 (the budget less its 10% reserve) per window, the high-priority source among
// them, the API never answers 429, and `producer sources` gives every source its interval
// and the reason for it.
func TestAdaptive_KeepsToTheBudgetServesPriorityFirstAndSaysWhy(t *testing.T) {
	var accounts, sources []string
	for i := range 12 {
		accounts = append(accounts, fmt.Sprintf("acct%d:3s", i))
		sources = append(sources, fmt.Sprintf("  - acct%d\n", i))
	}
	sources[11] = "  - handle: acct11\n    priority: high\n"
	metricsAddr := freeAddr(t)
	s := newStack(t, stackOptions{
		accounts: strings.Join(accounts, ","), sources: "users:\n" + strings.Join(sources, ""),
		schedule: "@every 1m", backfill: "30s",
		simArgs: []string{"-rate-limits", "timeline=6,search=450,users=300"},
		env: []string{
			"SCHEDULE_MODE=adaptive", "API_BUDGET=timeline=6/15m,users=300/15m",
			"POLL_MIN_INTERVAL=2s", "POLL_MAX_INTERVAL=1m",
		},
	})
	window := func() time.Time { return time.Now().UTC().Truncate(15 * time.Minute) }
	firstWindow := window()
	s.worker("worker")
	producer := start(t, "producer run", "producer", append(s.env, "METRICS_ADDR="+metricsAddr), "run")

	// Every source is due at once; the budget lets five through, and the rest wait.
	eventually(t, 30*time.Second, "the producer defers polls for want of budget", func() (bool, string) {
		n, err := counterOf(t, metricsAddr, "tweetflow_polls_deferred_total", "endpoint", "timeline")
		return err == nil && n >= 20, fmt.Sprintf("%v deferred, %v", n, err)
	})
	eventually(t, 30*time.Second, "the five polls planned have run", func() (bool, string) {
		var done int
		err := s.db.QueryRow(context.Background(),
			`SELECT count(*) FROM sources WHERE last_success_at IS NOT NULL`).Scan(&done)
		return err == nil && done == 5, fmt.Sprintf("%d fetched, %v", done, err)
	})
	stats, err := s.sim.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	windows := 1
	if !window().Equal(firstWindow) {
		windows = 2 // the run crossed a window boundary: the new window has its own budget
	}
	if got := stats.Group("timeline"); got > 5*windows {
		t.Errorf("%d timeline requests in %d window(s); the budget allows 5 per window", got, windows)
	}
	if got := stats.Count("timeline", 429) + stats.Count("users", 429); got != 0 {
		t.Errorf("the API answered 429 %d times; want none", got)
	}
	var vipFetched bool
	if err := s.db.QueryRow(context.Background(),
		`SELECT last_success_at IS NOT NULL FROM sources WHERE value = 'acct11'`).Scan(&vipFetched); err != nil || !vipFetched {
		t.Errorf("the high-priority source was not among the first polls (fetched %v, %v)", vipFetched, err)
	}

	checkAdaptiveSources(t, s)
	if code := producer.stop(); code != 0 {
		t.Errorf("producer exited %d on SIGTERM", code)
	}
}

// counterOf reads one series of a counter from the metrics at addr.
func counterOf(t *testing.T, addr, name, label, value string) (float64, error) {
	t.Helper()
	body, err := httpGet("http://" + addr + "/metrics")
	if err != nil {
		return 0, err // not listening yet
	}
	for _, m := range parseMetrics(t, body)[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label && l.GetValue() == value {
				return m.GetCounter().GetValue(), nil
			}
		}
	}
	return 0, nil
}

// checkAdaptiveSources checks that `producer sources` gives every source its adaptive
// interval and the reason for it.
func checkAdaptiveSources(t *testing.T, s *stack) {
	t.Helper()
	code, out := run(t, "producer", s.env, "sources")
	if code != 0 {
		t.Fatalf("producer sources exited %d:\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if !strings.Contains(lines[0], "INTERVAL") || !strings.Contains(lines[0], "WHY") {
		t.Fatalf("producer sources has no INTERVAL and WHY columns:\n%s", out)
	}
	for _, line := range lines[1:] {
		if !strings.Contains(line, "adaptive") || !strings.Contains(line, "budget too small") {
			t.Errorf("producer sources row without its adaptive interval and reason: %q", line)
		}
	}
}
