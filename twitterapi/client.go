// Package twitterapi is tweetflow's client for the three Twitter/X API v2 reads it needs:
// handle lookup, user timeline and recent search. Requests go through go-twitter; successful
// bodies are decoded here in one pass, because go-twitter drops long-post text (note_tweet)
// and decodes every body twice. Failures come back as *Error with a Kind to branch on.
package twitterapi

import (
	"context"
	"net/http"
	"time"

	twitter "github.com/g8rswimmer/go-twitter/v2"
)

// Endpoint names, the fixed label set used in errors, logs and metrics.
const (
	EndpointUsers    = "users"
	EndpointTimeline = "timeline"
	EndpointSearch   = "search"
)

// MaxResults is the page size the client asks for: the largest both endpoints allow.
const MaxResults = 100

// tweetFields are the fields asked for on every tweet; note_tweet carries long posts' text.
var tweetFields = []twitter.TweetField{
	twitter.TweetFieldID, twitter.TweetFieldText, twitter.TweetFieldAuthorID,
	twitter.TweetFieldCreatedAt, twitter.TweetFieldLanguage, twitter.TweetFieldConversationID,
	twitter.TweetFieldPublicMetrics, twitter.TweetFieldReferencedTweets, twitter.TweetFieldEntities,
	"note_tweet", "edit_history_tweet_ids",
}

// expansions bring the originals of retweets and quotes into includes.tweets.
var expansions = []twitter.Expansion{twitter.ExpansionReferencedTweetsID}

// Client calls the API with an app-only bearer token. It is safe for concurrent use.
type Client struct {
	tw *twitter.Client
}

// Options configure a Client.
type Options struct {
	// BaseURL is the API host without /2, e.g. https://api.x.com.
	BaseURL string
	// BearerToken is the app-only token; it is sent as a header and never logged.
	BearerToken string
	// Timeout bounds each request, body included.
	Timeout time.Duration
	// Observe, when set, is told the outcome of every HTTP exchange.
	Observe func(Exchange)
}

// Exchange describes one HTTP request and its answer, for metrics.
type Exchange struct {
	Endpoint string
	// Status is the HTTP status, 0 when no answer arrived.
	Status    int
	RateLimit *RateLimit
	Duration  time.Duration
}

// New returns a client for opts.
func New(opts Options) *Client {
	base := http.DefaultTransport.(*http.Transport).Clone()
	base.MaxIdleConnsPerHost = 32
	hc := &http.Client{
		Timeout:   opts.Timeout,
		Transport: &captureTransport{base: base, observe: opts.Observe},
	}
	return &Client{tw: &twitter.Client{
		Authorizer: bearer(opts.BearerToken),
		Client:     hc,
		Host:       opts.BaseURL,
	}}
}

// bearer adds the app-only token to each request.
type bearer string

func (b bearer) Add(req *http.Request) { req.Header.Set("Authorization", "Bearer "+string(b)) }

// RateLimit is the state of an endpoint's rate-limit window, from x-rate-limit-* headers.
type RateLimit struct {
	Limit, Remaining int
	Reset            time.Time
}

func rateLimit(rl *twitter.RateLimit) *RateLimit {
	if rl == nil {
		return nil
	}
	return &RateLimit{Limit: rl.Limit, Remaining: rl.Remaining, Reset: rl.Reset.Time().UTC()}
}

// withCapture returns a context whose request bodies the transport keeps in c.
func withCapture(ctx context.Context, c *capture) context.Context {
	return context.WithValue(ctx, captureKey{}, c)
}
