package twittersim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"

	"github.com/tweetflow/tweetflow/twittersim"
)

func setFault(t *testing.T, h *harness, f twittersim.FaultSpec) {
	t.Helper()
	if err := h.sim.SetFault(f); err != nil {
		t.Fatalf("SetFault(%+v): %v", f, err)
	}
}

const (
	wantTooMany = `{"title":"Too Many Requests","detail":"Too Many Requests",` +
		`"type":"about:blank","status":429}`
	wantCredits = `{"title":"Payment Required","detail":"credits depleted",` +
		`"type":"https://api.x.com/2/problems/credits-depleted","status":402}`
	wantServerError = `{"title":"Internal Server Error","detail":"Internal Server Error",` +
		`"type":"about:blank","status":500}`
)

func TestFaults_CannedResponses(t *testing.T) {
	tests := []struct {
		mode          twittersim.FaultMode
		wantStatus    int
		wantType      string
		wantBody      string
		wantRemaining string // "" means no x-rate-limit headers
	}{
		{twittersim.FaultRateLimit, 429, "application/problem+json", wantTooMany, "0"},
		{twittersim.FaultRateLimitNoHeaders, 429, "application/problem+json", wantTooMany, ""},
		{
			twittersim.FaultUsageCap, 429, "application/problem+json",
			`{"account_id":1,"product_name":"standard-basic","title":"UsageCapExceeded","period":"Monthly",` +
				`"scope":"Product","detail":"Usage cap exceeded: Monthly product cap",` +
				`"type":"https://api.twitter.com/2/problems/usage-capped"}`, "300",
		},
		{twittersim.FaultCreditsDepleted, 402, "application/problem+json", wantCredits, "300"},
		{twittersim.FaultServerError, 503, "text/plain; charset=utf-8", "Service Unavailable", "300"},
		{twittersim.FaultServerErrorJSON, 500, "application/problem+json", wantServerError, "300"},
		{
			twittersim.FaultNonJSON, 200, "text/html; charset=utf-8",
			"<!DOCTYPE html>\n<html><head><title>Over capacity</title></head>" +
				"<body><h1>Something is technically wrong.</h1></body></html>\n", "300",
		},
		{
			twittersim.FaultForbidden, 403, "application/problem+json",
			`{"client_id":"1","required_enrollment":"Appropriate Level of API Access",` +
				`"registration_url":"https://developer.x.com/en/portal/product","title":"Client Forbidden",` +
				`"detail":"This request must be made using an approved developer account that is enrolled ` +
				`in the requested endpoint. Learn more by visiting our documentation.",` +
				`"reason":"client-not-enrolled","type":"https://api.x.com/2/problems/client-forbidden"}`, "300",
		},
		{
			twittersim.FaultUnauthorized, 401, "application/problem+json",
			`{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`, "",
		},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			h := newHarness(t, twittersim.Config{})
			setFault(t, h, twittersim.FaultSpec{Mode: tt.mode, Endpoint: "users", Count: 1})
			resp, body := h.get("/2/users/by/username/gopher")
			if resp.StatusCode != tt.wantStatus || string(body) != tt.wantBody {
				t.Errorf("got %d %s, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.wantType {
				t.Errorf("content-type = %q, want %q", got, tt.wantType)
			}
			if got := resp.Header.Get("x-rate-limit-remaining"); got != tt.wantRemaining {
				t.Errorf("x-rate-limit-remaining = %q, want %q", got, tt.wantRemaining)
			}
			if resp, _ := h.get("/2/users/by/username/gopher"); resp.StatusCode != http.StatusOK {
				t.Errorf("request after a count-1 fault: status %d, want 200", resp.StatusCode)
			}
		})
	}
}

func TestFaults_ForbiddenIsTheClientForbiddenProblem(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultForbidden})
	_, err := h.tw.TweetRecentSearch(context.Background(), "a", twitter.TweetRecentSearchOpts{})
	var er *twitter.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != http.StatusForbidden || er.Title != "Client Forbidden" ||
		er.Type != "https://api.x.com/2/problems/client-forbidden" {
		t.Errorf("err = %v, want a 403 client-forbidden problem", err)
	}
}

func TestFaults_RateLimitResetIsSecondsFromNowAndEndsThen(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultRateLimit, Endpoint: "timeline", ResetInSeconds: 5})
	id := h.userID("gopher")
	_, err := h.tw.UserTweetTimeline(context.Background(), id, twitter.UserTweetTimelineOpts{})
	rl, ok := twitter.RateLimitFromError(err)
	if !ok || rl.Remaining != 0 || rl.Reset.Time().Unix() != testStart.Add(5*time.Second).Unix() {
		t.Fatalf("err = %v with rate limit %+v, want remaining 0 and reset in 5 s", err, rl)
	}
	h.clock.Advance(5 * time.Second)
	if _, err := h.tw.UserTweetTimeline(context.Background(), id, twitter.UserTweetTimelineOpts{}); err != nil {
		t.Errorf("after the reset: %v, want success", err)
	}
}

