package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/internal/testenv"
	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/twitterapi"
)

func open(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Connect(ctx, testenv.Database(t), 4, zap.NewNop())
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

func tweet(id, likes int64) twitterapi.Tweet {
	raw, _ := json.Marshal(map[string]any{"id": fmt.Sprint(id), "text": "Tom &amp; Jerry 東京 🚀"})
	return twitterapi.Tweet{
		ID: id, AuthorID: 42, Text: "Tom &amp; Jerry 東京 🚀", CreatedAt: time.Unix(1700000000, 0).UTC(),
		Lang: "en", Metrics: twitterapi.Metrics{Likes: likes}, Raw: raw,
	}
}

func TestMigrate_IsIdempotentAndSafeConcurrently(t *testing.T) {
	ctx := context.Background()
	url := testenv.Database(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			st, err := store.Connect(ctx, url, 1, zap.NewNop())
			if err != nil {
				errs[i] = err
				return
			}
			defer st.Close()
			_, errs[i] = st.Migrate(ctx)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrate %d: %v", i, err)
		}
	}
	st, err := store.Connect(ctx, url, 1, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Errorf("migrate again: applied %d, err %v; want 0, nil", len(applied), err)
	}
	if ok, err := st.SchemaCurrent(ctx); !ok || err != nil {
		t.Errorf("SchemaCurrent = %v, %v; want true, nil", ok, err)
	}
}

