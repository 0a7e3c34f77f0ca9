package twitterapi

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Tweet is one tweet as tweetflow stores it.
type Tweet struct {
	ID             int64
	AuthorID       int64
	ConversationID int64
	// Text is the full text: note_tweet's for long posts, and for a retweet the "RT @name: "
	// prefix followed by the original's full text. Entities such as &amp; stay as served.
	Text      string
	CreatedAt time.Time
	Lang      string
	// RetweetedID, QuotedID and RepliedToID are the referenced tweets, 0 when none.
	RetweetedID, QuotedID, RepliedToID int64
	Metrics                            Metrics
	// Raw is the tweet object exactly as the API served it.
	Raw json.RawMessage
}

// Metrics are a tweet's public counts at the time it was fetched.
type Metrics struct {
	Retweets    int64 `json:"retweet_count"`
	Replies     int64 `json:"reply_count"`
	Likes       int64 `json:"like_count"`
	Quotes      int64 `json:"quote_count"`
	Bookmarks   int64 `json:"bookmark_count"`
	Impressions int64 `json:"impression_count"`
}

// Problem is a partial error served next to data in a 200 answer.
type Problem struct {
	Title        string `json:"title"`
	Detail       string `json:"detail"`
	Type         string `json:"type"`
	ResourceType string `json:"resource_type"`
	Parameter    string `json:"parameter"`
	Value        any    `json:"value"`
}

type wireTweet struct {
	ID               string   `json:"id"`
	Text             string   `json:"text"`
	AuthorID         string   `json:"author_id"`
	ConversationID   string   `json:"conversation_id"`
	CreatedAt        string   `json:"created_at"`
	Lang             string   `json:"lang"`
	PublicMetrics    *Metrics `json:"public_metrics"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	NoteTweet *struct {
		Text string `json:"text"`
	} `json:"note_tweet"`
	raw json.RawMessage
}

func (w *wireTweet) UnmarshalJSON(b []byte) error {
	type plain wireTweet
	if err := json.Unmarshal(b, (*plain)(w)); err != nil {
		return err
	}
	w.raw = b
	return nil
}

func (w *wireTweet) fullText() string {
	if w.NoteTweet != nil && w.NoteTweet.Text != "" {
		return w.NoteTweet.Text
	}
	return w.Text
}

type wirePage struct {
	Data     []wireTweet `json:"data"`
	Includes struct {
		Tweets []wireTweet `json:"tweets"`
	} `json:"includes"`
	Meta struct {
		ResultCount int    `json:"result_count"`
		NewestID    string `json:"newest_id"`
		OldestID    string `json:"oldest_id"`
		NextToken   string `json:"next_token"`
	} `json:"meta"`
	Errors []Problem `json:"errors"`
}

// decodePage decodes a timeline or search answer into a Page.
func decodePage(body []byte) (*Page, error) {
	var w wirePage
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	included := make(map[string]*wireTweet, len(w.Includes.Tweets))
	for i := range w.Includes.Tweets {
		included[w.Includes.Tweets[i].ID] = &w.Includes.Tweets[i]
	}
	p := &Page{
		ResultCount: w.Meta.ResultCount, NewestID: w.Meta.NewestID, OldestID: w.Meta.OldestID,
		NextToken: w.Meta.NextToken, Errors: w.Errors, Tweets: make([]Tweet, 0, len(w.Data)),
	}
	for i := range w.Data {
		t, err := convert(&w.Data[i], included)
		if err != nil {
			return nil, err
		}
		p.Tweets = append(p.Tweets, t)
	}
	return p, nil
}

func convert(w *wireTweet, included map[string]*wireTweet) (Tweet, error) {
	t := Tweet{Text: w.fullText(), Lang: w.Lang, Raw: w.raw}
	var err error
	if t.ID, err = parseID("id", w.ID, true); err != nil {
		return Tweet{}, err
	}
	if t.AuthorID, err = parseID("author_id", w.AuthorID, true); err != nil {
		return Tweet{}, fmt.Errorf("tweet %d: %w", t.ID, err)
	}
	if t.ConversationID, err = parseID("conversation_id", w.ConversationID, false); err != nil {
		return Tweet{}, fmt.Errorf("tweet %d: %w", t.ID, err)
	}
	if t.CreatedAt, err = time.Parse(time.RFC3339, w.CreatedAt); err != nil {
		return Tweet{}, fmt.Errorf("tweet %d: created_at: %w", t.ID, err)
	}
	if w.PublicMetrics != nil {
		t.Metrics = *w.PublicMetrics
	}
	if err := t.setReferences(w, included); err != nil {
		return Tweet{}, fmt.Errorf("tweet %d: %w", t.ID, err)
	}
	return t, nil
}

func (t *Tweet) setReferences(w *wireTweet, included map[string]*wireTweet) error {
	for _, ref := range w.ReferencedTweets {
		id, err := parseID("referenced_tweets.id", ref.ID, true)
		if err != nil {
			return err
		}
		switch ref.Type {
		case "retweeted":
			t.RetweetedID = id
			if orig, ok := included[ref.ID]; ok {
				t.Text = retweetText(w.Text, orig.fullText())
			}
		case "quoted":
			t.QuotedID = id
		case "replied_to":
			t.RepliedToID = id
		}
	}
	return nil
}

// retweetText keeps the "RT @name: " prefix the API serves and puts the original's full
// text after it, in place of the served copy, which is cut at about 280 characters.
func retweetText(served, original string) string {
	i := strings.Index(served, ": ")
	if !strings.HasPrefix(served, "RT @") || i < 0 {
		return served
	}
	return served[:i+2] + original
}

func parseID(field, s string, required bool) (int64, error) {
	if s == "" && !required {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%s %q is not a tweet or user id", field, s)
	}
	return id, nil
}
