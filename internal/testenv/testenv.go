// Package testenv gives tests their own database, RabbitMQ objects and virtual hosts on the
// real servers of the machine, and removes them afterwards. TEST_DATABASE_URL and
// TEST_RABBITMQ_URL point elsewhere than the local defaults.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/tweetflow/tweetflow/tasks"
)

// Defaults match the services every development and CI machine runs.
const (
	defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultRabbitURL   = "amqp://guest:guest@127.0.0.1:5672/" //nolint:gosec // the local test broker's stock account
)

// DatabaseURL is the administrative database tests create their databases from.
func DatabaseURL() string { return getenv("TEST_DATABASE_URL", defaultDatabaseURL) }

// RabbitURL is the broker tests use.
func RabbitURL() string { return getenv("TEST_RABBITMQ_URL", defaultRabbitURL) }

func getenv(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Name returns a random lower-case name with prefix, unique to this test run.
func Name(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Database creates an empty database for the test, drops it when the test ends, and
// returns its URL. The test fails at once if PostgreSQL is not reachable.
func Database(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s (is it running? .ci/run starts it): %v", DatabaseURL(), err)
	}
	defer admin.Close(ctx)
	name := Name("tf_test_")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, name) })
	u, err := url.Parse(DatabaseURL())
	if err != nil {
		t.Fatalf("parse TEST_DATABASE_URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func dropDatabase(t testing.TB, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		t.Logf("drop database %s: %v", name, err)
		return
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		t.Logf("drop database %s: %v", name, err)
	}
}

// Topology returns a topology with names of its own on the test broker, deleted when the
// test ends, so tests in parallel do not share queues.
func Topology(t testing.TB) tasks.Topology {
	t.Helper()
	base := Name("tftest.")
	topo := tasks.Topology{
		Exchange: base, Queue: base + ".tasks", DeadExchange: base + ".dead", DeadQueue: base + ".dead",
		Delays: []time.Duration{300 * time.Millisecond, 2 * time.Second},
	}
	t.Cleanup(func() { deleteTopology(t, topo) })
	return topo
}

func deleteTopology(t testing.TB, topo tasks.Topology) {
	conn, err := amqp.Dial(RabbitURL())
	if err != nil {
		t.Logf("clean up topology %s: %v", topo.Exchange, err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	_, _ = ch.QueueDelete(topo.Queue, false, false, false)
	_, _ = ch.QueueDelete(topo.DeadQueue, false, false, false)
	for _, d := range topo.Delays {
		_, _ = ch.QueueDelete(topo.DelayQueue(d), false, false, false)
	}
	_ = ch.ExchangeDelete(topo.Exchange, false, false)
	_ = ch.ExchangeDelete(topo.DeadExchange, false, false)
}

// Vhost creates a RabbitMQ virtual host for the test with rabbitmqctl, grants the test user
// every permission on it, deletes it when the test ends, and returns the broker URL for it.
func Vhost(t testing.TB) string {
	t.Helper()
	name := Name("tftest-")
	ctl(t, "add_vhost", name)
	t.Cleanup(func() { ctlQuiet(t, "delete_vhost", name) })
	u, err := url.Parse(RabbitURL())
	if err != nil {
		t.Fatalf("parse TEST_RABBITMQ_URL: %v", err)
	}
	ctl(t, "set_permissions", "-p", name, u.User.Username(), ".*", ".*", ".*")
	u.Path, u.RawPath = "/"+name, "/"+url.PathEscape(name)
	return u.String()
}

func ctl(t testing.TB, args ...string) {
	t.Helper()
	if out, err := rabbitmqctl(args...); err != nil {
		t.Fatalf("rabbitmqctl %v: %v\n%s", args, err, out)
	}
}

func ctlQuiet(t testing.TB, args ...string) {
	if out, err := rabbitmqctl(args...); err != nil {
		t.Logf("rabbitmqctl %v: %v\n%s", args, err, out)
	}
}

func rabbitmqctl(args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return exec.CommandContext(ctx, "rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput()
}
