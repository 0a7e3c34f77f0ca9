package main

import (
	"context"
	"errors"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/metrics"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// fetchTask is the fetch-source task function registered with Machinery.
type fetchTask struct {
	coll    *collector.Collector
	log     *zap.Logger
	metrics *metrics.Fetch
}

// run is the task function. It logs the outcome once: the consumer does not log it again.
func (t *fetchTask) run(ctx context.Context, kind, value, sinceIDHint string, backfillSeconds int64) error {
	f := tasks.Fetch{Kind: kind, Value: value, SinceIDHint: sinceIDHint, BackfillSeconds: backfillSeconds}
	if sig := mtasks.SignatureFromContext(ctx); sig != nil {
		f.PublishedAt = tasks.PublishedAt(sig)
	}
	if err := f.Validate(); err != nil {
		return err // dead-lettered by the consumer, which logs it
	}
	start := time.Now()
	res, err := t.coll.Fetch(ctx, f)
	took := time.Since(start)
	t.metrics.Fetched(f.Kind, res, err, took)
	log := t.log.With(zap.String("source", f.String()), zap.Int64("source_id", res.SourceID),
		zap.Int("pages", res.Pages), zap.Duration("duration", took))
	if err != nil {
		logFailure(log, err)
		return err
	}
	level := zap.InfoLevel
	if res.Outcome == collector.OutcomeMissing {
		level = zap.WarnLevel // the handle is unknown or suspended: the operator should look
	}
	log.Log(level, "fetch done", zap.String("outcome", string(res.Outcome)), zap.Int("fetched", res.Fetched),
		zap.Int("new", res.New), zap.Int("known", res.Known), zap.Int("refetched", res.Refetched),
		zap.Int64("cursor_id", res.CursorID),
		zap.Bool("resumed", res.Resumed))
	return nil
}

// logFailure logs a failed fetch at warn when a later tick may succeed, at error otherwise.
func logFailure(log *zap.Logger, err error) {
	var ae *twitterapi.Error
	if errors.As(err, &ae) && ae.Temporary() || errors.Is(err, context.DeadlineExceeded) {
		log.Warn("fetch failed", zap.String("error", err.Error()))
		return
	}
	log.Error("fetch failed", zap.String("error", err.Error()))
}
