// Package poll fits the collection into the API's budget. The planner gives every source a
// polling interval that follows its activity, within the operator's bounds and the
// requests per window each endpoint allows; the dispatcher publishes the sources that are
// due, never more than the window has left.
//
// The planner shares a window's requests out in three passes:
//
//  1. Every source gets its longest interval: its maximum, or shorter when the posts it
//     gathers in that time could outgrow what one walk reaches (the gap guard). If even that
//     does not fit, intervals are stretched beyond the maximum, low priorities most.
//  2. What is left goes to the freshness target: sources are brought down to the target
//     interval, higher priority first and, within a priority, the most active first, so the
//     requests go where the most posts would otherwise arrive late.
//  3. What is still left brings every interval down towards its minimum. With a budget that
//     covers every source at its minimum interval, the plan is the fixed schedule at that
//     interval.
package poll

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"
)

// Priority orders sources when the budget is shared out.
type Priority int

// Priorities, lowest first.
const (
	PriorityLow Priority = iota - 1
	PriorityNormal
	PriorityHigh
)

// ParsePriority parses "low", "normal" (or "") and "high".
func ParsePriority(s string) (Priority, error) {
	switch s {
	case "low":
		return PriorityLow, nil
	case "", "normal":
		return PriorityNormal, nil
	case "high":
		return PriorityHigh, nil
	}
	return 0, fmt.Errorf("priority %q is not low, normal or high", s)
}

func (p Priority) String() string {
	switch p {
	case PriorityLow:
		return "low"
	case PriorityHigh:
		return "high"
	}
	return "normal"
}

// PageSize is how many posts one page holds; the walks ask for full pages.
const PageSize = 100

// Source is what the planner knows of one source.
type Source struct {
	Key      string
	Endpoint string
	Priority Priority
	// Min and Max bound the interval; zero takes the plan's defaults.
	Min, Max time.Duration
	// Rate is the source's estimated posts per second.
	Rate float64
	// Depth is how many posts one walk can reach (3,200 for a timeline), 0 for no limit in
	// posts; Reach is how far back it can reach in time (seven days for search), 0 for no
	// limit in time.
	Depth int
	Reach time.Duration
}

// Settings are the operator's global bounds.
type Settings struct {
	// MinInterval and MaxInterval bound every source's interval unless it sets its own.
	MinInterval, MaxInterval time.Duration
	// Target is the freshness target: a post stored within it of its creation is fresh.
	Target time.Duration
	// Reserve is the share of every budget left unplanned, for lookups, retries and posts
	// the rate estimates did not foresee.
	Reserve float64
	// GuardShare is the share of a walk's depth a source may gather between two polls
	// before the gap guard shortens its interval.
	GuardShare float64
}

// DefaultSettings are the bounds an operator gets without configuring any.
func DefaultSettings() Settings {
	return Settings{
		MinInterval: 30 * time.Second, MaxInterval: time.Hour, Target: 5 * time.Minute,
		Reserve: 0.1, GuardShare: 0.5,
	}
}

// Interval is the planner's verdict for one source.
type Interval struct {
	Every time.Duration
	// Pages is the number of requests one poll is expected to take.
	Pages float64
	// Reason says in a few words why the interval is what it is.
	Reason string
}

// Plan maps each source's key to its interval.
type Plan map[string]Interval

// Plan computes the intervals of sources. A source whose endpoint has no budget gets its
// minimum interval.
func (s Settings) Plan(sources []Source, budgets []Budget) Plan {
	plan := Plan{}
	byEndpoint := map[string][]*planned{}
	for _, src := range sources {
		p := s.start(src)
		byEndpoint[src.Endpoint] = append(byEndpoint[src.Endpoint], p)
	}
	for endpoint, group := range byEndpoint {
		b, ok := findBudget(budgets, endpoint)
		if !ok {
			for _, p := range group {
				p.every, p.reason = p.lo, "no budget configured for "+endpoint
			}
		} else {
			s.share(group, b)
		}
		for _, p := range group {
			plan[p.src.Key] = Interval{Every: p.every, Pages: p.pages(p.every), Reason: p.reason}
		}
	}
	return plan
}

func findBudget(budgets []Budget, endpoint string) (Budget, bool) {
	for _, b := range budgets {
		if b.Endpoint == endpoint {
			return b, true
		}
	}
	return Budget{}, false
}

