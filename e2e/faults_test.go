package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

// settle pauses the simulator and waits until the database holds exactly its tweets.
func (s *stack) settle(t *testing.T, timeout time.Duration, sources ...[2]string) {
	t.Helper()
	if err := s.sim.Pause(context.Background()); err != nil {
		t.Fatal(err)
	}
	eventually(t, timeout, "database matches the simulator", func() (bool, string) {
		var problems []string
		for _, src := range sources {
			if d := s.diff(src[0], src[1]); d != "" {
				problems = append(problems, d)
			}
		}
		return len(problems) == 0, strings.Join(problems, " | ")
	})
}

func TestFaults_RateLimitPausesThePoolUntilTheReset(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "kate:700ms,liam:700ms", sources: "users: [kate, liam]\n", schedule: "@every 1s", backfill: "10s",
	})
	s.worker("worker-1")
	s.worker("worker-2")
	s.producer("run")
	s.waitFetched(t, "kate")
	s.waitFetched(t, "liam")

	ctx := context.Background()
	if err := s.sim.SetFault(ctx, twittersim.FaultSpec{
		Mode: twittersim.FaultRateLimit, Endpoint: twittersim.EndpointTimeline, ResetInSeconds: 8,
	}); err != nil {
		t.Fatal(err)
	}
	limited := time.Now()
	if err := s.sim.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	// Ticks keep coming every second; while the window is closed the pool must not call.
	eventually(t, 30*time.Second, "fetching resumed after the reset", func() (bool, string) {
		return s.fetchedSince("kate", limited.Add(8*time.Second)) && s.fetchedSince("liam", limited.Add(8*time.Second)),
			"not yet"
	})
	stats, err := s.sim.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n := stats.Count(twittersim.EndpointTimeline, 429); n < 1 || n > 2 {
		t.Errorf("429 answers during the window = %d, want 1 or 2 (one per source walk in flight)", n)
	}
	s.settle(t, 60*time.Second, [2]string{"user", "kate"}, [2]string{"user", "liam"})
}

// fetchedSince reports whether the user source completed a walk after at.
func (s *stack) fetchedSince(handle string, at time.Time) bool {
	var ok bool
	_ = s.db.QueryRow(context.Background(), `SELECT COALESCE(last_success_at > $2, false) FROM sources
		WHERE kind = 'user' AND value = $1`, handle, at).Scan(&ok)
	return ok
}

func TestFaults_ServerErrorsAreRetriedUntilTheFetchSucceeds(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "mona:500ms", sources: "users: []\n", schedule: "@every 1h", backfill: "30s",
	})
	w := s.worker("worker")
	s.frozenAfter(t, "mona", 5) // one manual fetch must see every tweet there is
	ctx := context.Background()
	if err := s.sim.SetFault(ctx, twittersim.FaultSpec{
		Mode: twittersim.FaultServerError, Endpoint: twittersim.EndpointTimeline, Count: 1,
	}); err != nil {
		t.Fatal(err)
	}
	if code, out := run(t, "producer", s.env, "fetch", "--user", "mona"); code != 0 {
		t.Fatalf("producer fetch exited %d:\n%s", code, out)
	}
	s.waitFetched(t, "mona")
	retries := 0
	for _, ev := range w.events("fetch failed") {
		if _, ok := ev["retry_in"]; ok {
			retries++
		}
	}
	if retries != 1 {
		t.Errorf("fetch failures with a retry = %d, want 1 (the 503)", retries)
	}
	s.settle(t, 30*time.Second, [2]string{"user", "mona"})
}

func TestFaults_RefusedTokenFailsFastWithOneLine(t *testing.T) {
	const token = "wrong-token-4f8a1c"
	s := newStack(t, stackOptions{
		accounts: "nina:1s,omar:1s,pia:1s", sources: "users: [nina, omar, pia]\n", schedule: "@every 1s", backfill: "10s",
	})
	env := append(append([]string{}, s.env...), "TWITTER_BEARER_TOKEN="+token)
	w := start(t, "worker", "worker", dedupe(env))
	p := s.producer("run")
	waitTicks(t, p, 3)
	stats, err := s.sim.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first := stats.Count(twittersim.EndpointUsers, 401)
	if first < 1 || first > 3 {
		t.Errorf("401 answers = %d, want 1 to 3: only the tasks already in flight may call", first)
	}
	waitTicks(t, p, 6) // three more ticks, nine more tasks
	if stats, _ = s.sim.Stats(context.Background()); stats.Total != first {
		t.Errorf("requests grew from %d to %d after the token was refused; want none", first, stats.Total)
	}
	out := w.Out.String()
	if strings.Contains(out, token) {
		t.Error("the worker's output contains the bearer token")
	}
	if n := strings.Count(out, "the API refused the bearer token"); n != 1 {
		t.Errorf("token-refused lines = %d, want 1:\n%s", n, out)
	}
}

