package twittersim

import (
	"strings"
	"unicode/utf8"
)

// apiEntities are the hashtags, mentions and urls of a text, with start and end as
// code-point offsets (end exclusive), as the real API reports them.
type apiEntities struct {
	Hashtags []apiHashtag `json:"hashtags,omitempty"`
	Mentions []apiMention `json:"mentions,omitempty"`
	URLs     []apiURL     `json:"urls,omitempty"`
}

type apiHashtag struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Tag   string `json:"tag"`
}

type apiMention struct {
	Start    int    `json:"start"`
	End      int    `json:"end"`
	Username string `json:"username"`
	ID       string `json:"id,omitempty"`
}

type apiURL struct {
	Start       int    `json:"start"`
	End         int    `json:"end"`
	URL         string `json:"url"`
	ExpandedURL string `json:"expanded_url"`
	DisplayURL  string `json:"display_url"`
}

func (e apiEntities) empty() bool {
	return len(e.Hashtags)+len(e.Mentions)+len(e.URLs) == 0
}

const tcoPrefix = "https://t.co/"

// scanEntities finds the entities of text. resolve maps a mentioned username to a user
// id, or to "" for names it does not know.
func scanEntities(text string, resolve func(string) string) apiEntities {
	var e apiEntities
	prev, cp := ' ', 0
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		n := 0
		if !isWordRune(prev) {
			n = e.scanAt(text[i:], cp, resolve)
		}
		if n == 0 {
			n = size
		} else {
			r, _ = utf8.DecodeLastRuneInString(text[i : i+n])
		}
		prev, cp, i = r, cp+utf8.RuneCountInString(text[i:i+n]), i+n
	}
	return e
}

// scanAt records the entity that starts at s, if any, and returns its length in bytes.
func (e *apiEntities) scanAt(s string, cp int, resolve func(string) string) int {
	switch {
	case strings.HasPrefix(s, tcoPrefix):
		n := len(tcoPrefix) + wordLen(s[len(tcoPrefix):], 40)
		e.URLs = append(e.URLs, newURLEntity(s[:n], cp))
		return n
	case s[0] == '#':
		n := wordLen(s[1:], 100)
		if n == 0 {
			return 0
		}
		e.Hashtags = append(e.Hashtags, apiHashtag{Start: cp, End: cp + n + 1, Tag: s[1 : n+1]})
		return n + 1
	case s[0] == '@':
		n := wordLen(s[1:], 15)
		if n == 0 {
			return 0
		}
		name := s[1 : n+1]
		m := apiMention{Start: cp, End: cp + n + 1, Username: name, ID: resolve(name)}
		e.Mentions = append(e.Mentions, m)
		return n + 1
	}
	return 0
}

// wordLen counts the leading ASCII letters, digits and underscores of s, up to limit.
func wordLen(s string, limit int) int {
	n := 0
	for n < len(s) && n < limit && isWordRune(rune(s[n])) {
		n++
	}
	return n
}

func isWordRune(r rune) bool {
	return r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// linkTargets are the pages that generated t.co links lead to.
var linkTargets = []string{
	"https://go.dev/blog/",
	"https://www.postgresql.org/docs/current/sql-copy.html",
	"https://www.rabbitmq.com/docs/quorum-queues",
	"https://github.com/tweetflow/tweetflow/releases",
	"https://pkg.go.dev/log/slog",
	"https://example.com/articles/2026/queues-and-backpressure-in-practice",
}

func newURLEntity(url string, cp int) apiURL {
	target := linkTargets[hashOf(0, url)%uint64(len(linkTargets))]
	display := strings.TrimPrefix(target, "https://")
	if utf8.RuneCountInString(display) > 26 {
		display = string([]rune(display)[:26]) + "…"
	}
	n := utf8.RuneCountInString(url)
	return apiURL{Start: cp, End: cp + n, URL: url, ExpandedURL: target, DisplayURL: display}
}
