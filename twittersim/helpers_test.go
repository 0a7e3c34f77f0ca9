package twittersim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"

	"github.com/tweetflow/tweetflow/twittersim"
)

// testStart is when simulations in tests begin.
var testStart = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const testToken = "test-token"

// harness is a simulator behind an httptest server, with a manual clock and a
// go-twitter client pointed at it.
type harness struct {
	t     *testing.T
	sim   *twittersim.Server
	clock *twittersim.ManualClock
	srv   *httptest.Server
	tw    *twitter.Client
	admin *twittersim.Client
}

type bearer string

func (b bearer) Add(req *http.Request) { req.Header.Add("Authorization", "Bearer "+string(b)) }

// newHarness starts a simulator. Unset Config fields get test defaults: silent
// accounts gopher and rabbit, the test token and a manual clock at testStart.
func newHarness(t *testing.T, cfg twittersim.Config) *harness {
	t.Helper()
	h := &harness{t: t, clock: twittersim.NewManualClock(testStart)}
	if cfg.Accounts == nil {
		cfg.Accounts = []twittersim.AccountSpec{{Username: "gopher"}, {Username: "rabbit"}}
	}
	if cfg.Token == "" {
		cfg.Token = testToken
	}
	if cfg.Clock == nil {
		cfg.Clock = h.clock
	}
	sim, err := twittersim.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.sim = sim
	h.srv = httptest.NewServer(sim.Handler())
	t.Cleanup(h.srv.Close)
	h.tw = &twitter.Client{Authorizer: bearer(testToken), Client: h.srv.Client(), Host: h.srv.URL}
	h.admin = twittersim.NewClient(h.srv.URL)
	h.admin.HTTPClient = h.srv.Client()
	return h
}

// post creates n tweets for username and returns them, oldest first.
func (h *harness) post(username string, n int) []twittersim.TruthTweet {
	h.t.Helper()
	made, err := h.sim.Post(username, n)
	if err != nil {
		h.t.Fatalf("Post(%q, %d): %v", username, n, err)
	}
	return made
}

// userID resolves a username through the API.
func (h *harness) userID(username string) string {
	h.t.Helper()
	resp, err := h.tw.UserNameLookup(context.Background(), []string{username}, twitter.UserLookupOpts{})
	if err != nil || resp.Raw.Users[0] == nil {
		h.t.Fatalf("look up %q: %v", username, err)
	}
	return resp.Raw.Users[0].ID
}

// response is the status and headers a test request got back. The helpers read and
// close the body themselves and return it beside the response.
type response struct {
	StatusCode int
	Header     http.Header
}

// get sends an API request with the test token and returns the response and body.
func (h *harness) get(path string) (response, []byte) {
	h.t.Helper()
	return h.getWith(path, "Bearer "+testToken)
}

// getWith sends a request with the given Authorization header ("" for none).
func (h *harness) getWith(path, auth string) (response, []byte) {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.t.Context(), http.MethodGet, h.srv.URL+path, nil)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("read %s: %v", path, err)
	}
	return response{StatusCode: resp.StatusCode, Header: resp.Header}, body
}

// getJSON sends an API request and decodes the JSON body into a generic map.
func (h *harness) getJSON(path string) (int, map[string]any) {
	h.t.Helper()
	resp, body := h.get(path)
	var out map[string]any
	if err := json.Unmarshal(body, &out); err != nil {
		h.t.Fatalf("GET %s: body is not JSON: %v: %s", path, err, body)
	}
	return resp.StatusCode, out
}

// everyMinute is a single account posting once a minute on average.
var everyMinute = []twittersim.AccountSpec{{Username: "gopher", Interval: time.Minute}}

func ids(ts []twittersim.TruthTweet) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func tweetIDs(ts []*twitter.TweetObj) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.ID
	}
	return out
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}
