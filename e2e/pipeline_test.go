package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

const pipelineSources = `users:
  - alice
  - "@Bob"
queries:
  - "#golang"
`

// sourcesOf lists the sources of pipelineSources as kind and value.
var sourcesOf = [][2]string{{"user", "alice"}, {"user", "bob"}, {"query", "#golang"}}

func TestPipeline_ScheduledFetchStoresExactlyTheSimulatedTweets(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "alice:700ms,bob:1500ms,carol:1s", sources: pipelineSources,
		schedule: "@every 2s", backfill: "20s",
	})
	w1, w2 := s.worker("worker-1"), s.worker("worker-2")
	producer := s.producer("run")
	waitTicks(t, producer, 3)

	// A worker restart in the middle of the run: nothing lost, nothing fetched twice.
	if code := w1.stop(); code != 0 {
		t.Fatalf("worker-1 exited %d after SIGTERM, want 0", code)
	}
	w1 = s.worker("worker-1-restarted")
	waitTicks(t, producer, 6)

	if err := s.sim.Pause(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "database matches the simulator", func() (bool, string) {
		var problems []string
		for _, src := range sourcesOf {
			if d := s.diff(src[0], src[1]); d != "" {
				problems = append(problems, d)
			}
		}
		return len(problems) == 0, strings.Join(problems, " | ")
	})

	stats, err := s.sim.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n := stats.Group(twittersim.EndpointUsers); n != 2 {
		t.Errorf("handle lookups = %d, want 2 (one per user source, ever)", n)
	}
	for _, w := range []*proc{w1, w2} {
		for _, ev := range w.events("fetch done") {
			src, _ := ev["source"].(string)
			if n, _ := ev["refetched"].(float64); n != 0 {
				t.Errorf("%s: a fetch of %s got %v tweets it had already stored", w.Name, src, n)
			}
		}
	}
	assertLongAndNonLatinIntact(t, s)
	for _, p := range []*proc{w1, w2, producer} {
		if rep := p.repeatedLines(); len(rep) > 0 {
			t.Errorf("%s logged an event twice: %v", p.Name, rep)
		}
		if strings.Contains(p.Out.String(), twittersim.DefaultToken) {
			t.Errorf("%s logged the bearer token", p.Name)
		}
	}
}

// waitTicks waits until the producer has published at least n ticks.
func waitTicks(t *testing.T, producer *proc, n int) {
	t.Helper()
	eventually(t, time.Duration(n)*5*time.Second+10*time.Second, fmt.Sprintf("%d ticks", n), func() (bool, string) {
		got := len(producer.events("tick published"))
		return got >= n, fmt.Sprintf("%d ticks", got)
	})
}

// assertLongAndNonLatinIntact checks that the run stored long posts and non-Latin text, so
// the text comparison above covered them.
func assertLongAndNonLatinIntact(t *testing.T, s *stack) {
	t.Helper()
	var long, nonLatin int
	err := s.db.QueryRow(context.Background(), `SELECT
		count(*) FILTER (WHERE char_length(text) > 280 AND text NOT LIKE 'RT @%'),
		count(*) FILTER (WHERE text ~ '[\u0590-\u06FF\u3040-\u30FF\u4E00-\u9FFF]')
		FROM tweets`).Scan(&long, &nonLatin)
	if err != nil {
		t.Fatal(err)
	}
	if long == 0 || nonLatin == 0 {
		t.Errorf("stored %d long posts and %d with Hebrew, Arabic or CJK text; want some of each", long, nonLatin)
	}
}

func TestManualFetch_UserTweetsAppear(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "dana:500ms", sources: "users: []\n", schedule: "@every 1h", backfill: "30s",
	})
	s.worker("worker")
	s.frozenAfter(t, "dana", 5)
	fetch := s.producer("fetch", "--user", "dana")
	select {
	case <-fetch.Done:
	case <-time.After(time.Minute):
		t.Fatal("producer fetch did not exit within a minute")
	}
	if code := fetch.Cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("producer fetch exited %d, want 0:\n%s", code, fetch.Out.String())
	}
	eventually(t, 30*time.Second, "dana's tweets stored", func() (bool, string) {
		d := s.diff("user", "dana")
		return d == "", d
	})
}

func TestProducer_PicksUpSourcesFileChangesWithoutRestart(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "gina:1s,hank:1s", sources: "users: [gina]\n", schedule: "@every 1s", backfill: "10s",
	})
	s.worker("worker")
	producer := s.producer("run")
	s.waitFetched(t, "gina")

	s.rewriteSources(t, "users: [gina, bad-name!]\n")
	eventually(t, 30*time.Second, "bad edit rejected", func() (bool, string) {
		return len(producer.events("sources file rejected; keeping the previous sources")) == 1, "not yet"
	})
	ticks := len(producer.events("tick published"))
	waitTicks(t, producer, ticks+2) // the previous sources stay in force

	s.rewriteSources(t, "users: [gina, hank]\n")
	s.waitFetched(t, "hank")
}

// waitFetched waits until the user source has completed a fetch.
func (s *stack) waitFetched(t *testing.T, handle string) {
	t.Helper()
	eventually(t, 30*time.Second, handle+" fetched", func() (bool, string) {
		var ok bool
		err := s.db.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM sources
			WHERE kind = 'user' AND value = $1 AND last_success_at IS NOT NULL)`, handle).Scan(&ok)
		return ok, fmt.Sprint(err)
	})
}

// rewriteSources replaces the sources file the way editors do: a new file renamed over it.
func (s *stack) rewriteSources(t *testing.T, body string) {
	t.Helper()
	tmp := s.sources + ".tmp"
	if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, s.sources); err != nil {
		t.Fatal(err)
	}
}
