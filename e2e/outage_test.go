//go:build outage

package e2e

// These tests stop the machine's RabbitMQ or PostgreSQL and bring them back, so they run on
// their own, after every other test (make test runs them last, with -tags outage), and each
// leaves the server running as it found it.

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

// ctl runs an administration command with a deadline and fails the test if it fails.
func ctl(t *testing.T, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func TestOutage_BrokerRestartUnderLoad(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "sam:500ms,tia:500ms", sources: "users: [sam, tia]\n", schedule: "@every 1s", backfill: "10s",
	})
	w1, w2 := s.worker("worker-1"), s.worker("worker-2")
	p := start(t, "producer run", "producer", dedupe(append(append([]string{}, s.env...), "LOG_LEVEL=debug")), "run")
	s.waitFetched(t, "sam")
	s.waitFetched(t, "tia")

	t.Cleanup(func() { ctl(t, "rabbitmqctl", "-q", "start_app") }) // whatever happens below
	ctl(t, "rabbitmqctl", "-q", "stop_app")
	down := time.Now()
	eventually(t, 30*time.Second, "workers notice", func() (bool, string) {
		return len(w1.events("broker connection lost, reconnecting")) > 0 &&
			len(w2.events("broker connection lost, reconnecting")) > 0, "not yet"
	})
	ctl(t, "rabbitmqctl", "-q", "start_app")
	ctl(t, "rabbitmqctl", "-q", "await_startup")
	up := time.Now()
	ticks := len(p.events("tick published"))
	eventually(t, 60*time.Second, "workers consume again", func() (bool, string) {
		return len(w1.events("consuming")) >= 2 && len(w2.events("consuming")) >= 2, "not yet"
	})
	waitTicks(t, p, ticks+2)
	t.Logf("broker down for %s; workers and producer recovered %s after it was back",
		up.Sub(down).Round(time.Millisecond), time.Since(up).Round(time.Millisecond))
	s.settle(t, 60*time.Second, [2]string{"user", "sam"}, [2]string{"user", "tia"})
	p.stop()
	// Every signature the producer had confirmed runs at least once; one whose ack was lost
	// with the connection runs again and finds its walk done.
	eventually(t, 60*time.Second, "every published task ran", func() (bool, string) {
		ran := map[string]bool{}
		for _, w := range []*proc{w1, w2} {
			for _, ev := range append(w.events("fetch done"), w.events("fetch failed")...) {
				id, _ := ev["task_id"].(string)
				ran[id] = true
			}
		}
		var lost []string
		published := p.events("signature published")
		for _, ev := range published {
			if id, _ := ev["task_id"].(string); !ran[id] {
				lost = append(lost, id)
			}
		}
		return len(published) > 0 && len(lost) == 0, fmt.Sprintf("%d of %d published tasks not run: %v",
			len(lost), len(published), lost)
	})
	for _, w := range []*proc{w1, w2} {
		if w.Cmd.ProcessState != nil {
			t.Errorf("%s exited; it must reconnect in-process", w.Name)
		}
	}
}

func TestOutage_DatabaseStopAndCatchUp(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "uma:500ms", sources: "users: [uma]\n", schedule: "@every 1s", backfill: "10s",
	})
	w := s.worker("worker")
	s.producer("run")
	s.waitFetched(t, "uma")

	cluster := clusterVersion(t)
	t.Cleanup(func() { ensurePostgres(t, cluster) })
	ctl(t, "pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop", "-m", "fast")
	eventually(t, 30*time.Second, "fetches fail while the database is down", func() (bool, string) {
		return len(w.events("fetch failed")) > 0, "no failure yet"
	})
	ctl(t, "pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start")
	up := time.Now()
	eventually(t, 60*time.Second, "fetching resumes", func() (bool, string) {
		return s.fetchedSince("uma", up), "not yet"
	})
	t.Logf("collection caught up %s after the database was back", time.Since(up).Round(time.Millisecond))
	s.settle(t, 60*time.Second, [2]string{"user", "uma"})
}

// ensurePostgres starts the cluster unless it already answers.
func ensurePostgres(t *testing.T, cluster string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if exec.CommandContext(ctx, "pg_isready", "-q", "-h", "127.0.0.1").Run() == nil {
		return
	}
	ctl(t, "pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "start")
}

// clusterVersion is the PostgreSQL cluster version installed here, e.g. "15".
func clusterVersion(t *testing.T) string {
	t.Helper()
	out, err := exec.CommandContext(context.Background(), "ls", "/etc/postgresql").Output()
	if err != nil || len(out) == 0 {
		t.Fatalf("find the PostgreSQL cluster: %v", err)
	}
	return string(out[:len(out)-1])
}

func TestOutage_ConsumerTimeoutIsSurvivedInProcess(t *testing.T) {
	// RabbitMQ 3.10 has no per-queue timeout: set the broker-wide one for this test.
	ctl(t, "rabbitmqctl", "-q", "eval", "application:set_env(rabbit, consumer_timeout, 5000).")
	t.Cleanup(func() {
		ctl(t, "rabbitmqctl", "-q", "eval", "application:set_env(rabbit, consumer_timeout, 1800000).")
	})
	s := newStack(t, stackOptions{
		accounts: "vera:500ms", sources: "users: []\n", schedule: "@every 1h", backfill: "30s",
	})
	s.frozenAfter(t, "vera", 5)
	ctx := context.Background()
	// One API request hangs far longer than the consumer timeout.
	if err := s.sim.SetFault(ctx, twittersim.FaultSpec{
		Mode: twittersim.FaultTimeout, Endpoint: twittersim.EndpointUsers, DelayMS: 150000, Count: 1,
	}); err != nil {
		t.Fatal(err)
	}
	w := start(t, "worker", "worker", dedupe(append(append([]string{}, s.env...), "HTTP_TIMEOUT=3m")))
	if code, out := run(t, "producer", s.env, "fetch", "--user", "vera"); code != 0 {
		t.Fatalf("producer fetch exited %d:\n%s", code, out)
	}
	eventually(t, 3*time.Minute, "the broker cancels the stuck delivery and the worker reconnects", func() (bool, string) {
		for _, ev := range w.events("broker connection lost, reconnecting") {
			if msg, _ := ev["error"].(string); strings.Contains(msg, "PRECONDITION_FAILED") {
				return true, msg
			}
		}
		return false, "not yet"
	})
	s.settle(t, time.Minute, [2]string{"user", "vera"})
	if w.Cmd.ProcessState != nil {
		t.Error("the worker exited; it must reconnect in-process")
	}
}
