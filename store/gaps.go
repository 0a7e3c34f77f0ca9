package store

import (
	"context"
	"fmt"
	"time"
)

// Gap is a range of a source's tweets that the API no longer served when it was walked.
type Gap struct {
	SourceID int64
	Reason   string
	// AfterID and BeforeID bound the missing tweets, both exclusive.
	AfterID, BeforeID int64
	From, To          time.Time
	DetectedAt        time.Time
}

// RecordGap stores g.
func (s *Store) RecordGap(ctx context.Context, g Gap) error {
	_, err := s.db.Exec(ctx, `INSERT INTO gaps (source_id, reason, after_id, before_id, from_time, to_time,
		detected_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		g.SourceID, g.Reason, g.AfterID, g.BeforeID, g.From, g.To, g.DetectedAt)
	if err != nil {
		return fmt.Errorf("record gap of source %d: %w", g.SourceID, err)
	}
	return nil
}

// Gaps lists the gaps of a source, newest first.
func (s *Store) Gaps(ctx context.Context, sourceID int64) ([]Gap, error) {
	rows, err := s.db.Query(ctx, `SELECT source_id, reason, after_id, before_id, from_time, to_time, detected_at
		FROM gaps WHERE source_id = $1 ORDER BY detected_at DESC, id DESC`, sourceID)
	if err != nil {
		return nil, fmt.Errorf("list gaps of source %d: %w", sourceID, err)
	}
	defer rows.Close()
	var out []Gap
	for rows.Next() {
		var g Gap
		if err := rows.Scan(&g.SourceID, &g.Reason, &g.AfterID, &g.BeforeID, &g.From, &g.To, &g.DetectedAt); err != nil {
			return nil, fmt.Errorf("list gaps of source %d: %w", sourceID, err)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// GapCounts returns how many gaps each source has had, by source id.
func (s *Store) GapCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := s.db.Query(ctx, `SELECT source_id, count(*) FROM gaps GROUP BY source_id`)
	if err != nil {
		return nil, fmt.Errorf("count gaps: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count gaps: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// OldestLinkedAfter returns the oldest tweet id the source has stored above after, 0 when
// it has none: the lower edge of what walks from that cursor reached.
func (s *Store) OldestLinkedAfter(ctx context.Context, sourceID, after int64) (int64, error) {
	var oldest *int64
	err := s.db.QueryRow(ctx, `SELECT min(tweet_id) FROM tweet_sources WHERE source_id = $1 AND tweet_id > $2`,
		sourceID, after).Scan(&oldest)
	if err != nil {
		return 0, fmt.Errorf("read the oldest tweet of source %d: %w", sourceID, err)
	}
	if oldest == nil {
		return 0, nil
	}
	return *oldest, nil
}
