package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/store"
	"github.com/tweetflow/tweetflow/twitterapi"
)

func TestSavePage_LastPageGivesTheLockUpOnceCommitted(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	id, err := st.EnsureSource(ctx, "user", "alice")
	if err != nil {
		t.Fatal(err)
	}
	lock, ok, err := st.TryLockSource(ctx, id)
	if err != nil || !ok {
		t.Fatalf("lock: %v, %v", ok, err)
	}
	defer lock.Release()
	view := lock.Store()
	now := time.Now().UTC()
	// A page with pages to go keeps the lock.
	_, err = view.SavePage(ctx, store.PageWrite{
		SourceID: id, Tweets: []twitterapi.Tweet{tweet(20, 0)}, FetchedAt: now,
		Next: &store.Walk{Token: "t1", NewestID: 20, StartedAt: now, Fetched: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := st.TryLockSource(ctx, id); ok {
		t.Fatal("another worker took the lock of a walk with pages to go")
	}
	// A failed last page keeps the lock, and the connection stays usable.
	bad := tweet(19, 0)
	bad.Raw = []byte("{not json")
	if _, err := view.SavePage(ctx, store.PageWrite{SourceID: id, Tweets: []twitterapi.Tweet{bad}, NewestID: 20, FetchedAt: now}); err == nil {
		t.Fatal("a page with a malformed raw object was stored")
	}
	if _, ok, _ := st.TryLockSource(ctx, id); ok {
		t.Fatal("a failed last page gave the lock up")
	}
	if err := view.RecordError(ctx, id, "page failed", now); err != nil {
		t.Fatalf("the lock's connection after a failed page: %v", err)
	}
	// The last page stores the walk's end and frees the source before Release.
	saved, err := view.SavePage(ctx, store.PageWrite{
		SourceID: id, Tweets: []twitterapi.Tweet{tweet(19, 0)}, NewestID: 20, FetchedAt: now, WalkStartedAt: now,
	})
	if err != nil || saved.New != 1 {
		t.Fatalf("last page: %+v, %v", saved, err)
	}
	other, ok, err := st.TryLockSource(ctx, id)
	if err != nil || !ok {
		t.Fatalf("the source stayed locked after its walk's last page: %v, %v", ok, err)
	}
	src, err := other.Store().Source(ctx, id)
	other.Release()
	if err != nil || src.CursorID != 20 || src.Walk != nil {
		t.Fatalf("source after the walk: %+v, %v; want cursor 20 and no walk", src, err)
	}
}
