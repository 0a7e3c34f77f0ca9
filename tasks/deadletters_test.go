package tasks_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap/zaptest"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/tasks"
)

// deadMsg is a message a test puts in the dead-letter queue.
type deadMsg struct {
	id   string
	body []byte
	// rejected sends it through the task queue's own dead-letter exchange (x-death) instead
	// of publishing it with tweetflow's reason headers.
	rejected bool
}

// fetchBody is the JSON of a valid fetch signature for user value.
func fetchBody(t *testing.T, value string) []byte {
	t.Helper()
	sig, err := tasks.Fetch{Kind: tasks.KindUser, Value: value}.Signature()
	if err != nil {
		t.Fatal(err)
	}
	return mustJSON(t, sig)
}

// unknownTaskBody is the JSON of a signature naming a task no worker knows.
func unknownTaskBody(t *testing.T) []byte {
	t.Helper()
	sig, _ := tasks.Fetch{Kind: tasks.KindUser, Value: "x"}.Signature()
	sig.Name = "tweetflow.no_such_task"
	return mustJSON(t, sig)
}

// bury puts msgs in topo's dead-letter queue, in order, and waits until they are there.
func bury(t *testing.T, ch *amqp.Channel, topo tasks.Topology, msgs ...deadMsg) {
	t.Helper()
	if err := topo.Declare(ch); err != nil {
		t.Fatal(err)
	}
	start := depth(t, ch, topo.DeadQueue)
	for i, m := range msgs {
		if m.rejected {
			reject(t, ch, topo, m)
		} else {
			headers := amqp.Table{
				tasks.HeaderDeadReason: "reason of " + m.id,
				tasks.HeaderDeadAt:     time.Now().UTC().Format(time.RFC3339),
			}
			publishTo(t, ch, topo.DeadExchange, topo.Queue, m.id, m.body, headers)
		}
		queueDepth(t, ch, topo.DeadQueue, start+i+1)
	}
}

// reject sends m through the task queue and rejects it there, so that the queue's own
// dead-letter exchange takes it.
func reject(t *testing.T, ch *amqp.Channel, topo tasks.Topology, m deadMsg) {
	t.Helper()
	publishTo(t, ch, topo.Exchange, topo.Queue, m.id, m.body, amqp.Table{"kept": "yes"})
	queueDepth(t, ch, topo.Queue, 1)
	d, ok, err := ch.Get(topo.Queue, false)
	if err != nil || !ok || d.MessageId != m.id {
		t.Fatalf("get %s from the task queue: ok %v, err %v, got %q", m.id, ok, err, d.MessageId)
	}
	if err := d.Nack(false, false); err != nil { // no requeue: to the dead-letter exchange
		t.Fatal(err)
	}
}

