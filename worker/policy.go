package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// Pause reasons, as stored and shown by producer api status.
const (
	reasonRateLimited     = "rate_limited"
	reasonUsageCapped     = "usage_capped"
	reasonCreditsDepleted = "credits_depleted"
	reasonUnauthorized    = "unauthorized"
)

// maxAttempts bounds the retries of a failure that may pass (5xx, network, database).
const maxAttempts = 4

// authPause is how long a refused token stops every API call, so that queued tasks do not
// each hit the API with it.
const authPause = 5 * time.Minute

// backoff is the wait before retry number attempt+1: capped exponential, from the fixed
// retry delays.
func backoff(attempt int) time.Duration {
	return tasks.RetryDelays[min(attempt, len(tasks.RetryDelays)-1)]
}

// failure decides what a failed fetch becomes, and logs it once: a retry after a delay, a
// pause shared by the whole worker pool, a skip, or a final failure. It returns what the
// task function returns: a *tasks.RetryLater, nil for a skip, or the error.
func (t *fetchTask) failure(ctx context.Context, attempt int, err error, log *zap.Logger) error {
	var paused *collector.PausedError
	var ae *twitterapi.Error
	switch {
	case errors.As(err, &paused):
		return t.whilePaused(paused, err, log)
	case errors.As(err, &ae) && ae.Kind == twitterapi.KindRateLimited:
		return t.rateLimited(ctx, ae, attempt, log)
	case errors.As(err, &ae) && (ae.Kind == twitterapi.KindUsageCapped || ae.Kind == twitterapi.KindCreditsDepleted):
		t.pauseAll(ctx, ae, log)
		return nil // skipped: no cursor moved, the next tick after the pause fetches it all
	case errors.As(err, &ae) && (ae.Kind == twitterapi.KindUnauthorized || ae.Kind == twitterapi.KindForbidden):
		t.pauseForAuth(ctx, ae, log)
		return err
	case errors.Is(err, tasks.ErrBadArguments):
		return err // dead-lettered by the consumer, which logs it
	case errors.As(err, &ae) && !ae.Temporary():
		log.Error("fetch failed", zap.String("error", err.Error()),
			zap.String("retry", "no: the request itself is wrong"))
		return err
	case attempt+1 < maxAttempts:
		wait := backoff(attempt)
		log.Warn("fetch failed", zap.String("error", err.Error()),
			zap.Int("attempt", attempt+1), zap.Duration("retry_in", wait))
		return &tasks.RetryLater{After: wait, Err: err}
	default:
		log.Error("fetch failed", zap.String("error", err.Error()), zap.Int("attempt", attempt+1),
			zap.String("retry", "no more: a later tick fetches the source again"))
		return err
	}
}

// whilePaused handles a task that found its endpoint paused: after a rate limit it waits
// for the window, after a cap, depleted credits or a refused token it is skipped.
func (t *fetchTask) whilePaused(p *collector.PausedError, err error, log *zap.Logger) error {
	if p.Pause.Reason == reasonRateLimited && !p.Pause.Until.IsZero() {
		wait := time.Until(p.Pause.Until) + time.Second
		log.Debug("endpoint rate-limited; task deferred", zap.Duration("retry_in", wait))
		return &tasks.RetryLater{After: wait, Err: err}
	}
	log.Debug("API paused; task skipped", zap.String("reason", p.Pause.Reason))
	return nil
}

// rateLimited pauses the endpoint for the whole pool until its window resets (or, without
// reset headers, for a capped exponential backoff) and defers the task until then.
func (t *fetchTask) rateLimited(ctx context.Context, ae *twitterapi.Error, attempt int, log *zap.Logger) error {
	now := time.Now().UTC()
	// The reset header has whole seconds; a second more keeps the pool off the endpoint
	// until the window has surely opened again.
	until := ae.ResetAt().Add(time.Second)
	if !until.After(now.Add(time.Second)) {
		until = now.Add(backoff(attempt))
	}
	started, err := t.st.SetPause(ctx, store.Pause{
		Endpoint: ae.Endpoint, Reason: reasonRateLimited,
		Detail: ae.Error(), Until: until,
	}, now)
	if err != nil {
		log.Warn("could not share the rate-limit pause", zap.Error(err))
	}
	switch {
	case started:
		log.Warn("rate limited; no worker calls this endpoint until the window resets",
			zap.String("endpoint", ae.Endpoint), zap.Time("until", until))
	case ae.Status == http.StatusTooManyRequests:
		// A 429 in a window already paused: a request that was in flight when the pause
		// began, or another client spending the same app's budget.
		log.Warn("rate limited while the endpoint was paused already", zap.String("endpoint", ae.Endpoint),
			zap.Time("until", until))
	}
	return &tasks.RetryLater{After: until.Sub(now), Err: ae}
}

// pauseAll stops every API call after a usage cap or depleted credits, which waiting for
// a rate-limit window does not cure, and tells the operator what to do.
func (t *fetchTask) pauseAll(ctx context.Context, ae *twitterapi.Error, log *zap.Logger) {
	now := time.Now().UTC()
	p := store.Pause{Endpoint: store.PauseAll, Reason: reasonCreditsDepleted, Detail: ae.Error()}
	action := "top up the account's credits, then run `producer api resume`"
	if ae.Kind == twitterapi.KindUsageCapped {
		p.Reason, p.Until = reasonUsageCapped, time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		action = "raise the usage cap and run `producer api resume`, or wait for the next period"
	}
	started, err := t.st.SetPause(ctx, p, now)
	if err != nil {
		log.Error("could not pause API calls", zap.Error(err))
	}
	if started {
		fields := []zap.Field{zap.String("reason", p.Reason), zap.String("error", ae.Error())}
		if !p.Until.IsZero() {
			fields = append(fields, zap.Time("until", p.Until))
		}
		log.Error("API calls paused for every worker: "+action, fields...)
	}
}

// pauseForAuth stops API calls for a while after the token was refused: every queued task
// would be refused too.
func (t *fetchTask) pauseForAuth(ctx context.Context, ae *twitterapi.Error, log *zap.Logger) {
	now := time.Now().UTC()
	started, err := t.st.SetPause(ctx, store.Pause{
		Endpoint: store.PauseAll, Reason: reasonUnauthorized,
		Detail: ae.Error(), Until: now.Add(authPause),
	}, now)
	if err != nil {
		log.Error("could not pause API calls", zap.Error(err))
	}
	if started {
		log.Error("the API refused the bearer token; check TWITTER_BEARER_TOKEN (API calls pause for 5 minutes)",
			zap.String("error", ae.Error()))
	}
}
