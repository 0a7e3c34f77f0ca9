package twittersim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

// invalidBody is the shape of a 400 response.
type invalidBody struct {
	Errors []struct {
		Parameters map[string][]string `json:"parameters"`
		Message    string              `json:"message"`
	} `json:"errors"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Type   string `json:"type"`
}

func TestValidation_InvalidParametersGet400(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("gopher", 1)
	tl := "/2/users/" + h.userID("gopher") + "/tweets?"
	sr := "/2/tweets/search/recent?query=golang&"
	at := func(d time.Duration) string { return url.QueryEscape(testStart.Add(d).Format(time.RFC3339)) }
	tests := []struct {
		name        string
		path        string
		wantMessage string
	}{
		{
			"timeline max_results below 5", tl + "max_results=4",
			"The `max_results` query parameter value [4] is not between 5 and 100",
		},
		{
			"timeline max_results above 100", tl + "max_results=101",
			"value [101] is not between 5 and 100",
		},
		{
			"timeline max_results not a number", tl + "max_results=ten",
			"value [ten] is not between 5 and 100",
		},
		{
			"timeline since_id not digits", tl + "since_id=12ab",
			"The `since_id` query parameter value [12ab] does not match ^[0-9]{1,19}$",
		},
		{
			"timeline until_id 20 digits", tl + "until_id=12345678901234567890",
			"does not match ^[0-9]{1,19}$",
		},
		{
			"timeline start_time not a time", tl + "start_time=yesterday",
			"The `start_time` query parameter value [yesterday] is not a valid time",
		},
		{
			"timeline end_time with milliseconds", tl + "end_time=2026-03-01T10:00:00.123Z",
			"is not a valid time",
		},
		{
			"timeline start_time before 2010-11-06", tl + "start_time=2010-01-01T00:00:00Z",
			"must be on or after 2010-11-06T00:00:00Z",
		},
		{
			"timeline unknown tweet field", tl + "tweet.fields=created_at,colour",
			"The `tweet.fields` query parameter value [colour] is not one of [article,",
		},
		{
			"timeline unknown expansion", tl + "expansions=author",
			"The `expansions` query parameter value [author] is not one of",
		},
		{
			"timeline unknown exclude", tl + "exclude=quotes",
			"The `exclude` query parameter value [quotes] is not one of [replies,retweets]",
		},
		{
			"timeline unknown parameter", tl + "count=5",
			"The query parameter [count] is not one of [exclude,max_results,",
		},
		{
			"timeline bad user id", "/2/users/abc/tweets",
			"The `id` query parameter value [abc] does not match",
		},
		{
			"search without query", "/2/tweets/search/recent",
			"The `query` query parameter can not be empty",
		},
		{
			"search query of 513 characters", "/2/tweets/search/recent?query=" + strings.Repeat("a", 513),
			"the limit is 512",
		},
		{
			"search max_results below 10", sr + "max_results=9",
			"value [9] is not between 10 and 100",
		},
		{
			"search max_results above 100", sr + "max_results=500",
			"value [500] is not between 10 and 100",
		},
		{
			"search previous_token", sr + "previous_token=abc",
			"The query parameter [previous_token] is not one of [query,",
		},
		{
			"search sort_order", sr + "sort_order=oldest",
			"The `sort_order` query parameter value [oldest] is not one of [recency,relevancy]",
		},
		{
			"search start_time over 7 days ago", sr + "start_time=" + at(-8*24*time.Hour),
			"'start_time' must be on or after",
		},
		{
			"search since_id over 7 days ago", sr + "since_id=1000000000000000000",
			"'since_id' must be a tweet id created after",
		},
		{
			"search end_time 5 s ago", sr + "end_time=" + at(-5*time.Second),
			"'end_time' must be a minimum of 10 seconds prior to the request time.",
		},
		{
			"search start_time after end_time", sr + "start_time=" + at(-time.Hour) + "&end_time=" + at(-2*time.Hour),
			"'start_time' must be before 'end_time'",
		},
		{
			"search unbalanced parenthesis", "/2/tweets/search/recent?query=" + url.QueryEscape("(a OR b"),
			"missing closing parenthesis",
		},
		{
			"search only negations", "/2/tweets/search/recent?query=" + url.QueryEscape("-is:retweet"),
			"at least one term that is not negated",
		},
		{
			"search unknown operator", "/2/tweets/search/recent?query=" + url.QueryEscape("colour:red"),
			"Reference to invalid operator 'colour'",
		},
		{
			"search garbage next_token", sr + "next_token=zzzz",
			"The `next_token` query parameter value [zzzz] is not a valid token",
		},
		{
			"username pattern", "/2/users/by/username/not-valid",
			"The `username` query parameter value [not-valid] does not match ^[A-Za-z0-9_]{1,15}$",
		},
		{"username too long", "/2/users/by/username/abcdefghijklmnop", "does not match"},
		{
			"usernames missing", "/2/users/by",
			"The number of values in the `usernames` query parameter list [0] is not between 1 and 100",
		},
		{
			"usernames over 100", "/2/users/by?usernames=" + strings.Repeat("a,", 100) + "a",
			"list [101] is not between 1 and 100",
		},
		{
			"usernames with a bad one", "/2/users/by?usernames=gopher,b%20d",
			"The `usernames` query parameter value [b d] does not match",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := expectInvalid(t, h, tt.path)
			if !anyMessageContains(body, tt.wantMessage) {
				t.Errorf("messages %+v do not contain %q", body.Errors, tt.wantMessage)
			}
		})
	}
}

func expectInvalid(t *testing.T, h *harness, path string) invalidBody {
	t.Helper()
	resp, raw := h.get(path)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400; body %s", resp.StatusCode, raw)
	}
	if got := resp.Header.Get("Content-Type"); got != "application/problem+json" {
		t.Errorf("content-type = %q, want application/problem+json", got)
	}
	var body invalidBody
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if body.Title != "Invalid Request" || body.Type != "https://api.twitter.com/2/problems/invalid-request" {
		t.Errorf("title, type = %q, %q; want the invalid-request problem", body.Title, body.Type)
	}
	return body
}

func anyMessageContains(body invalidBody, want string) bool {
	for _, e := range body.Errors {
		if strings.Contains(e.Message, want) {
			return true
		}
	}
	return false
}

func TestValidation_SearchIDWithTimeIsRejected(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	made := h.post("gopher", 1)
	start := url.QueryEscape(testStart.Add(-time.Hour).Format(time.RFC3339))
	end := url.QueryEscape(testStart.Add(-time.Minute).Format(time.RFC3339))
	tests := []struct{ name, query string }{
		{"since_id with start_time", "since_id=" + made[0].ID + "&start_time=" + start},
		{"until_id with end_time", "until_id=" + made[0].ID + "&end_time=" + end},
	}
	want := "Invalid use of 'since_id' or 'until_id' in conjunction with 'start_time' or 'end_time'."
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := expectInvalid(t, h, "/2/tweets/search/recent?query=golang&"+tt.query)
			if body.Detail != want {
				t.Errorf("detail = %q, want %q", body.Detail, want)
			}
		})
	}
}

func TestValidation_TimesWithOffsetsAreAccepted(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("gopher", 1)
	for _, v := range []string{"2026-03-01T10:00:00Z", "2026-03-01T11:00:00+01:00", "2026-03-01T05:00:00-05:00"} {
		t.Run(v, func(t *testing.T) {
			resp, body := h.get("/2/users/" + h.userID("gopher") + "/tweets?start_time=" + url.QueryEscape(v))
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status = %d, want 200; body %s", resp.StatusCode, body)
			}
		})
	}
}

func TestValidation_MissingOrWrongTokenGets401(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	tests := []struct{ name, auth string }{
		{"no header", ""},
		{"wrong token", "Bearer nope"},
		{"basic scheme", "Basic " + testToken},
		{"token without scheme", testToken},
	}
	paths := []string{"/2/users/by/username/gopher", "/2/tweets/search/recent?query=a", "/2/users/1/tweets"}
	want := `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`
	for _, tt := range tests {
		for _, path := range paths {
			t.Run(tt.name+" "+path, func(t *testing.T) {
				resp, body := h.getWith(path, tt.auth)
				if resp.StatusCode != http.StatusUnauthorized || string(body) != want {
					t.Errorf("got %d %s, want 401 %s", resp.StatusCode, body, want)
				}
				if got := resp.Header.Get("Content-Type"); got != "application/problem+json" {
					t.Errorf("content-type = %q, want application/problem+json", got)
				}
			})
		}
	}
}
