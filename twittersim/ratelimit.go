package twittersim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The endpoint groups that rate limits, faults and statistics are kept for.
const (
	EndpointTimeline = "timeline" // GET /2/users/:id/tweets
	EndpointSearch   = "search"   // GET /2/tweets/search/recent
	EndpointUsers    = "users"    // GET /2/users/by/username/:username and /2/users/by
	EndpointOther    = "other"    // any other /2/ path
	EndpointAll      = "all"      // in a FaultSpec: every group
)

// RateWindow is the length of a rate-limit window. Windows are aligned to the clock:
// they start at :00, :15, :30 and :45.
const RateWindow = 15 * time.Minute

// RateLimits are the requests allowed per RateWindow for each endpoint group.
// A zero field takes the default of DefaultRateLimits.
type RateLimits struct {
	Timeline int
	Search   int
	Users    int
}

// DefaultRateLimits returns the app limits of the current pay-per-use API.
func DefaultRateLimits() RateLimits {
	return RateLimits{Timeline: 10000, Search: 450, Users: 300}
}

// ParseRateLimits parses "timeline=10000,search=450,users=300". Groups left out keep
// their defaults.
func ParseRateLimits(spec string) (RateLimits, error) {
	limits := DefaultRateLimits()
	for item := range strings.SplitSeq(spec, ",") {
		if item = strings.TrimSpace(item); item == "" {
			continue
		}
		if err := limits.set(item); err != nil {
			return RateLimits{}, fmt.Errorf("%q: %w", item, err)
		}
	}
	return limits, nil
}

func (l *RateLimits) set(item string) error {
	group, value, ok := strings.Cut(item, "=")
	if !ok {
		return fmt.Errorf("want group=limit (e.g. search=450)")
	}
	n, err := strconv.Atoi(strings.TrimSpace(value))
	if err != nil || n < 1 {
		return fmt.Errorf("limit %q is not a positive integer", value)
	}
	switch strings.TrimSpace(group) {
	case EndpointTimeline:
		l.Timeline = n
	case EndpointSearch:
		l.Search = n
	case EndpointUsers:
		l.Users = n
	default:
		return fmt.Errorf("unknown group %q (want timeline, search or users)", group)
	}
	return nil
}

func (l RateLimits) withDefaults() RateLimits {
	d := DefaultRateLimits()
	if l.Timeline <= 0 {
		l.Timeline = d.Timeline
	}
	if l.Search <= 0 {
		l.Search = d.Search
	}
	if l.Users <= 0 {
		l.Users = d.Users
	}
	return l
}

func (l RateLimits) of(group string) int {
	switch group {
	case EndpointTimeline:
		return l.Timeline
	case EndpointSearch:
		return l.Search
	case EndpointUsers:
		return l.Users
	}
	return 0
}

// rateState is what the x-rate-limit headers report.
type rateState struct {
	limit     int
	remaining int
	reset     time.Time
}

func (s rateState) setHeaders(h http.Header) {
	h.Set("x-rate-limit-limit", strconv.Itoa(s.limit))
	h.Set("x-rate-limit-remaining", strconv.Itoa(s.remaining))
	h.Set("x-rate-limit-reset", strconv.FormatInt(s.reset.Unix(), 10))
}

// limiter counts requests per group in fixed windows aligned to the clock.
type limiter struct {
	mu     sync.Mutex
	limits RateLimits
	start  map[string]time.Time
	used   map[string]int
}

func newLimiter(limits RateLimits) *limiter {
	return &limiter{
		limits: limits.withDefaults(),
		start:  map[string]time.Time{},
		used:   map[string]int{},
	}
}

// take counts one request of group at now and reports whether it is within the limit.
func (l *limiter) take(group string, now time.Time) (rateState, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(group, now)
	if l.used[group] >= l.limits.of(group) {
		return l.state(group), false
	}
	l.used[group]++
	return l.state(group), true
}

// peek reports the state of group at now without counting a request.
func (l *limiter) peek(group string, now time.Time) rateState {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(group, now)
	return l.state(group)
}

// roll starts a new window for group when now has left the current one.
func (l *limiter) roll(group string, now time.Time) {
	if start := now.Truncate(RateWindow); !start.Equal(l.start[group]) {
		l.start[group] = start
		l.used[group] = 0
	}
}

func (l *limiter) state(group string) rateState {
	limit := l.limits.of(group)
	reset := l.start[group].Add(RateWindow)
	return rateState{limit: limit, remaining: limit - l.used[group], reset: reset}
}
