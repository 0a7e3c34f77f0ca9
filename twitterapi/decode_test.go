package twitterapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

// newReplayHarness starts a simulator that answers path with status and body.
func newReplayHarness(t *testing.T, path string, status int, body string) *harness {
	t.Helper()
	rec, err := json.Marshal(twittersim.Recording{
		Request:  twittersim.RecordedRequest{Method: "GET", Path: path},
		Response: twittersim.RecordedResponse{Status: status, Body: json.RawMessage(body)},
	})
	if err != nil {
		t.Fatalf("marshal recording: %v", err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "answer.json"), rec, 0o600); err != nil {
		t.Fatal(err)
	}
	return newHarness(t, twittersim.Config{ReplayDir: dir})
}

const deletedOriginal = `{"value":"99","detail":"Could not find tweet with referenced_tweets.id: [99].",
	"title":"Not Found Error","resource_type":"tweet","parameter":"referenced_tweets.id",
	"resource_id":"99","type":"https://api.twitter.com/2/problems/resource-not-found"}`

// Shapes the generator never makes: replies, missing originals, partial errors, every
// metric, and broken fields.
func TestUserTimeline_DecodesRecordedAnswers(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		body       string
		want       []twitterapi.Tweet // Raw is not compared
		wantErrors []twitterapi.Problem
		// wantBad is a fragment of the KindBadResponse error expected; "" for success.
		wantBad string
	}{
		{
			name: "retweet whose original was deleted keeps the served text",
			body: `{"data":[{"id":"101","text":"RT @someone: cut short…","author_id":"42",
				"created_at":"2026-03-02T09:00:00.000Z","referenced_tweets":[{"type":"retweeted","id":"99"}]}],
				"errors":[` + deletedOriginal + `],"meta":{"result_count":1,"newest_id":"101","oldest_id":"101"}}`,
			want: []twitterapi.Tweet{{ID: 101, AuthorID: 42, Text: "RT @someone: cut short…", CreatedAt: at, RetweetedID: 99}},
			wantErrors: []twitterapi.Problem{{
				Title: "Not Found Error", ResourceType: "tweet", Parameter: "referenced_tweets.id",
				Detail: "Could not find tweet with referenced_tweets.id: [99].", Value: "99",
				Type: "https://api.twitter.com/2/problems/resource-not-found",
			}},
		},
		{
			name: "reply with every metric and a long note",
			body: `{"data":[{"id":"102","text":"short…","author_id":"42","conversation_id":"90","lang":"de",
				"created_at":"2026-03-02T09:00:00.000Z","note_tweet":{"text":"the whole text"},
				"referenced_tweets":[{"type":"replied_to","id":"91"},{"type":"quoted","id":"92"}],
				"public_metrics":{"retweet_count":1,"reply_count":2,"like_count":3,"quote_count":4,
				"bookmark_count":5,"impression_count":6}}],"meta":{"result_count":1}}`,
			want: []twitterapi.Tweet{{
				ID: 102, AuthorID: 42, ConversationID: 90, Text: "the whole text", Lang: "de",
				CreatedAt: at, RepliedToID: 91, QuotedID: 92,
				Metrics: twitterapi.Metrics{Retweets: 1, Replies: 2, Likes: 3, Quotes: 4, Bookmarks: 5, Impressions: 6},
			}},
		},
		{
			name: "no data",
			body: `{"meta":{"result_count":0}}`,
			want: []twitterapi.Tweet{},
		},
		{
			name:    "an id that is not a number",
			body:    `{"data":[{"id":"abc","text":"x","author_id":"42","created_at":"2026-03-02T09:00:00.000Z"}]}`,
			wantBad: `id "abc" is not a tweet or user id`,
		},
		{
			name:    "a missing author",
			body:    `{"data":[{"id":"103","text":"x","created_at":"2026-03-02T09:00:00.000Z"}]}`,
			wantBad: `tweet 103: author_id "" is not a tweet or user id`,
		},
		{
			name:    "a time that is not RFC 3339",
			body:    `{"data":[{"id":"104","text":"x","author_id":"42","created_at":"02/03/2026"}]}`,
			wantBad: "tweet 104: created_at: ",
		},
		{
			name:    "data that is not a list",
			body:    `{"data":{"id":"105"}}`,
			wantBad: "decode page: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newReplayHarness(t, "/2/users/42/tweets", 200, tt.body)
			c := h.client(twitterapi.Options{Timeout: 5 * time.Second})

			p, err := c.UserTimeline(context.Background(), "42", twitterapi.PageQuery{})

			if tt.wantBad != "" {
				checkBadResponse(t, err, "timeline: bad response (HTTP 200): ", tt.wantBad)
				return
			}
			if err != nil {
				t.Fatalf("UserTimeline: %v", err)
			}
			checkTweetsExceptRaw(t, p.Tweets, tt.want)
			if !reflect.DeepEqual(p.Errors, tt.wantErrors) {
				t.Errorf("Errors =\n%+v\nwant\n%+v", p.Errors, tt.wantErrors)
			}
		})
	}
}

func TestLookupUser_RefusesABrokenAnswer(t *testing.T) {
	tests := []struct {
		name string
		body string
		want string
	}{
		{
			name: "an id that is not a number", body: `{"data":{"id":"x1","username":"gopher","name":"G"}}`,
			want: `id "x1" is not a tweet or user id`,
		},
		{name: "data that is not an object", body: `{"data":[1,2]}`, want: "decode user: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newReplayHarness(t, "/2/users/by/username/gopher", 200, tt.body)
			c := h.client(twitterapi.Options{Timeout: 5 * time.Second})

			u, err := c.LookupUser(context.Background(), "gopher")

			if u != nil {
				t.Errorf("LookupUser = %+v, want no user", *u)
			}
			checkBadResponse(t, err, "users: bad response (HTTP 200): ", tt.want)
		})
	}
}

// checkBadResponse checks that err is a KindBadResponse *Error of a 200 answer whose
// message starts with prefix and contains fragment.
func checkBadResponse(t *testing.T, err error, prefix, fragment string) {
	t.Helper()
	ae, ok := errors.AsType[*twitterapi.Error](err)
	if !ok || ae.Kind != twitterapi.KindBadResponse || ae.Status != 200 {
		t.Fatalf("error = %v, want a %s *twitterapi.Error with status 200", err, twitterapi.KindBadResponse)
	}
	checkMessage(t, err, prefix, fragment)
}

// checkTweetsExceptRaw checks that every Raw is valid JSON and the rest equals want.
func checkTweetsExceptRaw(t *testing.T, got, want []twitterapi.Tweet) {
	t.Helper()
	got = slices.Clone(got)
	for i := range got {
		if !json.Valid(got[i].Raw) {
			t.Errorf("tweet %d: Raw %q is not valid JSON", got[i].ID, got[i].Raw)
		}
		got[i].Raw = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Tweets =\n%+v\nwant\n%+v", got, want)
	}
}
