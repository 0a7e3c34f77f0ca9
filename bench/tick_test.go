package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/tasks"
)

// BenchmarkTick measures a scheduling tick at scale: `producer fetch --all`, the real
// producer binary, publishes one fetch task for each of n user sources through the code a
// scheduled tick uses, against a fresh database and broker vhost; the time is the one the
// producer logs from loading the sources' states to the last confirm, so process start-up,
// parsing the sources file and connecting are left out. The reference is raw pipelined
// publishing of n messages of the same size (a copy of one the producer sent) to the same
// queue.
func BenchmarkTick(b *testing.B) {
	producer := filepath.Join(programs(b), "producer")
	sizes := []int{200}
	if full() {
		sizes = []int{10_000, 100_000}
	}
	for _, n := range sizes {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchTick(b, producer, n) })
	}
}

func benchTick(b *testing.B, producer string, n int) {
	vhost := testenv.Vhost(b)
	sources := sourcesFile(b, n)
	topo := tasks.DefaultTopology
	var tick, raw time.Duration
	for i := range sized(1, 2) {
		// A fresh database each round, so every source is new, as on a first tick.
		env := []string{
			"RABBITMQ_URL=" + vhost, "DATABASE_URL=" + testenv.Database(b), "SOURCES_FILE=" + sources,
			"METRICS_ADDR=", "LOG_LEVEL=info",
		}
		t := fetchAll(b, producer, env, n)
		msg := oneMessage(b, vhost, topo.Queue)
		purge(b, vhost, topo.Queue, n-1)
		r := rawPublish(b, vhost, topo, msg, n)
		purge(b, vhost, topo.Queue, n)
		b.Logf("round %d: raw %s, producer fetch --all %s", i+1, r, t)
		if i == 0 || t < tick {
			tick = t
		}
		if i == 0 || r < raw {
			raw = r
		}
	}
	record(b, Figure{
		Bench: "5a. scheduling tick", What: "seconds for " + strconv.Itoa(n) + " sources",
		Measured: tick.Seconds(), Reference: raw.Seconds(),
		RefName: "raw amqp091-go, pipelined confirms, as many messages", Goal: "≤ 2 × raw",
		Met: tick <= 2*raw, Note: "producer fetch --all, every task confirmed, new sources",
	})
}

// sourcesFile writes a sources file of n users and returns its path.
func sourcesFile(b *testing.B, n int) string {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("users:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  - %s\n", benchUser(i))
	}
	path := filepath.Join(b.TempDir(), "sources.yml")
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path
}

// fetchAll runs `producer fetch --all` and returns the publishing time it logged, after
// checking that it published all n sources.
func fetchAll(b *testing.B, producer string, env []string, n int) time.Duration {
	b.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, producer, "fetch", "--all")
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("producer fetch --all: %v\n%s", err, out)
	}
	ev := logEvent(out, "all sources published")
	if ev == nil {
		b.Fatalf("producer fetch --all logged no \"all sources published\" line:\n%s", out)
	}
	if got, _ := ev["published"].(float64); int(got) != n {
		b.Fatalf("producer fetch --all published %v signatures, want %d", ev["published"], n)
	}
	s, _ := ev["duration"].(string)
	d, err := time.ParseDuration(s)
	if err != nil {
		b.Fatalf("producer fetch --all logged duration %q: %v", s, err)
	}
	return d
}

// logEvent returns the first JSON log line of out whose message is msg, nil if none.
func logEvent(out []byte, msg string) map[string]any {
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev map[string]any
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev["msg"] == msg {
			return ev
		}
	}
	return nil
}

// oneMessage takes one message off queue and returns it as a publishing, for the raw
// reference to send copies of.
func oneMessage(b *testing.B, url, queue string) amqp.Publishing {
	b.Helper()
	ch := dialChannel(b, url)
	defer func() { _ = ch.Close() }()
	d, ok, err := ch.Get(queue, true) // auto-ack: it is not run
	if err != nil || !ok {
		b.Fatalf("get a message from %s: ok %v, %v", queue, ok, err)
	}
	return amqp.Publishing{
		Headers: d.Headers, ContentType: d.ContentType, DeliveryMode: d.DeliveryMode,
		Priority: d.Priority, MessageId: d.MessageId, Body: d.Body,
	}
}
