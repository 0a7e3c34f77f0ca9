package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
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
	// released is set once the lock was given up with the walk's last page.
	released bool
}

// newSourceLock wraps conn, whose session holds the lock key.
func newSourceLock(pool *pgxpool.Pool, conn *pgxpool.Conn, key int64) *SourceLock {
	l := &SourceLock{conn: conn, key: key}
	l.view = &Store{pool: pool, db: lockedConn{Conn: conn, lock: l}}
	return l
}

// lockedConn is the connection of a held source lock, as a lock's view queries it.
type lockedConn struct {
	*pgxpool.Conn
	lock *SourceLock
}

// unlockSQL gives a source lock up.
const unlockSQL = `SELECT pg_advisory_unlock($1)`

// commitAndUnlock runs sql in a transaction of its own, read by read, and gives the lock up
// once it is committed, all in one round trip. It is how a walk stores its last page: the
// lock is free the moment the walk's end is stored, and no later. If the write fails, the
// lock is kept for Release.
func (l *SourceLock) commitAndUnlock(
	ctx context.Context, sql string, args []any, read func(pgx.BatchResults) error,
) error {
	var b pgx.Batch
	b.Queue("BEGIN")
	b.Queue(sql, args...)
	b.Queue("COMMIT")
	b.Queue(unlockSQL, l.key)
	br := l.conn.SendBatch(ctx, &b)
	err := func() error {
		if _, err := br.Exec(); err != nil {
			return err
		}
		if err := read(br); err != nil {
			return err
		}
		_, err := br.Exec()
		return err
	}()
	if err == nil {
		// The write is committed; should the unlock fail, Release tries again.
		var unlocked bool
		l.released = br.QueryRow().Scan(&unlocked) == nil && unlocked
	}
	if cerr := br.Close(); err == nil && cerr != nil && !l.released {
		err = cerr
	}
	if err != nil && l.conn.Conn().PgConn().TxStatus() != 'I' {
		// A failed statement leaves the transaction open and aborted.
		if _, rerr := l.conn.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			_ = l.conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}
	return err
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
	return newSourceLock(s.pool, conn, key), true, nil
}

// Release gives the lock up. If the unlock cannot be sent, the session is closed, which
// releases the lock as well.
func (l *SourceLock) Release() {
	if l.released {
		l.conn.Release()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, unlockSQL, l.key); err != nil {
		_ = l.conn.Conn().Close(ctx)
	}
	l.conn.Release()
}
