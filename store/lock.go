package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// lockSpace sets tweetflow's source locks apart from other advisory locks in the database.
const lockSpace int64 = 0x7466 << 48 // "tf"

// SourceLock is a held lock on one source: while it is held no other worker walks it. It
// lives in a PostgreSQL session, so a worker that dies loses it with its connection.
type SourceLock struct {
	conn *pgxpool.Conn
	key  int64
	view *Store
}

// Store returns a view of the store that runs every query on the lock's own connection. A
// walk writes through it, so it needs no second connection, and if the session (and with it
// the lock) is lost, the walk's next write fails instead of going on unlocked.
func (l *SourceLock) Store() *Store { return l.view }

// TryLockSource takes the source's lock if nobody holds it. ok is false when another worker
// is walking the source.
func (s *Store) TryLockSource(ctx context.Context, sourceID int64) (l *SourceLock, ok bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("lock source %d: %w", sourceID, err)
	}
	key := lockSpace | sourceID
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, fmt.Errorf("lock source %d: %w", sourceID, err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return &SourceLock{conn: conn, key: key, view: &Store{pool: s.pool, db: conn}}, true, nil
}

// Release gives the lock up. If the unlock cannot be sent, the session is closed, which
// releases the lock as well.
func (l *SourceLock) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, l.key); err != nil {
		_ = l.conn.Conn().Close(ctx)
	}
	l.conn.Release()
}
