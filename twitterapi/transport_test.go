package twitterapi_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

func TestClient_ObserveSeesEveryExchange(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	var rec exchanges
	c := h.client(twitterapi.Options{Timeout: 5 * time.Second, Observe: rec.observe})
	limits := twittersim.DefaultRateLimits()
	window := func(limit, remaining int) *twitterapi.RateLimit {
		return &twitterapi.RateLimit{Limit: limit, Remaining: remaining, Reset: windowEnd}
	}
	// The steps share one client and run in order: remaining counts down across them.
	steps := []struct {
		name     string
		fault    twittersim.FaultSpec // Mode "" means none
		endpoint string
		status   int
		rate     *twitterapi.RateLimit
	}{
		{
			name: "user lookup", endpoint: twitterapi.EndpointUsers, status: 200,
			rate: window(limits.Users, limits.Users-1),
		},
		{
			name: "timeline page", endpoint: twitterapi.EndpointTimeline, status: 200,
			rate: window(limits.Timeline, limits.Timeline-1),
		},
		{
			name: "search page", endpoint: twitterapi.EndpointSearch, status: 200,
			rate: window(limits.Search, limits.Search-1),
		},
		{
			name: "rate limited", endpoint: twitterapi.EndpointTimeline, status: 429,
			fault: twittersim.FaultSpec{Mode: twittersim.FaultRateLimit, ResetInSeconds: faultReset, Count: 1},
			rate:  &twitterapi.RateLimit{Limit: limits.Timeline, Remaining: 0, Reset: faultResetAt},
		},
		{
			name: "rate limited without headers", endpoint: twitterapi.EndpointSearch, status: 429,
			fault: twittersim.FaultSpec{Mode: twittersim.FaultRateLimitNoHeaders, Count: 1},
		},
		{
			name: "bad 200 body", endpoint: twitterapi.EndpointSearch, status: 200,
			fault: twittersim.FaultSpec{Mode: twittersim.FaultNonJSON, Count: 1},
			rate:  window(limits.Search, limits.Search-1),
		},
		{
			name: "truncated 200 body", endpoint: twitterapi.EndpointTimeline, status: 200,
			fault: twittersim.FaultSpec{Mode: twittersim.FaultTruncated, Count: 1},
			rate:  window(limits.Timeline, limits.Timeline-2),
		},
		// Go retries the GET once on the reused connection; that is still one exchange.
		{
			name: "connection reset", endpoint: twitterapi.EndpointUsers, status: 0,
			fault: twittersim.FaultSpec{Mode: twittersim.FaultReset, Count: 2},
		},
		{
			name: "user lookup after the reset", endpoint: twitterapi.EndpointUsers, status: 200,
			rate: window(limits.Users, limits.Users-2),
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.fault.Mode != "" {
				f := st.fault
				f.Endpoint = st.endpoint
				h.setFault(f)
			}

			err := h.call(context.Background(), c, st.endpoint)

			checkExchanges(t, rec.take(), err, twitterapi.Exchange{
				Endpoint: st.endpoint, Status: st.status, RateLimit: st.rate,
			})
		})
	}
}

// checkExchanges checks that got is one exchange like want (Duration aside) and that
// err, when an *Error, carries the same rate limit.
func checkExchanges(t *testing.T, got []twitterapi.Exchange, err error, want twitterapi.Exchange) {
	t.Helper()
	if len(got) != 1 {
		t.Fatalf("Observe called %d times, want once: %+v", len(got), got)
	}
	ex := got[0]
	if ex.Endpoint != want.Endpoint || ex.Status != want.Status {
		t.Errorf("Exchange = %s %d, want %s %d", ex.Endpoint, ex.Status, want.Endpoint, want.Status)
	}
	if !sameRateLimit(ex.RateLimit, want.RateLimit) {
		t.Errorf("Exchange.RateLimit = %s, want %s", fmtRate(ex.RateLimit), fmtRate(want.RateLimit))
	}
	if ex.Duration <= 0 {
		t.Errorf("Exchange.Duration = %v, want > 0", ex.Duration)
	}
	if ae, ok := errors.AsType[*twitterapi.Error](err); ok && !sameRateLimit(ae.RateLimit, ex.RateLimit) {
		t.Errorf("Error.RateLimit = %s, want the observed %s", fmtRate(ae.RateLimit), fmtRate(ex.RateLimit))
	}
}

func TestClient_ObserveIsOptional(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.setFault(twittersim.FaultSpec{Mode: twittersim.FaultReset, Endpoint: twittersim.EndpointUsers, Count: 2})
	c := h.client(twitterapi.Options{Timeout: 5 * time.Second})

	if err := h.call(context.Background(), c, twitterapi.EndpointUsers); err == nil {
		t.Fatal("LookupUser over a reset connection succeeded, want an error")
	}
	if err := h.call(context.Background(), c, twitterapi.EndpointTimeline); err != nil {
		t.Fatalf("UserTimeline without Observe: %v", err)
	}
}

func sameRateLimit(a, b *twitterapi.RateLimit) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Limit == b.Limit && a.Remaining == b.Remaining && a.Reset.Equal(b.Reset) &&
		a.Reset.Location() == b.Reset.Location()
}

func fmtRate(rl *twitterapi.RateLimit) string {
	if rl == nil {
		return "nil"
	}
	return fmt.Sprintf("%d/%d left until %s", rl.Remaining, rl.Limit, rl.Reset.Format(time.TimeOnly))
}

func TestClient_LookupOfAHandleNamedTweetsIsLabelledUsers(t *testing.T) {
	h := newHarness(t, twittersim.Config{Accounts: []twittersim.AccountSpec{{Username: "tweets"}}})
	var seen exchanges
	c := h.client(twitterapi.Options{Observe: seen.observe})
	if _, err := c.LookupUser(context.Background(), "tweets"); err != nil {
		t.Fatalf("LookupUser: %v", err)
	}
	got := seen.take()
	if len(got) != 1 || got[0].Endpoint != twitterapi.EndpointUsers {
		t.Fatalf("exchanges = %+v, want one labelled %q", got, twitterapi.EndpointUsers)
	}
}
