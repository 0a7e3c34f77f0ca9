package store

import (
	"context"
	"fmt"
	"time"
)

// TickRetention is how long a claimed tick is remembered. A claim only has to outlive the
// few seconds in which the other producers make theirs for the same tick; the rest is a
// record for whoever inspects the table.
const TickRetention = 24 * time.Hour

// ClaimTick claims the tick of schedule due at due for the producer by. It reports true when
// this call made the claim, false when another producer made it first. due must be the
// tick's scheduled activation time, identical in every producer, not the time of the call.
//
// The winner also deletes the claims due more than TickRetention before due, in the same
// statement, so the table stays about a day long without a separate clean-up job. Rows
// another winner is deleting at the same moment are skipped, not waited for.
func (s *Store) ClaimTick(ctx context.Context, schedule string, due time.Time, by string) (bool, error) {
	var won bool
	err := s.db.QueryRow(ctx, `
		WITH claim AS (
			INSERT INTO ticks (schedule, due, claimed_by) VALUES ($1, $2, $3)
			ON CONFLICT (schedule, due) DO NOTHING RETURNING 1
		), pruned AS (
			DELETE FROM ticks WHERE (schedule, due) IN (
				SELECT schedule, due FROM ticks WHERE due < $4 AND EXISTS (SELECT 1 FROM claim)
				FOR UPDATE SKIP LOCKED)
		)
		SELECT EXISTS (SELECT 1 FROM claim)`,
		schedule, due, by, due.Add(-TickRetention)).Scan(&won)
	if err != nil {
		return false, fmt.Errorf("claim tick %s of %q: %w", due.UTC().Format(time.RFC3339), schedule, err)
	}
	return won, nil
}
