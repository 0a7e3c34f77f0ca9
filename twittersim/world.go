package twittersim

import (
	"fmt"
	"strings"
	"time"
)

// outsiders are authors that are not tracked but whose tweets get retweeted and quoted.
var outsiders = []struct{ username, name string }{
	{"golang", "Go"},
	{"PostgreSQL", "PostgreSQL"},
	{"RabbitMQ", "RabbitMQ 🐇"},
	{"TwitterDev", "Developers"},
	{"gophercon_jp", "GopherCon 日本"},
}

// world is the generated state: accounts and their tweets. It is not safe for
// concurrent use; Server guards it with a mutex.
type world struct {
	seed     int64
	start    time.Time
	ids      snowflake
	paused   bool
	accounts []*account          // tracked accounts in the order they were added
	byName   map[string]*account // tracked accounts by lower-case username
	byID     map[string]*account // tracked and outside accounts by id
	outside  []*account
	tweets   []*tweet // tweets of tracked accounts, oldest first
	queue    postQueue
	// recent counts, per tracked account, the own posts a retweet or quote may pick:
	// at most recentOriginals of its newest non-retweets.
	recent fenwick
}

// newWorld creates the accounts; their first posts follow origin.
func newWorld(seed int64, specs []AccountSpec, start, origin time.Time) (*world, error) {
	w := &world{
		seed:   seed,
		start:  start,
		byName: map[string]*account{},
		byID:   map[string]*account{},
	}
	for _, o := range outsiders {
		a := w.newAccount(AccountSpec{Username: o.username}, true)
		a.name = o.name
		w.outside = append(w.outside, a)
	}
	for _, spec := range specs {
		if _, err := w.addAccount(spec, origin); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// addAccount adds a tracked account whose first post follows from.
func (w *world) addAccount(spec AccountSpec, from time.Time) (*account, error) {
	if err := spec.validate(); err != nil {
		return nil, fmt.Errorf("add account: %w", err)
	}
	if w.byName[strings.ToLower(spec.Username)] != nil {
		return nil, fmt.Errorf("add account %q: username is taken", spec.Username)
	}
	a := w.newAccount(spec, false)
	a.index = len(w.accounts)
	a.scheduleNext(from)
	w.accounts = append(w.accounts, a)
	w.recent.append(0)
	w.queue.schedule(a)
	w.byName[strings.ToLower(a.username)] = a
	return a, nil
}

func (w *world) newAccount(spec AccountSpec, outside bool) *account {
	a := &account{
		username: spec.Username,
		name:     displayName(w.seed, spec.Username),
		created:  joinedAt(w.seed, spec.Username, w.start),
		interval: spec.Interval,
		outside:  outside,
		index:    -1,
		rng:      accountRNG(w.seed, spec.Username),
	}
	a.id = userID(w.seed, spec.Username, 0)
	for salt := 1; w.byID[a.id] != nil; salt++ {
		a.id = userID(w.seed, spec.Username, salt)
	}
	w.byID[a.id] = a
	return a
}

// advance creates every scheduled tweet due up to now, in time order. While the world
// is paused, due posts are skipped instead of created.
func (w *world) advance(now time.Time) {
	for a := w.queue.due(); a != nil && !a.next.After(now); a = w.queue.due() {
		at := a.next
		a.scheduleNext(at)
		w.queue.rescheduled()
		if !w.paused && !a.suspended {
			w.compose(a, pickKind(a.rng), at)
		}
	}
}

// store gives t its id and creation time and files it.
func (w *world) store(t *tweet, at time.Time) *tweet {
	t.id, t.created = w.ids.next(at)
	t.indexSearch()
	if a := t.author; !a.outside {
		a.timeline = append(a.timeline, t)
		w.tweets = append(w.tweets, t)
		if t.kind != KindRetweet {
			a.posts = append(a.posts, t)
			if len(a.posts) <= recentOriginals {
				w.recent.add(a.index, 1)
			}
		}
	}
	return t
}

// burst creates count tweets for a, 1 ms apart and ending now. Where that would reach
// back before the newest existing tweet, the ids share its millisecond instead, so a
// burst never lies in the future.
func (w *world) burst(a *account, count int, now time.Time) []*tweet {
	at := now.Add(-time.Duration(count-1) * time.Millisecond)
	made := make([]*tweet, 0, count)
	for i := range count {
		t := w.compose(a, pickKind(a.rng), at.Add(time.Duration(i)*time.Millisecond))
		made = append(made, t)
	}
	return made
}

// resolve maps a username to the id of a tracked or outside account, or "".
func (w *world) resolve(username string) string {
	if a := w.byName[strings.ToLower(username)]; a != nil {
		return a.id
	}
	for _, o := range w.outside {
		if strings.EqualFold(o.username, username) {
			return o.id
		}
	}
	return ""
}

// otherAccount returns the k-th tracked account other than a (0 ≤ k < otherCount(a)), in
// the order the accounts were added.
func (w *world) otherAccount(a *account, k int) *account {
	if a.index >= 0 && k >= a.index {
		k++
	}
	return w.accounts[k]
}

// otherCount is the number of tracked accounts other than a.
func (w *world) otherCount(a *account) int {
	if a.index >= 0 {
		return len(w.accounts) - 1
	}
	return len(w.accounts)
}

// lookup finds a tracked account by username, case-insensitively.
func (w *world) lookup(username string) *account {
	return w.byName[strings.ToLower(username)]
}
