package collector

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// PausedError is returned by Fetch when API calls the source needs are paused: no request
// was made and nothing changed.
type PausedError struct {
	Pause store.Pause
}

func (e *PausedError) Error() string {
	until := "an operator clears it (producer api resume)"
	if !e.Pause.Until.IsZero() {
		until = e.Pause.Until.Format(time.RFC3339)
	}
	return fmt.Sprintf("API calls to %s paused (%s) until %s", e.Pause.Endpoint, e.Pause.Reason, until)
}

// endpointsOf are the endpoints a walk of the source may call.
func endpointsOf(src *store.Source) []string {
	if src.Kind == tasks.KindQuery {
		return []string{twitterapi.EndpointSearch}
	}
	if src.UserID == 0 || src.Status != store.StatusActive {
		return []string{twitterapi.EndpointUsers, twitterapi.EndpointTimeline}
	}
	return []string{twitterapi.EndpointTimeline}
}

// checkPauses returns a *PausedError when any endpoint the source needs is paused by one of
// pauses, the pauses in force; a pause of all endpoints wins.
func checkPauses(pauses []store.Pause, src *store.Source) error {
	for _, ep := range endpointsOf(src) {
		var found *store.Pause
		for i := range pauses {
			switch pauses[i].Endpoint {
			case store.PauseAll:
				return &PausedError{Pause: pauses[i]}
			case ep:
				if found == nil {
					found = &pauses[i]
				}
			}
		}
		if found != nil {
			return &PausedError{Pause: *found}
		}
	}
	return nil
}

// ReasonWindowSpent is the reason of a pause set because an answer showed that the
// endpoint's window had no request left: the next request would have been a 429.
const ReasonWindowSpent = "window_spent"

// spendWindow pauses endpoint until its window resets when rl shows no request left. It
// reports whether it did, so that a walk with pages to go can stop before a 429 tells it
// to; the walk's state is stored, and it resumes after the reset.
func (c *Collector) spendWindow(
	ctx context.Context, st *store.Store, endpoint string, rl *twitterapi.RateLimit,
) (bool, error) {
	now := c.Now()
	if rl == nil || rl.Remaining > 0 || rl.Limit == 0 || !rl.Reset.After(now) {
		return false, nil
	}
	// The reset header has whole seconds; a second more keeps callers off the endpoint
	// until the window has surely opened again.
	until := rl.Reset.Add(time.Second)
	started, err := st.SetPause(ctx, store.Pause{
		Endpoint: endpoint, Reason: ReasonWindowSpent,
		Detail: fmt.Sprintf("the last answer left 0 of %d requests in the window", rl.Limit), Until: until,
	}, now)
	if err != nil {
		return false, err
	}
	if started {
		c.log.Info("window spent; no worker calls this endpoint until it resets",
			zap.String("endpoint", endpoint), zap.Time("until", until))
	}
	return true, nil
}

// windowSpentError stops a walk whose endpoint has no request left in its window: it reads
// as a rate limit, so the task is deferred until the reset, but no 429 was received.
func windowSpentError(endpoint string, rl *twitterapi.RateLimit) error {
	return &twitterapi.Error{
		Kind: twitterapi.KindRateLimited, Endpoint: endpoint, RateLimit: rl,
		Detail: "no request left in the window; the walk resumes after the reset",
	}
}

// endpointOf is the endpoint a source's pages come from.
func endpointOf(src *store.Source) string {
	if src.Kind == tasks.KindQuery {
		return twitterapi.EndpointSearch
	}
	return twitterapi.EndpointTimeline
}
