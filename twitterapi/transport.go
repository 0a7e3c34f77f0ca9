package twitterapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a response body; a 100-tweet page with includes is far below it.
const maxBody = 32 << 20

type captureKey struct{}

// capture receives the raw body of a successful response.
type capture struct {
	body []byte
}

// captureTransport keeps the body of each 2xx response for our own decoder and hands
// go-twitter an empty JSON object instead, so the body is decoded once, by us, with every
// field. Error responses pass through untouched, so go-twitter builds its error types.
type captureTransport struct {
	base    http.RoundTripper
	observe func(Exchange)
}

func (t *captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	ex := Exchange{Endpoint: endpointOf(req.URL.Path)}
	defer func() {
		if t.observe != nil {
			ex.Duration = time.Since(start)
			t.observe(ex)
		}
	}()
	if err != nil {
		return nil, err
	}
	ex.Status = resp.StatusCode
	ex.RateLimit = headerRateLimit(resp.Header)
	c, ok := req.Context().Value(captureKey{}).(*capture)
	if !ok || resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp, nil
	}
	body, err := readBody(resp)
	_ = resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response body: %w", err)
	}
	c.body = body
	resp.Body = io.NopCloser(strings.NewReader("{}"))
	resp.ContentLength = 2
	return resp, nil
}

// endpointOf maps a request path to its endpoint label.
func endpointOf(path string) string {
	switch {
	case strings.HasPrefix(path, "/2/tweets/search/"):
		return EndpointSearch
	case strings.HasPrefix(path, "/2/users/by"): // by/username/NAME, or by?usernames=
		return EndpointUsers
	case strings.HasSuffix(path, "/tweets"):
		return EndpointTimeline
	default:
		return EndpointUsers
	}
}

// headerRateLimit reads the x-rate-limit-* headers; nil unless all three are integers.
func headerRateLimit(h http.Header) *RateLimit {
	var v [3]int
	for i, name := range []string{"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} {
		n, err := strconv.Atoi(h.Get(name))
		if err != nil {
			return nil
		}
		v[i] = n
	}
	return &RateLimit{Limit: v[0], Remaining: v[1], Reset: time.Unix(int64(v[2]), 0).UTC()}
}

// readBody reads a response body, into one buffer of its announced length when it has one.
func readBody(resp *http.Response) ([]byte, error) {
	if resp.ContentLength <= 0 || resp.ContentLength > maxBody {
		return io.ReadAll(io.LimitReader(resp.Body, maxBody))
	}
	body := make([]byte, resp.ContentLength)
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return nil, err
	}
	return body, nil
}
