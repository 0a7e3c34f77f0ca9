package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/internal/testenv"
)

// proc is a program started by a test, with its output captured, and readers of its log.
type proc struct{ *testenv.Process }

// start runs program with env (on top of a minimal environment) and args. The process is
// stopped when the test ends and its output is logged if the test failed.
func start(t *testing.T, name, program string, env []string, args ...string) *proc {
	t.Helper()
	return &proc{testenv.Start(t, name, filepath.Join(bin, program), env, args...)}
}

// stop sends SIGTERM and waits for the exit; it returns the exit code.
func (p *proc) stop() int { return p.Stop() }

// events returns the JSON log lines of the process whose message is msg.
func (p *proc) events(msg string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(p.Out.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev map[string]any
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev["msg"] == msg {
			out = append(out, ev)
		}
	}
	return out
}

// freeAddr returns a loopback address with a port nobody listens on right now.
func freeAddr(t *testing.T) string { t.Helper(); return testenv.FreeAddr(t) }

// eventually polls cond every 200 ms until it holds or timeout passes.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not reached within %s; last state: %s", what, timeout, state)
		case <-tick.C:
		}
	}
}

// repeatedLines returns the log lines of the process that appear more than once when their
// time is left out: an event logged twice.
func (p *proc) repeatedLines() []string {
	seen := map[string]int{}
	sc := bufio.NewScanner(strings.NewReader(p.Out.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev map[string]any
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		delete(ev, "time")
		key, _ := json.Marshal(ev)
		seen[string(key)]++
	}
	var out []string
	for line, n := range seen {
		if n > 1 {
			out = append(out, line)
		}
	}
	return out
}
