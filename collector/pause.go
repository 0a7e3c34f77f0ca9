package collector

import (
	"context"
	"fmt"
	"time"

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

// checkPauses returns a *PausedError when any endpoint the source needs is paused now.
func (c *Collector) checkPauses(ctx context.Context, st *store.Store, src *store.Source) error {
	for _, ep := range endpointsOf(src) {
		p, err := st.ActivePause(ctx, ep, c.Now())
		if err != nil {
			return err
		}
		if p != nil {
			return &PausedError{Pause: *p}
		}
	}
	return nil
}
