package twittersim_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/tweetflow/tweetflow/twittersim"
)

// wireTweet is the part of a served tweet the content tests look at.
type wireTweet struct {
	ID               string                      `json:"id"`
	Text             string                      `json:"text"`
	NoteTweet        *struct{ Text string }      `json:"note_tweet"`
	ReferencedTweets []struct{ Type, ID string } `json:"referenced_tweets"`
	Entities         *struct {
		Hashtags []struct {
			Start, End int
			Tag        string
		}
		Mentions []struct {
			Start, End int
			Username   string
		}
		URLs []struct {
			Start, End int
			URL        string
		}
	}
}

type wirePage struct {
	Data     []wireTweet `json:"data"`
	Includes struct {
		Tweets []wireTweet `json:"tweets"`
	} `json:"includes"`
	Meta struct {
		NextToken string `json:"next_token"`
	} `json:"meta"`
}

// rawTimeline walks a whole timeline with every field and the referenced tweets.
func rawTimeline(t *testing.T, h *harness, username string) ([]wireTweet, map[string]wireTweet) {
	t.Helper()
	var all []wireTweet
	included := map[string]wireTweet{}
	base := "/2/users/" + h.userID(username) + "/tweets?max_results=100&expansions=referenced_tweets.id" +
		"&tweet.fields=note_tweet,entities,referenced_tweets"
	for token := ""; ; {
		path := base
		if token != "" {
			path += "&pagination_token=" + url.QueryEscape(token)
		}
		_, body := h.get(path)
		var p wirePage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("decode page: %v", err)
		}
		all = append(all, p.Data...)
		for _, inc := range p.Includes.Tweets {
			included[inc.ID] = inc
		}
		if token = p.Meta.NextToken; token == "" {
			return all, included
		}
	}
}

func dayOfTweets(t *testing.T) *harness {
	t.Helper()
	return newHarness(t, twittersim.Config{
		Seed: 42,
		Accounts: []twittersim.AccountSpec{
			{Username: "gopher", Interval: time.Minute}, {Username: "rabbit", Interval: 3 * time.Minute},
		},
		History: 24 * time.Hour,
	})
}

func TestContent_ADayHasEveryKindOfContent(t *testing.T) {
	h := dayOfTweets(t)
	tweets, included := rawTimeline(t, h, "gopher")
	found := map[string]bool{}
	for _, tw := range tweets {
		for name, ok := range contentTraits(t, tw, included) {
			found[name] = found[name] || ok
		}
	}
	for _, want := range []string{
		"long post with note", "retweet with original", "quote with original",
		"retweet of a long original", "CJK", "Arabic", "Hebrew", "emoji", "ZWJ emoji", "flag", "&amp;",
		"&lt; or &gt;", "hashtag", "mention", "t.co link",
	} {
		if !found[want] {
			t.Errorf("no tweet in %d has %s", len(tweets), want)
		}
	}
}

// contentTraits checks the invariants of one tweet and says what it contains.
func contentTraits(t *testing.T, tw wireTweet, included map[string]wireTweet) map[string]bool {
	t.Helper()
	if n := len([]rune(tw.Text)); n > 280 {
		t.Errorf("tweet %s: text has %d characters, want at most 280", tw.ID, n)
	}
	checkEntities(t, tw)
	traits := map[string]bool{
		"CJK":          hasScript(tw.Text, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul),
		"Arabic":       hasScript(tw.Text, unicode.Arabic),
		"Hebrew":       hasScript(tw.Text, unicode.Hebrew),
		"emoji":        strings.ContainsAny(tw.Text, "🚀🎉☕🐘🐇🐹🔥✅🤔👍"),
		"ZWJ emoji":    strings.Contains(tw.Text, "\u200d"),
		"flag":         strings.ContainsAny(tw.Text, "🇯🇵🇩🇪🇧🇷"),
		"&amp;":        strings.Contains(tw.Text, "&amp;"),
		"&lt; or &gt;": strings.Contains(tw.Text, "&lt;") || strings.Contains(tw.Text, "&gt;"),
		"t.co link":    strings.Contains(tw.Text, "https://t.co/"),
	}
	if tw.Entities != nil {
		traits["hashtag"] = len(tw.Entities.Hashtags) > 0
		traits["mention"] = len(tw.Entities.Mentions) > 0
	}
	if tw.NoteTweet != nil {
		traits["long post with note"] = checkLong(t, tw)
	}
	for _, ref := range tw.ReferencedTweets {
		orig, ok := included[ref.ID]
		if !ok {
			t.Errorf("tweet %s: %s tweet %s is not in includes.tweets", tw.ID, ref.Type, ref.ID)
		}
		traits[map[string]string{"retweeted": "retweet", "quoted": "quote"}[ref.Type]+" with original"] = ok
		traits["retweet of a long original"] = traits["retweet of a long original"] ||
			ref.Type == "retweeted" && orig.NoteTweet != nil
		if ref.Type == "retweeted" && !strings.HasPrefix(tw.Text, "RT @") {
			t.Errorf("retweet %s: text %q does not start with RT @", tw.ID, tw.Text)
		}
	}
	return traits
}

