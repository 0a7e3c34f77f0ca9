package twittersim_test

import (
	"context"
	"slices"
	"testing"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"

	"github.com/tweetflow/tweetflow/twittersim"
)

func walkSearch(t *testing.T, h *harness, query string, opts twitter.TweetRecentSearchOpts) []string {
	t.Helper()
	var got []string
	for page := 0; page < 1000; page++ {
		resp, err := h.tw.TweetRecentSearch(context.Background(), query, opts)
		if err != nil {
			t.Fatalf("search %q page %d: %v", query, page, err)
		}
		got = append(got, tweetIDs(resp.Raw.Tweets)...)
		if resp.Meta.NextToken == "" {
			return got
		}
		opts.NextToken = resp.Meta.NextToken
	}
	t.Fatal("search walk did not end")
	return nil
}

func TestSearch_NewTweetsAppearAfterTheSearchDelay(t *testing.T) {
	h := newHarness(t, twittersim.Config{SearchDelay: 30 * time.Second})
	made := h.post("gopher", 1)
	tests := []struct {
		name    string
		advance time.Duration
		want    []string
	}{
		{name: "at once", advance: 0, want: nil},
		{name: "after 29 s", advance: 29 * time.Second, want: nil},
		{name: "after 31 s", advance: 2 * time.Second, want: ids(made)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.clock.Advance(tt.advance)
			got := walkSearch(t, h, "from:gopher", twitter.TweetRecentSearchOpts{})
			if !equalStrings(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSearch_WalkMatchesTruthWithinTheSevenDayWindow(t *testing.T) {
	h := newHarness(t, twittersim.Config{
		Seed: 7,
		Accounts: []twittersim.AccountSpec{
			{Username: "gopher", Interval: 20 * time.Minute},
			{Username: "rabbit", Interval: 45 * time.Minute},
		},
		History:     8 * 24 * time.Hour,
		SearchDelay: 30 * time.Second,
	})
	queries := []string{
		"#golang", "from:rabbit -is:retweet", "is:quote OR #postgres", `"the clock"`, "@gopher", "queue",
	}
	oldest, newest := h.clock.Now().Add(-7*24*time.Hour), h.clock.Now().Add(-30*time.Second)
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			truth, err := h.sim.TruthQuery(q)
			if err != nil {
				t.Fatalf("TruthQuery: %v", err)
			}
			var want []string
			for _, tw := range truth {
				if !tw.CreatedAt.Before(oldest) && tw.CreatedAt.Before(newest) {
					want = append(want, tw.ID)
				}
			}
			got := walkSearch(t, h, q, twitter.TweetRecentSearchOpts{MaxResults: 100})
			if slices.Reverse(want); !equalStrings(got, want) || len(want) == 0 {
				t.Errorf("search got %d tweets, want %d (truth had %d)", len(got), len(want), len(truth))
			}
		})
	}
}

func TestSearch_SinceIDPollingSeesEachTweetOnce(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	var seen []string
	since := ""
	for round := range 4 {
		h.post("gopher", 15+round)
		h.clock.Advance(time.Minute)
		got := walkSearch(t, h, "from:gopher", twitter.TweetRecentSearchOpts{SinceID: since, MaxResults: 10})
		if len(got) > 0 {
			since = got[0]
		}
		seen = append(seen, reversed(got)...)
	}
	truth, err := h.sim.Truth("gopher")
	if err != nil {
		t.Fatal(err)
	}
	if want := ids(truth); !equalStrings(seen, want) {
		t.Errorf("polling saw %d tweets, want each of the %d once", len(seen), len(want))
	}
}

func TestSearch_SuspendedAccountsLeaveResults(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("gopher", 5)
	h.post("rabbit", 5)
	h.clock.Advance(time.Minute)
	if _, err := h.sim.Suspend("rabbit"); err != nil {
		t.Fatal(err)
	}
	if got := walkSearch(t, h, "from:rabbit", twitter.TweetRecentSearchOpts{}); len(got) != 0 {
		t.Errorf("from:rabbit after suspension got %d tweets, want 0", len(got))
	}
	if got := walkSearch(t, h, "from:gopher", twitter.TweetRecentSearchOpts{}); len(got) != 5 {
		t.Errorf("from:gopher got %d tweets, want 5", len(got))
	}
}

func TestSearch_WithoutDelayBurstsAreFoundAtOnce(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	made := append(h.post("gopher", 5), h.post("gopher", 5)...)
	for _, tw := range made {
		if tw.CreatedAt.After(h.clock.Now()) {
			t.Errorf("tweet %s created at %s, after now %s", tw.ID, tw.CreatedAt, h.clock.Now())
		}
	}
	got := walkSearch(t, h, "from:gopher", twitter.TweetRecentSearchOpts{})
	if want := reversed(ids(made)); !equalStrings(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
