package e2e

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tweetflow/tweetflow/tasks"
)

func TestDeadLetters_OperatorListsThemAndARequeuedTaskIsStored(t *testing.T) {
	s := newStack(t, stackOptions{
		accounts: "dana:500ms", sources: "users: []\n", schedule: "@every 1h", backfill: "30s",
	})
	s.worker("worker")
	s.frozenAfter(t, "dana", 5)
	sig, err := tasks.Fetch{Kind: tasks.KindUser, Value: "dana", BackfillSeconds: 30}.Signature()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(sig)
	s.bury(sig.UUID, body, `no worker knows task "tweetflow.fetch_source"`)
	s.bury("junk-1", []byte("{not json"), "body is not a Machinery signature")

	out := s.producerOK("deadletters", "list")
	for _, want := range []string{
		sig.UUID + `\s+tweetflow\.fetch_source\s+no worker knows task .*Z\s+\d+\n`,
		`junk-1\s+-\s+body is not a Machinery signature\s+.*Z\s+9\n`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("list does not show a row matching %q:\n%s", want, out)
		}
	}
	if out := s.producerOK("deadletters", "requeue", "--id", sig.UUID); !strings.Contains(out, "requeued 1 dead letter\n") {
		t.Errorf("requeue does not say it requeued one:\n%s", out)
	}
	eventually(t, 30*time.Second, "dana's tweets stored", func() (bool, string) {
		d := s.diff("user", "dana")
		return d == "", d
	})
	if out := lastLines(s.producerOK("deadletters", "list")); strings.Contains(out, sig.UUID) || !strings.Contains(out, "junk-1") {
		t.Errorf("after the requeue list shows:\n%s\nwant junk-1 only", out)
	}
	code, out := run(t, "producer", s.env, "deadletters", "requeue")
	if last := lastLines(out); code != 2 || strings.Count(last, "\n") != 0 || !strings.Contains(last, "[all id]") {
		t.Errorf("requeue without a selection exited %d with:\n%s\nwant 2 and one line naming --all and --id", code, out)
	}
}

// producerOK runs the producer with args, fails the test unless it exits 0, and returns
// its output.
func (s *stack) producerOK(args ...string) string {
	s.t.Helper()
	code, out := run(s.t, "producer", s.env, args...)
	if code != 0 {
		s.t.Fatalf("producer %v exited %d:\n%s", args, code, out)
	}
	return out
}

// bury puts a message in the stack's dead-letter queue the way a worker does.
func (s *stack) bury(id string, body []byte, reason string) {
	s.t.Helper()
	conn, err := amqp.Dial(s.envValue("RABBITMQ_URL"))
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		s.t.Fatal(err)
	}
	topo := tasks.DefaultTopology
	if err := topo.Declare(ch); err != nil {
		s.t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		s.t.Fatal(err)
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), topo.DeadExchange, topo.Queue,
		false, false, amqp.Publishing{
			MessageId: id, Body: body, ContentType: "application/json", DeliveryMode: amqp.Persistent,
			Headers: amqp.Table{
				tasks.HeaderDeadReason: reason, tasks.HeaderDeadAt: time.Now().UTC().Format(time.RFC3339),
			},
		})
	if err != nil {
		s.t.Fatal(err)
	}
	if ok, err := dc.WaitContext(context.Background()); !ok || err != nil {
		s.t.Fatalf("dead letter %s not confirmed: %v", id, err)
	}
}

func (s *stack) envValue(name string) string {
	for _, kv := range s.env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return v
		}
	}
	s.t.Fatalf("the stack's environment has no %s", name)
	return ""
}
