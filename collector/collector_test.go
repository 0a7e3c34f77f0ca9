package collector_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/tweetflow/tweetflow/collector"
	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

var simStart = time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)

// env is a simulator on a manual clock, the real client over HTTP, and a fresh database.
type env struct {
	t     *testing.T
	clock *twittersim.ManualClock
	sim   *twittersim.Server
	api   *countingAPI
	st    *store.Store
	dbURL string
	coll  *collector.Collector
}

func newEnv(t *testing.T, accounts string) *env {
	t.Helper()
	return newEnvLimited(t, accounts, twittersim.RateLimits{})
}

// newEnvLimited is newEnv with the simulator's rate limits set (zero fields: the defaults).
func newEnvLimited(t *testing.T, accounts string, limits twittersim.RateLimits) *env {
	t.Helper()
	specs, err := twittersim.ParseAccounts(accounts)
	if err != nil {
		t.Fatal(err)
	}
	clock := twittersim.NewManualClock(simStart)
	sim, err := twittersim.New(twittersim.Config{
		Seed: 7, Accounts: specs, Clock: clock, Start: simStart,
		History: 2 * time.Hour, RateLimits: limits,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	api := &countingAPI{API: twitterapi.New(twitterapi.Options{
		BaseURL: srv.URL, BearerToken: twittersim.DefaultToken, Timeout: 10 * time.Second,
	})}
	dbURL := testenv.Database(t)
	st, err := store.Connect(context.Background(), dbURL, 4, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	coll := collector.New(api, st, zaptest.NewLogger(t), 30*time.Minute)
	coll.Now = clock.Now
	return &env{t: t, clock: clock, sim: sim, api: api, st: st, dbURL: dbURL, coll: coll}
}

// countingAPI counts the requests the collector makes and can fail one on purpose.
type countingAPI struct {
	collector.API
	lookups, pages int
	failPage       int // fail the page request with this number (1-based), 0 never
}

var errInjected = errors.New("injected failure")

func (c *countingAPI) LookupUser(ctx context.Context, handle string) (*twitterapi.User, error) {
	c.lookups++
	return c.API.LookupUser(ctx, handle)
}

func (c *countingAPI) UserTimeline(ctx context.Context, id string, q twitterapi.PageQuery) (*twitterapi.Page, error) {
	c.pages++
	if c.pages == c.failPage {
		return nil, errInjected
	}
	return c.API.UserTimeline(ctx, id, q)
}

func (c *countingAPI) SearchRecent(ctx context.Context, query string, q twitterapi.PageQuery) (*twitterapi.Page, error) {
	c.pages++
	return c.API.SearchRecent(ctx, query, q)
}

func (e *env) fetch(kind, value string) collector.Result {
	e.t.Helper()
	res, err := e.coll.Fetch(context.Background(), tasks.Fetch{Kind: kind, Value: value})
	if err != nil {
		e.t.Fatalf("fetch %s:%s: %v", kind, value, err)
	}
	return res
}

// stored returns the stored text of every tweet of the source, by id.
func (e *env) stored(sourceID int64) map[string]string {
	e.t.Helper()
	rows, err := e.st.Pool().Query(context.Background(), `SELECT t.id, t.text FROM tweets t
		JOIN tweet_sources s ON s.tweet_id = t.id WHERE s.source_id = $1`, sourceID)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			e.t.Fatal(err)
		}
		out[strconv.FormatInt(id, 10)] = text
	}
	return out
}

// truthSince returns the simulator's tweets of username created at or after from.
func (e *env) truthSince(username string, from time.Time) map[string]twittersim.TruthTweet {
	e.t.Helper()
	all, err := e.sim.Truth(username)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]twittersim.TruthTweet{}
	for _, tw := range all {
		if !tw.CreatedAt.Before(from.Truncate(time.Second)) {
			out[tw.ID] = tw
		}
	}
	return out
}

