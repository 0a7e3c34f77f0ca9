package twittersim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"

	"github.com/tweetflow/tweetflow/twittersim"
)

// walkTimeline follows next_token from the first page and returns every tweet id in
// the order served, plus the metas of the pages.
func walkTimeline(t *testing.T, h *harness, userID string, opts twitter.UserTweetTimelineOpts,
	between func(page int),
) ([]string, []*twitter.UserTimelineMeta) {
	t.Helper()
	var got []string
	var metas []*twitter.UserTimelineMeta
	for page := 0; page < 1000; page++ {
		resp, err := h.tw.UserTweetTimeline(context.Background(), userID, opts)
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		got = append(got, tweetIDs(resp.Raw.Tweets)...)
		metas = append(metas, resp.Meta)
		if resp.Meta.NextToken == "" {
			return got, metas
		}
		if between != nil {
			between(page)
		}
		opts.PaginationToken = resp.Meta.NextToken
	}
	t.Fatal("walk did not end")
	return nil, nil
}

func TestTimeline_WalkWithSinceIDReturnsNewerTweetsOnceNewestFirst(t *testing.T) {
	tests := []struct {
		name       string
		posts      int
		sinceIndex int
		maxResults int
	}{
		{name: "several pages", posts: 57, sinceIndex: 9, maxResults: 5},
		{name: "exact multiple of page size", posts: 40, sinceIndex: 19, maxResults: 10},
		{name: "single short page", posts: 8, sinceIndex: 2, maxResults: 100},
		{name: "default page size", posts: 25, sinceIndex: 0, maxResults: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, twittersim.Config{})
			made := h.post("gopher", tt.posts)
			opts := twitter.UserTweetTimelineOpts{SinceID: made[tt.sinceIndex].ID, MaxResults: tt.maxResults}
			got, metas := walkTimeline(t, h, h.userID("gopher"), opts, nil)
			want := reversed(ids(made[tt.sinceIndex+1:]))
			if !equalStrings(got, want) {
				t.Errorf("walk got %d ids %v, want %d ids %v", len(got), got, len(want), want)
			}
			checkMetas(t, metas)
		})
	}
}

// checkMetas checks that previous_token is on every page but the first and
// next_token on every page but the last.
func checkMetas(t *testing.T, metas []*twitter.UserTimelineMeta) {
	t.Helper()
	for i, m := range metas {
		if gotPrev, wantPrev := m.PreviousToken != "", i > 0; gotPrev != wantPrev {
			t.Errorf("page %d: has previous_token = %v, want %v", i, gotPrev, wantPrev)
		}
		if gotNext, wantNext := m.NextToken != "", i < len(metas)-1; gotNext != wantNext {
			t.Errorf("page %d: has next_token = %v, want %v", i, gotNext, wantNext)
		}
		if m.ResultCount == 0 {
			t.Errorf("page %d: result_count 0", i)
		}
	}
}

func TestTimeline_TweetsPostedMidWalkDoNotAppearOnLaterPages(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	made := h.post("gopher", 30)
	var late []twittersim.TruthTweet
	between := func(int) {
		h.clock.Advance(time.Minute)
		late = append(late, h.post("gopher", 3)...)
	}
	got, _ := walkTimeline(t, h, h.userID("gopher"), twitter.UserTweetTimelineOpts{MaxResults: 10}, between)
	if want := reversed(ids(made)); !equalStrings(got, want) {
		t.Errorf("walk got %v, want the %d tweets from before the walk %v", got, len(want), want)
	}
	if len(late) == 0 {
		t.Fatal("no tweets were posted during the walk")
	}
}

func TestTimeline_OnlyNewest3200AreReachable(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	made := h.post("gopher", 3300)
	want := reversed(ids(made[100:]))
	tests := []struct {
		name string
		opts twitter.UserTweetTimelineOpts
	}{
		{name: "no since_id", opts: twitter.UserTweetTimelineOpts{MaxResults: 100}},
		{
			name: "since_id older than the depth",
			opts: twitter.UserTweetTimelineOpts{MaxResults: 100, SinceID: made[0].ID},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := walkTimeline(t, h, h.userID("gopher"), tt.opts, nil)
			if len(got) != twittersim.TimelineDepth || !equalStrings(got, want) {
				t.Errorf("walk got %d tweets, want the newest %d", len(got), len(want))
			}
		})
	}
}

func TestTimeline_PreviousTokenLeadsBackToTheNewerPage(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("gopher", 25)
	id := h.userID("gopher")
	withToken := func(token string) twitter.UserTweetTimelineOpts {
		return twitter.UserTweetTimelineOpts{MaxResults: 10, PaginationToken: token}
	}
	first := timelinePage(t, h, id, withToken(""))
	second := timelinePage(t, h, id, withToken(first.Meta.NextToken))
	back := timelinePage(t, h, id, withToken(second.Meta.PreviousToken))
	if got, want := tweetIDs(back.Raw.Tweets), tweetIDs(first.Raw.Tweets); !equalStrings(got, want) {
		t.Errorf("previous page got %v, want the first page %v", got, want)
	}
	if back.Meta.NextToken == "" {
		t.Error("previous page has no next_token")
	}
	again := timelinePage(t, h, id, withToken(first.Meta.NextToken))
	if got, want := tweetIDs(again.Raw.Tweets), tweetIDs(second.Raw.Tweets); !equalStrings(got, want) {
		t.Errorf("same token again got %v, want %v", got, want)
	}
}

