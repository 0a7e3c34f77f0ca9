package twittersim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	twitter "github.com/g8rswimmer/go-twitter/v2"

	"github.com/tweetflow/tweetflow/twittersim"
)

func lookup(t *testing.T, h *harness, names ...string) *twitter.UserLookupResponse {
	t.Helper()
	resp, err := h.tw.UserNameLookup(context.Background(), names, twitter.UserLookupOpts{})
	if err != nil {
		t.Fatalf("lookup %v: %v", names, err)
	}
	return resp
}

func TestUsers_LookupIsCaseInsensitiveAndReturnsTheCanonicalName(t *testing.T) {
	h := newHarness(t, twittersim.Config{Accounts: []twittersim.AccountSpec{{Username: "TweetflowDemo"}}})
	for _, name := range []string{"TweetflowDemo", "tweetflowdemo", "TWEETFLOWDEMO"} {
		t.Run(name, func(t *testing.T) {
			u := lookup(t, h, name).Raw.Users[0]
			if u == nil || u.UserName != "TweetflowDemo" || u.ID == "" || u.Name == "" {
				t.Errorf("got %+v, want TweetflowDemo with id and name", u)
			}
		})
	}
}

func TestUsers_IDsAreStableDigitStrings(t *testing.T) {
	first := newHarness(t, twittersim.Config{Seed: 3}).userID("gopher")
	second := newHarness(t, twittersim.Config{Seed: 3}).userID("gopher")
	other := newHarness(t, twittersim.Config{Seed: 4}).userID("gopher")
	if first != second {
		t.Errorf("same seed gave ids %s and %s", first, second)
	}
	if first == other {
		t.Errorf("seeds 3 and 4 gave the same id %s", first)
	}
	if len(first) > 19 || first[0] == '0' {
		t.Errorf("id %q is not 1 to 19 digits", first)
	}
}

// wantError checks one errors item of a 200 response in the real shape.
func wantError(t *testing.T, raw []byte, want map[string]string) {
	t.Helper()
	var body struct {
		Data   json.RawMessage     `json:"data"`
		Errors []map[string]string `json:"errors"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	if len(body.Errors) != 1 {
		t.Fatalf("errors = %v, want one item", body.Errors)
	}
	for k, v := range want {
		if got := body.Errors[0][k]; got != v {
			t.Errorf("errors[0].%s = %q, want %q", k, got, v)
		}
	}
}

func TestUsers_UnknownNameIs200WithErrorsOnly(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	resp := lookup(t, h, "nobody")
	if len(resp.Raw.Users) != 1 || resp.Raw.Users[0] != nil {
		t.Errorf("Raw.Users = %v, want []*UserObj{nil}", resp.Raw.Users)
	}
	if len(resp.Raw.Errors) != 1 || resp.Raw.Errors[0].Title != "Not Found Error" {
		t.Errorf("Raw.Errors = %v, want one Not Found Error", resp.Raw.Errors)
	}
	status, raw := h.get("/2/users/by/username/nobody")
	if status.StatusCode != http.StatusOK {
		t.Errorf("status = %d, want 200", status.StatusCode)
	}
	wantError(t, raw, map[string]string{
		"value": "nobody", "detail": "Could not find user with username: [nobody].", "title": "Not Found Error",
		"resource_type": "user", "parameter": "username", "resource_id": "nobody",
		"type": "https://api.twitter.com/2/problems/resource-not-found",
	})
}

func TestUsers_SuspendedAccountIsForbiddenResourceNotFound(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	id := h.userID("rabbit")
	if _, err := h.sim.Suspend("rabbit"); err != nil {
		t.Fatal(err)
	}
	resp := lookup(t, h, "rabbit")
	if resp.Raw.Users[0] != nil || len(resp.Raw.Errors) != 1 {
		t.Fatalf("got users %v errors %v, want only an error", resp.Raw.Users, resp.Raw.Errors)
	}
	_, raw := h.get("/2/users/by/username/rabbit")
	wantError(t, raw, map[string]string{
		"title": "Forbidden", "detail": "User has been suspended: [rabbit].", "parameter": "username",
		"type": "https://api.twitter.com/2/problems/resource-not-found",
	})
	_, raw = h.get("/2/users/" + id + "/tweets")
	wantError(t, raw, map[string]string{"title": "Forbidden", "parameter": "id"})
}

func TestUsers_RenameKeepsTheIDAndForgetsTheOldName(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	id := h.userID("gopher")
	if _, err := h.sim.Rename("gopher", "gopher2"); err != nil {
		t.Fatal(err)
	}
	if u := lookup(t, h, "gopher2").Raw.Users[0]; u == nil || u.ID != id {
		t.Errorf("new name got %+v, want id %s", u, id)
	}
	if u := lookup(t, h, "gopher").Raw.Users[0]; u != nil {
		t.Errorf("old name got %+v, want not found", u)
	}
}

func TestUsers_BatchLookupReturnsFoundUsersAndErrors(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	resp := lookup(t, h, "gopher", "nobody", "RABBIT")
	var got []string
	for _, u := range resp.Raw.Users {
		got = append(got, u.UserName)
	}
	if want := []string{"gopher", "rabbit"}; !equalStrings(got, want) {
		t.Errorf("users = %v, want %v", got, want)
	}
	errs := resp.Raw.Errors
	if len(errs) != 1 || errs[0].Parameter != "usernames" || errs[0].Value != "nobody" {
		t.Errorf("errors = %+v, want one for usernames nobody", errs)
	}
}

func TestUsers_UserFieldsAreOnlyThereWhenAsked(t *testing.T) {
	h := newHarness(t, twittersim.Config{})
	h.post("gopher", 3)
	_, plain := h.getJSON("/2/users/by/username/gopher")
	if data := plain["data"].(map[string]any); len(data) != 3 {
		t.Errorf("default user = %v, want only id, name and username", data)
	}
	_, rich := h.getJSON("/2/users/by/username/gopher?user.fields=created_at,public_metrics,description,protected")
	data := rich["data"].(map[string]any)
	for _, f := range []string{"created_at", "public_metrics", "description", "protected"} {
		if _, ok := data[f]; !ok {
			t.Errorf("field %s missing from %v", f, data)
		}
	}
	if got := data["public_metrics"].(map[string]any)["tweet_count"]; got != 3.0 {
		t.Errorf("tweet_count = %v, want 3", got)
	}
}
