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

// wireTweet is a tweet object as served, with the fields tweetflow reads.
type wireTweet struct {
	ID, Text, AuthorID, ConversationID, CreatedAt, Lang string
	PublicMetrics                                       *Metrics
	ReferencedTweets                                    []wireRef
	NoteText                                            string
	raw                                                 json.RawMessage
}

type wireRef struct{ Type, ID string }

func (w *wireTweet) fullText() string {
	if w.NoteText != "" {
		return w.NoteText
	}
	return w.Text
}

type wirePage struct {
	Data, Included                []wireTweet
	ResultCount                   int
	NewestID, OldestID, NextToken string
	Errors                        []Problem
}

// decodePage decodes a timeline or search answer into a Page: the body is validated once
// and read once, and each tweet's Raw is a slice of it.
func decodePage(body []byte) (*Page, error) {
	var w wirePage
	s := &scanner{b: body}
	if err := s.page(&w); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	if err := s.end(); err != nil {
		return nil, fmt.Errorf("decode page: %w", err)
	}
	included := make(map[string]*wireTweet, len(w.Included))
	for i := range w.Included {
		included[w.Included[i].ID] = &w.Included[i]
	}
	p := &Page{
		ResultCount: w.ResultCount, NewestID: w.NewestID, OldestID: w.OldestID,
		NextToken: w.NextToken, Errors: w.Errors, Tweets: make([]Tweet, 0, len(w.Data)),
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

func (s *scanner) page(w *wirePage) error {
	return s.object(func(key []byte) error {
		switch string(key) {
		case "data":
			return s.tweets(&w.Data)
		case "includes":
			return s.object(func(key []byte) error {
				if string(key) == "tweets" {
					return s.tweets(&w.Included)
				}
				_, err := s.skip()
				return err
			})
		case "meta":
			return s.meta(w)
		case "errors":
			raw, err := s.skip()
			if err != nil {
				return err
			}
			if err := json.Unmarshal(raw, &w.Errors); err != nil {
				return fmt.Errorf("errors: %w", err)
			}
			return nil
		}
		_, err := s.skip()
		return err
	})
}

func (s *scanner) meta(w *wirePage) error {
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "result_count":
			var n int64
			n, err = s.int()
			w.ResultCount = int(n)
		case "newest_id":
			w.NewestID, err = s.str()
		case "oldest_id":
			w.OldestID, err = s.str()
		case "next_token":
			w.NextToken, err = s.str()
		default:
			_, err = s.skip()
		}
		if err != nil {
			return fmt.Errorf("meta.%s: %w", key, err)
		}
		return nil
	})
}

func (s *scanner) tweets(into *[]wireTweet) error {
	*into = make([]wireTweet, 0, MaxResults)
	return s.array(func() error {
		*into = append(*into, wireTweet{})
		return s.tweet(&(*into)[len(*into)-1])
	})
}

func (s *scanner) tweet(w *wireTweet) error {
	s.ws()
	start := s.i
	err := s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "id":
			w.ID, err = s.str()
		case "text":
			w.Text, err = s.str()
		case "author_id":
			w.AuthorID, err = s.str()
		case "conversation_id":
			w.ConversationID, err = s.str()
		case "created_at":
			w.CreatedAt, err = s.str()
		case "lang":
			w.Lang, err = s.str()
		case "public_metrics":
			err = s.metrics(w)
		case "referenced_tweets":
			err = s.array(func() error {
				var r wireRef
				w.ReferencedTweets = append(w.ReferencedTweets, r)
				return s.ref(&w.ReferencedTweets[len(w.ReferencedTweets)-1])
			})
		case "note_tweet":
			err = s.object(func(key []byte) error {
				var err error
				if string(key) == "text" {
					w.NoteText, err = s.str()
				} else {
					_, err = s.skip()
				}
				return err
			})
		default:
			_, err = s.skip()
		}
		if err != nil {
			return fmt.Errorf("tweet %s: %w", key, err)
		}
		return nil
	})
	w.raw = s.b[start:s.i]
	return err
}

func (s *scanner) ref(r *wireRef) error {
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "type":
			r.Type, err = s.str()
		case "id":
			r.ID, err = s.str()
		default:
			_, err = s.skip()
		}
		return err
	})
}

func (s *scanner) metrics(w *wireTweet) error {
	if s.null() {
		return nil
	}
	m := &Metrics{}
	w.PublicMetrics = m
	return s.object(func(key []byte) error {
		var err error
		switch string(key) {
		case "retweet_count":
			m.Retweets, err = s.int()
		case "reply_count":
			m.Replies, err = s.int()
		case "like_count":
			m.Likes, err = s.int()
		case "quote_count":
			m.Quotes, err = s.int()
		case "bookmark_count":
			m.Bookmarks, err = s.int()
		case "impression_count":
			m.Impressions, err = s.int()
		default:
			_, err = s.skip()
		}
		return err
	})
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
