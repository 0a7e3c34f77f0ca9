package bench

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/internal/pollsim"
	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/poll"
)

// BenchmarkBudget runs a simulated day of a realistic population on a few timeline budgets,
// each three ways: adaptive polling, a fixed schedule of every minute, and a fixed schedule
// fitted to the budget (the shortest interval at which every source fits it). It reports
// the share of posts stored within the freshness target, posts lost to gaps (and whether
// every one was reported), requests and 429s.
func BenchmarkBudget(b *testing.B) {
	accounts := sized(20, 60)
	span := time.Duration(sized(2, 24)) * time.Hour
	budgets := []int{30, 60, 240}
	if !full() {
		budgets = []int{30}
	}
	pop := pollsim.Realistic(accounts, span, 7)
	settings := poll.DefaultSettings()
	var rows strings.Builder
	rows.WriteString("| timeline budget (per 15 min) | schedule | posts | fresh (≤ 5 min) | lost to gaps | lost and reported | requests | 429s |\n")
	rows.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|\n")
	for range b.N {
		for _, budget := range budgets {
			adaptive, best := budgetRuns(b, pop, span, budget, settings, &rows)
			record(b, Figure{
				Bench: "8. API budget", What: fmt.Sprintf("share of posts fresh, budget %d/15m", budget),
				Measured: adaptive.FreshShare(), Reference: best.FreshShare(), RefName: "best fixed schedule",
				// Where the budget lets a fixed schedule poll every source within the target, both
				// store every post they can reach fresh: equal is the most there is to get.
				Goal: "≥ 1 × best fixed, 0 429s", Met: adaptive.FreshShare() >= best.FreshShare() && adaptive.RateLimited == 0,
				HigherIsBetter: true,
				Note:           fmt.Sprintf("%d accounts, %v simulated", len(pop.Accounts), span),
			})
		}
	}
	recordTable(b, fmt.Sprintf("### API budget: %d accounts over %v of simulated time", len(pop.Accounts), span), rows.String())
}

// budgetRuns runs the three schedules on one budget, adds a table row for each to rows, and
// returns the adaptive result and the better fixed one.
func budgetRuns(b *testing.B, pop pollsim.Population, span time.Duration, budget int, settings poll.Settings,
	rows *strings.Builder,
) (adaptive, best pollsim.Result) {
	b.Helper()
	const target = 5 * time.Minute
	fitted := time.Duration(math.Ceil(float64(len(pop.Accounts))*poll.DefaultWindow.Seconds()/
		(float64(budget)*(1-settings.Reserve)))) * time.Second
	modes := []struct {
		name  string
		fixed time.Duration
	}{
		{"adaptive", 0},
		{"fixed, every 1m", time.Minute},
		{"fixed, every " + fitted.Round(time.Second).String() + " (fits the budget)", fitted},
	}
	for i, m := range modes {
		res, err := pollsim.Run(context.Background(), pollsim.Config{
			Population: pop, Span: span, Step: 10 * time.Second, Budget: budget, Users: 300,
			Target: target, Fixed: m.fixed, Settings: settings, DatabaseURL: testenv.Database(b),
		})
		if err != nil {
			b.Fatalf("budget %d, %s: %v", budget, m.name, err)
		}
		if res.Lost != res.InGaps {
			b.Fatalf("budget %d, %s: %d posts lost but only %d inside a reported gap", budget, m.name, res.Lost, res.InGaps)
		}
		fmt.Fprintf(rows, "| %d | %s | %d | %.1f %% | %d | %d | %d | %d |\n", budget, m.name, res.Posts,
			100*res.FreshShare(), res.Lost, res.InGaps, res.Requests, res.RateLimited)
		if i == 0 {
			adaptive = res
		} else if res.FreshShare() > best.FreshShare() {
			best = res
		}
	}
	return adaptive, best
}
