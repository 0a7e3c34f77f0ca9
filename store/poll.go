package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Activity is what the collection so far says of one source's posting.
type Activity struct {
	// Day and Hour count the source's stored posts created in the last 24 hours and the
	// last hour.
	Day, Hour int
	// Since is when the source's record begins within the last day: its backfill bound or
	// the day's start, whichever is later.
	Since time.Time
	// Resolved is false for a user source whose handle has not been looked up yet.
	Resolved bool
	// Active is false for a source marked missing, suspended or rejected.
	Active bool
}

// RatePerSecond estimates the source's posts per second at now: the busier of the last
// day and the last hour, each over the part of it the record covers.
func (a Activity) RatePerSecond(now time.Time) float64 {
	span := now.Sub(a.Since).Seconds()
	if span < 60 {
		span = 60
	}
	rate := float64(a.Day) / span
	if a.Hour > 0 {
		rate = max(rate, float64(a.Hour)/min(span, time.Hour.Seconds()))
	}
	return rate
}

// Activities returns the activity of every source by its key ("user:handle").
//
// TODO(poll-activity): this counts the last day's links of every source, once a minute; for
// hundreds of thousands of sources and millions of posts a day a running count kept per
// source by the page writes would be cheaper. Not measured beyond the benchmarks' sizes.
func (s *Store) Activities(ctx context.Context, now time.Time) (map[string]Activity, error) {
	day := now.Add(-24 * time.Hour)
	rows, err := s.db.Query(ctx, `
		SELECT s.kind || ':' || s.value, s.kind = 'query' OR s.user_id IS NOT NULL, s.status = 'active',
			GREATEST(COALESCE(s.backfill_from, s.created_at), $1), COALESCE(a.day, 0), COALESCE(a.hour, 0)
		FROM sources s LEFT JOIN (
			SELECT source_id, count(*) AS day, count(*) FILTER (WHERE tweet_id >= $3) AS hour
			FROM tweet_sources WHERE tweet_id >= $2 GROUP BY source_id
		) a ON a.source_id = s.id`,
		day, SnowflakeAt(day), SnowflakeAt(now.Add(-time.Hour)))
	if err != nil {
		return nil, fmt.Errorf("read source activity: %w", err)
	}
	defer rows.Close()
	out := map[string]Activity{}
	for rows.Next() {
		var key string
		var a Activity
		if err := rows.Scan(&key, &a.Resolved, &a.Active, &a.Since, &a.Day, &a.Hour); err != nil {
			return nil, fmt.Errorf("read source activity: %w", err)
		}
		out[key] = a
	}
	return out, rows.Err()
}

// PlanRow is one source's entry in the adaptive schedule.
type PlanRow struct {
	Key      string
	Endpoint string
	Priority int
	Interval time.Duration
	Pages    float64
	// RatePerHour is the activity the interval was planned for.
	RatePerHour float64
	Reason      string
	// NextAt is when the source is due; LastPublishedAt when it was last published.
	NextAt          time.Time
	LastPublishedAt time.Time
	PlannedAt       time.Time
}

