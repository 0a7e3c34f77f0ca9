package twitterapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	twitter "github.com/g8rswimmer/go-twitter/v2"
)

// User is an account resolved from its handle.
type User struct {
	ID       int64
	Username string
	Name     string
}

// Sentinel errors of a handle lookup the API answered without data.
var (
	ErrUserNotFound  = errors.New("user not found")
	ErrUserSuspended = errors.New("user suspended")
)

// LookupUser resolves a handle to its account. An unknown handle (200 with only errors, or
// 404) gives an error wrapping ErrUserNotFound; a suspended one ErrUserSuspended.
func (c *Client) LookupUser(ctx context.Context, handle string) (*User, error) {
	var cp capture
	resp, err := c.tw.UserNameLookup(withCapture(ctx, &cp), []string{handle}, twitter.UserLookupOpts{})
	if err != nil {
		err = classify(ctx, EndpointUsers, err)
		var ae *Error
		if errors.As(err, &ae) && ae.Kind == KindNotFound {
			return nil, fmt.Errorf("look up @%s: %w: %w", handle, ErrUserNotFound, err)
		}
		return nil, err
	}
	return decodeUser(handle, cp.body, rateLimit(resp.RateLimit))
}

type wireUser struct {
	Data *struct {
		ID       string `json:"id"`
		Username string `json:"username"`
		Name     string `json:"name"`
	} `json:"data"`
	Errors []Problem `json:"errors"`
}

func decodeUser(handle string, body []byte, rl *RateLimit) (*User, error) {
	var w wireUser
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, &Error{
			Kind: KindBadResponse, Endpoint: EndpointUsers, Status: 200, RateLimit: rl,
			Err: fmt.Errorf("decode user: %w", err),
		}
	}
	if w.Data == nil {
		return nil, missingUser(handle, w.Errors)
	}
	id, err := parseID("id", w.Data.ID, true)
	if err != nil {
		return nil, &Error{Kind: KindBadResponse, Endpoint: EndpointUsers, Status: 200, RateLimit: rl, Err: err}
	}
	return &User{ID: id, Username: w.Data.Username, Name: w.Data.Name}, nil
}

// missingUser explains a 200 answer without data. Suspension shows as title "Forbidden" or
// a detail naming it, even though its type says resource-not-found.
func missingUser(handle string, problems []Problem) error {
	for _, p := range problems {
		if p.Title == "Forbidden" || strings.Contains(strings.ToLower(p.Detail), "suspended") {
			return fmt.Errorf("look up @%s: %w: %s", handle, ErrUserSuspended, p.Detail)
		}
	}
	detail := "the answer had neither data nor errors"
	if len(problems) > 0 {
		detail = problems[0].Detail
	}
	return fmt.Errorf("look up @%s: %w: %s", handle, ErrUserNotFound, detail)
}
