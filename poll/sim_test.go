package poll_test

import (
	"context"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/internal/pollsim"
	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/poll"
)

// TestAdaptivePollingBeatsTheFixedScheduleOnTheSameBudget runs six simulated hours of a
// realistic population on a budget far too small to poll every source every minute.
func TestAdaptivePollingBeatsTheFixedScheduleOnTheSameBudget(t *testing.T) {
	const budget = 60 // timeline requests per 15 minutes, for 40 sources
	pop := pollsim.Realistic(40, 6*time.Hour, 3)
	base := pollsim.Config{
		Population: pop, Span: 6 * time.Hour, Step: 10 * time.Second,
		Budget: budget, Users: 300, Target: 5 * time.Minute, Settings: poll.DefaultSettings(),
	}
	run := func(name string, cfg pollsim.Config) pollsim.Result {
		t.Helper()
		cfg.DatabaseURL = testenv.Database(t)
		res, err := pollsim.Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Logf("%s: %d posts, %.1f%% fresh, %d stored, %d lost (%d inside reported gaps, %d gaps), %d requests, %d 429s",
			name, res.Posts, 100*res.FreshShare(), res.Stored, res.Lost, res.InGaps, res.Gaps, res.Requests, res.RateLimited)
		return res
	}
	adaptive := run("adaptive", base)
	fixed := base
	fixed.Fixed = time.Minute
	everyMinute := run("fixed, every minute", fixed)

	if adaptive.RateLimited != 0 {
		t.Errorf("adaptive polling received %d 429s; want none", adaptive.RateLimited)
	}
	if adaptive.FreshShare() <= everyMinute.FreshShare() {
		t.Errorf("adaptive polling stored %.1f%% of posts within the target, the fixed schedule %.1f%%; want more",
			100*adaptive.FreshShare(), 100*everyMinute.FreshShare())
	}
	for name, res := range map[string]pollsim.Result{"adaptive": adaptive, "fixed": everyMinute} {
		if res.Lost != res.InGaps {
			t.Errorf("%s: %d posts lost, only %d of them inside a reported gap: a gap went unreported", name, res.Lost, res.InGaps)
		}
	}
}
