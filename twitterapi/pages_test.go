package twitterapi_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

// newWorldHarness starts a simulator with six hours of history: gopher posts about once
// a minute, rabbit (whose posts gopher retweets and quotes) every three. Search shows
// tweets at once.
func newWorldHarness(t *testing.T) *harness {
	t.Helper()
	return newHarness(t, twittersim.Config{
		Seed: 1,
		Accounts: []twittersim.AccountSpec{
			{Username: "gopher", Interval: time.Minute},
			{Username: "rabbit", Interval: 3 * time.Minute},
		},
		History: 6 * time.Hour,
	})
}

// walk fetches pages with next until one has no NextToken, checking each page's own
// bounds, and returns the pages.
func walk(t *testing.T, next func(q twitterapi.PageQuery) (*twitterapi.Page, error),
	q twitterapi.PageQuery,
) []*twitterapi.Page {
	t.Helper()
	var pages []*twitterapi.Page
	for {
		p, err := next(q)
		if err != nil {
			t.Fatalf("page %d (%v): %v", len(pages)+1, q, err)
		}
		checkPageBounds(t, len(pages)+1, p)
		pages = append(pages, p)
		if p.NextToken == "" {
			return pages
		}
		if len(pages) > 100 {
			t.Fatalf("walk did not end after %d pages", len(pages))
		}
		q.Token = p.NextToken
	}
}

func checkPageBounds(t *testing.T, n int, p *twitterapi.Page) {
	t.Helper()
	if len(p.Tweets) > twitterapi.MaxResults {
		t.Errorf("page %d: %d tweets, want at most %d", n, len(p.Tweets), twitterapi.MaxResults)
	}
	if p.ResultCount != len(p.Tweets) {
		t.Errorf("page %d: ResultCount = %d, want %d", n, p.ResultCount, len(p.Tweets))
	}
	if len(p.Tweets) == 0 {
		return
	}
	if newest := strconv.FormatInt(p.Tweets[0].ID, 10); p.NewestID != newest {
		t.Errorf("page %d: NewestID = %q, want the first tweet's %q", n, p.NewestID, newest)
	}
	if oldest := strconv.FormatInt(p.Tweets[len(p.Tweets)-1].ID, 10); p.OldestID != oldest {
		t.Errorf("page %d: OldestID = %q, want the last tweet's %q", n, p.OldestID, oldest)
	}
}

// tweetsOf joins the tweets of pages.
func tweetsOf(pages []*twitterapi.Page) []twitterapi.Tweet {
	var all []twitterapi.Tweet
	for _, p := range pages {
		all = append(all, p.Tweets...)
	}
	return all
}

// newestFirst returns truth in the order the API serves it.
func newestFirst(truth []twittersim.TruthTweet) []twittersim.TruthTweet {
	out := slices.Clone(truth)
	slices.Reverse(out)
	return out
}

// checkTweets compares tweets with the simulator's ground truth, one by one.
func checkTweets(t *testing.T, got []twitterapi.Tweet, want []twittersim.TruthTweet) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d tweets, want %d", len(got), len(want))
	}
	for i := range want {
		checkTweet(t, got[i], want[i])
	}
}

func checkTweet(t *testing.T, got twitterapi.Tweet, want twittersim.TruthTweet) {
	t.Helper()
	id := strconv.FormatInt(got.ID, 10)
	if id != want.ID {
		t.Fatalf("tweet ID = %s, want %s", id, want.ID)
	}
	if author := strconv.FormatInt(got.AuthorID, 10); author != want.AuthorID {
		t.Errorf("tweet %s: AuthorID = %s, want %s", id, author, want.AuthorID)
	}
	if got.ConversationID != got.ID {
		t.Errorf("tweet %s: ConversationID = %d, want the tweet's own id", id, got.ConversationID)
	}
	if got.Text != want.FullText {
		t.Errorf("tweet %s (%s): Text =\n%q\nwant\n%q", id, want.Kind, got.Text, want.FullText)
	}
	// The API serves created_at in whole seconds; the truth keeps the milliseconds.
	if wantAt := want.CreatedAt.Truncate(time.Second); !got.CreatedAt.Equal(wantAt) {
		t.Errorf("tweet %s: CreatedAt = %v, want %v", id, got.CreatedAt, wantAt)
	}
	if got.Lang != want.Lang {
		t.Errorf("tweet %s: Lang = %q, want %q", id, got.Lang, want.Lang)
	}
	checkReferences(t, got, want)
	checkRaw(t, got, want)
}

