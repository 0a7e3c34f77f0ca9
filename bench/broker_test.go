package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/tasks"
)

// Helpers shared by the broker benchmarks (publishing, consuming, the scheduling tick): the
// raw amqp091-go references and the fetch signatures the producer would publish.

// fetchSignatures returns n fetch signatures for distinct users, built as the producer
// builds them.
func fetchSignatures(b *testing.B, n int) []*mtasks.Signature {
	b.Helper()
	sigs := make([]*mtasks.Signature, n)
	for i := range sigs {
		sig, err := benchFetch(i).Signature()
		if err != nil {
			b.Fatal(err)
		}
		sigs[i] = sig
	}
	return sigs
}

// benchFetch is the fetch of the i-th benchmark user, with a cursor hint as a tick sends
// for a known source.
func benchFetch(i int) tasks.Fetch {
	return tasks.Fetch{
		Kind: tasks.KindUser, Value: benchUser(i), SinceIDHint: "1867781234567890123", BackfillSeconds: 60,
	}
}

// benchUser is the handle of the i-th benchmark user.
func benchUser(i int) string { return fmt.Sprintf("benchuser%06d", i) }

// rawMessage returns a message as the producer's publisher sends a fetch signature: the same
// body size, headers and properties.
func rawMessage(b *testing.B, queue string) amqp.Publishing {
	b.Helper()
	sig, err := benchFetch(0).Signature()
	if err != nil {
		b.Fatal(err)
	}
	sig.RoutingKey = queue
	sig.Headers = mtasks.Headers{tasks.HeaderPublishedAt: time.Now().UTC().Format(time.RFC3339Nano)}
	body, err := json.Marshal(sig)
	if err != nil {
		b.Fatal(err)
	}
	return amqp.Publishing{
		Headers: amqp.Table(sig.Headers), ContentType: "application/json",
		DeliveryMode: amqp.Persistent, MessageId: sig.UUID, Body: body,
	}
}

// dialChannel opens a connection and a channel to url; closing the channel closes the
// connection too.
func dialChannel(b *testing.B, url string) *amqp.Channel {
	b.Helper()
	conn, err := amqp.Dial(url)
	if err != nil {
		b.Fatalf("dial RabbitMQ: %v", err)
	}
	ch, err := conn.Channel()
	if err != nil {
		_ = conn.Close()
		b.Fatalf("open channel: %v", err)
	}
	closed := ch.NotifyClose(make(chan *amqp.Error, 1))
	go func() {
		for range closed { // until the channel closes
		}
		_ = conn.Close()
	}()
	return ch
}

// declared opens a channel to url with topo declared on it.
func declared(b *testing.B, url string, topo tasks.Topology) *amqp.Channel {
	b.Helper()
	ch := dialChannel(b, url)
	if err := topo.Declare(ch); err != nil {
		_ = ch.Close()
		b.Fatal(err)
	}
	return ch
}

// rawPublish is the broker's limit for publishing: n persistent copies of msg to topo's
// queue on one channel in confirm mode, every publish pipelined, the confirms counted as
// they arrive. It returns the time until the broker had confirmed all n.
func rawPublish(b *testing.B, url string, topo tasks.Topology, msg amqp.Publishing, n int) time.Duration {
	b.Helper()
	ch := declared(b, url, topo)
	defer func() { _ = ch.Close() }()
	if err := ch.Confirm(false); err != nil {
		b.Fatal(err)
	}
	confirms := ch.NotifyPublish(make(chan amqp.Confirmation, n))
	ctx := context.Background()
	start := time.Now()
	for range n {
		if err := ch.PublishWithContext(ctx, topo.Exchange, topo.Queue, false, false, msg); err != nil {
			b.Fatalf("raw publish: %v", err)
		}
	}
	for range n {
		if c := <-confirms; !c.Ack {
			b.Fatalf("raw publish: the broker nacked delivery %d", c.DeliveryTag)
		}
	}
	return time.Since(start)
}

// queueDepth returns the number of ready messages in queue.
func queueDepth(b *testing.B, url, queue string) int {
	b.Helper()
	ch := dialChannel(b, url)
	defer func() { _ = ch.Close() }()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		b.Fatalf("inspect queue %s: %v", queue, err)
	}
	return q.Messages
}

// purge empties queue and fails the benchmark unless it held want messages (want < 0: any
// number).
func purge(b *testing.B, url, queue string, want int) {
	b.Helper()
	ch := dialChannel(b, url)
	defer func() { _ = ch.Close() }()
	n, err := ch.QueuePurge(queue, false)
	if err != nil {
		b.Fatalf("purge %s: %v", queue, err)
	}
	if want >= 0 && n != want {
		b.Fatalf("queue %s held %d messages, want %d", queue, n, want)
	}
}

// brokerURL is the test broker's URL; a var so the benchmarks read alike.
var brokerURL = testenv.RabbitURL()

// perSecond is n events in d as a rate.
func perSecond(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }
