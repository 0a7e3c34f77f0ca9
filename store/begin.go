package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Start is what a fetch begins with: its source, created when new, locked for the walk when
// nobody else walks it, and the API pauses in force.
type Start struct {
	// SourceID is set even when the lock was not taken.
	SourceID int64
	// Lock is nil when another worker holds the source; then Source and Pauses are nil.
	Lock   *SourceLock
	Source *Source
	Pauses []Pause
}

// startSQL is sent as one batch, so a fetch starts with a single round trip. Each statement
// reads with a snapshot taken after the one before it finished, so the source is read only
// once its lock is held, and the insert of a new source is visible to the statements after it.
var startSQL = [...]string{
	// A new source's row is made durable by the fetch's last commit, which waits for the
	// disk; this one need not. A crash before that loses the row, and the next fetch
	// creates it again.
	`SELECT set_config('synchronous_commit', 'off', true)`,
	// Inserts only when the source is missing, so a known source costs no sequence value.
	`INSERT INTO sources (kind, value) SELECT $1, $2
		WHERE NOT EXISTS (SELECT 1 FROM sources WHERE kind = $1 AND value = $2)
		ON CONFLICT (kind, value) DO NOTHING`,
	`SELECT id, pg_try_advisory_lock($3::bigint | id) FROM sources WHERE kind = $1 AND value = $2`,
	`SELECT ` + sourceColumns + ` FROM sources WHERE kind = $1 AND value = $2`,
	`SELECT endpoint, reason, detail, until FROM api_pauses WHERE until IS NULL OR until > $1`,
}

// StartFetch creates the source (kind, value) when new, takes its lock if nobody holds it,
// and then reads the source and the API pauses in force at now, all in one round trip. When
// the lock is taken, the caller must Release it.
func (s *Store) StartFetch(ctx context.Context, kind, value string, now time.Time) (Start, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return Start{}, fmt.Errorf("start fetch of %s:%s: %w", kind, value, err)
	}
	var b pgx.Batch
	b.Queue(startSQL[0])
	b.Queue(startSQL[1], kind, value)
	b.Queue(startSQL[2], kind, value, lockSpace)
	b.Queue(startSQL[3], kind, value)
	b.Queue(startSQL[4], now)
	st, locked, err := readStart(conn.SendBatch(ctx, &b))
	switch {
	case err != nil:
		// The lock may be held even though a later statement failed; closing the session
		// gives it up.
		_ = conn.Conn().Close(context.WithoutCancel(ctx))
		conn.Release()
		return st, fmt.Errorf("start fetch of %s:%s: %w", kind, value, err)
	case !locked:
		conn.Release()
		return Start{SourceID: st.SourceID}, nil
	}
	st.Lock = newSourceLock(s.pool, conn, lockSpace|st.SourceID)
	return st, nil
}

func readStart(br pgx.BatchResults) (st Start, locked bool, err error) {
	defer func() {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := br.Exec(); err != nil {
		return st, false, fmt.Errorf("start fetch: %w", err)
	}
	if _, err := br.Exec(); err != nil {
		return st, false, fmt.Errorf("create source: %w", err)
	}
	if err := br.QueryRow().Scan(&st.SourceID, &locked); err != nil {
		return st, false, fmt.Errorf("lock source: %w", err)
	}
	if st.Source, err = scanSource(br.QueryRow()); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			err = ErrNoSource
		}
		return st, locked, fmt.Errorf("load source %d: %w", st.SourceID, err)
	}
	rows, err := br.Query()
	if err != nil {
		return st, locked, fmt.Errorf("read API pauses: %w", err)
	}
	st.Pauses, err = scanPauses(rows)
	return st, locked, err
}
