package twittersim_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

func TestAdmin_TruthListsGeneratedTweetsInCreationOrder(t *testing.T) {
	h := newHarness(t, twittersim.Config{Accounts: everyMinute})
	h.clock.Advance(time.Hour)
	ctx := context.Background()
	truth, err := h.admin.Truth(ctx, "GOPHER")
	if err != nil {
		t.Fatalf("Truth: %v", err)
	}
	if len(truth) < 30 {
		t.Fatalf("an hour at 1/min gave %d tweets, want at least 30", len(truth))
	}
	for i, tw := range truth {
		if tw.Username != "gopher" || tw.AuthorID == "" || tw.FullText == "" || tw.CreatedAt.IsZero() {
			t.Errorf("tweet %d incomplete: %+v", i, tw)
		}
		if (tw.Kind == twittersim.KindRetweet || tw.Kind == twittersim.KindQuote) != (tw.ReferencedID != "") {
			t.Errorf("tweet %d: kind %s with referenced id %q", i, tw.Kind, tw.ReferencedID)
		}
		if i > 0 && truth[i-1].CreatedAt.After(tw.CreatedAt) {
			t.Errorf("tweet %d was created before tweet %d", i, i-1)
		}
	}
}

func TestAdmin_TruthQueryMatchesLikeSearch(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	made := h.post("gopher", 40)
	got, err := h.admin.TruthQuery(context.Background(), "from:gopher is:retweet")
	if err != nil {
		t.Fatalf("TruthQuery: %v", err)
	}
	var want []string
	for _, tw := range made {
		if tw.Kind == twittersim.KindRetweet {
			want = append(want, tw.ID)
		}
	}
	if !equalStrings(ids(got), want) {
		t.Errorf("got %v, want %v", ids(got), want)
	}
	if _, err := h.admin.TruthQuery(context.Background(), "(broken"); err == nil {
		t.Error("TruthQuery of a broken query succeeded, want an error")
	}
}

func TestAdmin_UnknownUsernameIs404(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	_, err := h.admin.Truth(context.Background(), "nobody")
	var ae *twittersim.AdminError
	if !errors.As(err, &ae) || ae.StatusCode != http.StatusNotFound {
		t.Errorf("err = %v, want an AdminError with status 404", err)
	}
}

func TestAdmin_PauseSkipsTweetsAndResumeRestarts(t *testing.T) {
	h := newHarness(t, twittersim.Config{Accounts: everyMinute})
	ctx := context.Background()
	h.clock.Advance(time.Hour)
	before := len(truthOf(t, h, "gopher"))
	if err := h.admin.Pause(ctx); err != nil {
		t.Fatal(err)
	}
	h.clock.Advance(time.Hour)
	if got := len(truthOf(t, h, "gopher")); got != before {
		t.Errorf("paused for an hour: %d tweets, want still %d", got, before)
	}
	if err := h.admin.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(truthOf(t, h, "gopher")); got != before {
		t.Errorf("right after resume: %d tweets, want %d (paused time is skipped)", got, before)
	}
	h.clock.Advance(time.Hour)
	if got := len(truthOf(t, h, "gopher")); got < before+30 {
		t.Errorf("an hour after resume: %d tweets, want at least %d", got, before+30)
	}
}

func TestAdmin_AccountOperationsOverHTTP(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	ctx := context.Background()
	added, err := h.admin.AddAccount(ctx, "newbie", "10s")
	if err != nil || added.ID == "" || added.Interval != "10s" {
		t.Fatalf("AddAccount = %+v, %v", added, err)
	}
	made, err := h.admin.Post(ctx, "newbie", 250)
	if err != nil || len(made) != 250 {
		t.Fatalf("Post = %d tweets, %v; want 250", len(made), err)
	}
	if gap := made[1].CreatedAt.Sub(made[0].CreatedAt); gap != time.Millisecond {
		t.Errorf("burst tweets are %s apart, want 1ms", gap)
	}
	renamed, err := h.admin.Rename(ctx, "newbie", "oldtimer")
	if err != nil || renamed.ID != added.ID || renamed.Username != "oldtimer" {
		t.Errorf("Rename = %+v, %v; want id %s as oldtimer", renamed, err, added.ID)
	}
	if suspended, err := h.admin.Suspend(ctx, "oldtimer"); err != nil || !suspended.Suspended {
		t.Errorf("Suspend = %+v, %v", suspended, err)
	}
	accounts, err := h.admin.Accounts(ctx)
	if err != nil || len(accounts) != 3 || accounts[2].Tweets != 250 {
		t.Errorf("Accounts = %+v, %v; want 3 with the new one holding 250 tweets", accounts, err)
	}
	bad := []func() error{
		func() error { _, err := h.admin.AddAccount(ctx, "gopher", "1s"); return err },
		func() error { _, err := h.admin.AddAccount(ctx, "x", "often"); return err },
		func() error { _, err := h.admin.Rename(ctx, "gopher", "rabbit"); return err },
		func() error { _, err := h.admin.Post(ctx, "gopher", 0); return err },
		func() error { _, err := h.admin.Suspend(ctx, "nobody"); return err },
	}
	for i, call := range bad {
		if err := call(); err == nil {
			t.Errorf("bad call %d succeeded, want an error", i)
		}
	}
}

func TestAdmin_StatsCountByGroupAndStatus(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	ctx := context.Background()
	h.get("/2/users/by/username/gopher")
	h.get("/2/users/by/username/bad-name")
	h.getWith("/2/tweets/search/recent?query=a", "")
	capOnce := twittersim.FaultSpec{Mode: twittersim.FaultUsageCap, Endpoint: "search", Count: 1}
	if err := h.admin.SetFault(ctx, capOnce); err != nil {
		t.Fatal(err)
	}
	h.get("/2/tweets/search/recent?query=a")
	stats, err := h.admin.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		group  string
		status int
		want   int
	}{{"users", 200, 1}, {"users", 400, 1}, {"search", 401, 1}, {"search", 429, 1}, {"timeline", 200, 0}}
	for _, c := range checks {
		if got := stats.Count(c.group, c.status); got != c.want {
			t.Errorf("%s %d = %d, want %d", c.group, c.status, got, c.want)
		}
	}
	if stats.Total != 4 {
		t.Errorf("total = %d, want 4", stats.Total)
	}
	if err := h.admin.ResetStats(ctx); err != nil {
		t.Fatal(err)
	}
	if stats, _ := h.admin.Stats(ctx); stats.Total != 0 {
		t.Errorf("total after reset = %d, want 0", stats.Total)
	}
	if err := h.admin.ClearFaults(ctx); err != nil {
		t.Error(err)
	}
	if err := h.admin.Healthz(ctx); err != nil {
		t.Error(err)
	}
}
