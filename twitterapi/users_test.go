package twitterapi_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/twitterapi"
	"github.com/tweetflow/tweetflow/twittersim"
)

// lookupCase is a handle lookup and its expected outcome.
type lookupCase struct {
	name   string
	setup  func(h *harness)
	handle string
	// wantUser is the account expected (its id comes from the simulator); "" for none.
	wantUser string
	// wantErr is the sentinel the error wraps; notErr one it must not wrap.
	wantErr, notErr error
	// wantKind is the *Error kind the error also wraps; "" for no *Error.
	wantKind twitterapi.Kind
}

func TestLookupUser(t *testing.T) {
	tests := []lookupCase{
		{name: "found", handle: "gopher", wantUser: "gopher"},
		{name: "found in another case, canonical name back", handle: "GoPHER", wantUser: "gopher"},
		{
			name: "unknown", handle: "nobody_here",
			wantErr: twitterapi.ErrUserNotFound, notErr: twitterapi.ErrUserSuspended,
		},
		{
			name: "suspended", handle: "rabbit",
			setup:   func(h *harness) { h.suspend("rabbit") },
			wantErr: twitterapi.ErrUserSuspended, notErr: twitterapi.ErrUserNotFound,
		},
		{
			name: "renamed, old name", handle: "gopher",
			setup:   func(h *harness) { h.rename("gopher", "gopher_two") },
			wantErr: twitterapi.ErrUserNotFound, notErr: twitterapi.ErrUserSuspended,
		},
		{
			name: "renamed, new name", handle: "Gopher_Two", wantUser: "gopher_two",
			setup: func(h *harness) { h.rename("gopher", "gopher_two") },
		},
		{
			name: "an invalid name is a bad request", handle: "not-a-name",
			notErr: twitterapi.ErrUserNotFound, wantKind: twitterapi.KindBadRequest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, twittersim.Config{})
			wantID := h.userID("gopher")
			if tt.setup != nil {
				tt.setup(h)
			}
			c := h.client(twitterapi.Options{Timeout: 5 * time.Second})

			u, err := c.LookupUser(context.Background(), tt.handle)

			if tt.wantUser != "" {
				checkUser(t, tt.handle, u, err, wantID, tt.wantUser)
				return
			}
			tt.checkError(t, u, err)
		})
	}
}

func checkUser(t *testing.T, handle string, u *twitterapi.User, err error, wantID, wantName string) {
	t.Helper()
	if err != nil {
		t.Fatalf("LookupUser(%q): %v", handle, err)
	}
	if got := strconv.FormatInt(u.ID, 10); got != wantID || u.Username != wantName {
		t.Errorf("LookupUser(%q) = id %s @%s, want id %s @%s", handle, got, u.Username, wantID, wantName)
	}
	if u.Name == "" {
		t.Errorf("LookupUser(%q).Name is empty", handle)
	}
}

func (tt lookupCase) checkError(t *testing.T, u *twitterapi.User, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("LookupUser(%q) = %+v, want an error", tt.handle, *u)
	}
	if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
		t.Errorf("error = %v, want one wrapping %v", err, tt.wantErr)
	}
	if errors.Is(err, tt.notErr) {
		t.Errorf("error = %v, want one not wrapping %v", err, tt.notErr)
	}
	ae, ok := errors.AsType[*twitterapi.Error](err)
	switch {
	case tt.wantKind == "" && ok:
		t.Errorf("error wraps a *twitterapi.Error of kind %q, want none", ae.Kind)
	case tt.wantKind != "" && !ok:
		t.Errorf("error = %v, want one wrapping a *twitterapi.Error of kind %q", err, tt.wantKind)
	case ok && ae.Kind != tt.wantKind:
		t.Errorf("Kind = %q, want %q", ae.Kind, tt.wantKind)
	}
	prefix := "look up @" + tt.handle + ": "
	if tt.wantErr == nil {
		prefix = twitterapi.EndpointUsers + ": "
	}
	checkMessage(t, err, prefix)
}

func (h *harness) suspend(username string) {
	h.t.Helper()
	if _, err := h.sim.Suspend(username); err != nil {
		h.t.Fatalf("Suspend(%q): %v", username, err)
	}
}

func (h *harness) rename(from, to string) {
	h.t.Helper()
	if _, err := h.sim.Rename(from, to); err != nil {
		h.t.Fatalf("Rename(%q, %q): %v", from, to, err)
	}
}

func TestLookupUser_A404AnswerIsNotFound(t *testing.T) {
	// The replaying simulator answers 404 to every request no recording matches.
	h := newReplayHarness(t, "/2/users/by/username/someone_else", 200, `{"data":{"id":"1","username":"x"}}`)
	c := h.client(twitterapi.Options{Timeout: 5 * time.Second})

	_, err := c.LookupUser(context.Background(), "ghost")

	if !errors.Is(err, twitterapi.ErrUserNotFound) {
		t.Errorf("error = %v, want one wrapping %v", err, twitterapi.ErrUserNotFound)
	}
	ae, ok := errors.AsType[*twitterapi.Error](err)
	if !ok || ae.Kind != twitterapi.KindNotFound || ae.Status != 404 {
		t.Fatalf("error = %v, want it to wrap a %s *twitterapi.Error with status 404", err, twitterapi.KindNotFound)
	}
	if ae.Temporary() {
		t.Errorf("Temporary() = true, want false")
	}
	checkMessage(t, err, "look up @ghost: user not found: users: not found (HTTP 404: ")
}
