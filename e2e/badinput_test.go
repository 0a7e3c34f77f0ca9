package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/internal/testenv"
)

// run starts program and waits for its exit; it returns the exit code and the output.
func run(t *testing.T, program string, env []string, args ...string) (int, string) {
	t.Helper()
	p := start(t, program, program, env, args...)
	select {
	case <-p.Done:
	case <-time.After(time.Minute):
		t.Fatalf("%s %v did not exit within a minute:\n%s", program, args, p.Out.String())
	}
	return p.Cmd.ProcessState.ExitCode(), p.Out.String()
}

func TestBadInput_OneClearLineAndANonZeroExit(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.yml", "users: [alice]\n")
	badHandle := write("bad-handle.yml", "users:\n  - alice\n  - bad-name!\n")
	badYAML := write("bad-yaml.yml", "users: [alice\n")
	dup := write("dup.yml", "users:\n  - Alice\n  - alice\n")
	const secret = "s3cr3t-token-value"
	base := []string{
		"RABBITMQ_URL=" + testenv.RabbitURL(), "DATABASE_URL=" + testenv.DatabaseURL(),
		"TWITTER_BEARER_TOKEN=" + secret, "SOURCES_FILE=" + good, "METRICS_ADDR=",
	}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	cases := []struct {
		name, program string
		env           []string
		args          []string
		code          int
		want          string
	}{
		{"worker without settings", "worker", nil, nil, 2, "RABBITMQ_URL: not set"},
		{"worker with both broker forms", "worker", with("RABBITMQ_HOST=h", "RABBITMQ_USER=u"), nil, 2, "RABBITMQ_URL"},
		{"worker with a bad concurrency", "worker", with("WORKER_CONCURRENCY=lots"), nil, 2, "WORKER_CONCURRENCY"},
		{"worker with a bad schedule", "worker", with("FETCH_SCHEDULE=every minute"), nil, 2, "FETCH_SCHEDULE"},
		{
			"worker with a missing token file", "worker", with("TWITTER_BEARER_TOKEN=", "TWITTER_BEARER_TOKEN_FILE=/nonexistent/token"),
			nil, 2, "TWITTER_BEARER_TOKEN_FILE",
		},
		{
			"worker with an unknown database", "worker",
			with("DATABASE_URL=postgres://postgres@127.0.0.1:5432/tf_no_such_database?sslmode=disable"), nil, 1, "does not exist",
		},
		{"fetch of an invalid handle", "producer", base, []string{"fetch", "--user", "bad-name!"}, 2, "not 1 to 15 letters"},
		{"fetch of an over-long query", "producer", base, []string{"fetch", "--query", strings.Repeat("x", 513)}, 2, "513 characters"},
		{"fetch of both kinds", "producer", base, []string{"fetch", "--user", "a", "--query", "b"}, 2, "none of the others can be"},
		{"fetch of nothing", "producer", base, []string{"fetch"}, 2, "at least one of the flags"},
		{"unknown subcommand", "producer", base, []string{"launch"}, 2, "unknown command"},
		{
			"run with an invalid handle in the file", "producer", with("SOURCES_FILE=" + badHandle),
			[]string{"run"},
			2,
			"bad-handle.yml:3",
		},
		{"run with broken YAML", "producer", with("SOURCES_FILE=" + badYAML), []string{"run"}, 2, "bad-yaml.yml:"},
		{"run with a duplicate source", "producer", with("SOURCES_FILE=" + dup), []string{"run"}, 2, "dup.yml:3"},
		{
			"run with a missing file", "producer", with("SOURCES_FILE=" + filepath.Join(dir, "none.yml")),
			[]string{"run"},
			2,
			"SOURCES_FILE",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := run(t, c.program, c.env, c.args...)
			if code != c.code {
				t.Errorf("exit code = %d, want %d; output:\n%s", code, c.code, out)
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("output does not mention %q:\n%s", c.want, out)
			}
			for _, bad := range []string{"goroutine ", "panic:", secret} {
				if strings.Contains(out, bad) {
					t.Errorf("output contains %q:\n%s", bad, out)
				}
			}
			if lines := strings.Count(strings.TrimSpace(lastLines(out)), "\n") + 1; c.code == 2 && lines != 1 {
				t.Errorf("a usage error printed %d lines, want 1:\n%s", lines, out)
			}
		})
	}
}

// lastLines drops JSON log lines, keeping what the program printed as its final word.
func lastLines(out string) string {
	var keep []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(l, "{") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
