package bench

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Sources fetched per second by the Celery peer of issue 7.
const (
	peerIdlePerSecond  = 550
	peerFirstPerSecond = 250
)

// idleConcurrency is the worker's WORKER_CONCURRENCY here: idle fetches wait on round trips,
// not on the CPU.
const idleConcurrency = 16

// BenchmarkIdleFetch times the worker binary fetching silent twittersim accounts: first a
// first fetch of each (handle lookup and an empty backfill), then a second round when
// nothing is new. Completed fetches are counted in the database.
func BenchmarkIdleFetch(b *testing.B) {
	n := sized(50, 10000)
	for range b.N {
		runIdleFetch(b, n)
	}
}

func runIdleFetch(b *testing.B, n int) {
	users := make([]string, n)
	specs := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("i%04d", i)
		specs[i] = users[i] + ":0"
	}
	s := newWorkerStack(b, stackConfig{accounts: strings.Join(specs, ","), concurrency: idleConcurrency})
	first := s.timeRound(b, users)
	idle := s.timeRound(b, users)
	note := fmt.Sprintf("%d silent sources, worker concurrency %d", n, idleConcurrency)
	firstRate := float64(n) / first.Seconds()
	idleRate := float64(n) / idle.Seconds()
	record(b, Figure{
		Bench: "5b. idle fetch", What: "sources/s, nothing new", Measured: idleRate,
		Reference: peerIdlePerSecond, RefName: peerName, Goal: "≥ 5 × peer",
		Met: idleRate >= 5*peerIdlePerSecond, HigherIsBetter: true, Note: note,
	})
	record(b, Figure{
		Bench: "5b. idle fetch", What: "sources/s, first fetch", Measured: firstRate,
		Reference: peerFirstPerSecond, RefName: peerName, Goal: "≥ 5 × peer",
		Met: firstRate >= 5*peerFirstPerSecond, HigherIsBetter: true,
		Note: "handle lookup and an empty backfill",
	})
}

// timeRound publishes one fetch per user and returns the time until every source has a
// complete walk begun after the round started.
func (s *workerStack) timeRound(b *testing.B, users []string) time.Duration {
	b.Helper()
	start := time.Now()
	s.publishFetches(b, users, time.Hour)
	waitFor(b, 5*time.Minute, "every source fetched", func() (bool, error) {
		n, err := s.completedSince(start)
		return n == len(users), err
	})
	return time.Since(start)
}
