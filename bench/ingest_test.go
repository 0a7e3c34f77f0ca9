package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Figures of the Celery peer from issue 7, measured on a machine like ours.
const (
	peerTweetsPerSecond   = 19000
	peerWorkerCPUPer1000  = 0.037
	peerBackendCPUPer1000 = 0.030
	peerMemoryMiB         = 160
	peerName              = "Celery peer, issue 7"
)

// maxReachable is how deep a timeline reaches: the newest 3,200 tweets.
const maxReachable = 3200

// BenchmarkIngest times tweets stored per second from twittersim's 100-tweet pages through
// the worker binary into PostgreSQL, from publishing one first fetch per account (with a
// backfill covering the simulator's history) until every reachable tweet is stored. In the
// same run, on the same database, a single raw COPY of the same rows into a table shaped
// like tweets is the reference. It also reports the worker's CPU and its PostgreSQL
// backends' CPU per 1,000 tweets, and the worker's peak RSS.
func BenchmarkIngest(b *testing.B) {
	accounts := sized(4, 64)
	history := time.Duration(sized(40, 480)) * time.Minute // ~240 or ~2,900 tweets an account
	for range b.N {
		runIngest(b, accounts, history)
	}
}

func runIngest(b *testing.B, accounts int, history time.Duration) {
	users := make([]string, accounts)
	specs := make([]string, accounts)
	for i := range users {
		users[i] = fmt.Sprintf("ingest%03d", i)
		specs[i] = users[i] + ":10s"
	}
	step := stepTimer(b)
	s := newWorkerStack(b, stackConfig{accounts: strings.Join(specs, ","), history: history, concurrency: 4})
	step("stack up")
	want := s.reachable(b, users)
	step("truth read")

	before, err := s.backendCPU()
	if err != nil {
		b.Fatal(err)
	}
	workerBefore, err := cpuTicks(s.worker.Cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	s.publishFetches(b, users, history+time.Hour)
	waitFor(b, 5*time.Minute, "every source walked", func() (bool, error) {
		n, err := s.completedSince(start.Add(-time.Second))
		return n == accounts, err
	})
	took := time.Since(start)
	step("ingest")
	workerAfter, err := cpuTicks(s.worker.Cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	after, err := s.backendCPU()
	if err != nil {
		b.Fatal(err)
	}
	var stored int
	if err := s.db.QueryRow(context.Background(), `SELECT count(*) FROM tweets`).Scan(&stored); err != nil {
		b.Fatal(err)
	}
	if stored != want {
		b.Fatalf("stored %d tweets, want the %d the timelines reach", stored, want)
	}
	// The worker's own high-water mark: ru_maxrss would also count this process's RSS at
	// the fork (Go forks with CLONE_VM, and exec keeps the parent's mark in the child's).
	peakKiB, err := vmHWM(s.worker.Cmd.Process.Pid)
	if err != nil {
		b.Fatal(err)
	}
	s.worker.Stop()
	copyRate := s.copyReference(b)

	rate := float64(stored) / took.Seconds()
	per1000 := func(d time.Duration) float64 { return d.Seconds() / float64(stored) * 1000 }
	workerCPU := per1000(time.Duration(workerAfter-workerBefore) * clockTick)
	pgCPU := per1000(cpuDelta(before, after))
	rssMiB := float64(peakKiB) / 1024
	note := fmt.Sprintf("%d accounts, %d tweets, worker concurrency 4", accounts, stored)
	record(b, Figure{
		Bench: "3. ingest", What: "tweets/s", Measured: rate, Reference: copyRate,
		RefName: "raw COPY of the same rows, one stream", Goal: "≥ 0.5 × COPY", Met: rate >= 0.5*copyRate,
		HigherIsBetter: true, Note: note,
	})
	record(b, Figure{
		Bench: "3. ingest", What: "tweets/s vs peer", Measured: rate, Reference: peerTweetsPerSecond,
		RefName: peerName, Goal: "≥ 1.5 × peer (2× the aim)", Met: rate >= 1.5*peerTweetsPerSecond,
		HigherIsBetter: true,
	})
	record(b, Figure{
		Bench: "5c. worker cost", What: "worker CPU-s per 1000 tweets", Measured: workerCPU,
		Reference: peerWorkerCPUPer1000, RefName: peerName, Goal: "< peer", Met: workerCPU < peerWorkerCPUPer1000,
		Note: "user+system time of the worker process during the ingest",
	})
	record(b, Figure{
		Bench: "5c. worker cost", What: "PostgreSQL CPU-s per 1000 tweets", Measured: pgCPU,
		Reference: peerBackendCPUPer1000, RefName: peerName, Goal: "≤ peer (reported)",
		Met: pgCPU <= peerBackendCPUPer1000, Note: "the worker's backends, from /proc",
	})
	record(b, Figure{
		Bench: "5c. worker cost", What: "worker peak RSS MiB", Measured: rssMiB,
		Reference: peerMemoryMiB, RefName: peerName + ", all its processes", Goal: "< 40 MiB",
		Met: rssMiB < 40, Note: "VmHWM of the worker process",
	})
}

// reachable is how many tweets the users' timelines serve: the newest 3,200 of each.
func (s *workerStack) reachable(b *testing.B, users []string) int {
	b.Helper()
	total := 0
	for _, u := range users {
		truth, err := s.sim.Truth(context.Background(), u)
		if err != nil {
			b.Fatal(err)
		}
		total += min(len(truth), maxReachable)
	}
	return total
}

// copyReference copies the stored tweets, as rows already in memory, into a fresh table
// shaped like tweets with one COPY, and returns the rows per second.
func (s *workerStack) copyReference(b *testing.B) float64 {
	b.Helper()
	ctx := context.Background()
	rows, err := s.db.Query(ctx, `SELECT id, author_id, conversation_id, text, created_at, lang,
		retweeted_id, quoted_id, replied_to_id, retweet_count, reply_count, like_count,
		quote_count, bookmark_count, impression_count, raw::text, fetched_at, metrics_updated_at
		FROM tweets`)
	if err != nil {
		b.Fatal(err)
	}
	data, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		b.Fatal(err)
	}
	cols := []string{
		"id", "author_id", "conversation_id", "text", "created_at", "lang",
		"retweeted_id", "quoted_id", "replied_to_id", "retweet_count", "reply_count", "like_count",
		"quote_count", "bookmark_count", "impression_count", "raw", "fetched_at", "metrics_updated_at",
	}
	if _, err := s.db.Exec(ctx, `CREATE TABLE tweets_copy (LIKE tweets INCLUDING ALL)`); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := s.db.CopyFrom(ctx, pgx.Identifier{"tweets_copy"}, cols, pgx.CopyFromRows(data))
	took := time.Since(start)
	if err != nil || int(n) != len(data) {
		b.Fatalf("copy %d rows: %d copied, %v", len(data), n, err)
	}
	return float64(n) / took.Seconds()
}

// vmHWM is the peak resident set size of process pid, in KiB, from /proc.
func vmHWM(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
}
