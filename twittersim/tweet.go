package twittersim

import (
	"html"
	"strconv"
	"strings"
	"time"
)

// TweetKind says how a generated tweet came about.
type TweetKind string

// The kinds of generated tweets.
const (
	KindPost    TweetKind = "post"    // an ordinary post of at most 280 characters
	KindLong    TweetKind = "long"    // a post over 280 characters, full text in note_tweet
	KindRetweet TweetKind = "retweet" // "RT @orig: …", the original in includes.tweets
	KindQuote   TweetKind = "quote"   // a comment quoting another tweet
)

// maxTextLen is the most characters (code points) a served text may have.
const maxTextLen = 280

// tweet is one generated tweet. Texts are stored as served: HTML-escaped.
type tweet struct {
	id           uint64
	author       *account
	created      time.Time
	kind         TweetKind
	lang         string
	text         string
	note         string // full text of a long post, else empty
	entities     apiEntities
	noteEntities apiEntities
	ref          *tweet
	search       string // lower-case unescaped text that queries match against
}

func (t *tweet) idString() string { return strconv.FormatUint(t.id, 10) }

// fullText is the complete text as served: the note of a long post, else the text.
func (t *tweet) fullText() string {
	if t.note != "" {
		return t.note
	}
	return t.text
}

// fullEntities are the entities of fullText.
func (t *tweet) fullEntities() apiEntities {
	if t.note != "" {
		return t.noteEntities
	}
	return t.entities
}

// refType is the referenced_tweets type of the tweet's reference.
func (t *tweet) refType() string {
	switch t.kind {
	case KindRetweet:
		return "retweeted"
	case KindQuote:
		return "quoted"
	}
	return ""
}

// indexSearch fills the text that queries match: the full text and, for retweets and
// quotes, the full text of the original.
func (t *tweet) indexSearch() {
	s := html.UnescapeString(t.fullText())
	if t.ref != nil {
		s += "\n" + html.UnescapeString(t.ref.fullText())
	}
	t.search = strings.ToLower(s)
}