func checkLong(t *testing.T, tw wireTweet) bool {
	t.Helper()
	note := tw.NoteTweet.Text
	head := strings.TrimSuffix(tw.Text, "…")
	if len([]rune(note)) <= 280 || head == tw.Text || !strings.HasPrefix(note, head) {
		t.Errorf("long tweet %s: text %q is not a cut of the note %q", tw.ID, tw.Text, note)
		return false
	}
	return true
}

// checkEntities checks that every entity's code-point range holds its text.
func checkEntities(t *testing.T, tw wireTweet) {
	t.Helper()
	if tw.Entities == nil {
		return
	}
	runes := []rune(tw.Text)
	at := func(start, end int) string {
		if start < 0 || end > len(runes) || start >= end {
			return fmt.Sprintf("<bad range %d-%d>", start, end)
		}
		return string(runes[start:end])
	}
	for _, e := range tw.Entities.Hashtags {
		if got := at(e.Start, e.End); got != "#"+e.Tag {
			t.Errorf("tweet %s: hashtag range holds %q, want #%s", tw.ID, got, e.Tag)
		}
	}
	for _, e := range tw.Entities.Mentions {
		if got := at(e.Start, e.End); got != "@"+e.Username {
			t.Errorf("tweet %s: mention range holds %q, want @%s", tw.ID, got, e.Username)
		}
	}
	for _, e := range tw.Entities.URLs {
		if got := at(e.Start, e.End); got != e.URL {
			t.Errorf("tweet %s: url range holds %q, want %s", tw.ID, got, e.URL)
		}
	}
}

func hasScript(s string, tables ...*unicode.RangeTable) bool {
	for _, r := range s {
		if unicode.In(r, tables...) {
			return true
		}
	}
	return false
}

func TestContent_KindsComeInRoughlyTheIntendedShares(t *testing.T) {
	h := dayOfTweets(t)
	truth, err := h.sim.Truth("gopher")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[twittersim.TweetKind]int{}
	for _, tw := range truth {
		counts[tw.Kind]++
	}
	shares := []struct {
		kind     twittersim.TweetKind
		min, max float64
	}{
		{twittersim.KindLong, 0.06, 0.14},
		{twittersim.KindRetweet, 0.06, 0.14},
		{twittersim.KindQuote, 0.02, 0.08},
	}
	for _, s := range shares {
		if got := float64(counts[s.kind]) / float64(len(truth)); got < s.min || got > s.max {
			t.Errorf("%s share = %.3f of %d, want between %.2f and %.2f",
				s.kind, got, len(truth), s.min, s.max)
		}
	}
}

func TestContent_SameSeedAndStartGiveTheSameTweets(t *testing.T) {
	cfg := func(seed int64) twittersim.Config {
		return twittersim.Config{
			Seed: seed,
			Accounts: []twittersim.AccountSpec{
				{Username: "gopher", Interval: 30 * time.Second},
				{Username: "rabbit", Interval: time.Minute},
			},
			History: 2 * time.Hour,
		}
	}
	stepped, jumped, other := newHarness(t, cfg(9)), newHarness(t, cfg(9)), newHarness(t, cfg(10))
	for range 30 {
		stepped.clock.Advance(time.Minute)
		truthOf(t, stepped, "gopher")
	}
	jumped.clock.Advance(30 * time.Minute)
	other.clock.Advance(30 * time.Minute)
	for _, name := range []string{"gopher", "rabbit"} {
		a, b := truthOf(t, stepped, name), truthOf(t, jumped, name)
		if !reflect.DeepEqual(a, b) || len(a) < 100 {
			t.Errorf("%s: %d tweets advancing in steps, %d in one jump; want the same, at least 100",
				name, len(a), len(b))
		}
		if c := truthOf(t, other, name); reflect.DeepEqual(a, c) {
			t.Errorf("%s: seeds 9 and 10 generated the same tweets", name)
		}
	}
}

func truthOf(t *testing.T, h *harness, name string) []twittersim.TruthTweet {
	t.Helper()
	ts, err := h.sim.Truth(name)
	if err != nil {
		t.Fatalf("Truth(%q): %v", name, err)
	}
	return ts
}

func TestContent_IDsIncreaseAndMatchCreatedAt(t *testing.T) {
	h := dayOfTweets(t)
	var prev uint64
	for _, tw := range truthOf(t, h, "gopher") {
		id, err := strconv.ParseUint(tw.ID, 10, 64)
		if err != nil {
			t.Fatalf("tweet id %q: %v", tw.ID, err)
		}
		if id <= prev {
			t.Fatalf("id %d follows %d, want strictly increasing", id, prev)
		}
		if got := twittersim.SnowflakeTime(id); !got.Equal(tw.CreatedAt) {
			t.Fatalf("id %d encodes %s, created_at is %s", id, got, tw.CreatedAt)
		}
		prev = id
	}
}
