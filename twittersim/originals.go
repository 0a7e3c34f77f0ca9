package twittersim

import "time"

// recentOriginals is how far back in another account's timeline a retweet may reach.
const recentOriginals = 20

// original picks the tweet that a retweets or quotes: a recent own post of another
// tracked account, or a fresh post by an outside author.
func (w *world) original(a *account, at time.Time) *tweet {
	if chance(a.rng, 50) {
		if t := w.trackedOriginal(a); t != nil {
			return t
		}
	}
	return w.outsideOriginal(a, at)
}

// trackedOriginal picks a recent non-retweet of another tracked account, or nil.
func (w *world) trackedOriginal(a *account) *tweet {
	var candidates []*tweet
	for _, b := range w.othersThan(a) {
		candidates = append(candidates, ownPosts(b.timeline, recentOriginals)...)
	}
	if len(candidates) == 0 {
		return nil
	}
	return pick(a.rng, candidates)
}

// ownPosts returns up to n of the newest tweets in timeline that are not retweets.
func ownPosts(timeline []*tweet, n int) []*tweet {
	var posts []*tweet
	for i := len(timeline) - 1; i >= 0 && len(posts) < n; i-- {
		if timeline[i].kind != KindRetweet {
			posts = append(posts, timeline[i])
		}
	}
	return posts
}

// outsideOriginal creates a post by an outside author, long about a third of the time.
func (w *world) outsideOriginal(a *account, at time.Time) *tweet {
	author := pick(a.rng, w.outside)
	raw, lang := w.shortText(author, a.rng)
	if chance(a.rng, 35) {
		raw, lang = w.longText(a.rng)
	}
	t := &tweet{author: author, kind: KindPost, lang: lang}
	w.setText(t, escapeText(raw))
	return w.store(t, at)
}
