package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Source statuses.
const (
	StatusActive    = "active"
	StatusNotFound  = "not_found"
	StatusSuspended = "suspended"
	// StatusRejected marks a source the API refused as malformed (HTTP 400).
	StatusRejected = "rejected"
)

// Source is the stored state of one user handle or search query.
type Source struct {
	ID    int64
	Kind  string
	Value string
	// UserID is the account a user source resolved to, 0 until resolved.
	UserID int64
	Status string
	// CursorID is the newest tweet id of the last complete walk, 0 before the first.
	CursorID int64
	// BackfillFrom bounds walks while there is no cursor; zero until the first walk.
	BackfillFrom time.Time
	// Walk is the walk in progress, nil when none is.
	Walk          *Walk
	LastSuccessAt time.Time
	// LastWalkStartedAt is when the last complete walk began.
	LastWalkStartedAt time.Time
	LastError         string
	LastErrorAt       time.Time
	TweetsStored      int64
}

// Walk is the state of an unfinished walk through a source's pages.
type Walk struct {
	// Token is the pagination token of the next page to read.
	Token string
	// SinceID and StartTime are the walk's lower bound, kept for every page.
	SinceID   int64
	StartTime time.Time
	// NewestID is the first page's newest id: the cursor once the walk completes.
	NewestID  int64
	StartedAt time.Time
	// Fetched counts the tweets the walk has read so far, across interruptions.
	Fetched int
}

// ErrNoSource is returned for a source id that does not exist.
var ErrNoSource = errors.New("no such source")

