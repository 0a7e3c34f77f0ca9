package bench

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/metrics"
	"github.com/tweetflow/tweetflow/tasks"
)

// BenchmarkConsume measures a worker's consume path: a queue pre-filled with n fetch
// signatures is run by tasks.Consumer through a tasks.Runner holding a registered no-op task,
// with the worker's task metrics observing and the worker's default concurrency and
// prefetch, until every message is acknowledged. The reference is a raw amqp091-go consumer
// that acknowledges each message, with the same prefetch, on the same queue.
func BenchmarkConsume(b *testing.B) {
	n := sized(200, 30_000)
	concurrency := workerConcurrency(b)
	topo := testenv.Topology(b)
	msg := rawMessage(b, topo.Queue)
	fill := func() {
		_ = rawPublish(b, brokerURL, topo, msg, n)
		if got := queueDepth(b, brokerURL, topo.Queue); got != n {
			b.Fatalf("queue holds %d messages after filling, want %d", got, n)
		}
	}
	raw := func() float64 {
		fill()
		return perSecond(n, rawConsume(b, topo.Queue, concurrency, n))
	}
	consumer := func() float64 {
		fill()
		return perSecond(n, consumeTasks(b, topo, concurrency, n))
	}
	// The best of a few rounds of each, for a machine shared with others, in turns.
	var ref, rate float64
	for i := range sized(1, 3) {
		var rr, r float64
		if i%2 == 0 {
			rr, r = raw(), consumer()
		} else {
			r, rr = consumer(), raw()
		}
		b.Logf("round %d: raw %.0f/s, consumer %.0f/s", i+1, rr, r)
		ref, rate = max(ref, rr), max(rate, r)
	}
	record(b, Figure{
		Bench: "2. consuming", What: "no-op tasks/s", Measured: rate, Reference: ref,
		RefName: "raw amqp091-go consumer, ack each, prefetch " + strconv.Itoa(concurrency),
		Goal:    "≥ 0.7 × raw", Met: rate >= 0.7*ref, HigherIsBetter: true,
		Note: "tasks.Consumer + Runner + task metrics, concurrency " + strconv.Itoa(concurrency) +
			", " + strconv.Itoa(n) + " messages",
	})
}

// workerConcurrency is the worker's default WORKER_CONCURRENCY (also its prefetch).
func workerConcurrency(b *testing.B) int {
	b.Helper()
	cfg, err := config.Load(config.Worker, []string{
		"RABBITMQ_URL=" + brokerURL, "DATABASE_URL=postgres://localhost/unused", "TWITTER_BEARER_TOKEN=unused",
	})
	if err != nil {
		b.Fatal(err)
	}
	return cfg.WorkerConcurrency
}

// rawConsume acknowledges n messages of queue one by one with the given prefetch and returns
// the time from connecting to the last ack. The queue must be empty after.
func rawConsume(b *testing.B, queue string, prefetch, n int) time.Duration {
	b.Helper()
	start := time.Now()
	ch := dialChannel(b, brokerURL)
	if err := ch.Qos(prefetch, 0, false); err != nil {
		b.Fatal(err)
	}
	deliveries, err := ch.Consume(queue, "bench-raw", false, false, false, false, nil) // manual ack
	if err != nil {
		b.Fatal(err)
	}
	for range n {
		d, ok := <-deliveries
		if !ok {
			b.Fatal("raw consumer: the deliveries ended early")
		}
		if err := d.Ack(false); err != nil {
			b.Fatal(err)
		}
	}
	took := time.Since(start)
	_ = ch.Close()
	checkDrained(b, queue)
	return took
}

// consumeTasks runs a consumer with a no-op fetch task until it has run n tasks and returns
// the time from starting it until it stopped, every message acknowledged.
func consumeTasks(b *testing.B, topo tasks.Topology, concurrency, n int) time.Duration {
	b.Helper()
	server, err := tasks.NewServer(topo, brokerURL, "", concurrency)
	if err != nil {
		b.Fatal(err)
	}
	var ran atomic.Int64
	allRan := make(chan struct{})
	noop := func(_ context.Context, _, _, _ string, _ int64) error {
		if ran.Add(1) == int64(n) {
			close(allRan)
		}
		return nil
	}
	if err := server.RegisterTask(tasks.FetchSourceTask, noop); err != nil {
		b.Fatal(err)
	}
	log := zap.NewNop()
	c := tasks.NewConsumer(tasks.ConsumerConfig{
		BrokerURL: brokerURL, Name: "bench-consumer", Topology: topo, Concurrency: concurrency,
		Grace: time.Minute, Runner: tasks.NewRunner(server, time.Minute, log), Log: log,
		Observer: metrics.NewTasks(metrics.NewRegistry(), tasks.FetchSourceTask),
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- c.Run(ctx) }()
	select {
	case <-allRan:
	case err := <-done:
		b.Fatalf("consumer stopped early: %v", err)
	case <-time.After(5 * time.Minute):
		b.Fatalf("consumer ran %d of %d tasks in 5 minutes", ran.Load(), n)
	}
	cancel() // graceful: the running tasks finish and are acknowledged
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	took := time.Since(start)
	if got := ran.Load(); got != int64(n) {
		b.Fatalf("the no-op task ran %d times, want %d", got, n)
	}
	checkDrained(b, topo.Queue)
	return took
}

// checkDrained fails the benchmark unless queue is empty with no consumer left: every
// message was acknowledged, none went back.
func checkDrained(b *testing.B, queue string) {
	b.Helper()
	ch := dialChannel(b, brokerURL)
	defer func() { _ = ch.Close() }()
	var q amqp.Queue
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		q, err = ch.QueueDeclarePassive(queue, true, false, false, false, nil)
		if err != nil {
			b.Fatalf("inspect queue %s: %v", queue, err)
		}
		if q.Consumers == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if q.Messages != 0 || q.Consumers != 0 {
		b.Fatalf("queue %s holds %d messages and %d consumers after consuming, want none", queue, q.Messages, q.Consumers)
	}
}