func checkReferences(t *testing.T, got twitterapi.Tweet, want twittersim.TruthTweet) {
	t.Helper()
	var wantRT, wantQuote string
	switch want.Kind {
	case twittersim.KindRetweet:
		wantRT = want.ReferencedID
	case twittersim.KindQuote:
		wantQuote = want.ReferencedID
	}
	if rt := idOrEmpty(got.RetweetedID); rt != wantRT {
		t.Errorf("tweet %d: RetweetedID = %q, want %q", got.ID, rt, wantRT)
	}
	if quoted := idOrEmpty(got.QuotedID); quoted != wantQuote {
		t.Errorf("tweet %d: QuotedID = %q, want %q", got.ID, quoted, wantQuote)
	}
	if got.RepliedToID != 0 {
		t.Errorf("tweet %d: RepliedToID = %d, want 0", got.ID, got.RepliedToID)
	}
}

func idOrEmpty(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// checkRaw checks that Raw is the tweet's own object as served.
func checkRaw(t *testing.T, got twitterapi.Tweet, want twittersim.TruthTweet) {
	t.Helper()
	if !json.Valid(got.Raw) {
		t.Errorf("tweet %s: Raw is not valid JSON: %q", want.ID, got.Raw)
		return
	}
	var raw struct {
		ID        string          `json:"id"`
		Text      string          `json:"text"`
		NoteTweet json.RawMessage `json:"note_tweet"`
	}
	if err := json.Unmarshal(got.Raw, &raw); err != nil {
		t.Errorf("tweet %s: Raw: %v", want.ID, err)
		return
	}
	if raw.ID != want.ID || raw.Text != want.Text {
		t.Errorf("tweet %s: Raw holds id %q text %q, want id %q text %q", want.ID, raw.ID, raw.Text, want.ID, want.Text)
	}
	if hasNote := raw.NoteTweet != nil; hasNote != (want.Kind == twittersim.KindLong) {
		t.Errorf("tweet %s (%s): Raw has note_tweet = %t", want.ID, want.Kind, hasNote)
	}
}

// requireVariety fails the test unless truth holds every kind of text the decoder must
// keep intact, so that a walk over it proves something.
func requireVariety(t *testing.T, truth []twittersim.TruthTweet) {
	t.Helper()
	has := map[string]func(twittersim.TruthTweet) bool{
		"long post": func(tt twittersim.TruthTweet) bool { return tt.Kind == twittersim.KindLong },
		"retweet of a long post": func(tt twittersim.TruthTweet) bool {
			return tt.Kind == twittersim.KindRetweet && runes(tt.FullText) > 280
		},
		"quote": func(tt twittersim.TruthTweet) bool { return tt.Kind == twittersim.KindQuote },
		"&amp;": func(tt twittersim.TruthTweet) bool { return strings.Contains(tt.FullText, "&amp;") },
		"CJK": func(tt twittersim.TruthTweet) bool {
			return hasRune(tt.FullText, unicode.Han, unicode.Hiragana, unicode.Hangul)
		},
		"right-to-left": func(tt twittersim.TruthTweet) bool { return hasRune(tt.FullText, unicode.Arabic, unicode.Hebrew) },
		"emoji":         func(tt twittersim.TruthTweet) bool { return strings.ContainsFunc(tt.FullText, isEmoji) },
	}
	for name, ok := range has {
		if !slices.ContainsFunc(truth, ok) {
			t.Errorf("the simulated tweets have no %s; pick a seed or history that does", name)
		}
	}
	for _, tt := range truth {
		if tt.Kind == twittersim.KindLong && runes(tt.FullText) <= 280 {
			t.Errorf("long tweet %s has only %d characters", tt.ID, runes(tt.FullText))
		}
	}
}

func runes(s string) int { return len([]rune(s)) }

func hasRune(s string, tables ...*unicode.RangeTable) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsOneOf(tables, r) })
}

func isEmoji(r rune) bool { return r >= 0x1F300 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF }

func TestUserTimeline_WalkReturnsEveryTweetAsGenerated(t *testing.T) {
	h := newWorldHarness(t)
	c := h.client(twitterapi.Options{Timeout: 5 * time.Second})
	id := h.userID("gopher")
	truth := h.truth("gopher")
	requireVariety(t, truth)
	next := func(q twitterapi.PageQuery) (*twitterapi.Page, error) {
		return c.UserTimeline(context.Background(), id, q)
	}

	pages := walk(t, next, twitterapi.PageQuery{})

	if want := (len(truth) + twitterapi.MaxResults - 1) / twitterapi.MaxResults; len(pages) != want {
		t.Errorf("walk took %d pages, want %d for %d tweets", len(pages), want, len(truth))
	}
	for i, p := range pages {
		wantRemaining := defaultLimit(twitterapi.EndpointTimeline) - i - 1
		if p.RateLimit == nil || p.RateLimit.Remaining != wantRemaining || !p.RateLimit.Reset.Equal(windowEnd) {
			t.Errorf("page %d: RateLimit = %+v, want remaining %d, reset %v", i+1, p.RateLimit, wantRemaining, windowEnd)
		}
	}
	checkTweets(t, tweetsOf(pages), newestFirst(truth))

	t.Run("since_id gives only newer tweets", func(t *testing.T) {
		made, err := h.sim.Post("gopher", 3)
		if err != nil {
			t.Fatalf("Post: %v", err)
		}
		h.clock.Advance(time.Second)

		got := walk(t, next, twitterapi.PageQuery{SinceID: pages[0].NewestID})

		checkTweets(t, tweetsOf(got), newestFirst(made))
	})
	t.Run("start_time bounds the walk from below", func(t *testing.T) {
		all := h.truth("gopher")
		start := all[len(all)-150].CreatedAt.Truncate(time.Second)
		i := slices.IndexFunc(all, func(tt twittersim.TruthTweet) bool { return !tt.CreatedAt.Before(start) })

		got := walk(t, next, twitterapi.PageQuery{StartTime: start.In(time.FixedZone("CET", 3600))})

		checkTweets(t, tweetsOf(got), newestFirst(all[i:]))
	})
}

