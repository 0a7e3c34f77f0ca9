// Package store keeps tweetflow's state in PostgreSQL: tweets (each once), the users that
// handles resolved to, and per-source cursors and walk state. Writes are idempotent, and a
// page of tweets is stored in the same statement that moves its source's walk forward, so a
// crash can never leave a cursor past tweets that were not stored.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/zap"
)

// Store is the PostgreSQL state of one tweetflow installation. It is safe for concurrent
// use, except the view a SourceLock hands out, which belongs to one walk.
type Store struct {
	pool *pgxpool.Pool
	// db runs the queries: the pool, or the one connection that holds a source lock.
	db querier
}

// querier is what both a pool and a single connection offer.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// ErrRefused marks a database that refused us for good: a wrong password, an unknown
// database or role. Retrying cannot help.
var ErrRefused = errors.New("database refused the connection")

// Connect opens a pool on databaseURL and waits until the database answers, retrying with
// capped backoff and logging one line per failed attempt with the time of the next, until
// ctx ends. A refusal for credentials or a missing database is returned at once.
//
// walkers is how many sources the caller walks at once. Each walk holds one connection for
// as long as it holds the source's lock, so the pool gets one per walker and a few spare.
func Connect(ctx context.Context, databaseURL string, walkers int, log *zap.Logger) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, errors.New("parse DATABASE_URL: not a valid PostgreSQL URL or key=value string")
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "tweetflow"
	cfg.MaxConns = max(cfg.MaxConns, int32(min(walkers, 1<<16)+4)) //nolint:gosec // bounded just before
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database pool: %w", err)
	}
	if err := waitReady(ctx, pool, log); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, db: pool}, nil
}

func waitReady(ctx context.Context, pool *pgxpool.Pool, log *zap.Logger) error {
	bo := &backoff.ExponentialBackOff{
		InitialInterval: 500 * time.Millisecond, RandomizationFactor: 0.2,
		Multiplier: 2, MaxInterval: 30 * time.Second,
	}
	for attempt := 1; ; attempt++ {
		err := pool.Ping(ctx)
		if err == nil {
			return nil
		}
		if refused(err) {
			return fmt.Errorf("%w: %s", ErrRefused, describe(err))
		}
		wait := bo.NextBackOff()
		log.Warn("database unreachable, will retry", zap.Int("attempt", attempt),
			zap.String("error", describe(err)), zap.Time("next_attempt", time.Now().Add(wait).UTC()))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("connect to database: %w (last error: %s)", ctx.Err(), describe(err))
		case <-t.C:
		}
	}
}

// refused reports an authentication failure or a missing database or role.
func refused(err error) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	switch pe.Code {
	case "28P01", "28000", "3D000": // invalid_password, invalid_authorization, invalid_catalog_name
		return true
	}
	return false
}

// describe renders a connection error without the connection string.
func describe(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Severity + ": " + pe.Message + " (SQLSTATE " + pe.Code + ")"
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return ce.Unwrap().Error()
	}
	return err.Error()
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Pool is the underlying pool, for tests and tools that query the tables directly.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
