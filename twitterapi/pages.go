package twitterapi

import (
	"context"
	"fmt"
	"strings"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"
)

// PageQuery selects one page of a walk. Exactly one of SinceID and StartTime bounds the
// walk from below (neither: the API's default window); Token continues a walk.
type PageQuery struct {
	SinceID   string
	StartTime time.Time
	Token     string
}

// Page is one answer of a timeline or search walk, newest tweet first.
type Page struct {
	Tweets      []Tweet
	ResultCount int
	// NewestID and OldestID bound this page; NextToken is empty on the last page.
	NewestID, OldestID, NextToken string
	// Errors are partial errors served next to data (a deleted referenced tweet, say).
	Errors    []Problem
	RateLimit *RateLimit
}

// UserTimeline returns one page of the tweets of the user with that id.
func (c *Client) UserTimeline(ctx context.Context, userID string, q PageQuery) (*Page, error) {
	var cp capture
	resp, err := c.tw.UserTweetTimeline(withCapture(ctx, &cp), userID, twitter.UserTweetTimelineOpts{
		TweetFields:     tweetFields,
		Expansions:      expansions,
		MaxResults:      MaxResults,
		SinceID:         q.SinceID,
		StartTime:       q.StartTime.UTC(),
		PaginationToken: q.Token,
	})
	if err != nil {
		return nil, classify(ctx, EndpointTimeline, err)
	}
	p, err := pageOf(EndpointTimeline, cp.body, rateLimit(resp.RateLimit))
	if err != nil {
		return nil, err
	}
	if len(p.Tweets) == 0 {
		if err := userGone(userID, p.Errors); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// userGone explains a timeline answer with no tweets whose errors say the user itself is
// gone: suspended (title "Forbidden", or a detail naming it) or not found.
func userGone(userID string, problems []Problem) error {
	for _, p := range problems {
		if p.ResourceType != "user" || p.Parameter != "id" {
			continue
		}
		if p.Title == "Forbidden" || strings.Contains(strings.ToLower(p.Detail), "suspended") {
			return fmt.Errorf("timeline of user %s: %w: %s", userID, ErrUserSuspended, p.Detail)
		}
		return fmt.Errorf("timeline of user %s: %w: %s", userID, ErrUserNotFound, p.Detail)
	}
	return nil
}

// SearchRecent returns one page of the recent-search results for query.
func (c *Client) SearchRecent(ctx context.Context, query string, q PageQuery) (*Page, error) {
	var cp capture
	resp, err := c.tw.TweetRecentSearch(withCapture(ctx, &cp), query, twitter.TweetRecentSearchOpts{
		TweetFields: tweetFields,
		Expansions:  expansions,
		MaxResults:  MaxResults,
		SinceID:     q.SinceID,
		StartTime:   q.StartTime.UTC(),
		NextToken:   q.Token,
		SortOrder:   twitter.TweetSearchSortOrderRecency,
	})
	if err != nil {
		return nil, classify(ctx, EndpointSearch, err)
	}
	return pageOf(EndpointSearch, cp.body, rateLimit(resp.RateLimit))
}

func pageOf(endpoint string, body []byte, rl *RateLimit) (*Page, error) {
	p, err := decodePage(body)
	if err != nil {
		return nil, &Error{Kind: KindBadResponse, Endpoint: endpoint, Status: 200, RateLimit: rl, Err: err}
	}
	p.RateLimit = rl
	return p, nil
}

// String summarises q for logs.
func (q PageQuery) String() string {
	switch {
	case q.Token != "":
		return fmt.Sprintf("since_id=%s start_time=%s token=%s", q.SinceID, timeOrNone(q.StartTime), q.Token)
	case q.SinceID != "":
		return "since_id=" + q.SinceID
	default:
		return "start_time=" + timeOrNone(q.StartTime)
	}
}

func timeOrNone(t time.Time) string {
	if t.IsZero() {
		return "none"
	}
	return t.UTC().Format(time.RFC3339)
}
