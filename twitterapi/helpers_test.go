package twitterapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

// testStart is when every simulation in these tests begins: 09:30 UTC, so the
// simulator's rate-limit window ends at 09:45.
var testStart = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// windowEnd is the reset the simulator reports for the window open at testStart.
var windowEnd = testStart.Add(15 * time.Minute)

// testToken is distinctive so that a leak into an error message cannot go unnoticed.
const testToken = "tf-bearer-Q7xK2pLm9Zr4"

// harness is a simulator behind a real HTTP server, driven by a manual clock.
type harness struct {
	t     *testing.T
	sim   *twittersim.Server
	clock *twittersim.ManualClock
	srv   *httptest.Server
	// arrived receives one value per API request that reaches the server.
	arrived chan struct{}
}

// newHarness starts a simulator with the test token and a manual clock at testStart.
// Accounts default to the silent gopher and rabbit.
func newHarness(t *testing.T, cfg twittersim.Config) *harness {
	t.Helper()
	h := &harness{t: t, clock: twittersim.NewManualClock(testStart), arrived: make(chan struct{}, 64)}
	if cfg.Accounts == nil {
		cfg.Accounts = []twittersim.AccountSpec{{Username: "gopher"}, {Username: "rabbit"}}
	}
	cfg.Token = testToken
	cfg.Clock = h.clock
	sim, err := twittersim.New(cfg)
	if err != nil {
		t.Fatalf("twittersim.New: %v", err)
	}
	h.sim = sim
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case h.arrived <- struct{}{}:
		default:
		}
		sim.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

// client returns a twitterapi client for the simulator; opts.BaseURL and an empty
// opts.BearerToken are filled in.
func (h *harness) client(opts twitterapi.Options) *twitterapi.Client {
	opts.BaseURL = h.srv.URL
	if opts.BearerToken == "" {
		opts.BearerToken = testToken
	}
	return twitterapi.New(opts)
}

// userID returns the simulator's id of a tracked account.
func (h *harness) userID(username string) string {
	h.t.Helper()
	for _, a := range h.sim.Accounts() {
		if a.Username == username {
			return a.ID
		}
	}
	h.t.Fatalf("no simulated account %q", username)
	return ""
}

// truth returns the ground truth of username's tweets, oldest first.
func (h *harness) truth(username string) []twittersim.TruthTweet {
	h.t.Helper()
	tt, err := h.sim.Truth(username)
	if err != nil {
		h.t.Fatalf("Truth(%q): %v", username, err)
	}
	return tt
}

// setFault switches a fault on.
func (h *harness) setFault(f twittersim.FaultSpec) {
	h.t.Helper()
	if err := h.sim.SetFault(f); err != nil {
		h.t.Fatalf("SetFault(%+v): %v", f, err)
	}
}

// call makes the one request of endpoint that the tests use to provoke failures.
func (h *harness) call(ctx context.Context, c *twitterapi.Client, endpoint string) error {
	var err error
	switch endpoint {
	case twitterapi.EndpointUsers:
		_, err = c.LookupUser(ctx, "gopher")
	case twitterapi.EndpointTimeline:
		_, err = c.UserTimeline(ctx, h.userID("gopher"), twitterapi.PageQuery{})
	case twitterapi.EndpointSearch:
		_, err = c.SearchRecent(ctx, "from:gopher", twitterapi.PageQuery{})
	default:
		h.t.Fatalf("unknown endpoint %q", endpoint)
	}
	return err
}

// endpoints are the three endpoint labels, in a fixed order.
var endpoints = []string{twitterapi.EndpointUsers, twitterapi.EndpointTimeline, twitterapi.EndpointSearch}

// defaultLimit is the simulator's default rate limit of an endpoint.
func defaultLimit(endpoint string) int {
	l := twittersim.DefaultRateLimits()
	switch endpoint {
	case twitterapi.EndpointUsers:
		return l.Users
	case twitterapi.EndpointTimeline:
		return l.Timeline
	default:
		return l.Search
	}
}

// exchanges records what an Observe hook is told.
type exchanges struct {
	mu  sync.Mutex
	got []twitterapi.Exchange
}

func (e *exchanges) observe(ex twitterapi.Exchange) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.got = append(e.got, ex)
}

// take returns the exchanges recorded since the last take.
func (e *exchanges) take() []twitterapi.Exchange {
	e.mu.Lock()
	defer e.mu.Unlock()
	got := e.got
	e.got = nil
	return got
}
