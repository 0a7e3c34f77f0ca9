package twittersim

import (
	"errors"
	"fmt"
	"unicode"
)

// MaxQueryLength is the longest recent-search query accepted, in characters.
const MaxQueryLength = 512

// matcher reports whether a tweet satisfies (part of) a search query.
type matcher func(t *tweet) bool

// queryToken is a lexical element of a query.
type queryToken struct {
	text   string
	quoted bool // a "quoted phrase"
	neg    bool // a "-" directly before a term, phrase or group
}

// parseQuery compiles the supported subset of the search language: terms separated by
// spaces are ANDed, OR between terms, parentheses, "exact phrases", -negation,
// from:, #hashtag, @mention, lang:, is:retweet, is:quote, is:reply, has:links,
// has:hashtags, has:mentions and plain words (case-insensitive).
func parseQuery(q string) (matcher, error) {
	toks, err := lexQuery(q)
	if err != nil {
		return nil, err
	}
	p := &queryParser{toks: toks}
	m, err := p.or()
	switch {
	case err != nil:
		return nil, err
	case p.pos < len(p.toks):
		return nil, fmt.Errorf("unexpected %q", p.toks[p.pos].text)
	case !p.positive:
		return nil, errors.New("the query must contain at least one term that is not negated")
	}
	return m, nil
}

func lexQuery(q string) ([]queryToken, error) {
	var toks []queryToken
	rs := []rune(q)
	for i := 0; i < len(rs); {
		switch r := rs[i]; {
		case unicode.IsSpace(r):
			i++
		case r == '(' || r == ')':
			toks, i = append(toks, queryToken{text: string(r)}), i+1
		case r == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]):
			toks, i = append(toks, queryToken{neg: true, text: "-"}), i+1
		case r == '"':
			end := indexRune(rs, '"', i+1)
			if end < 0 {
				return nil, errors.New("missing closing quote")
			}
			toks, i = append(toks, queryToken{text: string(rs[i+1 : end]), quoted: true}), end+1
		default:
			end := i
			for end < len(rs) && !unicode.IsSpace(rs[end]) && rs[end] != '(' && rs[end] != ')' {
				end++
			}
			toks, i = append(toks, queryToken{text: string(rs[i:end])}), end
		}
	}
	return toks, nil
}

func indexRune(rs []rune, r rune, from int) int {
	for i := from; i < len(rs); i++ {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// queryParser is a recursive-descent parser; AND binds tighter than OR.
type queryParser struct {
	toks     []queryToken
	pos      int
	negDepth int
	positive bool // a term outside any negation was seen
}

func (p *queryParser) peek() (queryToken, bool) {
	if p.pos >= len(p.toks) {
		return queryToken{}, false
	}
	return p.toks[p.pos], true
}

func (p *queryParser) isKeyword(t queryToken, word string) bool {
	return !t.quoted && !t.neg && t.text == word
}

func (p *queryParser) or() (matcher, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	alts := []matcher{first}
	for t, ok := p.peek(); ok && p.isKeyword(t, "OR"); t, ok = p.peek() {
		p.pos++
		next, err := p.and()
		if err != nil {
			return nil, err
		}
		alts = append(alts, next)
	}
	return anyOf(alts), nil
}

func (p *queryParser) and() (matcher, error) {
	var all []matcher
	for t, ok := p.peek(); ok && !p.isKeyword(t, "OR") && !p.isKeyword(t, ")"); t, ok = p.peek() {
		m, err := p.unary()
		if err != nil {
			return nil, err
		}
		all = append(all, m)
	}
	if len(all) == 0 {
		return nil, p.missingTerm()
	}
	return allOf(all), nil
}

func (p *queryParser) missingTerm() error {
	if t, ok := p.peek(); ok {
		return fmt.Errorf("expected a term before %q", t.text)
	}
	return errors.New("expected a term at the end of the query")
}

func (p *queryParser) unary() (matcher, error) {
	t, _ := p.peek()
	if !t.neg {
		return p.primary()
	}
	p.pos++
	p.negDepth++
	m, err := p.primary()
	p.negDepth--
	if err != nil {
		return nil, err
	}
	return func(tw *tweet) bool { return !m(tw) }, nil
}

func (p *queryParser) primary() (matcher, error) {
	t, ok := p.peek()
	if !ok {
		return nil, p.missingTerm()
	}
	p.pos++
	if p.isKeyword(t, "(") {
		return p.group()
	}
	if p.negDepth == 0 {
		p.positive = true
	}
	if t.quoted {
		return phraseMatcher(t.text), nil
	}
	return termMatcher(t.text)
}

func (p *queryParser) group() (matcher, error) {
	m, err := p.or()
	if err != nil {
		return nil, err
	}
	if t, ok := p.peek(); !ok || !p.isKeyword(t, ")") {
		return nil, errors.New("missing closing parenthesis")
	}
	p.pos++
	return m, nil
}

func anyOf(ms []matcher) matcher {
	if len(ms) == 1 {
		return ms[0]
	}
	return func(t *tweet) bool {
		for _, m := range ms {
			if m(t) {
				return true
			}
		}
		return false
	}
}

func allOf(ms []matcher) matcher {
	if len(ms) == 1 {
		return ms[0]
	}
	return func(t *tweet) bool {
		for _, m := range ms {
			if !m(t) {
				return false
			}
		}
		return true
	}
}