// SavePlan writes the intervals of rows. A source new to the plan is due at once; one whose
// interval changed is due one new interval after it was last published, if that is sooner
// than it was due. Sources not among rows leave the plan.
func (s *Store) SavePlan(ctx context.Context, rows []PlanRow, now time.Time) error {
	keys := make([]string, len(rows))
	endpoints := make([]string, len(rows))
	prios := make([]int32, len(rows))
	intervals := make([]float64, len(rows))
	pages := make([]float64, len(rows))
	rates := make([]float64, len(rows))
	reasons := make([]string, len(rows))
	for i, r := range rows {
		keys[i], endpoints[i], prios[i] = r.Key, r.Endpoint, int32(r.Priority) //nolint:gosec // -1..1
		intervals[i], pages[i], rates[i], reasons[i] = r.Interval.Seconds(), r.Pages, r.RatePerHour, r.Reason
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM poll_plan WHERE NOT (source_key = ANY($1))`, keys); err != nil {
			return fmt.Errorf("save the polling plan: %w", err)
		}
		_, err := tx.Exec(ctx, `
			INSERT INTO poll_plan AS p (source_key, endpoint, priority, interval_seconds, pages,
				rate_per_hour, reason, next_at, planned_at)
			SELECT *, $8::timestamptz, $8::timestamptz FROM unnest($1::text[], $2::text[], $3::smallint[],
				$4::float8[], $5::float8[], $6::float8[], $7::text[])
			ON CONFLICT (source_key) DO UPDATE SET endpoint = EXCLUDED.endpoint,
				priority = EXCLUDED.priority, interval_seconds = EXCLUDED.interval_seconds,
				pages = EXCLUDED.pages, rate_per_hour = EXCLUDED.rate_per_hour, reason = EXCLUDED.reason,
				planned_at = EXCLUDED.planned_at,
				next_at = CASE WHEN p.last_published_at IS NULL THEN p.next_at
					ELSE LEAST(p.next_at, p.last_published_at + make_interval(secs => EXCLUDED.interval_seconds)) END`,
			keys, endpoints, prios, intervals, pages, rates, reasons, now)
		if err != nil {
			return fmt.Errorf("save the polling plan: %w", err)
		}
		return nil
	})
}

const planColumns = `source_key, endpoint, priority, interval_seconds, pages, rate_per_hour, reason,
	next_at, last_published_at, planned_at`

func scanPlanRows(rows pgx.Rows) ([]PlanRow, error) {
	defer rows.Close()
	var out []PlanRow
	for rows.Next() {
		var r PlanRow
		var secs float64
		var prio int16
		var last *time.Time
		if err := rows.Scan(&r.Key, &r.Endpoint, &prio, &secs, &r.Pages, &r.RatePerHour, &r.Reason,
			&r.NextAt, &last, &r.PlannedAt); err != nil {
			return nil, fmt.Errorf("read the polling plan: %w", err)
		}
		r.Priority, r.Interval, r.LastPublishedAt = int(prio), time.Duration(secs*float64(time.Second)), deref(last)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DuePlans returns the sources due at now, higher priority first, then the longest overdue.
func (s *Store) DuePlans(ctx context.Context, now time.Time) ([]PlanRow, error) {
	rows, err := s.db.Query(ctx, `SELECT `+planColumns+` FROM poll_plan WHERE next_at <= $1
		ORDER BY priority DESC, next_at, source_key`, now)
	if err != nil {
		return nil, fmt.Errorf("read the polling plan: %w", err)
	}
	return scanPlanRows(rows)
}

// Plans returns the whole plan by source key.
func (s *Store) Plans(ctx context.Context) (map[string]PlanRow, error) {
	rows, err := s.db.Query(ctx, `SELECT `+planColumns+` FROM poll_plan`)
	if err != nil {
		return nil, fmt.Errorf("read the polling plan: %w", err)
	}
	list, err := scanPlanRows(rows)
	if err != nil {
		return nil, err
	}
	out := make(map[string]PlanRow, len(list))
	for _, r := range list {
		out[r.Key] = r
	}
	return out, nil
}

// BudgetState is an endpoint's budget as the store knows it.
type BudgetState struct {
	Endpoint string
	// WindowStart is the window Planned counts in.
	WindowStart time.Time
	Planned     float64
	// Observed* are the last rate-limit headers a worker saw; ObservedAt is zero when none
	// was seen.
	ObservedLimit, ObservedRemaining int
	ObservedReset, ObservedAt        time.Time
}

// Budget returns the budget state of endpoint; a zero state (with Endpoint set) when none
// was recorded.
func (s *Store) Budget(ctx context.Context, endpoint string) (BudgetState, error) {
	b := BudgetState{Endpoint: endpoint}
	var start, reset, at *time.Time
	var limit, remaining *int
	err := s.db.QueryRow(ctx, `SELECT window_start, planned, observed_limit, observed_remaining,
		observed_reset, observed_at FROM api_budget WHERE endpoint = $1`, endpoint).
		Scan(&start, &b.Planned, &limit, &remaining, &reset, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("read the budget of %s: %w", endpoint, err)
	}
	b.WindowStart, b.ObservedReset, b.ObservedAt = deref(start), deref(reset), deref(at)
	if limit != nil {
		b.ObservedLimit = *limit
	}
	if remaining != nil {
		b.ObservedRemaining = *remaining
	}
	return b, nil
}

// ObserveRateLimit records rate-limit headers a worker saw at at, unless a later
// observation is recorded already.
func (s *Store) ObserveRateLimit(ctx context.Context, endpoint string, limit, remaining int,
	reset, at time.Time,
) error {
	_, err := s.db.Exec(ctx, `
		INSERT INTO api_budget (endpoint, observed_limit, observed_remaining, observed_reset, observed_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (endpoint) DO UPDATE SET observed_limit = EXCLUDED.observed_limit,
			observed_remaining = EXCLUDED.observed_remaining, observed_reset = EXCLUDED.observed_reset,
			observed_at = EXCLUDED.observed_at
		WHERE api_budget.observed_at IS NULL OR api_budget.observed_at <= EXCLUDED.observed_at`,
		endpoint, limit, remaining, reset, at)
	if err != nil {
		return fmt.Errorf("record the rate limit of %s: %w", endpoint, err)
	}
	return nil
}

// Spend is the requests a round of polls plans on one endpoint.
type Spend struct {
	Endpoint    string
	WindowStart time.Time
	Requests    float64
}

// CommitPolls records that the polls of keys were published at now, each due again one
// interval later, and adds spends to the planned requests of their windows. A spend in a
// newer window than the recorded one starts that window's count afresh.
func (s *Store) CommitPolls(ctx context.Context, keys []string, spends []Spend, now time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE poll_plan SET last_published_at = $2::timestamptz,
			next_at = $2::timestamptz + make_interval(secs => interval_seconds)
			WHERE source_key = ANY($1)`, keys, now)
		if err != nil {
			return fmt.Errorf("record published polls: %w", err)
		}
		for _, sp := range spends {
			_, err := tx.Exec(ctx, `
				INSERT INTO api_budget (endpoint, window_start, planned) VALUES ($1, $2, $3)
				ON CONFLICT (endpoint) DO UPDATE SET
					planned = CASE WHEN api_budget.window_start = EXCLUDED.window_start
						THEN api_budget.planned + EXCLUDED.planned ELSE EXCLUDED.planned END,
					window_start = GREATEST(api_budget.window_start, EXCLUDED.window_start)
				WHERE api_budget.window_start IS NULL OR api_budget.window_start <= EXCLUDED.window_start`,
				sp.Endpoint, sp.WindowStart, sp.Requests)
			if err != nil {
				return fmt.Errorf("record the planned requests of %s: %w", sp.Endpoint, err)
			}
		}
		return nil
	})
}
