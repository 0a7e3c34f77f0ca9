package collector

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

// walk reads pages until the API hands out no further token, storing each page with the
// walk state that follows it. The same lower bound serves every page; the cursor becomes
// the first page's newest id once the last page is stored.
func (c *Collector) walk(
	ctx context.Context, st *store.Store, src *store.Source, w store.Walk, res Result,
) (Result, error) {
	var oldest int64 // the oldest tweet id this run read
	for {
		page, err := c.page(ctx, src, w)
		if gone := userGoneStatus(err); gone != "" {
			res.Outcome = OutcomeMissing
			return res, st.MarkStatus(ctx, src.ID, gone, err.Error(), c.Now())
		}
		if rejected(err) {
			res.Outcome = OutcomeMissing
			return res, st.MarkStatus(ctx, src.ID, store.StatusRejected, err.Error(), c.Now())
		}
		if err != nil {
			return res, fmt.Errorf("fetch page %d of %s:%s: %w", res.Pages+1, src.Kind, src.Value, err)
		}
		res.Pages++
		res.Fetched += len(page.Tweets)
		w.Fetched += len(page.Tweets)
		oldest = minID(oldest, page.Tweets)
		if err := setNewest(&w, page); err != nil {
			return res, fmt.Errorf("page %d of %s:%s: %w", res.Pages, src.Kind, src.Value, err)
		}
		next := nextWalk(w, page.NextToken)
		if err := c.storePage(ctx, st, src, w, next, oldest, page, &res); err != nil {
			return res, err
		}
		spent, err := c.spendWindow(ctx, st, endpointOf(src), page.RateLimit)
		if err != nil {
			return res, err
		}
		if spent && next != nil {
			return res, windowSpentError(endpointOf(src), page.RateLimit)
		}
		if next == nil {
			res.Outcome = OutcomeFetched
			res.CursorID = max(res.CursorID, w.NewestID)
			return res, nil
		}
		w = *next
	}
}

// setNewest takes the walk's newest id from its first page that has one.
func setNewest(w *store.Walk, page *twitterapi.Page) error {
	if w.NewestID != 0 || page.NewestID == "" {
		return nil
	}
	id, err := strconv.ParseInt(page.NewestID, 10, 64)
	if err != nil {
		return fmt.Errorf("newest_id %q is not an id", page.NewestID)
	}
	w.NewestID = id
	return nil
}

// storePage stores one page with the walk state next (nil: the walk is complete, after a
// gap check) and adds what it changed to res.
func (c *Collector) storePage(ctx context.Context, st *store.Store, src *store.Source, w store.Walk,
	next *store.Walk, oldest int64, page *twitterapi.Page, res *Result,
) error {
	if next == nil && src.Kind == tasks.KindUser && mayHaveOutgrown(w, c.Now()) {
		// A walk resumed after an interruption read its older pages in an earlier run: the
		// lower edge of what it reached is the oldest tweet stored above the cursor.
		stored, err := st.OldestLinkedAfter(ctx, src.ID, w.SinceID)
		if err != nil {
			return err
		}
		if stored != 0 && (oldest == 0 || stored < oldest) {
			oldest = stored
		}
		if g := timelineGap(src, w, oldest, c.Now().UTC()); g != nil {
			if err := c.recordGap(ctx, st, src, g); err != nil {
				return err
			}
		}
	}
	storedAt := c.Now().UTC()
	saved, err := st.SavePage(ctx, store.PageWrite{
		SourceID: src.ID, Tweets: page.Tweets, Next: next, NewestID: w.NewestID, FetchedAt: storedAt,
		WalkStartedAt: w.StartedAt,
	})
	if err != nil {
		return err
	}
	if c.Observer != nil {
		c.Observer.PageStored(src.Kind, page.Tweets, saved.NewIDs, storedAt)
	}
	res.New += saved.New
	res.Known += saved.Known
	res.Refetched += saved.New + saved.Known - saved.Linked
	c.logPartialErrors(src, page.Errors)
	return nil
}

// rejected reports a 400 for the source's own request, such as a malformed query: asking
// again cannot help until the operator changes the source.
func rejected(err error) bool {
	var ae *twitterapi.Error
	return errors.As(err, &ae) && ae.Kind == twitterapi.KindBadRequest && ae.Status == 400
}

// userGoneStatus is the source status an error of a timeline page calls for: suspended or
// not found when the account is gone, "" otherwise.
func userGoneStatus(err error) string {
	switch {
	case errors.Is(err, twitterapi.ErrUserSuspended):
		return store.StatusSuspended
	case errors.Is(err, twitterapi.ErrUserNotFound):
		return store.StatusNotFound
	default:
		return ""
	}
}

// minID is the smaller of cur (0: none yet) and the page's smallest tweet id.
func minID(cur int64, page []twitterapi.Tweet) int64 {
	for i := range page {
		if cur == 0 || page[i].ID < cur {
			cur = page[i].ID
		}
	}
	return cur
}

// nextWalk is the walk state after a page: nil when token is empty and the walk is done.
func nextWalk(w store.Walk, token string) *store.Walk {
	if token == "" {
		return nil
	}
	w.Token = token
	return &w
}

func (c *Collector) page(ctx context.Context, src *store.Source, w store.Walk) (*twitterapi.Page, error) {
	q := twitterapi.PageQuery{SinceID: idString(w.SinceID), StartTime: w.StartTime, Token: w.Token}
	if src.Kind == tasks.KindUser {
		return c.api.UserTimeline(ctx, strconv.FormatInt(src.UserID, 10), q)
	}
	return c.api.SearchRecent(ctx, src.Value, q)
}

// logPartialErrors notes problems served beside data, such as a deleted referenced tweet.
func (c *Collector) logPartialErrors(src *store.Source, problems []twitterapi.Problem) {
	for _, p := range problems {
		c.log.Debug("partial error in page", zap.Int64("source_id", src.ID),
			zap.String("title", p.Title), zap.String("detail", p.Detail))
	}
}