// planned is a source while its interval is worked out.
type planned struct {
	src    Source
	lo, hi time.Duration // the bounds the interval keeps to without stretching
	every  time.Duration
	reason string
}

// start sets a source's bounds and gives it its longest interval.
func (s Settings) start(src Source) *planned {
	lo, hi := src.Min, src.Max
	if lo <= 0 {
		lo = s.MinInterval
		if hi > 0 {
			lo = min(lo, hi) // a source's own maximum below the global minimum is kept
		}
	}
	if hi <= 0 {
		hi = s.MaxInterval
	}
	hi = max(hi, lo)
	p := &planned{src: src, lo: lo, hi: hi, every: hi, reason: "maximum interval: " + describeRate(src.Rate)}
	if g := s.guard(src); g < hi {
		p.hi = max(g, lo)
		p.every = p.hi
		p.reason = "gap guard: " + describeRate(src.Rate) + " would outgrow one walk"
		if g < lo {
			p.reason = "gap risk: the minimum interval lets " + describeRate(src.Rate) + " outgrow one walk"
		}
	}
	return p
}

// guard is the longest interval over which a source gathers no more than its share of what
// one walk reaches.
func (s Settings) guard(src Source) time.Duration {
	g := time.Duration(math.MaxInt64)
	if src.Depth > 0 && src.Rate > 0 {
		share := s.GuardShare
		if share <= 0 || share > 1 {
			share = 0.5
		}
		g = seconds(share * float64(src.Depth) / src.Rate)
	}
	if src.Reach > 0 {
		g = min(g, src.Reach/2)
	}
	return g
}

// pages is the requests one poll takes at interval every: the first page, and one more for
// every full page of posts gathered since the last poll, up to what one walk reaches.
func (p *planned) pages(every time.Duration) float64 {
	posts := p.src.Rate * every.Seconds()
	if p.src.Depth > 0 {
		posts = min(posts, float64(p.src.Depth))
	}
	return 1 + math.Floor(posts/PageSize)
}

// cost is the requests per window at interval every.
func (p *planned) cost(every time.Duration, window time.Duration) float64 {
	return window.Seconds() / every.Seconds() * p.pages(every)
}

func total(group []*planned, window time.Duration) float64 {
	var sum float64
	for _, p := range group {
		sum += p.cost(p.every, window)
	}
	return sum
}

// share runs the three passes over one endpoint's sources.
func (s Settings) share(group []*planned, b Budget) {
	capacity := float64(b.Requests) * (1 - s.Reserve)
	if left := capacity - total(group, b.Window); left < 0 {
		stretch(group, b.Window, capacity)
		return
	}
	order := slices.Clone(group)
	slices.SortStableFunc(order, func(a, c *planned) int {
		if a.src.Priority != c.src.Priority {
			return cmp.Compare(c.src.Priority, a.src.Priority)
		}
		return cmp.Compare(c.src.Rate, a.src.Rate)
	})
	if !s.freshen(order, b.Window, capacity, s.Target) {
		return
	}
	s.spare(order, b.Window, capacity)
}

// stretch lengthens intervals beyond their maxima, by one common factor that counts four
// times for low priorities and a quarter for high ones, to the least that fits capacity.
func stretch(group []*planned, window time.Duration, capacity float64) {
	base := make([]time.Duration, len(group))
	for i, p := range group {
		base[i] = p.every
	}
	weight := map[Priority]float64{PriorityLow: 4, PriorityNormal: 1, PriorityHigh: 0.25}
	apply := func(f float64) {
		for i, p := range group {
			p.every = time.Duration(float64(base[i]) * max(1, f*weight[p.src.Priority]))
		}
	}
	const most = 1e6
	lo, hi := 1.0, most
	apply(hi)
	if total(group, window) > capacity {
		for _, p := range group {
			p.reason = "budget too small even at a million times the longest interval"
		}
		return
	}
	for range 60 {
		mid := math.Sqrt(lo * hi)
		apply(mid)
		if total(group, window) > capacity {
			lo = mid
		} else {
			hi = mid
		}
	}
	apply(hi)
	for i, p := range group {
		if p.every > base[i] {
			p.reason = fmt.Sprintf("budget too small: %.1f× the longest interval (%s priority)",
				float64(p.every)/float64(base[i]), p.src.Priority)
		}
	}
}

