package store

import (
	"context"
	"fmt"
	"time"
)

// PauseAll is the endpoint name of a pause that stops every API call.
const PauseAll = "all"

// Pause stops API calls to one endpoint, or to all of them, until a time or an operator.
type Pause struct {
	Endpoint string
	Reason   string
	Detail   string
	// Until is when calls may resume; zero means when an operator clears the pause.
	Until time.Time
}

// SetPause records p. It reports whether this call started the pause (none was in force
// at now), so that of several workers hitting the same limit at once exactly one logs it. A
// pause in force is only extended, to a later end or to no end.
func (s *Store) SetPause(ctx context.Context, p Pause, now time.Time) (started bool, err error) {
	// A conflicting insert waits for the other one's commit and then sees its row, so two
	// workers cannot both start the same pause.
	tag, err := s.db.Exec(ctx, `
		INSERT INTO api_pauses (endpoint, reason, detail, until, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (endpoint) DO UPDATE SET reason = EXCLUDED.reason, detail = EXCLUDED.detail,
			until = EXCLUDED.until, created_at = EXCLUDED.created_at
		WHERE api_pauses.until IS NOT NULL AND api_pauses.until <= $5`,
		p.Endpoint, p.Reason, p.Detail, nullTime(p.Until), now)
	if err != nil {
		return false, fmt.Errorf("pause API calls to %s: %w", p.Endpoint, err)
	}
	if tag.RowsAffected() == 1 {
		return true, nil
	}
	_, err = s.db.Exec(ctx, `UPDATE api_pauses SET until = $2, reason = $3, detail = $4
		WHERE endpoint = $1 AND until IS NOT NULL AND ($2::timestamptz IS NULL OR $2 > until)`,
		p.Endpoint, nullTime(p.Until), p.Reason, p.Detail)
	if err != nil {
		return false, fmt.Errorf("extend the pause of %s: %w", p.Endpoint, err)
	}
	return false, nil
}

// ActivePause returns the pause in force at now for endpoint, or for all endpoints; nil
// when calls may go ahead. A pause of all endpoints wins.
func (s *Store) ActivePause(ctx context.Context, endpoint string, now time.Time) (*Pause, error) {
	rows, err := s.db.Query(ctx, `SELECT endpoint, reason, detail, until FROM api_pauses
		WHERE endpoint IN ($1, $2) AND (until IS NULL OR until > $3)
		ORDER BY endpoint = $2 DESC LIMIT 1`, endpoint, PauseAll, now)
	if err != nil {
		return nil, fmt.Errorf("read API pauses: %w", err)
	}
	pauses, err := scanPauses(rows)
	if err != nil || len(pauses) == 0 {
		return nil, err
	}
	return &pauses[0], nil
}

// Pauses lists every pause still in force at now.
func (s *Store) Pauses(ctx context.Context, now time.Time) ([]Pause, error) {
	rows, err := s.db.Query(ctx, `SELECT endpoint, reason, detail, until FROM api_pauses
		WHERE until IS NULL OR until > $1 ORDER BY endpoint`, now)
	if err != nil {
		return nil, fmt.Errorf("read API pauses: %w", err)
	}
	return scanPauses(rows)
}

// ClearPauses lifts every pause (and forgets expired ones); it returns how many were in
// force at now.
func (s *Store) ClearPauses(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `WITH gone AS (DELETE FROM api_pauses RETURNING until)
		SELECT count(*) FROM gone WHERE until IS NULL OR until > $1`, now).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("clear API pauses: %w", err)
	}
	return n, nil
}

type pauseRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

func scanPauses(rows pauseRows) ([]Pause, error) {
	defer rows.Close()
	var out []Pause
	for rows.Next() {
		var p Pause
		var until *time.Time
		if err := rows.Scan(&p.Endpoint, &p.Reason, &p.Detail, &until); err != nil {
			return nil, fmt.Errorf("read API pauses: %w", err)
		}
		p.Until = deref(until)
		out = append(out, p)
	}
	return out, rows.Err()
}
