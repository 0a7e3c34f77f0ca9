package twittersim

import (
	"maps"
	"strconv"
	"sync"
)

// Outcomes recorded in Stats for requests that got no HTTP status.
const (
	OutcomeReset    = "reset"    // the connection was closed unanswered (reset fault)
	OutcomeCanceled = "canceled" // the client went away before the answer
)

// Stats counts the /2/ requests served, by endpoint group and outcome. The outcome is
// the HTTP status as a string ("200", "429") or OutcomeReset or OutcomeCanceled.
type Stats struct {
	Total    int                       `json:"total"`
	Requests map[string]map[string]int `json:"requests"`
}

// Count returns the number of requests of group answered with status.
func (s Stats) Count(group string, status int) int {
	return s.Requests[group][strconv.Itoa(status)]
}

// Group returns the number of requests of group, whatever their outcome.
func (s Stats) Group(group string) int {
	n := 0
	for _, c := range s.Requests[group] {
		n += c
	}
	return n
}

// statsBook is the concurrency-safe store behind Stats.
type statsBook struct {
	mu    sync.Mutex
	stats Stats
}

func newStatsBook() *statsBook {
	return &statsBook{stats: Stats{Requests: map[string]map[string]int{}}}
}

func (b *statsBook) record(group, outcome string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stats.Requests[group] == nil {
		b.stats.Requests[group] = map[string]int{}
	}
	b.stats.Requests[group][outcome]++
	b.stats.Total++
}

func (b *statsBook) snapshot() Stats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := Stats{Total: b.stats.Total, Requests: map[string]map[string]int{}}
	for g, m := range b.stats.Requests {
		out.Requests[g] = maps.Clone(m)
	}
	return out
}

func (b *statsBook) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stats = Stats{Requests: map[string]map[string]int{}}
}
