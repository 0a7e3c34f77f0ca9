package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twittersim"
)

// Programs built once per benchmark run, the way the Dockerfiles build them.
var (
	programsOnce sync.Once
	programsDir  string
	programsErr  error
)

// programs builds the producer, the worker and twittersim into a folder of their own and
// returns it.
func programs(b *testing.B) string {
	b.Helper()
	programsOnce.Do(func() {
		programsDir, programsErr = os.MkdirTemp("", "tweetflow-bench-")
		if programsErr != nil {
			return
		}
		programsErr = testenv.Build("..", programsDir, map[string]string{
			"producer": "./producer", "worker": "./worker", "twittersim": "./twittersim/cmd/twittersim",
		})
	})
	if programsErr != nil {
		b.Fatal(programsErr)
	}
	return programsDir
}

// startProgram runs one of the built programs; it is stopped when the benchmark ends, and
// the last 40 lines of its output are logged if the benchmark failed.
func startProgram(b *testing.B, program string, env []string, args ...string) *testenv.Process {
	b.Helper()
	p := testenv.Start(b, program, filepath.Join(programs(b), program), env, args...)
	p.LogLines = 40
	return p
}

// waitFor polls cond every 50 ms until it holds, failing the benchmark after timeout.
func waitFor(b *testing.B, timeout time.Duration, what string, cond func() (bool, error)) {
	b.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := cond()
		if err != nil {
			b.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%s: not reached within %s", what, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// workerStack is one installation for a benchmark: its own database and vhost, twittersim
// as a process, and the real worker binary.
type workerStack struct {
	dbURL, brokerURL, simURL string
	metricsAddr              string
	sim                      *twittersim.Client
	db                       *pgxpool.Pool
	worker                   *testenv.Process
	publisher                *tasks.Publisher
}

// stackConfig sets up a workerStack.
type stackConfig struct {
	// accounts is twittersim's -accounts list; history its -history.
	accounts    string
	history     time.Duration
	concurrency int
}

func newWorkerStack(b *testing.B, c stackConfig) *workerStack {
	b.Helper()
	s := &workerStack{dbURL: testenv.Database(b), brokerURL: testenv.Vhost(b)}
	simAddr := testenv.FreeAddr(b)
	s.metricsAddr = testenv.FreeAddr(b)
	s.simURL = "http://" + simAddr
	startProgram(b, "twittersim", nil, "-addr", simAddr, "-accounts", c.accounts,
		"-history", c.history.String(), "-seed", "7",
		"-rate-limits", "timeline=100000000,search=100000000,users=100000000")
	s.sim = twittersim.NewClient(s.simURL)
	waitFor(b, 2*time.Minute, "twittersim answers", func() (bool, error) {
		return s.sim.Healthz(context.Background()) == nil, nil
	})
	// Nothing new is created during the measurement, so "every reachable tweet" holds still.
	if err := s.sim.Pause(context.Background()); err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.New(context.Background(), s.dbURL)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	s.db = pool
	s.worker = startProgram(b, "worker", []string{
		"RABBITMQ_URL=" + s.brokerURL, "DATABASE_URL=" + s.dbURL,
		"TWITTER_API_URL=" + s.simURL, "TWITTER_BEARER_TOKEN=" + twittersim.DefaultToken,
		"WORKER_CONCURRENCY=" + strconv.Itoa(c.concurrency), "METRICS_ADDR=" + s.metricsAddr,
		"LOG_LEVEL=warn", "SHUTDOWN_GRACE=20s",
	})
	waitFor(b, time.Minute, "worker subscribed", func() (bool, error) { return s.healthy(), nil })
	s.publisher = tasks.NewPublisher(s.brokerURL, "bench", tasks.DefaultTopology, zap.NewNop())
	b.Cleanup(s.publisher.Close)
	return s
}

// healthy reports whether the worker's /healthz answers 200: it is subscribed to the queue.
func (s *workerStack) healthy() bool {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://"+s.metricsAddr+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// publishFetches publishes one fetch task per user handle.
func (s *workerStack) publishFetches(b *testing.B, users []string, backfill time.Duration) {
	b.Helper()
	sigs := make([]*mtasks.Signature, 0, len(users))
	for _, u := range users {
		sig, err := tasks.Fetch{Kind: tasks.KindUser, Value: u, BackfillSeconds: int64(backfill / time.Second)}.Signature()
		if err != nil {
			b.Fatal(err)
		}
		sigs = append(sigs, sig)
	}
	if err := s.publisher.Publish(context.Background(), sigs...); err != nil {
		b.Fatalf("publish %d fetch tasks: %v", len(sigs), err)
	}
}

// completedSince counts the sources whose last complete walk began at or after t.
func (s *workerStack) completedSince(t time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(context.Background(),
		`SELECT count(*) FROM sources WHERE last_walk_started_at >= $1`, t).Scan(&n)
	return n, err
}

// cpuTicks is the user plus system CPU time of process pid from /proc, in clock ticks.
func cpuTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces; fields count from after its closing parenthesis.
	rest := string(data[bytes.LastIndexByte(data, ')')+2:])
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: bad cpu fields", pid)
	}
	return utime + stime, nil
}

// clockTick is the length of one /proc clock tick (USER_HZ, 100 on Linux).
const clockTick = 10 * time.Millisecond

// backendCPU sums the CPU time of the PostgreSQL backends the worker opened on the
// stack's database (application_name tweetflow), keyed by backend pid.
func (s *workerStack) backendCPU() (map[int]int64, error) {
	rows, err := s.db.Query(context.Background(), `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND application_name = 'tweetflow'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int64{}
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			return nil, err
		}
		if t, err := cpuTicks(pid); err == nil {
			out[pid] = t
		}
	}
	return out, rows.Err()
}

// cpuDelta is the CPU time spent between two backendCPU readings, new backends included.
func cpuDelta(before, after map[int]int64) time.Duration {
	var ticks int64
	for pid, t := range after {
		ticks += t - before[pid]
	}
	return time.Duration(ticks) * clockTick
}

// stepTimer logs how long each set-up step took, to tell set-up from measurement.
func stepTimer(b *testing.B) func(step string) {
	last := time.Now()
	return func(step string) {
		b.Logf("%s: %s", step, time.Since(last).Round(time.Millisecond))
		last = time.Now()
	}
}