func (e *env) assertStoredExactly(sourceID int64, want map[string]twittersim.TruthTweet) {
	e.t.Helper()
	got := e.stored(sourceID)
	for id, tw := range want {
		text, ok := got[id]
		switch {
		case !ok:
			e.t.Errorf("tweet %s (%s, %s) missing", id, tw.Kind, tw.CreatedAt)
		case text != tw.FullText:
			e.t.Errorf("tweet %s text = %q, want %q", id, text, tw.FullText)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			e.t.Errorf("tweet %s stored but not expected", id)
		}
	}
}

func TestFetch_FirstWalkStopsAtTheBackfillWindowThenFollowsTheCursor(t *testing.T) {
	e := newEnv(t, "alice:10s")
	first := e.fetch(tasks.KindUser, "alice")
	from := simStart.Add(-30 * time.Minute)
	want := e.truthSince("alice", from)
	if len(want) < 100 {
		t.Fatalf("simulator made only %d tweets in the window; the test needs several pages", len(want))
	}
	e.assertStoredExactly(first.SourceID, want)
	if first.New != len(want) || first.Pages != (len(want)+99)/100 {
		t.Errorf("first fetch: %d new in %d pages; want %d new in %d pages", first.New, first.Pages, len(want), (len(want)+99)/100)
	}

	e.clock.Advance(10 * time.Minute)
	e.api.pages, e.api.lookups = 0, 0
	second := e.fetch(tasks.KindUser, "alice")
	want = e.truthSince("alice", from)
	e.assertStoredExactly(first.SourceID, want)
	if second.Refetched != 0 || second.Pages != 1 || e.api.lookups != 0 {
		t.Errorf("second fetch: %d refetched, %d pages, %d lookups; want 0, 1, 0", second.Refetched, second.Pages, e.api.lookups)
	}
	if second.CursorID <= first.CursorID {
		t.Errorf("cursor moved from %d to %d, want forward", first.CursorID, second.CursorID)
	}
}

func TestFetch_InterruptedWalkResumesFromItsTokenWithoutRefetching(t *testing.T) {
	e := newEnv(t, "bob:10s")
	e.api.failPage = 2
	_, err := e.coll.Fetch(context.Background(), tasks.Fetch{Kind: tasks.KindUser, Value: "bob"})
	if !errors.Is(err, errInjected) {
		t.Fatalf("first fetch error = %v, want the injected failure", err)
	}
	id, _ := e.st.EnsureSource(context.Background(), tasks.KindUser, "bob")
	src, _ := e.st.Source(context.Background(), id)
	if src.CursorID != 0 || src.Walk == nil || src.LastError == "" {
		t.Fatalf("after the failure: cursor %d, walk %+v, last error %q; want 0, a walk, an error", src.CursorID, src.Walk, src.LastError)
	}
	pagesBefore := e.api.pages
	res := e.fetch(tasks.KindUser, "bob")
	want := e.truthSince("bob", simStart.Add(-30*time.Minute))
	e.assertStoredExactly(id, want)
	if !res.Resumed || res.Refetched != 0 {
		t.Errorf("resumed = %v, known = %d; want a resumed walk that refetched nothing", res.Resumed, res.Known)
	}
	if total := (len(want) + 99) / 100; pagesBefore-1+res.Pages != total {
		t.Errorf("pages read = %d before + %d after; want %d in all plus the failed one", pagesBefore, res.Pages, total)
	}
}

func TestFetch_RenamedHandleKeepsWorking(t *testing.T) {
	e := newEnv(t, "carol:1m")
	e.fetch(tasks.KindUser, "carol")
	if _, err := e.sim.Rename("carol", "carol_new"); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(5 * time.Minute)
	if _, err := e.sim.Post("carol_new", 3); err != nil {
		t.Fatal(err)
	}
	e.api.lookups = 0
	res := e.fetch(tasks.KindUser, "carol")
	if res.Outcome != collector.OutcomeFetched || res.New < 3 || e.api.lookups != 0 {
		t.Errorf("after rename: %s with %d new and %d lookups; want fetched, at least 3 new, 0 lookups", res.Outcome, res.New, e.api.lookups)
	}
}

