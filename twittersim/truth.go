package twittersim

import (
	"fmt"
	"strings"
	"time"
)

// TruthTweet is the simulator's ground truth about one generated tweet, as
// GET /sim/tweets reports it.
type TruthTweet struct {
	ID        string    `json:"id"`
	AuthorID  string    `json:"author_id"`
	Username  string    `json:"username"` // the author's current username
	CreatedAt time.Time `json:"created_at"`
	// Text is the text as served (HTML-escaped, at most 280 characters).
	Text string `json:"text"`
	// FullText is the whole text: the note text of a long post, for a retweet the
	// "RT @name: " prefix followed by the original's whole text, otherwise the text
	// as served.
	FullText string    `json:"full_text"`
	Kind     TweetKind `json:"kind"`
	Lang     string    `json:"lang"`
	// ReferencedID is the retweeted or quoted tweet's id.
	ReferencedID string `json:"referenced_id,omitempty"`
}

func truthOf(ts []*tweet) []TruthTweet {
	out := make([]TruthTweet, len(ts))
	for i, t := range ts {
		out[i] = TruthTweet{
			ID:        t.idString(),
			AuthorID:  t.author.id,
			Username:  t.author.username,
			CreatedAt: t.created,
			Text:      t.text,
			FullText:  t.fullText(),
			Kind:      t.kind,
			Lang:      t.lang,
		}
		if t.ref != nil {
			out[i].ReferencedID = t.ref.idString()
		}
		if t.kind == KindRetweet {
			out[i].FullText = retweetFullText(t)
		}
	}
	return out
}

// retweetFullText is the retweet's served "RT @name: " prefix with the original's whole
// text after it, where the served text cuts it at 280 characters.
func retweetFullText(t *tweet) string {
	i := strings.Index(t.text, ": ")
	if i < 0 || t.ref == nil {
		return t.text
	}
	return t.text[:i+2] + t.ref.fullText()
}

// Truth returns every tweet generated so far for the account, oldest first.
func (s *Server) Truth(username string) ([]TruthTweet, error) {
	var out []TruthTweet
	err := s.onAccount(username, func(a *account) error {
		out = truthOf(a.timeline)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("truth: %w", err)
	}
	return out, nil
}

// TruthQuery returns every generated tweet of a tracked account that the search query
// matches, oldest first, ignoring the search delay, the seven-day window and
// suspensions.
func (s *Server) TruthQuery(query string) ([]TruthTweet, error) {
	m, err := parseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("truth for query %q: %w", query, err)
	}
	var found []*tweet
	s.withWorld(func(time.Time) {
		for _, t := range s.world.tweets {
			if m(t) {
				found = append(found, t)
			}
		}
	})
	return truthOf(found), nil
}
