package tasks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/tasks"
)

// recorder is a task function that records the values it ran with.
type recorder struct {
	mu    sync.Mutex
	seen  map[string]int
	ran   chan string
	block chan struct{} // when set, each run waits for it to close
	// blocked receives a value each time a run starts waiting on block.
	blocked chan struct{}
	// before, when set, runs first; its error is the task's.
	before func(ctx context.Context) error
}

func newRecorder() *recorder {
	return &recorder{seen: map[string]int{}, ran: make(chan string, 1000)}
}

func (r *recorder) run(ctx context.Context, kind, value, hint string, backfill int64) error {
	f := tasks.Fetch{Kind: kind, Value: value, SinceIDHint: hint, BackfillSeconds: backfill}
	if err := f.Validate(); err != nil {
		return err
	}
	if r.before != nil {
		if err := r.before(ctx); err != nil {
			return err
		}
	}
	if r.block != nil {
		if r.blocked != nil {
			r.blocked <- struct{}{}
		}
		select {
		case <-r.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r.mu.Lock()
	r.seen[kind+":"+value]++
	r.mu.Unlock()
	r.ran <- value
	return nil
}

// harness runs a consumer for a recorder on a topology of the test's own.
type harness struct {
	t      *testing.T
	topo   tasks.Topology
	rec    *recorder
	cancel context.CancelFunc
	done   chan error
}

func startConsumer(t *testing.T, rec *recorder, concurrency int, grace time.Duration) *harness {
	t.Helper()
	topo := testenv.Topology(t)
	server, err := tasks.NewServer(topo, testenv.RabbitURL(), "", concurrency)
	if err != nil {
		t.Fatal(err)
	}
	if err := server.RegisterTask(tasks.FetchSourceTask, rec.run); err != nil {
		t.Fatal(err)
	}
	log := zaptest.NewLogger(t)
	c := tasks.NewConsumer(tasks.ConsumerConfig{
		BrokerURL: testenv.RabbitURL(), Name: "test-" + t.Name(), Topology: topo,
		Concurrency: concurrency, Grace: grace, Runner: tasks.NewRunner(server, time.Minute, log), Log: log,
	})
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, topo: topo, rec: rec, cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- c.Run(ctx) }()
	t.Cleanup(func() { _ = h.stop() })
	return h
}

func (h *harness) stop() error {
	h.cancel()
	select {
	case err := <-h.done:
		h.done <- err
		return err
	case <-time.After(time.Minute):
		h.t.Fatal("consumer did not stop within a minute")
		return nil
	}
}

func (h *harness) publish(values ...string) {
	h.t.Helper()
	pub := tasks.NewPublisher(testenv.RabbitURL(), "test-publisher", h.topo, zap.NewNop())
	defer pub.Close()
	sigs := make([]*mtasks.Signature, len(values))
	for i, v := range values {
		sig, err := tasks.Fetch{Kind: tasks.KindUser, Value: v}.Signature()
		if err != nil {
			h.t.Fatal(err)
		}
		sigs[i] = sig
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pub.Publish(ctx, sigs...); err != nil {
		h.t.Fatalf("publish: %v", err)
	}
}

// waitRuns waits until n task runs were recorded.
func (h *harness) waitRuns(n int) []string {
	h.t.Helper()
	var got []string
	timeout := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case v := <-h.rec.ran:
			got = append(got, v)
		case <-timeout:
			h.t.Fatalf("only %d of %d tasks ran within 30s: %v", len(got), n, got)
		}
	}
	return got
}