func TestFetch_UnknownHandleIsMarkedAndNotAskedAgainSoon(t *testing.T) {
	e := newEnv(t, "dave:1m")
	res := e.fetch(tasks.KindUser, "nobody_here")
	if res.Outcome != collector.OutcomeMissing {
		t.Fatalf("outcome = %s, want missing", res.Outcome)
	}
	src, _ := e.st.Source(context.Background(), res.SourceID)
	if src.Status != store.StatusNotFound {
		t.Errorf("status = %s, want not_found", src.Status)
	}
	e.clock.Advance(time.Hour)
	before := e.api.lookups
	if res := e.fetch(tasks.KindUser, "nobody_here"); res.Outcome != collector.OutcomeMissing || e.api.lookups != before {
		t.Errorf("second fetch: %s with %d more lookups; want missing with none", res.Outcome, e.api.lookups-before)
	}
	e.clock.Advance(collector.RecheckMissing)
	e.fetch(tasks.KindUser, "nobody_here")
	if e.api.lookups != before+1 {
		t.Errorf("after a day: %d more lookups, want 1", e.api.lookups-before)
	}
}

func TestFetch_SourceBeingWalkedElsewhereIsSkipped(t *testing.T) {
	e := newEnv(t, "erin:1m")
	id, _ := e.st.EnsureSource(context.Background(), tasks.KindUser, "erin")
	lock, ok, err := e.st.TryLockSource(context.Background(), id)
	if err != nil || !ok {
		t.Fatal("could not take the lock")
	}
	defer lock.Release()
	if res := e.fetch(tasks.KindUser, "erin"); res.Outcome != collector.OutcomeBusy || e.api.pages != 0 {
		t.Errorf("outcome %s after %d page requests; want busy after none", res.Outcome, e.api.pages)
	}
}

func TestFetch_TweetFoundByTwoSourcesIsStoredOnce(t *testing.T) {
	e := newEnv(t, "frank:30s")
	user := e.fetch(tasks.KindUser, "frank")
	query := e.fetch(tasks.KindQuery, "from:frank")
	if query.New != 0 || query.Known == 0 {
		t.Errorf("query fetch: %d new, %d known; want 0 new, all known", query.New, query.Known)
	}
	var rows, links int
	_ = e.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM tweets`).Scan(&rows)
	_ = e.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM tweet_sources`).Scan(&links)
	if rows != user.New || links != user.New+query.Known {
		t.Errorf("rows %d, links %d; want %d rows and %d links", rows, links, user.New, user.New+query.Known)
	}
}