func timelinePage(t *testing.T, h *harness, id string,
	opts twitter.UserTweetTimelineOpts,
) *twitter.UserTweetTimelineResponse {
	t.Helper()
	resp, err := h.tw.UserTweetTimeline(context.Background(), id, opts)
	if err != nil {
		t.Fatalf("timeline: %v", err)
	}
	return resp
}

func TestTimeline_TimeBoundsAreInclusive(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	var made []twittersim.TruthTweet
	for range 5 {
		made = append(made, h.post("gopher", 1)...)
		h.clock.Advance(10 * time.Second)
	}
	opts := twitter.UserTweetTimelineOpts{
		StartTime: made[1].CreatedAt.Truncate(time.Second),
		EndTime:   made[3].CreatedAt.Truncate(time.Second),
	}
	got := tweetIDs(timelinePage(t, h, h.userID("gopher"), opts).Raw.Tweets)
	if want := reversed(ids(made[1:4])); !equalStrings(got, want) {
		t.Errorf("start %s end %s: got %v, want %v", opts.StartTime, opts.EndTime, got, want)
	}
}

func TestTimeline_EmptyResultHasOnlyMeta(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	made := h.post("gopher", 3)
	_, body := h.get(fmt.Sprintf("/2/users/%s/tweets?since_id=%s", h.userID("gopher"), made[2].ID))
	if got, want := string(body), `{"meta":{"result_count":0}}`+"\n"; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestTimeline_DefaultFieldsAndRequestedFields(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	made := h.post("gopher", 1)
	id := h.userID("gopher")
	tests := []struct {
		name   string
		query  string
		wantIn []string
		wantNo []string
	}{
		{
			name: "default", wantIn: []string{"id", "text", "edit_history_tweet_ids"},
			wantNo: []string{"created_at", "author_id", "lang"},
		},
		{
			name: "created_at and author_id", query: "tweet.fields=created_at,author_id,lang,public_metrics",
			wantIn: []string{"created_at", "author_id", "lang", "public_metrics"},
			wantNo: []string{"conversation_id"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, body := h.getJSON("/2/users/" + id + "/tweets?" + tt.query)
			tw := body["data"].([]any)[0].(map[string]any)
			for _, f := range tt.wantIn {
				if _, ok := tw[f]; !ok {
					t.Errorf("field %s missing from %v", f, tw)
				}
			}
			for _, f := range tt.wantNo {
				if _, ok := tw[f]; ok {
					t.Errorf("field %s present in %v", f, tw)
				}
			}
		})
	}
	_, body := h.getJSON("/2/users/" + id + "/tweets?tweet.fields=created_at")
	got := body["data"].([]any)[0].(map[string]any)["created_at"]
	if want := made[0].CreatedAt.Truncate(time.Second).Format("2006-01-02T15:04:05.000Z"); got != want {
		t.Errorf("created_at = %v, want %s", got, want)
	}
}

func TestTimeline_ExcludeRetweetsDropsRetweets(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("rabbit", 50)
	made := h.post("gopher", 200)
	opts := twitter.UserTweetTimelineOpts{MaxResults: 100, Excludes: []twitter.Exclude{twitter.ExcludeRetweets}}
	got, _ := walkTimeline(t, h, h.userID("gopher"), opts, nil)
	var want []string
	for _, tw := range made {
		if tw.Kind != twittersim.KindRetweet {
			want = append(want, tw.ID)
		}
	}
	if want = reversed(want); !equalStrings(got, want) || len(want) == len(made) {
		t.Errorf("got %d tweets, want the %d of %d that are not retweets", len(got), len(want), len(made))
	}
}

func TestTimeline_UnknownUserIsNotFoundWithStatus200(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	status, body := h.getJSON("/2/users/12345/tweets")
	if status != http.StatusOK {
		t.Errorf("status = %d, want 200", status)
	}
	errs, _ := body["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("errors = %v, want one", body["errors"])
	}
	e := errs[0].(map[string]any)
	want := map[string]any{
		"parameter": "id", "value": "12345", "resource_id": "12345", "title": "Not Found Error",
		"resource_type": "user", "detail": "Could not find user with id: [12345].",
		"type": "https://api.twitter.com/2/problems/resource-not-found",
	}
	for k, v := range want {
		if e[k] != v {
			t.Errorf("errors[0].%s = %v, want %v", k, e[k], v)
		}
	}
}

func TestTimeline_GarbageTokenIsRejected(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("gopher", 20)
	gopher, rabbit := h.userID("gopher"), h.userID("rabbit")
	good := timelinePage(t, h, gopher, twitter.UserTweetTimelineOpts{}).Meta.NextToken
	tests := []struct {
		name   string
		userID string
		token  string
	}{
		{name: "not base32", userID: gopher, token: "!!!"},
		{name: "random text", userID: gopher, token: "7140dibdnow9c7btw"},
		{name: "one character changed", userID: gopher, token: flip(good)},
		{name: "token of another user", userID: rabbit, token: good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.get("/2/users/" + tt.userID + "/tweets?pagination_token=" + url.QueryEscape(tt.token))
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d, want 400; body %s", resp.StatusCode, body)
			}
		})
	}
}

// flip changes the middle character of s.
func flip(s string) string {
	b := []byte(s)
	i := len(b) / 2
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}
