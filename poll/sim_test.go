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

// TestAdaptivePollingWithAnAmpleBudgetIsTheFixedSchedule gives the budget room for every
// source at its minimum interval: adaptive polling then polls like the fixed schedule at
// that interval and stores every post it does.
func TestAdaptivePollingWithAnAmpleBudgetIsTheFixedSchedule(t *testing.T) {
	settings := poll.DefaultSettings()
	settings.MinInterval = time.Minute
	cfg := pollsim.Config{
		Population: pollsim.Realistic(15, 2*time.Hour, 5), Span: 2 * time.Hour, Step: 10 * time.Second,
		Budget: 10_000, Users: 300, Target: 5 * time.Minute, Settings: settings,
	}
	cfg.DatabaseURL = testenv.Database(t)
	adaptive, err := pollsim.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Fixed, cfg.DatabaseURL = time.Minute, testenv.Database(t)
	fixed, err := pollsim.Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("adaptive: %+v; fixed every minute: %+v", adaptive, fixed)
	if adaptive.Stored != fixed.Stored || adaptive.Lost != fixed.Lost || adaptive.Fresh != fixed.Fresh {
		t.Errorf("adaptive stored %d (%d fresh, %d lost), the fixed schedule %d (%d fresh, %d lost); want the same",
			adaptive.Stored, adaptive.Fresh, adaptive.Lost, fixed.Stored, fixed.Fresh, fixed.Lost)
	}
	if adaptive.Requests > fixed.Requests {
		t.Errorf("adaptive made %d requests, the fixed schedule %d; want no more", adaptive.Requests, fixed.Requests)
	}
}
