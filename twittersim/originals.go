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

// trackedOriginal picks a recent non-retweet of another tracked account, or nil. Every
// other account offers up to recentOriginals of its newest own posts, newest first, in the
// order the accounts were added; the pick is uniform over all those offers.
func (w *world) trackedOriginal(a *account) *tweet {
	own, before := 0, 0
	if a.index >= 0 {
		own = min(len(a.posts), recentOriginals)
		before = w.recent.prefix(a.index)
	}
	total := w.recent.prefix(len(w.accounts)) - own
	if total == 0 {
		return nil
	}
	k := a.rng.IntN(total)
	if k >= before {
		k += own // skip a's own offers
	}
	i, offset := w.recent.find(k)
	posts := w.accounts[i].posts
	return posts[len(posts)-1-offset]
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