// dedupe keeps the last value of each variable, as a shell would.
func dedupe(env []string) []string {
	last := map[string]int{}
	for i, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		last[name] = i
	}
	var out []string
	for i, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if last[name] == i {
			out = append(out, kv)
		}
	}
	return out
}

func TestFaults_UsageCapAndCreditsPauseEveryCallUntilTheOperatorResumes(t *testing.T) {
	for _, c := range []struct {
		mode   twittersim.FaultMode
		reason string
	}{
		{twittersim.FaultUsageCap, "usage_capped"},
		{twittersim.FaultCreditsDepleted, "credits_depleted"},
	} {
		t.Run(string(c.mode), func(t *testing.T) { pausedUntilResumed(t, c.mode, c.reason) })
	}
}

// pausedUntilResumed provokes mode, then checks that no worker calls the API until the
// operator resumes, and that nothing is lost meanwhile.
func pausedUntilResumed(t *testing.T, mode twittersim.FaultMode, reason string) {
	s := newStack(t, stackOptions{
		accounts: "quinn:500ms", sources: "users: [quinn]\n", schedule: "@every 1s", backfill: "10s",
	})
	w := s.worker("worker")
	p := s.producer("run")
	s.waitFetched(t, "quinn")
	ctx := context.Background()
	if err := s.sim.SetFault(ctx, twittersim.FaultSpec{Mode: mode}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "pause recorded", func() (bool, string) {
		code, out := run(t, "producer", s.env, "api", "status")
		return code == 0 && strings.Contains(out, reason), out
	})
	stats, _ := s.sim.Stats(ctx)
	waitTicks(t, p, len(p.events("tick published"))+3)
	if later, _ := s.sim.Stats(ctx); later.Total != stats.Total {
		t.Errorf("requests grew from %d to %d while the API was paused; want none", stats.Total, later.Total)
	}
	if n := strings.Count(w.Out.String(), "API calls paused for every worker"); n != 1 {
		t.Errorf("pause lines = %d, want 1", n)
	}

	if err := s.sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	resumed := time.Now()
	if code, out := run(t, "producer", s.env, "api", "resume"); code != 0 || !strings.Contains(out, "pauses lifted") {
		t.Fatalf("producer api resume exited %d:\n%s", code, out)
	}
	eventually(t, 30*time.Second, "fetching resumed", func() (bool, string) {
		return s.fetchedSince("quinn", resumed), "not yet"
	})
	s.settle(t, 30*time.Second, [2]string{"user", "quinn"}) // nothing lost while paused
}

func TestFaults_WorkerKilledMidTaskLosesNothing(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "rosa:100ms", sources: "users: []\n", schedule: "@every 1h", backfill: "1m",
	})
	ctx := context.Background()
	s.frozenAfter(t, "rosa", 250) // several pages
	// Every page takes a while, so the worker dies in the middle of the walk.
	if err := s.sim.SetFault(ctx, twittersim.FaultSpec{
		Mode: twittersim.FaultTimeout, Endpoint: twittersim.EndpointTimeline, DelayMS: 1500,
	}); err != nil {
		t.Fatal(err)
	}
	first := s.worker("worker-1")
	if code, out := run(t, "producer", s.env, "fetch", "--user", "rosa"); code != 0 {
		t.Fatalf("producer fetch exited %d:\n%s", code, out)
	}
	eventually(t, 20*time.Second, "first page stored", func() (bool, string) {
		got, err := s.storedTweets("user", "rosa")
		return err == nil && len(got) >= 100, fmt.Sprintf("%d stored", len(got))
	})
	_ = first.Cmd.Process.Kill()
	<-first.Done
	if err := s.sim.ClearFaults(ctx); err != nil {
		t.Fatal(err)
	}
	second := s.worker("worker-2")
	s.settle(t, 60*time.Second, [2]string{"user", "rosa"})
	if len(first.events("fetch done")) != 0 {
		t.Fatal("the first worker finished its walk before it was killed; the test proves nothing")
	}
	done := second.events("fetch done")
	if len(done) != 1 || done[0]["resumed"] != true {
		t.Fatalf("redelivered task: %v; want one fetch that resumed the interrupted walk", done)
	}
	if n, _ := done[0]["refetched"].(float64); n != 0 {
		t.Errorf("the redelivered task refetched %v tweets stored before the kill", n)
	}
}