// channel opens a plain AMQP channel for inspecting queues.
func channel(t *testing.T) *amqp.Channel {
	t.Helper()
	conn, err := amqp.Dial(testenv.RabbitURL())
	if err != nil {
		t.Fatalf("dial RabbitMQ at %s (is it running? .ci/run starts it): %v", testenv.RabbitURL(), err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// queueDepth waits until the queue's ready messages settle at want.
func queueDepth(t *testing.T, ch *amqp.Channel, queue string, want int) {
	t.Helper()
	awaitQueue(t, ch, queue, "ready messages", want, func(q amqp.Queue) int { return q.Messages })
}

// consumers waits until the queue has want consumers.
func consumers(t *testing.T, ch *amqp.Channel, queue string, want int) {
	t.Helper()
	awaitQueue(t, ch, queue, "consumers", want, func(q amqp.Queue) int { return q.Consumers })
}

// awaitQueue polls the queue until count of it equals want; the broker pushes no events
// for depth or consumers, so polling is the way to wait.
func awaitQueue(t *testing.T, ch *amqp.Channel, queue, what string, want int, count func(amqp.Queue) int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
		if err == nil && count(q) == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue %s has %d %s (err %v), want %d", queue, count(q), what, err, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestConsumer_RunsEveryPublishedTaskOnce(t *testing.T) {
	h := startConsumer(t, newRecorder(), 4, 10*time.Second)
	var values []string
	for i := range 200 {
		values = append(values, fmt.Sprintf("user%d", i))
	}
	h.publish(values...)
	h.waitRuns(len(values))
	if err := h.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for _, v := range values {
		if n := h.rec.seen["user:"+v]; n != 1 {
			t.Errorf("task %s ran %d times, want 1", v, n)
		}
	}
	queueDepth(t, channel(t), h.topo.Queue, 0)
}

func TestConsumer_RunsSignaturesPublishedByMachinery(t *testing.T) {
	h := startConsumer(t, newRecorder(), 2, 10*time.Second)
	server, err := tasks.NewServer(h.topo, testenv.RabbitURL(), "", 1)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := tasks.Fetch{Kind: tasks.KindQuery, Value: "#machinery"}.Signature()
	if _, err := server.SendTaskWithContext(context.Background(), sig); err != nil {
		t.Fatalf("Machinery SendTask: %v", err)
	}
	if got := h.waitRuns(1); got[0] != "#machinery" {
		t.Fatalf("ran %q, want #machinery", got[0])
	}
}

func TestConsumer_DeadLettersWhatCannotRunAndNothingElse(t *testing.T) {
	h := startConsumer(t, newRecorder(), 2, 10*time.Second)
	ch := channel(t)
	if err := h.topo.Declare(ch); err != nil {
		t.Fatal(err)
	}
	unknown, _ := tasks.Fetch{Kind: tasks.KindUser, Value: "x"}.Signature()
	unknown.Name = "tweetflow.no_such_task"
	badArgs, _ := tasks.Fetch{Kind: tasks.KindUser, Value: "x"}.Signature()
	badArgs.Args = badArgs.Args[:1]
	invalid, _ := tasks.Fetch{Kind: tasks.KindUser, Value: "x"}.Signature()
	invalid.Args[1].Value = "not a handle!"
	bodies := map[string]any{
		"empty":   "",
		"garbage": "{not json",
		"unknown": unknown,
		"badargs": badArgs,
		"invalid": invalid,
	}
	for id, b := range bodies {
		publishRaw(t, ch, h.topo, id, b)
	}
	h.publish("good")
	h.waitRuns(1)
	queueDepth(t, ch, h.topo.DeadQueue, len(bodies))
	reasons := map[string]string{}
	for range bodies {
		d, ok, err := ch.Get(h.topo.DeadQueue, true)
		if err != nil || !ok {
			t.Fatalf("get dead letter: %v %v", ok, err)
		}
		reasons[d.MessageId], _ = d.Headers[tasks.HeaderDeadReason].(string)
	}
	for id := range bodies {
		if reasons[id] == "" {
			t.Errorf("dead letter %q has no reason header (reasons: %v)", id, reasons)
		}
	}
	if h.rec.seen["user:x"] != 0 {
		t.Error("an undeliverable message ran")
	}
}

func publishRaw(t *testing.T, ch *amqp.Channel, topo tasks.Topology, id string, body any) {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case string:
		raw = []byte(b)
	case *mtasks.Signature:
		raw = mustJSON(t, b)
	}
	err := ch.PublishWithContext(context.Background(), topo.Exchange, topo.Queue, false, false,
		amqp.Publishing{MessageId: id, Body: raw, DeliveryMode: amqp.Persistent})
	if err != nil {
		t.Fatal(err)
	}
}

func TestConsumer_StopLetsRunningTasksFinish(t *testing.T) {
	rec := newRecorder()
	rec.block = make(chan struct{})
	rec.blocked = make(chan struct{}, 1)
	h := startConsumer(t, rec, 1, 30*time.Second)
	h.publish("slow", "queued")
	ch := channel(t)
	<-rec.blocked // "slow" is running, "queued" waits
	stopped := make(chan error, 1)
	go func() { stopped <- h.stop() }()
	consumers(t, ch, h.topo.Queue, 0) // the stop has landed: no new deliveries
	close(rec.block)
	if err := <-stopped; err != nil {
		t.Fatalf("stop: %v", err)
	}
	if rec.seen["user:slow"] != 1 || rec.seen["user:queued"] != 0 {
		t.Fatalf("runs = %v; want slow once and queued not at all", rec.seen)
	}
	queueDepth(t, ch, h.topo.Queue, 1)
}

func TestConsumer_StopCancelsTasksThatOutliveTheGrace(t *testing.T) {
	rec := newRecorder()
	rec.block = make(chan struct{}) // never closed
	rec.blocked = make(chan struct{}, 1)
	h := startConsumer(t, rec, 1, 300*time.Millisecond)
	h.publish("stuck")
	ch := channel(t)
	<-rec.blocked // the task is running
	if err := h.stop(); !errors.Is(err, tasks.ErrGraceExceeded) {
		t.Fatalf("stop = %v, want ErrGraceExceeded", err)
	}
	queueDepth(t, ch, h.topo.Queue, 1) // returned to the queue for another worker
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestConsumer_RetryLaterRunsTheTaskAgainAfterItsDelay(t *testing.T) {
	rec := newRecorder()
	attempts := make(chan int, 10)
	rec.before = func(ctx context.Context) error {
		n := tasks.Attempt(mtasks.SignatureFromContext(ctx))
		attempts <- n
		if n < 2 {
			return &tasks.RetryLater{After: 100 * time.Millisecond, Err: errors.New("try again")}
		}
		return nil
	}
	h := startConsumer(t, rec, 2, 10*time.Second)
	h.publish("flaky")
	h.waitRuns(1)
	close(attempts)
	var got []int
	for n := range attempts {
		got = append(got, n)
	}
	if fmt.Sprint(got) != "[0 1 2]" {
		t.Errorf("attempts seen = %v, want [0 1 2]", got)
	}
	ch := channel(t)
	queueDepth(t, ch, h.topo.Queue, 0)
	queueDepth(t, ch, h.topo.DelayQueue(300*time.Millisecond), 0)
}
