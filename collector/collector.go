// Package collector turns a fetch task into stored tweets: it resolves a handle once, walks
// the source's pages from its stored cursor, and stores each page together with the walk's
// progress, so an interrupted walk resumes where it stopped and the cursor moves only when a
// walk is complete.
package collector

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// API is the part of the Twitter API a collector calls; *twitterapi.Client implements it.
type API interface {
	LookupUser(ctx context.Context, handle string) (*twitterapi.User, error)
	UserTimeline(ctx context.Context, userID string, q twitterapi.PageQuery) (*twitterapi.Page, error)
	SearchRecent(ctx context.Context, query string, q twitterapi.PageQuery) (*twitterapi.Page, error)
}

// Recent search serves seven days; a walk keeps a margin inside that so its lower bound is
// still valid when the last page is asked for.
const (
	searchWindow = 7 * 24 * time.Hour
	searchMargin = 5 * time.Minute
)

// RecheckMissing is how long a handle found unknown or suspended is left alone before it is
// looked up again.
const RecheckMissing = 24 * time.Hour

// Outcome says what a fetch did.
type Outcome string

// Outcomes of a fetch that returned no error.
const (
	// OutcomeFetched: the walk completed and the cursor moved (or had nothing to move to).
	OutcomeFetched Outcome = "fetched"
	// OutcomeBusy: another worker is walking the source; this task has nothing to add.
	OutcomeBusy Outcome = "busy"
	// OutcomeMissing: the handle is unknown or suspended, or the API rejected the source as
	// malformed; the source is marked so and left alone for a day.
	OutcomeMissing Outcome = "missing"
	// OutcomeStale: a walk that began after this task was published has completed since;
	// the task has nothing to add, and no request is spent on it.
	OutcomeStale Outcome = "stale"
	// OutcomePaused: API calls the source needs are paused (a rate-limit window, a usage
	// cap, depleted credits, a refused token); nothing was requested. Set by the caller.
	OutcomePaused Outcome = "paused"
)

// Result reports one fetch.
type Result struct {
	Outcome  Outcome
	SourceID int64
	Pages    int
	Fetched  int
	// New tweets were stored for the first time; Known ones were stored already, by this
	// source or another.
	New, Known int
	// Refetched counts tweets this very source had stored before: a walk that keeps to its
	// cursor refetches none.
	Refetched int
	// CursorID is the source's cursor after the fetch.
	CursorID int64
	// Resumed is set when the fetch continued an interrupted walk.
	Resumed bool
}

// Observer is told about every stored page; the place for metrics about the tweets.
type Observer interface {
	PageStored(kind string, page []twitterapi.Tweet, newIDs []int64, storedAt time.Time)
}

// Collector fetches sources. It is safe for concurrent use.
type Collector struct {
	api   API
	store *store.Store
	log   *zap.Logger
	// Observer, when set, is told about every stored page.
	Observer Observer
	// DefaultBackfill bounds a new source's first walk when the task does not say.
	DefaultBackfill time.Duration
	// Now is the clock; tests may replace it.
	Now func() time.Time
}

// New returns a collector.
func New(api API, st *store.Store, log *zap.Logger, defaultBackfill time.Duration) *Collector {
	return &Collector{api: api, store: st, log: log, DefaultBackfill: defaultBackfill, Now: time.Now}
}

// Fetch walks f's source from its stored cursor and stores what is new. An error leaves the
// cursor where it was; the walk's progress up to the failed page is kept for the next try.
func (c *Collector) Fetch(ctx context.Context, f tasks.Fetch) (Result, error) {
	if err := f.Validate(); err != nil {
		return Result{}, err
	}
	value := f.Value
	if f.Kind == tasks.KindUser {
		value = strings.ToLower(value)
	}
	start, err := c.store.StartFetch(ctx, f.Kind, value, c.Now())
	if err != nil {
		return Result{SourceID: start.SourceID}, err
	}
	id, lock := start.SourceID, start.Lock
	if lock == nil {
		return Result{Outcome: OutcomeBusy, SourceID: id}, nil
	}
	defer lock.Release()
	st := lock.Store()
	res, err := c.fetchLocked(ctx, st, start.Source, start.Pauses, f)
	var paused *PausedError
	if err != nil && ctx.Err() == nil && !errors.As(err, &paused) {
		if recErr := st.RecordError(context.WithoutCancel(ctx), id, err.Error(), c.Now()); recErr != nil {
			c.log.Warn("could not record fetch error", zap.Int64("source_id", id), zap.Error(recErr))
		}
	}
	return res, err
}

