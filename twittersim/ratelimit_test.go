package twittersim_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"

	"github.com/tweetflow/tweetflow/twittersim"
)

func TestParseRateLimits(t *testing.T) {
	tests := []struct {
		spec    string
		want    twittersim.RateLimits
		wantErr bool
	}{
		{spec: "", want: twittersim.DefaultRateLimits()},
		{
			spec: "timeline=10000,search=450,users=300",
			want: twittersim.RateLimits{Timeline: 10000, Search: 450, Users: 300},
		},
		{spec: "search=60", want: twittersim.RateLimits{Timeline: 10000, Search: 60, Users: 300}},
		{spec: " users = 3 , timeline=5", want: twittersim.RateLimits{Timeline: 5, Search: 450, Users: 3}},
		{spec: "search", wantErr: true},
		{spec: "search=lots", wantErr: true},
		{spec: "search=0", wantErr: true},
		{spec: "likes=5", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			got, err := twittersim.ParseRateLimits(tt.spec)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error = %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestRateLimit_HeadersCountDownAnd429AfterTheLimit(t *testing.T) {
	h := newHarness(t, twittersim.Config{RateLimits: twittersim.RateLimits{Users: 3}})
	windowEnd := testStart.Truncate(15 * time.Minute).Add(15 * time.Minute).Unix()
	for i, wantRemaining := range []int{2, 1, 0} {
		resp := lookup(t, h, "gopher")
		want := twitter.RateLimit{Limit: 3, Remaining: wantRemaining, Reset: twitter.Epoch(windowEnd)}
		if resp.RateLimit == nil || *resp.RateLimit != want {
			t.Errorf("request %d: rate limit %+v, want %+v", i, resp.RateLimit, want)
		}
	}
	_, err := h.tw.UserNameLookup(context.Background(), []string{"gopher"}, twitter.UserLookupOpts{})
	var er *twitter.ErrorResponse
	if !errors.As(err, &er) || er.StatusCode != http.StatusTooManyRequests || er.Title != "Too Many Requests" ||
		er.Type != "about:blank" {
		t.Fatalf("fourth request: err = %v, want a 429 Too Many Requests", err)
	}
	if er.RateLimit == nil || er.RateLimit.Remaining != 0 {
		t.Errorf("429 rate limit = %+v, want remaining 0", er.RateLimit)
	}
	resp, body := h.get("/2/users/by/username/gopher")
	if string(body) != wantTooMany {
		t.Errorf("429 body = %s, want %s", body, wantTooMany)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("content-type = %q, want application/problem+json", got)
	}
	if got := resp.Header.Get("x-rate-limit-reset"); got != strconv.FormatInt(windowEnd, 10) {
		t.Errorf("x-rate-limit-reset = %s, want %d", got, windowEnd)
	}
}

func TestRateLimit_NewWindowStartsAtTheReset(t *testing.T) {
	h := newHarness(t, twittersim.Config{RateLimits: twittersim.RateLimits{Search: 1}})
	if _, err := h.tw.TweetRecentSearch(context.Background(), "a", twitter.TweetRecentSearchOpts{}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := h.get("/2/tweets/search/recent?query=a"); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second search status = %d, want 429", resp.StatusCode)
	}
	h.clock.Set(testStart.Truncate(15 * time.Minute).Add(15 * time.Minute))
	if resp, body := h.get("/2/tweets/search/recent?query=a"); resp.StatusCode != http.StatusOK {
		t.Errorf("search in the next window: status %d, want 200; body %s", resp.StatusCode, body)
	}
}

func TestRateLimit_GroupsAreCountedSeparately(t *testing.T) {
	h := newHarness(t, twittersim.Config{RateLimits: twittersim.RateLimits{Users: 1, Timeline: 2}})
	id := h.userID("gopher")
	for i := range 2 {
		if resp, _ := h.get("/2/users/" + id + "/tweets"); resp.StatusCode != http.StatusOK {
			t.Errorf("timeline request %d: status %d, want 200", i, resp.StatusCode)
		}
	}
	if resp, _ := h.get("/2/users/" + id + "/tweets"); resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("third timeline request: status %d, want 429", resp.StatusCode)
	}
	resp, _ := h.get("/2/tweets/search/recent?query=a")
	if got := resp.Header.Get("x-rate-limit-remaining"); got != "449" {
		t.Errorf("search remaining = %s, want 449", got)
	}
}