func TestFaults_HitOnlyTheirGroupAndTheirCount(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultServerErrorJSON, Endpoint: "search", Count: 2})
	steps := []struct {
		path string
		want int
	}{
		{"/2/users/by/username/gopher", 200},
		{"/2/tweets/search/recent?query=a", 500},
		{"/2/tweets/search/recent?query=a", 500},
		{"/2/tweets/search/recent?query=a", 200},
	}
	for i, s := range steps {
		if resp, _ := h.get(s.path); resp.StatusCode != s.want {
			t.Errorf("step %d %s: status %d, want %d", i, s.path, resp.StatusCode, s.want)
		}
	}
	setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultNonJSON})
	h.sim.ClearFaults()
	if resp, _ := h.get("/2/users/by/username/gopher"); resp.StatusCode != http.StatusOK {
		t.Errorf("after ClearFaults: status %d, want 200", resp.StatusCode)
	}
}

func TestFaults_ClientSideErrors(t *testing.T) {
	tests := []struct {
		mode  twittersim.FaultMode
		check func(err error) bool
		want  string
	}{
		{twittersim.FaultTruncated, isDecodeError, "a ResponseDecodeError"},
		{twittersim.FaultNonJSON, isDecodeError, "a ResponseDecodeError"},
		{twittersim.FaultServerError, func(err error) bool {
			var he *twitter.HTTPError
			return errors.As(err, &he) && he.StatusCode == http.StatusServiceUnavailable
		}, "an HTTPError 503"},
	}
	for _, tt := range tests {
		t.Run(string(tt.mode), func(t *testing.T) {
			h := newHarness(t, twittersim.Config{})
			h.post("gopher", 20)
			id := h.userID("gopher")
			setFault(t, h, twittersim.FaultSpec{Mode: tt.mode, Endpoint: "timeline"})
			_, err := h.tw.UserTweetTimeline(context.Background(), id, twitter.UserTweetTimelineOpts{})
			if !tt.check(err) {
				t.Errorf("err = %v (%T), want %s", err, err, tt.want)
			}
		})
	}
}

func isDecodeError(err error) bool {
	var de *twitter.ResponseDecodeError
	return errors.As(err, &de)
}

func TestFaults_TruncatedBodyIsHalfTheJSON(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("gopher", 20)
	path := "/2/users/" + h.userID("gopher") + "/tweets"
	_, full := h.get(path)
	setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultTruncated, Count: 1})
	resp, cut := h.get(path)
	if resp.StatusCode != http.StatusOK || len(cut) != len(full)/2 || string(cut) != string(full[:len(full)/2]) {
		t.Errorf("got %d with %d bytes, want 200 with the first %d of %d bytes",
			resp.StatusCode, len(cut), len(full)/2, len(full))
	}
	if json.Valid(cut) {
		t.Error("truncated body is valid JSON")
	}
}

func TestFaults_ResetClosesTheConnection(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultReset, Count: 1})
	// A fresh connection: on a reused one the transport would quietly retry the GET.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	tw := &twitter.Client{Authorizer: bearer(testToken), Client: client, Host: h.srv.URL}
	_, err := tw.UserNameLookup(context.Background(), []string{"gopher"}, twitter.UserLookupOpts{})
	var er *twitter.ErrorResponse
	var he *twitter.HTTPError
	if err == nil || errors.As(err, &er) || errors.As(err, &he) {
		t.Fatalf("err = %v, want a connection error", err)
	}
	if got := h.sim.Stats().Requests["users"][twittersim.OutcomeReset]; got != 1 {
		t.Errorf("stats users reset = %d, want 1", got)
	}
}

func TestFaults_TimeoutHoldsTheRequest(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	t.Run("client gives up", func(t *testing.T) {
		setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultTimeout, Count: 1, DelayMS: 60000})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := h.tw.UserNameLookup(ctx, []string{"gopher"}, twitter.UserLookupOpts{})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
	})
	t.Run("answer comes after the delay", func(t *testing.T) {
		setFault(t, h, twittersim.FaultSpec{Mode: twittersim.FaultTimeout, Count: 1, DelayMS: 40})
		began := time.Now()
		resp := lookup(t, h, "gopher")
		if took := time.Since(began); took < 40*time.Millisecond || resp.Raw.Users[0] == nil {
			t.Errorf("took %s with users %v, want at least 40ms and gopher", took, resp.Raw.Users)
		}
	})
}

func TestFaults_InvalidSpecsAreRejected(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	tests := []twittersim.FaultSpec{
		{Mode: "meteor"},
		{Mode: twittersim.FaultReset, Endpoint: "likes"},
		{Mode: twittersim.FaultReset, Count: -1},
	}
	for _, f := range tests {
		t.Run(string(f.Mode)+" "+f.Endpoint+" "+strconv.Itoa(f.Count), func(t *testing.T) {
			if err := h.sim.SetFault(f); err == nil {
				t.Errorf("SetFault(%+v) succeeded, want an error", f)
			}
		})
	}
}