// freshen brings sources down to the target interval in order while the budget lasts. It
// reports whether every source got there with budget to spare.
func (s Settings) freshen(order []*planned, window time.Duration, capacity float64, target time.Duration) bool {
	return s.lower(order, window, capacity, func(p *planned) time.Duration {
		return max(p.lo, min(target, p.every))
	}, "freshness target "+short(target)+": ")
}

// spare brings every source towards its minimum while the budget lasts.
func (s Settings) spare(order []*planned, window time.Duration, capacity float64) {
	var lo, hi time.Duration = time.Hour * 24 * 365, 0
	for _, p := range order {
		lo, hi = min(lo, p.lo), max(hi, p.every)
	}
	was := make([]time.Duration, len(order))
	for i, p := range order {
		was[i] = p.every
	}
	apply := func(k time.Duration) {
		for i, p := range order {
			p.every = min(was[i], max(p.lo, k))
		}
	}
	apply(lo)
	if total(order, window) <= capacity {
		for i, p := range order {
			if p.every < was[i] {
				p.reason = "minimum interval (spare budget): " + describeRate(p.src.Rate)
			}
		}
		return
	}
	// The smallest common ceiling k that fits: every interval is min(its own, max(lo, k)).
	apply(shortestFitting(lo, hi, func(k time.Duration) bool {
		apply(k)
		return total(order, window) <= capacity
	}))
	for i, p := range order {
		if p.every < was[i] {
			p.reason = "spare budget: " + describeRate(p.src.Rate)
		}
	}
}

// lower sets each source in order to want(p) while the budget holds; the first source that
// does not fit wholly gets the interval the rest of the budget allows. It reports whether
// every source got its want.
func (s Settings) lower(order []*planned, window time.Duration, capacity float64,
	want func(*planned) time.Duration, reason string,
) bool {
	left := capacity - total(order, window)
	for i, p := range order {
		to := want(p)
		if to >= p.every {
			continue
		}
		extra := p.cost(to, window) - p.cost(p.every, window)
		if extra <= left {
			left -= extra
			p.every = to
			p.reason = reason + describeRate(p.src.Rate)
			continue
		}
		// Part of the way: the shortest interval the rest of the budget pays for.
		hi := shortestFitting(to, p.every, func(every time.Duration) bool {
			return p.cost(every, window)-p.cost(p.every, window) <= left
		})
		if hi < p.every {
			p.every = hi
			p.reason = "budget: part of the way to the freshness target, " + describeRate(p.src.Rate)
		} else {
			p.reason = noRoom(p)
		}
		for _, rest := range order[i+1:] {
			if want(rest) < rest.every {
				rest.reason = noRoom(rest)
			}
		}
		return false
	}
	return true
}

// shortestFitting returns, to a tenth of a second, the shortest interval between lo and hi
// that fits; fits must hold for hi and for every interval longer than one it holds for.
func shortestFitting(lo, hi time.Duration, fits func(time.Duration) bool) time.Duration {
	for hi-lo > time.Second/10 {
		mid := lo + (hi-lo)/2
		if fits(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// noRoom is the reason of a source the budget left at its longest interval.
func noRoom(p *planned) string {
	return "budget: no room to poll it sooner than " + short(p.every) + ", " + describeRate(p.src.Rate)
}

// describeRate puts a rate in words: "silent", "3.2 posts/h".
func describeRate(rate float64) string {
	perHour := rate * 3600
	switch {
	case rate <= 0:
		return "silent"
	case perHour < 0.1:
		return fmt.Sprintf("%.1f posts/day", perHour*24)
	default:
		return fmt.Sprintf("%.1f posts/h", perHour)
	}
}

// short formats d without trailing zero units: 5m, 1h30m, 45s.
func short(d time.Duration) string {
	s := d.Round(time.Second).String()
	for _, unit := range []string{"h0m0s", "m0s"} {
		if len(s) > len(unit) && s[len(s)-len(unit):] == unit {
			return s[:len(s)-len(unit)+1]
		}
	}
	return s
}

func seconds(s float64) time.Duration {
	if s > float64(math.MaxInt64)/float64(time.Second) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(s * float64(time.Second))
}