// searchWalker returns a page function of query for walk.
func searchWalker(c *twitterapi.Client, query string) func(twitterapi.PageQuery) (*twitterapi.Page, error) {
	return func(q twitterapi.PageQuery) (*twitterapi.Page, error) {
		return c.SearchRecent(context.Background(), query, q)
	}
}

func TestSearchRecent_WalkReturnsEveryMatchAsGenerated(t *testing.T) {
	h := newWorldHarness(t)
	c := h.client(twitterapi.Options{Timeout: 5 * time.Second})
	tests := []struct {
		name  string
		query string
		// varied: the matches hold every kind of text and fill several pages.
		varied bool
	}{
		{name: "one author", query: "from:gopher", varied: true},
		{name: "retweets of both authors", query: "is:retweet"},
		{name: "a non-latin word", query: "コーヒー"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			truth, err := h.sim.TruthQuery(tt.query)
			if err != nil || len(truth) == 0 {
				t.Fatalf("TruthQuery(%q) = %d tweets, %v; want some to search for", tt.query, len(truth), err)
			}
			if tt.varied {
				requireVariety(t, truth)
			}

			pages := walk(t, searchWalker(c, tt.query), twitterapi.PageQuery{})

			checkTweets(t, tweetsOf(pages), newestFirst(truth))
			checkSearchPages(t, pages, tt.varied)
		})
	}
}

func checkSearchPages(t *testing.T, pages []*twitterapi.Page, several bool) {
	t.Helper()
	if several && len(pages) < 2 {
		t.Errorf("walk took %d page, want several", len(pages))
	}
	limit := defaultLimit(twitterapi.EndpointSearch)
	if p := pages[len(pages)-1]; p.RateLimit == nil || p.RateLimit.Limit != limit {
		t.Errorf("last page RateLimit = %s, want limit %d", fmtRate(p.RateLimit), limit)
	}
}

func TestSearchRecent_NoMatchIsAnEmptyLastPage(t *testing.T) {
	h := newWorldHarness(t)
	c := h.client(twitterapi.Options{Timeout: 5 * time.Second})

	p, err := c.SearchRecent(context.Background(), "zqxjkw", twitterapi.PageQuery{})
	if err != nil {
		t.Fatalf("SearchRecent: %v", err)
	}
	if len(p.Tweets) != 0 || p.ResultCount != 0 {
		t.Errorf("got %d tweets, ResultCount %d, want none", len(p.Tweets), p.ResultCount)
	}
	if p.NextToken != "" || p.NewestID != "" || p.OldestID != "" {
		t.Errorf("NextToken %q NewestID %q OldestID %q, want all empty", p.NextToken, p.NewestID, p.OldestID)
	}
}

func TestSearchRecent_SinceIDGivesOnlyNewerMatches(t *testing.T) {
	h := newWorldHarness(t)
	c := h.client(twitterapi.Options{Timeout: 5 * time.Second})
	newest, err := c.SearchRecent(context.Background(), "from:gopher", twitterapi.PageQuery{})
	if err != nil {
		t.Fatalf("SearchRecent: %v", err)
	}
	made, err := h.sim.Post("gopher", 2)
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	h.clock.Advance(time.Minute)

	got := walk(t, searchWalker(c, "from:gopher"), twitterapi.PageQuery{SinceID: newest.NewestID})

	checkTweets(t, tweetsOf(got), newestFirst(made))
}

func TestPageQuery_String(t *testing.T) {
	start := time.Date(2026, 3, 2, 10, 30, 0, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		q    twitterapi.PageQuery
		want string
	}{
		{name: "unbounded", q: twitterapi.PageQuery{}, want: "start_time=none"},
		{name: "since id", q: twitterapi.PageQuery{SinceID: "123"}, want: "since_id=123"},
		{name: "start time in UTC", q: twitterapi.PageQuery{StartTime: start}, want: "start_time=2026-03-02T09:30:00Z"},
		{
			name: "continued walk", q: twitterapi.PageQuery{SinceID: "123", Token: "abc"},
			want: "since_id=123 start_time=none token=abc",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.q.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}
