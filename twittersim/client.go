package twittersim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to the admin API (/sim/) of a simulator running elsewhere, for tests
// that start twittersim as a separate process.
type Client struct {
	// BaseURL is the simulator's address, e.g. "http://127.0.0.1:8081".
	BaseURL string
	// HTTPClient sends the requests; nil means http.DefaultClient.
	HTTPClient *http.Client
}

// NewClient returns a Client for the simulator at baseURL.
func NewClient(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/")}
}

// Healthz checks that the simulator answers.
func (c *Client) Healthz(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/sim/healthz", nil, nil)
}

// Truth returns every tweet generated so far for username, oldest first.
func (c *Client) Truth(ctx context.Context, username string) ([]TruthTweet, error) {
	var out []TruthTweet
	err := c.do(ctx, http.MethodGet, "/sim/tweets?username="+url.QueryEscape(username), nil, &out)
	return out, err
}

// TruthQuery returns every generated tweet the search query matches, oldest first.
func (c *Client) TruthQuery(ctx context.Context, query string) ([]TruthTweet, error) {
	var out []TruthTweet
	err := c.do(ctx, http.MethodGet, "/sim/tweets?query="+url.QueryEscape(query), nil, &out)
	return out, err
}

// Stats returns the request counts.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	var out Stats
	err := c.do(ctx, http.MethodGet, "/sim/stats", nil, &out)
	return out, err
}

// ResetStats sets the request counts back to zero.
func (c *Client) ResetStats(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/sim/reset-stats", nil, nil)
}

// SetFault switches a fault on.
func (c *Client) SetFault(ctx context.Context, f FaultSpec) error {
	return c.do(ctx, http.MethodPost, "/sim/faults", f, nil)
}

// ClearFaults switches every fault off.
func (c *Client) ClearFaults(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/sim/faults", nil, nil)
}

// Pause stops the creation of tweets.
func (c *Client) Pause(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/sim/pause", nil, nil)
}

// Resume restarts the creation of tweets.
func (c *Client) Resume(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/sim/resume", nil, nil)
}

// Rename gives an account a new username.
func (c *Client) Rename(ctx context.Context, from, to string) (AccountInfo, error) {
	var out AccountInfo
	err := c.do(ctx, http.MethodPost, "/sim/accounts/rename", RenameRequest{From: from, To: to}, &out)
	return out, err
}

// Suspend suspends an account.
func (c *Client) Suspend(ctx context.Context, username string) (AccountInfo, error) {
	var out AccountInfo
	err := c.do(ctx, http.MethodPost, "/sim/accounts/suspend", SuspendRequest{Username: username}, &out)
	return out, err
}

// Post creates count tweets for username right now and returns them.
func (c *Client) Post(ctx context.Context, username string, count int) ([]TruthTweet, error) {
	var out []TruthTweet
	in := PostRequest{Username: username, Count: count}
	err := c.do(ctx, http.MethodPost, "/sim/accounts/post", in, &out)
	return out, err
}

// AddAccount adds a tracked account posting every interval on average ("0": silent).
func (c *Client) AddAccount(ctx context.Context, username, interval string) (AccountInfo, error) {
	var out AccountInfo
	in := AddAccountRequest{Username: username, Interval: interval}
	err := c.do(ctx, http.MethodPost, "/sim/accounts", in, &out)
	return out, err
}

// Accounts lists the tracked accounts.
func (c *Client) Accounts(ctx context.Context) ([]AccountInfo, error) {
	var out []AccountInfo
	err := c.do(ctx, http.MethodGet, "/sim/accounts", nil, &out)
	return out, err
}

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	req, err := c.newRequest(ctx, method, path, in)
	if err != nil {
		return err
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %w", method, path, readAdminError(resp))
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("%s %s: decode response: %w", method, path, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, method, path string, in any) (*http.Request, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.BaseURL, "/")+path, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// AdminError is a failed admin request.
type AdminError struct {
	StatusCode int
	Message    string
}

// Error reports the status and the simulator's message.
func (e *AdminError) Error() string {
	return fmt.Sprintf("status %d: %s", e.StatusCode, e.Message)
}

func readAdminError(resp *http.Response) error {
	var body adminError
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if json.Unmarshal(raw, &body) != nil || body.Error == "" {
		body.Error = strings.TrimSpace(string(raw))
	}
	return &AdminError{StatusCode: resp.StatusCode, Message: body.Error}
}