func TestSavePage_StoresEachTweetOnceAndRefreshesMetrics(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	a, _ := st.EnsureSource(ctx, "user", "alice")
	b, _ := st.EnsureSource(ctx, "query", "#golang")
	now := time.Now().UTC()

	got, err := st.SavePage(ctx, store.PageWrite{SourceID: a, Tweets: []twitterapi.Tweet{tweet(10, 1), tweet(11, 1)}, FetchedAt: now})
	if err != nil || !sameSaved(got, store.Saved{New: 2, Known: 0, Linked: 2}) {
		t.Fatalf("first save = %+v, %v; want 2 new, 2 linked", got, err)
	}
	got, err = st.SavePage(ctx, store.PageWrite{SourceID: a, Tweets: []twitterapi.Tweet{tweet(11, 5), tweet(11, 5)}, FetchedAt: now})
	if err != nil || !sameSaved(got, store.Saved{New: 0, Known: 1, Linked: 0}) {
		t.Fatalf("repeat save = %+v, %v; want 1 known, 0 linked", got, err)
	}
	got, err = st.SavePage(ctx, store.PageWrite{SourceID: b, Tweets: []twitterapi.Tweet{tweet(11, 5)}, FetchedAt: now})
	if err != nil || !sameSaved(got, store.Saved{New: 0, Known: 1, Linked: 1}) {
		t.Fatalf("other source = %+v, %v; want 1 known, 1 linked", got, err)
	}

	var rows, links, likes int64
	var text, raw string
	pool := st.Pool()
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM tweets`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	_ = pool.QueryRow(ctx, `SELECT count(*) FROM tweet_sources WHERE tweet_id = 11`).Scan(&links)
	_ = pool.QueryRow(ctx, `SELECT like_count, text, raw::text FROM tweets WHERE id = 11`).Scan(&likes, &text, &raw)
	if rows != 2 || links != 2 || likes != 5 {
		t.Errorf("rows, links of 11, likes of 11 = %d, %d, %d; want 2, 2, 5", rows, links, likes)
	}
	if want := "Tom &amp; Jerry 東京 🚀"; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
	srcA, _ := st.Source(ctx, a)
	if srcA.TweetsStored != 2 {
		t.Errorf("tweets stored by alice = %d, want 2", srcA.TweetsStored)
	}
}

func TestSavePage_MovesCursorOnlyWhenWalkCompletesAndNeverBack(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	id, _ := st.EnsureSource(ctx, "user", "bob")
	now := time.Now().UTC().Truncate(time.Microsecond)
	steps := []struct {
		name       string
		write      store.PageWrite
		wantCursor int64
		wantToken  string
	}{
		{"first page of a walk keeps the cursor", store.PageWrite{
			Tweets: []twitterapi.Tweet{tweet(30, 0), tweet(29, 0)}, NewestID: 30,
			Next: &store.Walk{Token: "p2", SinceID: 0, StartTime: now, NewestID: 30, StartedAt: now},
		}, 0, "p2"},
		{"last page moves it to the walk's newest id", store.PageWrite{
			Tweets: []twitterapi.Tweet{tweet(28, 0)}, NewestID: 30,
		}, 30, ""},
		{"an older walk does not move it back", store.PageWrite{
			Tweets: []twitterapi.Tweet{tweet(20, 0)}, NewestID: 20,
		}, 30, ""},
		{"an empty walk leaves it", store.PageWrite{}, 30, ""},
	}
	for _, s := range steps {
		s.write.SourceID, s.write.FetchedAt = id, now
		if _, err := st.SavePage(ctx, s.write); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		src, err := st.Source(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		token := ""
		if src.Walk != nil {
			token = src.Walk.Token
			if !src.Walk.StartTime.Equal(now) || src.Walk.NewestID != 30 {
				t.Errorf("%s: walk = %+v, want start %v and newest 30", s.name, src.Walk, now)
			}
		}
		if src.CursorID != s.wantCursor || token != s.wantToken {
			t.Errorf("%s: cursor, token = %d, %q; want %d, %q", s.name, src.CursorID, token, s.wantCursor, s.wantToken)
		}
	}
}

func TestSavePage_UnknownSourceStoresNothing(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	_, err := st.SavePage(ctx, store.PageWrite{SourceID: 999, Tweets: []twitterapi.Tweet{tweet(1, 0)}, FetchedAt: time.Now()})
	if err == nil {
		t.Fatal("save for a missing source succeeded")
	}
	var n int
	_ = st.Pool().QueryRow(ctx, `SELECT count(*) FROM tweets`).Scan(&n)
	if n != 0 {
		t.Errorf("tweets stored = %d, want 0", n)
	}
}

func TestTryLockSource_IsExclusiveUntilReleased(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	id, _ := st.EnsureSource(ctx, "user", "carol")
	l1, ok, err := st.TryLockSource(ctx, id)
	if err != nil || !ok {
		t.Fatalf("first lock = %v, %v; want held", ok, err)
	}
	if _, ok, _ := st.TryLockSource(ctx, id); ok {
		t.Fatal("second lock was granted while the first is held")
	}
	l1.Release()
	l2, ok, err := st.TryLockSource(ctx, id)
	if err != nil || !ok {
		t.Fatalf("lock after release = %v, %v; want held", ok, err)
	}
	l2.Release()
}

func TestEnsureSource_ReturnsTheSameIDForTheSameSource(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	a, err := st.EnsureSource(ctx, "query", "#go")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := st.EnsureSource(ctx, "query", "#go")
	c, _ := st.EnsureSource(ctx, "user", "#go")
	if a != b || a == c {
		t.Errorf("ids = %d, %d, %d; want the first two equal and the third different", a, b, c)
	}
	from := time.Now().UTC().Add(-time.Hour).Truncate(time.Microsecond)
	got, _ := st.StartBackfill(ctx, a, from)
	again, _ := st.StartBackfill(ctx, a, from.Add(time.Hour))
	if !got.Equal(from) || !again.Equal(from) {
		t.Errorf("backfill bound = %v then %v; want %v both times", got, again, from)
	}
}

func TestConnect_WrongDatabaseFailsAtOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := store.Connect(ctx, "postgres://postgres@127.0.0.1:5432/tf_no_such_db?sslmode=disable", 1, zap.NewNop())
	if err == nil || ctx.Err() != nil {
		t.Fatalf("connect to a missing database: err %v, ctx %v; want a refusal before the deadline", err, ctx.Err())
	}
}

// sameSaved compares the counts of a page write; NewIDs must hold New ids.
func sameSaved(got, want store.Saved) bool {
	return got.New == want.New && got.Known == want.Known && got.Linked == want.Linked && len(got.NewIDs) == got.New
}

func TestEnsureSource_KnownSourceTakesNoSequenceValue(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	a, _ := st.EnsureSource(ctx, "user", "one")
	for range 5 {
		if _, err := st.EnsureSource(ctx, "user", "one"); err != nil {
			t.Fatal(err)
		}
	}
	b, _ := st.EnsureSource(ctx, "user", "two")
	if b != a+1 {
		t.Errorf("second source got id %d after %d, want %d: lookups of a known source used up ids", b, a, a+1)
	}
}

func TestPauses_AllWinsAndExpiredOnesDoNotCount(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	started, err := st.SetPause(ctx, store.Pause{Endpoint: "timeline", Reason: "rate_limited", Until: now.Add(time.Minute)}, now)
	if err != nil || !started {
		t.Fatalf("first pause: started %v, err %v; want started", started, err)
	}
	if again, _ := st.SetPause(ctx, store.Pause{Endpoint: "timeline", Reason: "rate_limited", Until: now.Add(2 * time.Minute)}, now); again {
		t.Error("renewing a pause in force reported it as started")
	}
	cases := []struct {
		name     string
		endpoint string
		at       time.Time
		want     string
	}{
		{"the paused endpoint", "timeline", now, "rate_limited"},
		{"another endpoint", "search", now, ""},
		{"after the pause", "timeline", now.Add(3 * time.Minute), ""},
	}
	for _, c := range cases {
		p, err := st.ActivePause(ctx, c.endpoint, c.at)
		got := ""
		if p != nil {
			got = p.Reason
		}
		if err != nil || got != c.want {
			t.Errorf("%s: pause %q, err %v; want %q", c.name, got, err, c.want)
		}
	}
	if _, err := st.SetPause(ctx, store.Pause{Endpoint: store.PauseAll, Reason: "credits_depleted"}, now); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.ActivePause(ctx, "timeline", now.Add(time.Hour)); p == nil || p.Reason != "credits_depleted" || !p.Until.IsZero() {
		t.Errorf("pause of all = %+v, want credits_depleted with no end", p)
	}
	if n, err := st.ClearPauses(ctx, now.Add(time.Hour)); err != nil || n != 1 {
		t.Errorf("ClearPauses an hour on = %d, %v; want 1 (the timeline pause has ended), nil", n, err)
	}
	if p, _ := st.ActivePause(ctx, "timeline", now); p != nil {
		t.Errorf("after clearing: %+v, want none", p)
	}
}

func TestSetPause_ConcurrentStartsReportOneStarter(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	now := time.Now().UTC()
	var wg sync.WaitGroup
	starts := make(chan bool, 8)
	for range 8 {
		wg.Go(func() {
			started, err := st.SetPause(ctx, store.Pause{
				Endpoint: store.PauseAll, Reason: "unauthorized",
				Until: now.Add(time.Minute),
			}, now)
			if err != nil {
				t.Error(err)
			}
			starts <- started
		})
	}
	wg.Wait()
	close(starts)
	n := 0
	for s := range starts {
		if s {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d callers started the pause, want exactly 1", n)
	}
	if _, err := st.SetPause(ctx, store.Pause{Endpoint: store.PauseAll, Reason: "credits_depleted"}, now); err != nil {
		t.Fatal(err)
	}
	if p, _ := st.ActivePause(ctx, "timeline", now.Add(time.Hour)); p == nil || !p.Until.IsZero() {
		t.Errorf("pause after extending to no end = %+v, want one without end", p)
	}
}
