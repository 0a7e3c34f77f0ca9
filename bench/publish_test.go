package bench

import (
	"context"
	"strconv"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/tasks"
)

// BenchmarkPublish measures the producer's publishing path: fetch signatures built by
// tasks.Fetch.Signature and published in one tasks.Publisher.Publish call, which returns
// once the broker has confirmed every one, against raw amqp091-go publishing of as many
// messages of the same size with persistent delivery and pipelined confirms. Machinery's own
// SendTask, one confirm per message, is a second reference on a smaller count. The queue is
// purged after each run, and the count it held is checked.
func BenchmarkPublish(b *testing.B) {
	n := sized(200, 50_000)
	topo := testenv.Topology(b)
	_ = declared(b, brokerURL, topo).Close()
	// rawRate measures the reference next to each figure.
	rawRate := func(b *testing.B) float64 {
		raw := rawPublish(b, brokerURL, topo, rawMessage(b, topo.Queue), n)
		purge(b, brokerURL, topo.Queue, n)
		return perSecond(n, raw)
	}
	rounds := sized(1, 3)
	const refName = "raw amqp091-go, persistent, pipelined confirms"

	b.Run("Publisher", func(b *testing.B) {
		// The best of a few rounds of each, for a machine shared with others; who goes first
		// alternates, since the broker is still busy with a purge for a moment.
		var ref, rate float64
		for i := range rounds {
			publisher := func() float64 {
				r := perSecond(n, publishSignatures(b, topo, n))
				purge(b, brokerURL, topo.Queue, n)
				return r
			}
			var rr, r float64
			if i%2 == 0 {
				rr, r = rawRate(b), publisher()
			} else {
				r, rr = publisher(), rawRate(b)
			}
			b.Logf("round %d: raw %.0f/s, publisher %.0f/s", i+1, rr, r)
			ref, rate = max(ref, rr), max(rate, r)
		}
		record(b, Figure{
			Bench: "1. publishing", What: "signatures/s", Measured: rate, Reference: ref, RefName: refName,
			Goal: "≥ 0.5 × raw", Met: rate >= 0.5*ref, HigherIsBetter: true,
			Note: "one Publisher.Publish of " + strconv.Itoa(n) + ", each confirmed; signatures built in the timing",
		})
	})
	b.Run("MachinerySendTask", func(b *testing.B) {
		m := sized(50, 2_000)
		ref := rawRate(b)
		rate := perSecond(m, sendTasks(b, topo, m))
		purge(b, brokerURL, topo.Queue, m+1) // and the warm-up task
		record(b, Figure{
			Bench: "1. publishing", What: "signatures/s, Machinery SendTask", Measured: rate, Reference: ref,
			RefName: refName, Goal: "reference only", Met: true, HigherIsBetter: true,
			Note: "one confirm per message, " + strconv.Itoa(m) + " messages",
		})
	})
}

// publishSignatures builds n fetch signatures and publishes them with the producer's
// publisher, connected beforehand, and returns the time until all were confirmed.
func publishSignatures(b *testing.B, topo tasks.Topology, n int) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pub := tasks.NewPublisher(brokerURL, "bench-publisher", topo, zap.NewNop())
	defer pub.Close()
	if err := pub.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	sigs := fetchSignatures(b, n)
	if err := pub.Publish(ctx, sigs...); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// sendTasks publishes m fetch signatures with Machinery's SendTask, after one warm-up task
// that opens its connection, and returns the time the m took.
func sendTasks(b *testing.B, topo tasks.Topology, m int) time.Duration {
	b.Helper()
	server, err := tasks.NewServer(topo, brokerURL, "", 1)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		if c, ok := server.GetBroker().(interface{ CloseConnections() error }); ok {
			_ = c.CloseConnections()
		}
	}()
	sigs := fetchSignatures(b, m+1)
	if _, err := server.SendTask(sigs[m]); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for _, sig := range sigs[:m] {
		if _, err := server.SendTask(sig); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}
