package main

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/tasks"
	"github.com/tweetflow/tweetflow/twitterapi"
)

func TestFailure_RetriesPassingFailuresABoundedNumberOfTimes(t *testing.T) {
	ft := &fetchTask{}
	cases := []struct {
		name    string
		err     error
		attempt int
		want    time.Duration // 0: no retry
	}{
		{"5xx first", &twitterapi.Error{Kind: twitterapi.KindServer, Endpoint: "timeline", Status: 503}, 0, 5 * time.Second},
		{"network second", &twitterapi.Error{Kind: twitterapi.KindNetwork, Endpoint: "timeline"}, 1, 30 * time.Second},
		{"database third", errors.New("connect: connection refused"), 2, 2 * time.Minute},
		{"last attempt", &twitterapi.Error{Kind: twitterapi.KindServer, Endpoint: "timeline"}, maxAttempts - 1, 0},
		{"bad arguments", tasks.ErrInvalidFetch, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ft.failure(context.Background(), c.attempt, c.err, zap.NewNop())
			var later *tasks.RetryLater
			switch {
			case c.want == 0 && errors.As(got, &later):
				t.Fatalf("failure = retry in %s, want no retry", later.After)
			case c.want == 0 && !errors.Is(got, c.err):
				t.Fatalf("failure = %v, want the error itself", got)
			case c.want != 0 && (!errors.As(got, &later) || later.After != c.want):
				t.Fatalf("failure = %v, want a retry in %s", got, c.want)
			}
		})
	}
}