func publishTo(t *testing.T, ch *amqp.Channel, exchange, key, id string, body []byte, headers amqp.Table) {
	t.Helper()
	err := ch.PublishWithContext(context.Background(), exchange, key, false, false, amqp.Publishing{
		MessageId: id, Body: body, Headers: headers, ContentType: "application/json",
		DeliveryMode: amqp.Persistent,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// depth is how many messages are ready in queue now.
func depth(t *testing.T, ch *amqp.Channel, queue string) int {
	t.Helper()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		t.Fatalf("inspect %s: %v", queue, err)
	}
	return q.Messages
}

// drain takes every ready message off queue for good, in order.
func drain(t *testing.T, ch *amqp.Channel, queue string) []amqp.Delivery {
	t.Helper()
	var out []amqp.Delivery
	for {
		d, ok, err := ch.Get(queue, true) // auto-ack
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			return out
		}
		out = append(out, d)
	}
}

func deliveryIDs(ds []amqp.Delivery) []string {
	ids := make([]string, len(ds))
	for i, d := range ds {
		ids[i] = d.MessageId
	}
	return ids
}

func deadIDs(dls []tasks.DeadLetter) []string {
	ids := make([]string, len(dls))
	for i, dl := range dls {
		ids[i] = dl.MessageID
	}
	return ids
}

func newDeadLetters(t *testing.T, topo tasks.Topology) *tasks.DeadLetters {
	return tasks.NewDeadLetters(testenv.RabbitURL(), "test-deadletters-"+t.Name(), topo, zaptest.NewLogger(t))
}

func list(t *testing.T, dl *tasks.DeadLetters) []tasks.DeadLetter {
	t.Helper()
	got, err := dl.List(context.Background(), 0)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	return got
}

func TestDeadLetters_ListShowsEachWithItsReasonAndLeavesTheQueueAsItWas(t *testing.T) {
	h := startConsumer(t, newRecorder(), 1, 10*time.Second)
	ch := channel(t)
	if err := h.topo.Declare(ch); err != nil {
		t.Fatal(err)
	}
	publishRaw(t, ch, h.topo, "empty", "")
	publishRaw(t, ch, h.topo, "garbage", "{not json")
	unknown, _ := tasks.Fetch{Kind: tasks.KindUser, Value: "x"}.Signature()
	unknown.Name = "tweetflow.no_such_task"
	publishRaw(t, ch, h.topo, "unknown", unknown)
	queueDepth(t, ch, h.topo.DeadQueue, 3)
	if err := h.stop(); err != nil {
		t.Fatal(err)
	}
	bury(t, ch, h.topo, deadMsg{id: "rejected", body: fetchBody(t, "rejected"), rejected: true})

	dl := newDeadLetters(t, h.topo)
	got := list(t, dl)
	want := map[string]struct{ task, reason string }{
		"empty":    {"", "empty message body"},
		"garbage":  {"", "body is not a Machinery signature"},
		"unknown":  {"tweetflow.no_such_task", `no worker knows task "tweetflow.no_such_task"`},
		"rejected": {tasks.FetchSourceTask, "rejected from " + h.topo.Queue},
	}
	if len(got) != len(want) {
		t.Fatalf("listed %v, want the %d dead letters", got, len(want))
	}
	for _, d := range got {
		w := want[d.MessageID]
		if d.Task != w.task || !strings.HasPrefix(d.Reason, w.reason) {
			t.Errorf("%s: task %q, reason %q; want task %q, reason starting %q", d.MessageID, d.Task, d.Reason, w.task, w.reason)
		}
		if time.Since(d.DeadAt) > time.Minute || d.DeadAt.After(time.Now().Add(time.Second)) {
			t.Errorf("%s: dead at %v, want about now", d.MessageID, d.DeadAt)
		}
	}
	if again := list(t, dl); !slices.Equal(deadIDs(again), deadIDs(got)) {
		t.Errorf("second list %v, want the first's %v", deadIDs(again), deadIDs(got))
	}
	if first, err := dl.List(context.Background(), 2); err != nil || !slices.Equal(deadIDs(first), deadIDs(got)[:2]) {
		t.Errorf("list with limit 2 = %v (err %v), want %v", deadIDs(first), err, deadIDs(got)[:2])
	}
	queueDepth(t, ch, h.topo.DeadQueue, len(want))
	if left := deliveryIDs(drain(t, ch, h.topo.DeadQueue)); !slices.Equal(left, deadIDs(got)) {
		t.Errorf("dead queue holds %v, want the listed %v in that order", left, deadIDs(got))
	}
}

func TestDeadLetters_RequeueByIDIsRunByTheConsumer(t *testing.T) {
	h := startConsumer(t, newRecorder(), 2, 10*time.Second)
	ch := channel(t)
	bury(t, ch, h.topo,
		deadMsg{id: "stays", body: fetchBody(t, "stays")},
		deadMsg{id: "revived", body: fetchBody(t, "revived")},
		deadMsg{id: "junk", body: []byte("{not json")})

	dl := newDeadLetters(t, h.topo)
	res, err := dl.Requeue(context.Background(), tasks.MoveOptions{IDs: []string{"revived"}})
	if err != nil {
		t.Fatalf("requeue: %v", err)
	}
	if got := deadIDs(res.Moved); !slices.Equal(got, []string{"revived"}) {
		t.Errorf("requeued %v, want [revived]", got)
	}
	if got := h.waitRuns(1); got[0] != "revived" {
		t.Errorf("consumer ran %q, want revived", got[0])
	}
	queueDepth(t, ch, h.topo.DeadQueue, 2)
	if left := deadIDs(list(t, dl)); !slices.Equal(left, []string{"stays", "junk"}) {
		t.Errorf("dead letters left %v, want [stays junk]", left)
	}
}

func TestDeadLetters_RequeueAllEmptiesTheDeadQueueAndStripsTheDeathHeaders(t *testing.T) {
	topo := testenv.Topology(t)
	ch := channel(t)
	msgs := []deadMsg{
		{id: "one", body: fetchBody(t, "one")},
		{id: "two", body: fetchBody(t, "two"), rejected: true},
		{id: "three", body: unknownTaskBody(t)},
	}
	bury(t, ch, topo, msgs...)

	res, err := newDeadLetters(t, topo).Requeue(context.Background(), tasks.MoveOptions{All: true, Unrunnable: true})
	if err != nil {
		t.Fatalf("requeue: %v", err)
	}
	if len(res.Moved) != len(msgs) || len(res.Skipped) != 0 {
		t.Errorf("moved %v, skipped %v; want all %d moved", deadIDs(res.Moved), deadIDs(res.Skipped), len(msgs))
	}
	queueDepth(t, ch, topo.DeadQueue, 0)
	queueDepth(t, ch, topo.Queue, len(msgs))
	back := drain(t, ch, topo.Queue)
	for i, d := range back {
		if d.MessageId != msgs[i].id || string(d.Body) != string(msgs[i].body) {
			t.Errorf("task queue message %d is %q (%d bytes), want %q with its body", i, d.MessageId, len(d.Body), msgs[i].id)
		}
		for k := range d.Headers {
			if k != "kept" {
				t.Errorf("%s still carries header %s", d.MessageId, k)
			}
		}
		if d.DeliveryMode != amqp.Persistent {
			t.Errorf("%s is not persistent", d.MessageId)
		}
	}
	if d := back[1]; d.Headers["kept"] != "yes" {
		t.Errorf("%s lost its own header: %v", d.MessageId, d.Headers)
	}
}

func TestDeadLetters_RequeueAndDropTakeWhatIsSelected(t *testing.T) {
	cases := []struct {
		name    string
		drop    bool
		opts    tasks.MoveOptions
		moved   []string
		skipped []string
		missing []string
		dead    []string // left in the dead-letter queue, in order
	}{
		{
			name: "all skips the unrunnable", opts: tasks.MoveOptions{All: true},
			moved: []string{"good1", "good2"}, skipped: []string{"unknown", "junk"}, dead: []string{"unknown", "junk"},
		},
		{
			name: "all with unrunnable takes everything", opts: tasks.MoveOptions{All: true, Unrunnable: true},
			moved: []string{"good1", "unknown", "junk", "good2"},
		},
		{
			name: "limit stops early", opts: tasks.MoveOptions{All: true, Limit: 1},
			moved: []string{"good1"}, dead: []string{"unknown", "junk", "good2"},
		},
		{
			name: "ids take those only", opts: tasks.MoveOptions{IDs: []string{"good2", "unknown", "nope"}},
			moved: []string{"good2"}, skipped: []string{"unknown"}, missing: []string{"nope"},
			dead: []string{"good1", "unknown", "junk"},
		},
		{
			name: "an unrunnable id on request", opts: tasks.MoveOptions{IDs: []string{"junk"}, Unrunnable: true},
			moved: []string{"junk"}, dead: []string{"good1", "unknown", "good2"},
		},
		{
			name: "known tasks as given", opts: tasks.MoveOptions{All: true, Known: func(string) bool { return true }},
			moved: []string{"good1", "unknown", "good2"}, skipped: []string{"junk"}, dead: []string{"junk"},
		},
		{
			name: "drop deletes an unrunnable id", drop: true, opts: tasks.MoveOptions{IDs: []string{"junk"}},
			moved: []string{"junk"}, dead: []string{"good1", "unknown", "good2"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			topo := testenv.Topology(t)
			ch := channel(t)
			bury(t, ch, topo,
				deadMsg{id: "good1", body: fetchBody(t, "goodone")},
				deadMsg{id: "unknown", body: unknownTaskBody(t)},
				deadMsg{id: "junk", body: []byte("{not json")},
				deadMsg{id: "good2", body: fetchBody(t, "goodtwo")})
			dl := newDeadLetters(t, topo)
			move := dl.Requeue
			if c.drop {
				move = dl.Drop
			}
			res, err := move(context.Background(), c.opts)
			if err != nil {
				t.Fatalf("move: %v", err)
			}
			check := func(what string, got, want []string) {
				if !slices.Equal(got, want) {
					t.Errorf("%s %v, want %v", what, got, want)
				}
			}
			check("moved", deadIDs(res.Moved), c.moved)
			check("skipped", deadIDs(res.Skipped), c.skipped)
			check("missing", res.Missing, c.missing)
			check("left dead", deadIDs(list(t, dl)), c.dead)
			wantBack := c.moved
			if c.drop {
				wantBack = nil
			}
			queueDepth(t, ch, topo.Queue, len(wantBack))
			check("in the task queue", deliveryIDs(drain(t, ch, topo.Queue)), wantBack)
		})
	}
}

func TestDeadLetters_InterruptedRequeueLosesAndDuplicatesNothing(t *testing.T) {
	topo := testenv.Topology(t)
	ch := channel(t)
	all := []string{"m1", "m2", "m3", "m4", "m5"}
	for _, id := range all {
		bury(t, ch, topo, deadMsg{id: id, body: fetchBody(t, id)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := newDeadLetters(t, topo).Requeue(ctx, tasks.MoveOptions{
		All: true, Moved: func(tasks.DeadLetter) { cancel() }, // the operator hits ^C after the first
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("requeue = %v, want context.Canceled", err)
	}
	if got := deadIDs(res.Moved); !slices.Equal(got, all[:1]) {
		t.Errorf("reported moved %v, want %v", got, all[:1])
	}
	queueDepth(t, ch, topo.DeadQueue, len(all)-1)
	queueDepth(t, ch, topo.Queue, 1)
	back := deliveryIDs(drain(t, ch, topo.Queue))
	dead := deliveryIDs(drain(t, ch, topo.DeadQueue))
	if !slices.Equal(back, all[:1]) || !slices.Equal(dead, all[1:]) {
		t.Errorf("task queue %v, dead queue %v; want %v and %v", back, dead, all[:1], all[1:])
	}
}

func TestDeadLetters_RefusesAMoveThatSelectsNothingClearly(t *testing.T) {
	cases := []struct {
		name string
		opts tasks.MoveOptions
		want error
	}{
		{"nothing", tasks.MoveOptions{}, tasks.ErrNoSelection},
		{"nothing but a limit", tasks.MoveOptions{Limit: 3, Unrunnable: true}, tasks.ErrNoSelection},
		{"all and ids", tasks.MoveOptions{All: true, IDs: []string{"a"}}, nil},
		{"negative limit", tasks.MoveOptions{All: true, Limit: -1}, nil},
	}
	// The broker is never reached: the options are refused first.
	dl := tasks.NewDeadLetters("amqp://nobody@127.0.0.1:1/", "test", tasks.DefaultTopology, zaptest.NewLogger(t))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, move := range []func(context.Context, tasks.MoveOptions) (tasks.MoveResult, error){dl.Requeue, dl.Drop} {
				_, err := move(context.Background(), c.opts)
				if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
					t.Errorf("err = %v, want %v", err, c.want)
				}
			}
		})
	}
}

func TestDescribeDeadLetter(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)
	sig := mustJSON(t, map[string]any{"UUID": "task_1", "Name": tasks.FetchSourceTask})
	cases := []struct {
		name string
		d    amqp.Delivery
		want tasks.DeadLetter
	}{
		{
			"tweetflow's headers",
			amqp.Delivery{MessageId: "a", Body: sig, Headers: amqp.Table{
				tasks.HeaderDeadReason: "no worker knows task", tasks.HeaderDeadAt: at.Format(time.RFC3339),
			}},
			tasks.DeadLetter{MessageID: "a", Task: tasks.FetchSourceTask, Reason: "no worker knows task", DeadAt: at, Bytes: len(sig)},
		},
		{
			"x-death only",
			amqp.Delivery{MessageId: "b", Body: []byte("{not json"), Headers: amqp.Table{"x-death": []any{
				amqp.Table{"reason": "rejected", "queue": "tweetflow.tasks", "time": at},
				amqp.Table{"reason": "expired", "queue": "older", "time": at.Add(-time.Hour)},
			}}},
			tasks.DeadLetter{MessageID: "b", Reason: "rejected from tweetflow.tasks", DeadAt: at, Bytes: 9},
		},
		{
			"tweetflow's reason wins over x-death",
			amqp.Delivery{Body: sig, Headers: amqp.Table{
				tasks.HeaderDeadReason: "empty message body",
				"x-death":              []any{amqp.Table{"reason": "rejected", "time": at}},
			}},
			tasks.DeadLetter{Task: tasks.FetchSourceTask, Reason: "empty message body", DeadAt: at, Bytes: len(sig)},
		},
		{
			"nothing to read",
			amqp.Delivery{MessageId: "c", Headers: amqp.Table{tasks.HeaderDeadAt: "yesterday", "x-death": "odd"}},
			tasks.DeadLetter{MessageID: "c"},
		},
		{
			"a signature without a name",
			amqp.Delivery{Body: []byte(`{"UUID":"x"}`)},
			tasks.DeadLetter{Bytes: 12},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := tasks.DescribeDeadLetter(c.d)
			if got != c.want {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestDeadLetters_RequeueKeepsWhatTheBrokerRefused(t *testing.T) {
	topo := testenv.Topology(t)
	ch := channel(t)
	all := []string{"m1", "m2", "m3"}
	for _, id := range all {
		bury(t, ch, topo, deadMsg{id: id, body: fetchBody(t, id)})
	}
	// A full task queue makes the broker nack the second republish.
	limitQueue(t, topo.Queue, 1)
	res, err := newDeadLetters(t, topo).Requeue(context.Background(), tasks.MoveOptions{All: true})
	if err == nil || !strings.Contains(err.Error(), `requeue dead letter "m2"`) {
		t.Fatalf("requeue = %v, want the refusal of m2", err)
	}
	if got := deadIDs(res.Moved); !slices.Equal(got, all[:1]) {
		t.Errorf("reported moved %v, want %v", got, all[:1])
	}
	queueDepth(t, ch, topo.Queue, 1)
	queueDepth(t, ch, topo.DeadQueue, len(all)-1)
	if dead := deliveryIDs(drain(t, ch, topo.DeadQueue)); !slices.Equal(dead, all[1:]) {
		t.Errorf("dead queue %v, want %v", dead, all[1:])
	}
}

// limitQueue gives queue a policy of at most n messages that refuses publishes beyond.
func limitQueue(t *testing.T, queue string, n int) {
	t.Helper()
	name := "test-limit-" + queue
	def := fmt.Sprintf(`{"max-length": %d, "overflow": "reject-publish"}`, n)
	rabbitmqctl(t, "set_policy", "--apply-to", "queues", name, "^"+regexp.QuoteMeta(queue)+"$", def)
	t.Cleanup(func() { rabbitmqctl(t, "clear_policy", name) })
}

func rabbitmqctl(t *testing.T, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("rabbitmqctl %v: %v\n%s", args, err, out)
	}
}
