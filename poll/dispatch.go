package poll

import (
	"context"
	"slices"
	"time"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// Entry is a configured source as the dispatcher sees it.
type Entry struct {
	// Key is the source's key ("user:handle"); Kind and Value are as in a fetch task.
	Key, Kind, Value string
	Priority         Priority
	// Min and Max are the source's own interval bounds; zero takes the global ones.
	Min, Max time.Duration
}

// firstReplan is how soon a plan is made again while it has sources never fetched, for
// quickReplans after the sources changed.
const (
	firstReplan  = 10 * time.Second
	quickReplans = 5 * time.Minute
)

// searchReach is how far back recent search serves.
const searchReach = 7 * 24 * time.Hour

// Endpoint is the API endpoint a source of kind is polled through.
func Endpoint(kind string) string {
	if kind == "query" {
		return twitterapi.EndpointSearch
	}
	return twitterapi.EndpointTimeline
}

// Dispatcher decides, round by round, which sources to publish: those due by the plan, as
// far as each endpoint's budget for the current window reaches. The plan is kept in the
// store, so a restarted producer, or another one taking over, carries on with it.
type Dispatcher struct {
	st       *store.Store
	settings Settings
	budgets  []Budget
	// ReplanEvery is how often the intervals are worked out again from the sources' activity.
	ReplanEvery time.Duration

	entries map[string]Entry
	acts    map[string]store.Activity
	plan    []store.PlanRow
	// planned are the budgets the plan was made for.
	planned []Budget
	// unknown counts the sources the last plan knew no activity of; changedAt is when the
	// sources last changed.
	unknown   int
	changedAt time.Time
	changed   bool
	plannedAt time.Time
	// sent logs the requests published per endpoint, to correct a worker's observation of
	// the remaining budget by what was published after it.
	sent map[string][]spent
}

type spent struct {
	at       time.Time
	requests float64
}

// NewDispatcher returns a dispatcher over st.
func NewDispatcher(st *store.Store, settings Settings, budgets []Budget) *Dispatcher {
	return &Dispatcher{
		st: st, settings: settings, budgets: budgets, ReplanEvery: time.Minute,
		entries: map[string]Entry{}, sent: map[string][]spent{},
	}
}

// SetSources replaces the sources to plan; the next round plans them afresh.
func (d *Dispatcher) SetSources(entries []Entry) {
	d.entries = make(map[string]Entry, len(entries))
	for _, e := range entries {
		d.entries[e.Key] = e
	}
	d.changed = true
}

// Poll is one source to publish in a round.
type Poll struct {
	Entry
	// Requests is what the poll is expected to cost, by endpoint (a lookup counts on users).
	Requests map[string]float64
}

// EndpointRound reports a round's budget for one endpoint.
type EndpointRound struct {
	Endpoint string
	// Capacity is what the window may spend, reserve deducted; Left what remained of it
	// before the round, and Planned what the round takes.
	Capacity, Left, Planned float64
	// Deferred counts due polls left for a later round for want of budget; Paused is set
	// while calls to the endpoint are paused.
	Deferred int
	Paused   bool
}

// Round is what one round decided.
type Round struct {
	Polls     []Poll
	Endpoints []EndpointRound
	// Replanned is set when the round worked the intervals out again.
	Replanned bool
}

// Round returns the polls to publish at now. Publish them, then call Commit.
func (d *Dispatcher) Round(ctx context.Context, now time.Time) (Round, error) {
	var r Round
	budgets := map[string]*EndpointRound{}
	effective := make([]Budget, len(d.budgets))
	for i, b := range d.budgets {
		er, limit, err := d.endpointRound(ctx, b, now)
		if err != nil {
			return r, err
		}
		budgets[b.Endpoint] = er
		effective[i] = b
		effective[i].Requests = limit
	}
	replanned, err := d.maybeReplan(ctx, effective, now)
	if err != nil {
		return r, err
	}
	r.Replanned = replanned
	due, err := d.st.DuePlans(ctx, now)
	if err != nil {
		return r, err
	}
	for _, row := range due {
		e, ok := d.entries[row.Key]
		if !ok {
			continue
		}
		p := Poll{Entry: e, Requests: map[string]float64{row.Endpoint: row.Pages}}
		// The activity read at the last replan: a handle resolved since is still counted
		// as needing its lookup until the next one, which errs on the side of the budget.
		if a, known := d.acts[e.Key]; e.Kind == "user" && (!known || !a.Resolved) {
			p.Requests[twitterapi.EndpointUsers] = 1
		}
		if take(budgets, p.Requests, row.Endpoint) {
			r.Polls = append(r.Polls, p)
		}
	}
	for _, b := range d.budgets {
		r.Endpoints = append(r.Endpoints, *budgets[b.Endpoint])
	}
	return r, nil
}

// maybeReplan plans again when the sources or the budgets changed, when the plan is a
// minute old, or soon after a plan that had sources never fetched.
func (d *Dispatcher) maybeReplan(ctx context.Context, effective []Budget, now time.Time) (bool, error) {
	// Sources never fetched at the last plan were planned as silent; their first fetches
	// tell their activity, so for a few minutes after the sources changed they are planned
	// again soon rather than in a minute.
	if d.changed {
		d.changedAt = now
	}
	soon := d.unknown > 0 && now.Sub(d.plannedAt) >= firstReplan && now.Sub(d.changedAt) < quickReplans
	if !d.changed && !soon && now.Sub(d.plannedAt) < d.ReplanEvery && slices.Equal(effective, d.planned) {
		return false, nil
	}
	acts, err := d.st.Activities(ctx, now)
	if err != nil {
		return false, err
	}
	if err := d.replan(ctx, acts, effective, now); err != nil {
		return false, err
	}
	d.acts = acts
	d.unknown = 0
	for key := range d.entries {
		if _, ok := acts[key]; !ok {
			d.unknown++
		}
	}
	return true, nil
}

// take reserves a poll's requests if every endpoint it needs has room, else counts the
// poll as deferred on its own endpoint.
func take(budgets map[string]*EndpointRound, requests map[string]float64, own string) bool {
	for endpoint, n := range requests {
		b := budgets[endpoint]
		if b == nil {
			continue // no budget configured: not limited
		}
		if b.Paused || b.Left-b.Planned < n {
			if ob := budgets[own]; ob != nil {
				ob.Deferred++
			}
			return false
		}
	}
	for endpoint, n := range requests {
		if b := budgets[endpoint]; b != nil {
			b.Planned += n
		}
	}
	return true
}

// endpointRound works out what the current window of b has left at now: its capacity less
// what was planned in it, and no more than the last observed remaining requests allow. It
// also returns the limit per window it went by: the configured one, or the API's own when
// a worker saw a lower one (a limit outlives its window; the remaining requests do not).
func (d *Dispatcher) endpointRound(ctx context.Context, b Budget, now time.Time) (*EndpointRound, int, error) {
	er := &EndpointRound{Endpoint: b.Endpoint}
	pause, err := d.st.ActivePause(ctx, b.Endpoint, now)
	if err != nil {
		return nil, 0, err
	}
	er.Paused = pause != nil
	st, err := d.st.Budget(ctx, b.Endpoint)
	if err != nil {
		return nil, 0, err
	}
	// TODO(budget-first-window): until a worker has recorded the API's headers (the first
	// window on a new database) this goes by API_BUDGET alone, so a budget set above the
	// real limit can draw 429s in that window, one per walk in flight.
	requests := b.Requests
	if st.ObservedLimit > 0 && st.ObservedLimit < requests {
		requests = st.ObservedLimit
	}
	limit := float64(requests)
	observed := !st.ObservedAt.IsZero() && st.ObservedReset.After(now)
	er.Capacity = limit * (1 - d.settings.Reserve)
	planned := 0.0
	if st.WindowStart.Equal(WindowStart(now, b.Window)) {
		planned = st.Planned
	}
	er.Left = er.Capacity - planned
	if observed {
		er.Left = min(er.Left, float64(st.ObservedRemaining)-limit*d.settings.Reserve-d.sentSince(b.Endpoint, st.ObservedAt))
	}
	er.Left = max(er.Left, 0)
	return er, requests, nil
}

// WindowStart is the start of the budget window holding now: windows are aligned to
// multiples of their length since the Unix epoch, as the API's 15-minute windows are to the
// quarter hour.
func WindowStart(now time.Time, window time.Duration) time.Time {
	return now.Truncate(window)
}

func (d *Dispatcher) sentSince(endpoint string, t time.Time) float64 {
	var n float64
	for _, s := range d.sent[endpoint] {
		if s.at.After(t) {
			n += s.requests
		}
	}
	return n
}

// Plan returns the plan the last replan saved.
func (d *Dispatcher) Plan() []store.PlanRow { return d.plan }

// Commit records that r's polls were published at now.
func (d *Dispatcher) Commit(ctx context.Context, r Round, now time.Time) error {
	if len(r.Polls) == 0 {
		return nil
	}
	keys := make([]string, len(r.Polls))
	total := map[string]float64{}
	for i, p := range r.Polls {
		keys[i] = p.Key
		for endpoint, n := range p.Requests {
			total[endpoint] += n
		}
	}
	var spends []store.Spend
	for _, b := range d.budgets {
		if n := total[b.Endpoint]; n > 0 {
			spends = append(spends, store.Spend{Endpoint: b.Endpoint, WindowStart: WindowStart(now, b.Window), Requests: n})
			log := append(d.sent[b.Endpoint], spent{at: now, requests: n})
			// An observation older than a window is not used, so neither is what followed it.
			cut := 0
			for cut < len(log) && now.Sub(log[cut].at) > b.Window {
				cut++
			}
			d.sent[b.Endpoint] = log[cut:]
		}
	}
	return d.st.CommitPolls(ctx, keys, spends, now)
}

// replan works out every source's interval from its activity and the budgets in force, and
// saves the plan.
func (d *Dispatcher) replan(
	ctx context.Context, acts map[string]store.Activity, budgets []Budget, now time.Time,
) error {
	sources := make([]Source, 0, len(d.entries))
	keys := make([]string, 0, len(d.entries))
	for k := range d.entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rates := map[string]float64{}
	var rows []store.PlanRow
	for _, k := range keys {
		e := d.entries[k]
		src := Source{Key: e.Key, Endpoint: Endpoint(e.Kind), Priority: e.Priority, Min: e.Min, Max: e.Max}
		a, ok := acts[e.Key]
		if ok && !a.Active {
			// Missing, suspended or rejected: the worker looks again once a day, whatever
			// the schedule, so polling it sooner would waste nothing but also gain nothing.
			rows = append(rows, store.PlanRow{
				Key: e.Key, Endpoint: src.Endpoint, Priority: int(e.Priority), Interval: collector.RecheckMissing,
				Pages: 1, Reason: "missing, suspended or rejected: looked at again daily",
			})
			continue
		}
		if ok {
			src.Rate = a.RatePerSecond(now)
		}
		if src.Endpoint == twitterapi.EndpointTimeline {
			src.Depth = collector.TimelineDepth
		} else {
			src.Reach = searchReach
		}
		rates[e.Key] = src.Rate
		sources = append(sources, src)
	}
	plan := d.settings.Plan(sources, budgets)
	for _, src := range sources {
		iv := plan[src.Key]
		rows = append(rows, store.PlanRow{
			Key: src.Key, Endpoint: src.Endpoint, Priority: int(src.Priority), Interval: iv.Every,
			Pages: iv.Pages, RatePerHour: rates[src.Key] * 3600, Reason: iv.Reason,
		})
	}
	if err := d.st.SavePlan(ctx, rows, now); err != nil {
		return err
	}
	d.changed, d.plannedAt, d.plan, d.planned = false, now, rows, budgets
	return nil
}