func TestFetch_ConcurrentWalksNeverExhaustThePool(t *testing.T) {
	var accounts []string
	for i := range 12 {
		accounts = append(accounts, "acct"+strconv.Itoa(i)+":30s")
	}
	e := newEnv(t, strings.Join(accounts, ","))
	small, err := store.Connect(context.Background(), e.dbURL, 1, zap.NewNop()) // 5 connections
	if err != nil {
		t.Fatal(err)
	}
	defer small.Close()
	coll := collector.New(e.api.API, small, zap.NewNop(), 30*time.Minute)
	coll.Now = e.clock.Now
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, len(accounts))
	for i := range accounts {
		wg.Go(func() {
			res, err := coll.Fetch(ctx, tasks.Fetch{Kind: tasks.KindUser, Value: "acct" + strconv.Itoa(i)})
			if err == nil && res.Outcome != collector.OutcomeFetched {
				err = errors.New("outcome " + string(res.Outcome))
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("fetch: %v", err)
		}
	}
}

func TestFetch_AccountSuspendedAfterResolvingIsMarkedSuspended(t *testing.T) {
	e := newEnv(t, "ivy:1m")
	first := e.fetch(tasks.KindUser, "ivy")
	if _, err := e.sim.Suspend("ivy"); err != nil {
		t.Fatal(err)
	}
	res := e.fetch(tasks.KindUser, "ivy")
	src, _ := e.st.Source(context.Background(), first.SourceID)
	if res.Outcome != collector.OutcomeMissing || src.Status != store.StatusSuspended || src.LastError == "" {
		t.Errorf("outcome %s, status %s, last error %q; want missing, suspended and a reason",
			res.Outcome, src.Status, src.LastError)
	}
	if src.CursorID != first.CursorID {
		t.Errorf("cursor moved from %d to %d on a suspended account", first.CursorID, src.CursorID)
	}
}

func TestFetch_TaskPublishedBeforeTheLastWalkBeganIsStale(t *testing.T) {
	e := newEnv(t, "jack:20s")
	published := e.clock.Now()
	e.clock.Advance(time.Second)
	e.fetch(tasks.KindUser, "jack") // a walk that began after the publish
	e.clock.Advance(time.Minute)
	before := e.api.pages
	res, err := e.coll.Fetch(context.Background(), tasks.Fetch{Kind: tasks.KindUser, Value: "jack", PublishedAt: published})
	if err != nil || res.Outcome != collector.OutcomeStale || e.api.pages != before {
		t.Fatalf("queued task: %s, %v, %d requests; want stale with none", res.Outcome, err, e.api.pages-before)
	}
	res, err = e.coll.Fetch(context.Background(), tasks.Fetch{Kind: tasks.KindUser, Value: "jack", PublishedAt: e.clock.Now()})
	if err != nil || res.Outcome != collector.OutcomeFetched {
		t.Fatalf("task published after the walk: %s, %v; want fetched", res.Outcome, err)
	}
}

func TestFetch_BurstBeyondTheTimelineDepthIsRecordedAsAGap(t *testing.T) {
	e := newEnv(t, "zoe:0")
	if _, err := e.sim.Post("zoe", 1); err != nil {
		t.Fatal(err)
	}
	first := e.fetch(tasks.KindUser, "zoe")
	if first.CursorID == 0 {
		t.Fatal("the first fetch set no cursor")
	}
	e.clock.Advance(time.Minute)
	burst, err := e.sim.Post("zoe", collector.TimelineDepth+300)
	if err != nil {
		t.Fatal(err)
	}
	res := e.fetch(tasks.KindUser, "zoe")
	gaps, err := e.st.Gaps(context.Background(), res.SourceID)
	if err != nil || len(gaps) != 1 {
		t.Fatalf("gaps = %+v, %v; want one", gaps, err)
	}
	g := gaps[0]
	stored := e.stored(res.SourceID)
	var oldestStored int64
	for id := range stored {
		if n, _ := strconv.ParseInt(id, 10, 64); n > first.CursorID && (oldestStored == 0 || n < oldestStored) {
			oldestStored = n
		}
	}
	if g.Reason != collector.GapTimelineDepth || g.AfterID != first.CursorID || g.BeforeID != oldestStored {
		t.Errorf("gap = %s (%d, %d); want %s (%d, %d)", g.Reason, g.AfterID, g.BeforeID,
			collector.GapTimelineDepth, first.CursorID, oldestStored)
	}
	if missing := missingOutside(t, burst, stored, g); missing == 0 {
		t.Error("no tweet was missing; the test did not push past the depth")
	}

	e.clock.Advance(time.Minute)
	if _, err := e.sim.Post("zoe", 5); err != nil {
		t.Fatal(err)
	}
	if res := e.fetch(tasks.KindUser, "zoe"); res.Fetched != 5 {
		t.Errorf("next fetch read %d tweets, want 5", res.Fetched)
	}
	if gaps, _ := e.st.Gaps(context.Background(), res.SourceID); len(gaps) != 1 {
		t.Errorf("an ordinary fetch after the gap recorded %d gaps in all, want still 1", len(gaps))
	}
}

func TestFetch_AGapBehindAnInterruptedWalkIsRecorded(t *testing.T) {
	// Twelve timeline requests a window: the walk of a burst past the depth stops when the
	// window is spent, and while it waits more tweets push its lower pages out of reach.
	e := newEnvLimited(t, "zoe:0", twittersim.RateLimits{Timeline: 12})
	if _, err := e.sim.Post("zoe", 1); err != nil {
		t.Fatal(err)
	}
	first := e.fetch(tasks.KindUser, "zoe")
	e.clock.Advance(time.Minute)
	burst, err := e.sim.Post("zoe", collector.TimelineDepth)
	if err != nil {
		t.Fatal(err)
	}
	burst, interruptions := walkThroughSpentWindows(t, e, "zoe", burst)
	if interruptions == 0 {
		t.Fatal("the walk was never interrupted; the test did not do what it says")
	}
	// The tweets posted during the interruptions are newer than the walk: the next one
	// reads them.
	e.clock.Advance(15 * time.Minute)
	e.fetch(tasks.KindUser, "zoe")
	src, err := e.st.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	id := src["user:zoe"].ID
	gaps, err := e.st.Gaps(context.Background(), id)
	if err != nil || len(gaps) != 1 {
		t.Fatalf("gaps = %+v, %v; want one", gaps, err)
	}
	stored := e.stored(id)
	if gaps[0].AfterID != first.CursorID {
		t.Errorf("gap after %d; want after the cursor before the burst, %d", gaps[0].AfterID, first.CursorID)
	}
	if missing := missingOutside(t, burst, stored, gaps[0]); missing == 0 {
		t.Error("no tweet was missing; the test did not push past the depth")
	}
}

// walkThroughSpentWindows fetches user until a walk completes, waiting out each spent
// window; during each wait 150 more tweets are posted. It returns every tweet posted (posted
// and those) and the number of interruptions.
func walkThroughSpentWindows(t *testing.T, e *env, user string, posted []twittersim.TruthTweet) (
	[]twittersim.TruthTweet, int,
) {
	t.Helper()
	interruptions := 0
	for {
		res, err := e.coll.Fetch(context.Background(), tasks.Fetch{Kind: tasks.KindUser, Value: user})
		var ae *twitterapi.Error
		switch {
		case errors.As(err, &ae) && ae.Kind == twitterapi.KindRateLimited:
			if ae.Status == 429 {
				t.Fatal("the walk learnt of the spent window from a 429")
			}
			interruptions++
			more, err := e.sim.Post(user, 150)
			if err != nil {
				t.Fatal(err)
			}
			posted = append(posted, more...)
			e.clock.Set(ae.ResetAt().Add(2 * time.Second))
		case err != nil:
			t.Fatal(err)
		case res.Outcome == collector.OutcomeFetched:
			return posted, interruptions
		default:
			e.clock.Advance(time.Minute) // paused: wait for the window
		}
	}
}

// missingOutside counts the tweets of burst that were not stored, failing the test for each
// one that lies outside the gap g.
func missingOutside(t *testing.T, burst []twittersim.TruthTweet, stored map[string]string, g store.Gap) int {
	t.Helper()
	missing := 0
	for _, tw := range burst {
		if _, ok := stored[tw.ID]; ok {
			continue
		}
		if n, _ := strconv.ParseInt(tw.ID, 10, 64); n <= g.AfterID || n >= g.BeforeID {
			t.Errorf("missing tweet %s lies outside the recorded gap", tw.ID)
		}
		missing++
	}
	return missing
}

func TestFetch_QueryTheAPIRejectsIsMarkedAndNotAskedAgainSoon(t *testing.T) {
	e := newEnv(t, "yan:1m")
	res := e.fetch(tasks.KindQuery, "(unbalanced")
	src, _ := e.st.Source(context.Background(), res.SourceID)
	if res.Outcome != collector.OutcomeMissing || src.Status != store.StatusRejected || src.LastError == "" {
		t.Fatalf("outcome %s, status %s, error %q; want missing, rejected and the API's reason",
			res.Outcome, src.Status, src.LastError)
	}
	e.clock.Advance(time.Hour)
	before := e.api.pages
	if res := e.fetch(tasks.KindQuery, "(unbalanced"); res.Outcome != collector.OutcomeMissing || e.api.pages != before {
		t.Errorf("an hour later: %s with %d requests; want missing with none", res.Outcome, e.api.pages-before)
	}
	e.clock.Advance(collector.RecheckMissing)
	e.fetch(tasks.KindQuery, "(unbalanced")
	if e.api.pages != before+1 {
		t.Errorf("a day later: %d requests, want 1", e.api.pages-before)
	}
}
