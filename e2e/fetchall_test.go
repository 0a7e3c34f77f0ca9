package e2e

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tweetflow/tweetflow/tasks"
)

func TestFetchAll_QueuesExactlyOneTaskPerSource(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "alice:1h", schedule: "@every 1h", backfill: "30s",
		sources: "users:\n  - alice\n  - \"@bob\"\n  - handle: carol\n    schedule: \"@every 10m\"\n" +
			"queries:\n  - \"#golang -is:retweet\"\n  - tweetflow\n",
	})
	want := []string{"query:#golang -is:retweet", "query:tweetflow", "user:alice", "user:bob", "user:carol"}

	out := s.producerOK("fetch", "--all")
	if !strings.Contains(out, `"msg":"all sources published"`) || !strings.Contains(out, `"published":5`) {
		t.Errorf("producer fetch --all logged no \"all sources published\" line with published 5:\n%s", out)
	}
	got := queuedFetches(t, s.envValue("RABBITMQ_URL"))
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("queued fetches:\n%s\nwant one per source:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// queuedFetches takes every message off the task queue and returns the sources they fetch.
func queuedFetches(t *testing.T, brokerURL string) []string {
	t.Helper()
	conn, err := amqp.Dial(brokerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		d, ok, err := ch.Get(tasks.DefaultTopology.Queue, true) // auto-ack: no worker runs them
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		var sig mtasks.Signature
		if err := json.Unmarshal(d.Body, &sig); err != nil {
			t.Fatalf("queued message is not a signature: %v", err)
		}
		f, err := tasks.FetchFromSignature(&sig)
		if err != nil {
			t.Fatalf("queued signature is not a fetch: %v", err)
		}
		out = append(out, f.String())
	}
}
