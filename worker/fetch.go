package main

import (
	"context"
	"errors"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/metrics"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
)

// fetchTask is the fetch-source task function registered with Machinery.
type fetchTask struct {
	coll    *collector.Collector
	st      *store.Store
	log     *zap.Logger
	metrics *metrics.Fetch
}

// run is the task function. It logs the outcome once: the consumer does not log it again.
func (t *fetchTask) run(ctx context.Context, kind, value, sinceIDHint string, backfillSeconds int64) error {
	f := tasks.Fetch{Kind: kind, Value: value, SinceIDHint: sinceIDHint, BackfillSeconds: backfillSeconds}
	attempt, taskID := 0, ""
	if sig := mtasks.SignatureFromContext(ctx); sig != nil {
		f.PublishedAt = tasks.PublishedAt(sig)
		attempt, taskID = tasks.Attempt(sig), sig.UUID
	}
	if err := f.Validate(); err != nil {
		return err // dead-lettered by the consumer, which logs it
	}
	start := time.Now()
	res, err := t.coll.Fetch(ctx, f)
	took := time.Since(start)
	about := func() []zap.Field {
		return []zap.Field{
			zap.String("source", f.String()), zap.Int64("source_id", res.SourceID),
			zap.String("task_id", taskID), zap.Int("pages", res.Pages), zap.Duration("duration", took),
		}
	}
	if err != nil {
		if isPause(err) {
			res.Outcome = collector.OutcomePaused
		}
		t.metrics.Fetched(f.Kind, res, err, took)
		return t.failure(ctx, attempt, err, t.log.With(about()...))
	}
	t.metrics.Fetched(f.Kind, res, nil, took)
	level := zap.InfoLevel
	if res.Outcome == collector.OutcomeMissing {
		level = zap.WarnLevel // the handle is unknown or suspended: the operator should look
	}
	// Checked first, so that a fetch logged at a level that is off costs no fields.
	if ce := t.log.Check(level, "fetch done"); ce != nil {
		ce.Write(append(about(), zap.String("outcome", string(res.Outcome)), zap.Int("fetched", res.Fetched),
			zap.Int("new", res.New), zap.Int("known", res.Known), zap.Int("refetched", res.Refetched),
			zap.Int64("cursor_id", res.CursorID),
			zap.Bool("resumed", res.Resumed))...)
	}
	return nil
}

// isPause reports whether the fetch made no request because the API is paused.
func isPause(err error) bool {
	var p *collector.PausedError
	return errors.As(err, &p)
}