// fetchLocked runs the fetch of src, read once its lock was taken, with the API pauses in
// force when it started; st writes on the lock's connection.
func (c *Collector) fetchLocked(
	ctx context.Context, st *store.Store, src *store.Source, pauses []store.Pause, f tasks.Fetch,
) (Result, error) {
	id := src.ID
	res := Result{SourceID: id, CursorID: src.CursorID}
	if src.Walk == nil && !f.PublishedAt.IsZero() && src.LastWalkStartedAt.After(f.PublishedAt) {
		res.Outcome = OutcomeStale
		return res, nil
	}
	if err := checkPauses(pauses, src); err != nil {
		return res, err
	}
	if src.Kind == tasks.KindUser && src.UserID == 0 || src.Status != store.StatusActive {
		missing, err := c.resolve(ctx, st, src, f)
		if err != nil || missing {
			res.Outcome = OutcomeMissing
			return res, err
		}
	}
	w, err := c.plan(ctx, st, src, f)
	if err != nil {
		return res, err
	}
	res.Resumed = src.Walk != nil
	return c.walk(ctx, st, src, w, res)
}

// resolve looks the handle up, unless it was found missing recently. missing is true when
// the source cannot be walked now.
func (c *Collector) resolve(
	ctx context.Context, st *store.Store, src *store.Source, f tasks.Fetch,
) (missing bool, err error) {
	handle := f.Value
	if src.Status != store.StatusActive && c.Now().Sub(src.LastErrorAt) < RecheckMissing {
		return true, nil
	}
	if src.Status == store.StatusRejected {
		// Tried again as it is; a complete walk clears the error.
		return false, st.MarkStatus(ctx, src.ID, store.StatusActive, "rechecking: "+src.LastError, c.Now())
	}
	if src.Kind != tasks.KindUser {
		return false, nil
	}
	u, err := c.api.LookupUser(ctx, handle)
	switch {
	case errors.Is(err, twitterapi.ErrUserNotFound):
		return true, st.MarkStatus(ctx, src.ID, store.StatusNotFound, err.Error(), c.Now())
	case errors.Is(err, twitterapi.ErrUserSuspended):
		return true, st.MarkStatus(ctx, src.ID, store.StatusSuspended, err.Error(), c.Now())
	case err != nil:
		return false, fmt.Errorf("resolve @%s: %w", handle, err)
	}
	// A first walk's backfill bound is set with the user, which saves plan a write.
	var from time.Time
	if src.CursorID == 0 && src.Walk == nil && src.BackfillFrom.IsZero() {
		from = c.Now().UTC().Add(-c.backfill(f))
	}
	bound, err := st.SetUser(ctx, src.ID, u.ID, u.Username, u.Name, from)
	if err != nil {
		return false, err
	}
	src.UserID, src.Status, src.BackfillFrom = u.ID, store.StatusActive, bound
	c.log.Info("handle resolved", zap.String("handle", handle), zap.Int64("user_id", u.ID))
	return false, nil
}

// plan returns the walk to run: the interrupted one, or a new one from the cursor, or, for
// a source without a cursor, from its backfill bound.
func (c *Collector) plan(ctx context.Context, st *store.Store, src *store.Source, f tasks.Fetch) (store.Walk, error) {
	if src.Walk != nil {
		return *src.Walk, nil
	}
	now := c.Now().UTC()
	w := store.Walk{StartedAt: now}
	if src.CursorID != 0 {
		w.SinceID = src.CursorID
	} else {
		// The bound read with the source (or set with its user) is the one in force.
		from := src.BackfillFrom
		if from.IsZero() {
			var err error
			if from, err = st.StartBackfill(ctx, src.ID, now.Add(-c.backfill(f))); err != nil {
				return w, err
			}
		}
		w.StartTime = from.Truncate(time.Second)
	}
	if src.Kind == tasks.KindQuery {
		if g := clampToSearchWindow(src, &w, now); g != nil {
			if err := c.recordGap(ctx, st, src, g); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

func (c *Collector) backfill(f tasks.Fetch) time.Duration {
	if f.BackfillSeconds > 0 {
		return time.Duration(f.BackfillSeconds) * time.Second
	}
	return c.DefaultBackfill
}

// clampToSearchWindow keeps a search walk's lower bound inside the seven days recent search
// accepts. A cursor older than that leaves a gap, which it returns: what lies before the
// window cannot be fetched any more.
func clampToSearchWindow(src *store.Source, w *store.Walk, now time.Time) *store.Gap {
	oldest := now.Add(-searchWindow + searchMargin).Truncate(time.Second)
	var gap *store.Gap
	if w.SinceID != 0 && store.SnowflakeTime(w.SinceID).Before(oldest) {
		gap = searchGap(src, w.SinceID, oldest, now)
		w.SinceID, w.StartTime = 0, oldest
	}
	if w.SinceID == 0 && w.StartTime.Before(oldest) {
		w.StartTime = oldest
	}
	return gap
}

func idString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
