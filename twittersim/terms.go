package twittersim

import (
	"fmt"
	"strings"
)

// termMatcher compiles a single query term: an operator, #tag, @name or plain word.
func termMatcher(term string) (matcher, error) {
	switch {
	case strings.HasPrefix(term, "#") && len(term) > 1:
		return hashtagMatcher(term[1:]), nil
	case strings.HasPrefix(term, "@") && len(term) > 1:
		return mentionMatcher(term[1:]), nil
	}
	op, value, ok := strings.Cut(term, ":")
	if !ok || op == "" || strings.HasPrefix(term, "http") || !isOperatorName(op) {
		return phraseMatcher(term), nil
	}
	if value == "" {
		return nil, fmt.Errorf("the operator '%s:' needs a value", op)
	}
	return operatorMatcher(op, value)
}

// invalidOperatorError reports an operator, or an operator value, that the simulator
// does not offer. The search endpoint passes its text on to the client, so Error returns
// the real API's wording, capital letter included.
type invalidOperatorError struct {
	operator    string // as written in the query, such as "colour" or "is:pinned"
	unavailable bool   // add the API's note that the product does not include it
}

func (e invalidOperatorError) Error() string {
	msg := "Reference to invalid operator '" + e.operator + "'"
	if e.unavailable {
		msg += ". Operator is not available in current product or product packaging"
	}
	return msg
}

func isOperatorName(s string) bool {
	for _, r := range s {
		if r != '_' && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}

func operatorMatcher(op, value string) (matcher, error) {
	switch op {
	case "from":
		return func(t *tweet) bool {
			return strings.EqualFold(t.author.username, value) || t.author.id == value
		}, nil
	case "lang":
		return func(t *tweet) bool { return t.lang == value }, nil
	case "to":
		return func(*tweet) bool { return false }, nil // the simulator generates no replies
	case "is":
		return isMatcher(value)
	case "has":
		return hasMatcher(value)
	}
	return nil, invalidOperatorError{operator: op, unavailable: true}
}

func isMatcher(value string) (matcher, error) {
	switch value {
	case "retweet":
		return func(t *tweet) bool { return t.kind == KindRetweet }, nil
	case "quote":
		return func(t *tweet) bool { return t.kind == KindQuote }, nil
	case "reply", "verified":
		return func(*tweet) bool { return false }, nil
	}
	return nil, invalidOperatorError{operator: "is:" + value}
}

func hasMatcher(value string) (matcher, error) {
	switch value {
	case "links":
		return func(t *tweet) bool { return len(t.fullEntities().URLs) > 0 }, nil
	case "hashtags":
		return func(t *tweet) bool { return len(t.fullEntities().Hashtags) > 0 }, nil
	case "mentions":
		return func(t *tweet) bool { return len(t.fullEntities().Mentions) > 0 }, nil
	case "media", "images", "videos", "geo", "cashtags":
		return func(*tweet) bool { return false }, nil
	}
	return nil, invalidOperatorError{operator: "has:" + value}
}

// hashtagMatcher matches tweets whose text, or whose original's text, has #tag.
func hashtagMatcher(tag string) matcher {
	return func(t *tweet) bool {
		for _, u := range withOriginal(t) {
			for _, h := range u.fullEntities().Hashtags {
				if strings.EqualFold(h.Tag, tag) {
					return true
				}
			}
		}
		return false
	}
}

// mentionMatcher matches tweets that mention @name (a retweet mentions its author).
func mentionMatcher(name string) matcher {
	return func(t *tweet) bool {
		for _, m := range t.fullEntities().Mentions {
			if strings.EqualFold(m.Username, name) {
				return true
			}
		}
		return false
	}
}

func withOriginal(t *tweet) []*tweet {
	if t.ref != nil {
		return []*tweet{t, t.ref}
	}
	return []*tweet{t}
}

// phraseMatcher matches a word or phrase case-insensitively in the full text. Where
// the phrase starts or ends with an ASCII letter or digit, the neighbouring character
// must not be one, so "go" does not match "good"; other scripts match anywhere.
func phraseMatcher(phrase string) matcher {
	needle := strings.ToLower(phrase)
	return func(t *tweet) bool { return containsWord(t.search, needle) }
}

func containsWord(hay, needle string) bool {
	if needle == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(hay[from:], needle)
		if i < 0 {
			return false
		}
		i += from
		if wordEdgeOK(hay, i, i+len(needle), needle) {
			return true
		}
		from = i + 1
	}
}

func wordEdgeOK(hay string, start, end int, needle string) bool {
	if isWordRune(rune(needle[0])) && start > 0 && isWordRune(rune(hay[start-1])) {
		return false
	}
	last := rune(needle[len(needle)-1])
	return !isWordRune(last) || end >= len(hay) || !isWordRune(rune(hay[end]))
}
