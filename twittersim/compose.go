package twittersim

import (
	"math/rand/v2"
	"strings"
	"time"
)

// pickKind draws the kind of the next tweet: about 10% long, 10% retweets, 5% quotes.
func pickKind(r *rand.Rand) TweetKind {
	switch n := r.IntN(100); {
	case n < 10:
		return KindLong
	case n < 20:
		return KindRetweet
	case n < 25:
		return KindQuote
	}
	return KindPost
}

// compose creates one tweet of the given kind by a at time at and stores it.
func (w *world) compose(a *account, kind TweetKind, at time.Time) *tweet {
	switch kind {
	case KindRetweet:
		return w.composeRetweet(a, at)
	case KindQuote:
		return w.composeQuote(a, at)
	case KindLong:
		return w.composeOwn(a, at, true)
	}
	return w.composeOwn(a, at, false)
}

// composeOwn creates an original post, long or not.
func (w *world) composeOwn(a *account, at time.Time, long bool) *tweet {
	raw, lang := w.shortText(a, a.rng)
	if long {
		raw, lang = w.longText(a.rng)
	}
	t := &tweet{author: a, kind: KindPost, lang: lang}
	w.setText(t, escapeText(raw))
	return w.store(t, at)
}

func (w *world) composeRetweet(a *account, at time.Time) *tweet {
	orig := w.original(a, at)
	full := "RT @" + orig.author.username + ": " + orig.fullText()
	t := &tweet{author: a, kind: KindRetweet, lang: orig.lang, ref: orig}
	t.text = cutText(full, maxTextLen)
	t.entities = scanEntities(t.text, w.resolve)
	return w.store(t, at)
}

func (w *world) composeQuote(a *account, at time.Time) *tweet {
	orig := w.original(a, at)
	raw, lang := w.shortText(a, a.rng)
	t := &tweet{author: a, kind: KindQuote, lang: lang, ref: orig}
	w.setText(t, escapeText(raw))
	return w.store(t, at)
}

// setText sets the served text of an original post: long texts are cut to 280
// characters and kept whole in the note.
func (w *world) setText(t *tweet, escaped string) {
	if textLen(escaped) > maxTextLen {
		t.kind = KindLong
		t.note = escaped
		t.noteEntities = scanEntities(escaped, w.resolve)
	}
	t.text = cutText(escaped, maxTextLen)
	t.entities = scanEntities(t.text, w.resolve)
}

// shortText builds the raw (unescaped) text of an ordinary post and its language.
func (w *world) shortText(a *account, r *rand.Rand) (string, string) {
	lang := pickLang(r)
	n := 1
	if chance(r, 30) {
		n = 2
	}
	parts := sentenceRun(r, lang, n)
	if chance(r, 12) {
		parts = append(parts, pick(r, markup))
	}
	if m := w.mentionFor(a, r); m != "" && chance(r, 20) {
		parts = append([]string{m}, parts...)
	}
	if chance(r, 55) {
		parts = append(parts, pick(r, emoji))
	}
	parts = appendTagsAndLink(r, parts, 35, 20)
	return fitParts(parts), lang
}

// longText builds the raw text of a post well over 280 characters.
func (w *world) longText(r *rand.Rand) (string, string) {
	lang := pickLang(r)
	target := 300 + r.IntN(500)
	var parts []string
	for _, s := range sentenceRun(r, lang, 60) {
		if textLen(strings.Join(parts, " ")) >= target {
			break
		}
		parts = append(parts, s)
		if chance(r, 20) {
			parts = append(parts, pick(r, emoji))
		}
	}
	if chance(r, 30) {
		parts = append(parts, pick(r, markup))
	}
	return strings.Join(appendTagsAndLink(r, parts, 80, 60), " "), lang
}

func appendTagsAndLink(r *rand.Rand, parts []string, tagPct, linkPct int) []string {
	if chance(r, tagPct) {
		parts = append(parts, "#"+pick(r, hashtagSet))
		if chance(r, 30) {
			parts = append(parts, "#"+pick(r, hashtagSet))
		}
	}
	if chance(r, linkPct) {
		parts = append(parts, tcoLink(r))
	}
	return parts
}

// fitParts joins parts, dropping trailing ones until the escaped text fits in 280.
func fitParts(parts []string) string {
	for len(parts) > 1 && textLen(escapeText(strings.Join(parts, " "))) > maxTextLen {
		parts = parts[:len(parts)-1]
	}
	return strings.Join(parts, " ")
}

// mentionFor returns "@name" of another tracked account, or "" if there is none.
func (w *world) mentionFor(a *account, r *rand.Rand) string {
	n := w.otherCount(a)
	if n == 0 {
		return ""
	}
	return "@" + w.otherAccount(a, r.IntN(n)).username
}