// EnsureSource returns the id of the source (kind, value), creating it when new. It looks
// first and inserts only when the source is missing, so a known source costs no sequence
// value.
func (s *Store) EnsureSource(ctx context.Context, kind, value string) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT id FROM sources WHERE kind = $1 AND value = $2`, kind, value).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("look up source %s:%s: %w", kind, value, err)
	}
	err = s.db.QueryRow(ctx, `
		WITH ins AS (
			INSERT INTO sources (kind, value) VALUES ($1, $2)
			ON CONFLICT (kind, value) DO NOTHING RETURNING id
		)
		SELECT id FROM ins UNION ALL SELECT id FROM sources WHERE kind = $1 AND value = $2
		LIMIT 1`, kind, value).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create source %s:%s: %w", kind, value, err)
	}
	return id, nil
}

const sourceColumns = `id, kind, value, COALESCE(user_id, 0), status, COALESCE(cursor_id, 0),
	backfill_from, walk_token, walk_since_id, walk_start_time, walk_newest_id, walk_started_at,
	last_success_at, COALESCE(last_error, ''), last_error_at, tweets_stored, last_walk_started_at,
	COALESCE(walk_fetched, 0)`

// Source loads the source with that id.
func (s *Store) Source(ctx context.Context, id int64) (*Source, error) {
	row := s.db.QueryRow(ctx, `SELECT `+sourceColumns+` FROM sources WHERE id = $1`, id)
	src, err := scanSource(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("load source %d: %w", id, ErrNoSource)
	}
	if err != nil {
		return nil, fmt.Errorf("load source %d: %w", id, err)
	}
	return src, nil
}

// Sources loads every stored source, keyed by "kind:value".
func (s *Store) Sources(ctx context.Context) (map[string]*Source, error) {
	rows, err := s.db.Query(ctx, `SELECT `+sourceColumns+` FROM sources`)
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	defer rows.Close()
	out := map[string]*Source{}
	for rows.Next() {
		src, err := scanSource(rows)
		if err != nil {
			return nil, fmt.Errorf("list sources: %w", err)
		}
		out[src.Kind+":"+src.Value] = src
	}
	return out, rows.Err()
}

func scanSource(row pgx.Row) (*Source, error) {
	var src Source
	var backfill, walkStart, walkStarted, lastOK, lastErrAt, lastWalk *time.Time
	var token *string
	var since, newest *int64
	var walkFetched int
	err := row.Scan(&src.ID, &src.Kind, &src.Value, &src.UserID, &src.Status, &src.CursorID,
		&backfill, &token, &since, &walkStart, &newest, &walkStarted,
		&lastOK, &src.LastError, &lastErrAt, &src.TweetsStored, &lastWalk, &walkFetched)
	if err != nil {
		return nil, err
	}
	src.BackfillFrom, src.LastSuccessAt, src.LastErrorAt = deref(backfill), deref(lastOK), deref(lastErrAt)
	src.LastWalkStartedAt = deref(lastWalk)
	if token != nil {
		src.Walk = &Walk{
			Token: *token, SinceID: derefInt(since), StartTime: deref(walkStart),
			NewestID: derefInt(newest), StartedAt: deref(walkStarted), Fetched: walkFetched,
		}
	}
	return &src, nil
}

func deref(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

func derefInt(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// StartBackfill sets the source's backfill bound to from, unless it has one already, and
// returns the bound in force. As with SetUser, the commit does not wait for the disk: the
// walk's first page, stored with a commit that does, makes the bound durable; a crash before
// it stored nothing under the bound, and the next attempt sets one again.
func (s *Store) StartBackfill(ctx context.Context, id int64, from time.Time) (time.Time, error) {
	var got time.Time
	err := s.queryRowNoWait(ctx, `UPDATE sources SET backfill_from = COALESCE(backfill_from, $2)
		WHERE id = $1 RETURNING backfill_from`, []any{id, from}, &got)
	if err != nil {
		return time.Time{}, fmt.Errorf("set backfill bound of source %d: %w", id, err)
	}
	return got.UTC(), nil
}

// SetUser records the account a user source resolved to and marks the source active. When
// backfillFrom is not zero it also sets the source's backfill bound, as StartBackfill does,
// in the same statement. It returns the bound in force, zero when there is none.
//
// The commit does not wait for the disk: a fetch that resolves a user ends with a commit
// that does, and that one makes this one durable too, as the log is written in order. A
// crash before it loses the fetch's work anyway; then the lookup is made again.
func (s *Store) SetUser(ctx context.Context, sourceID, userID int64, username, name string,
	backfillFrom time.Time,
) (time.Time, error) {
	var bound *time.Time
	err := s.queryRowNoWait(ctx, setUserSQL, []any{sourceID, userID, username, name, nullTime(backfillFrom)}, &bound)
	if errors.Is(err, pgx.ErrNoRows) {
		err = ErrNoSource
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("record user %d for source %d: %w", userID, sourceID, err)
	}
	return deref(bound), nil
}

// batcher sends batches: a pool, and a lock's connection.
type batcher interface {
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// queryRowNoWait runs sql, which returns one row, read into dest, in a transaction whose
// commit does not wait for the disk. It is for writes that a later commit of the same fetch,
// which waits, makes durable with it.
func (s *Store) queryRowNoWait(ctx context.Context, sql string, args []any, dest ...any) (err error) {
	var b pgx.Batch
	b.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
	b.Queue(sql, args...)
	br := s.db.(batcher).SendBatch(ctx, &b)
	defer func() {
		if cerr := br.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := br.Exec(); err != nil {
		return err
	}
	return br.QueryRow().Scan(dest...)
}

const setUserSQL = `
WITH u AS (
	INSERT INTO users (id, username, name) VALUES ($2, $3, $4)
	ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, name = EXCLUDED.name,
		updated_at = now()
)
UPDATE sources SET user_id = $2, status = 'active', last_error = NULL, last_error_at = NULL,
	backfill_from = COALESCE(backfill_from, $5)
WHERE id = $1 RETURNING backfill_from`

// MarkStatus sets the source's status, with the reason as its last error, noted at at.
func (s *Store) MarkStatus(ctx context.Context, id int64, status, reason string, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE sources SET status = $2, last_error = $3, last_error_at = $4
		WHERE id = $1`, id, status, reason, at)
	if err != nil {
		return fmt.Errorf("mark source %d %s: %w", id, status, err)
	}
	return nil
}

// RecordError notes a failed fetch at at. Nothing else changes: the cursor and walk stay.
func (s *Store) RecordError(ctx context.Context, id int64, reason string, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE sources SET last_error = $2, last_error_at = $3 WHERE id = $1`,
		id, reason, at)
	if err != nil {
		return fmt.Errorf("record error of source %d: %w", id, err)
	}
	return nil
}
