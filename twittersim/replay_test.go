package twittersim_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tweetflow/tweetflow/twittersim"
)

const devUser = "/2/users/by/username/TwitterDev"

func TestReplay_ServesTheBestMatchingRecording(t *testing.T) {
	h := newHarness(t, twittersim.Config{ReplayDir: "testdata/replay"})
	tests := []struct {
		name          string
		path          string
		wantStatus    int
		wantBody      string
		wantRemaining string
	}{
		{"exact path", devUser, 200, `"username":"TwitterDev"}}`, "299"},
		{
			"extra parameters still match", devUser + "?expansions=pinned_tweet_id", 200,
			`"name":"Developers"`, "299",
		},
		{
			"more matching parameters win", devUser + "?user.fields=created_at", 200,
			`"created_at":"2013-12-14T04:35:55.000Z"`, "298",
		},
		{
			"different parameter value", devUser + "?user.fields=location", 200,
			`"username":"TwitterDev"}}`, "299",
		},
		{
			"plain-text body", "/2/users/2244994945/tweets?max_results=5", 503,
			"Service Unavailable", "",
		},
		{
			"no recording", "/2/users/by/username/nobody", 404,
			`"detail":"no recording matches GET /2/users/by/username/nobody"`, "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := h.get(tt.path)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("got %d %s, want %d containing %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get("x-rate-limit-remaining"); got != tt.wantRemaining {
				t.Errorf("x-rate-limit-remaining = %q, want %q", got, tt.wantRemaining)
			}
		})
	}
}

func TestReplay_StillNeedsTheToken(t *testing.T) {
	h := newHarness(t, twittersim.Config{ReplayDir: "testdata/replay"})
	if resp, _ := h.getWith("/2/users/by/username/TwitterDev", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("status = %d, want 401", resp.StatusCode)
	}
}

func TestReplay_BadRecordingsFailAtStartNamingTheFile(t *testing.T) {
	tests := []struct {
		name      string
		content   string
		wantError string
	}{
		{"not JSON", `{"request":`, "decode"},
		{
			"unknown field", `{"request":{"path":"/2/x"},"response":{"status":200},"extra":1}`,
			`unknown field "extra"`,
		},
		{
			"missing status", `{"request":{"path":"/2/x"},"response":{}}`,
			"response.status 0 is not an HTTP status",
		},
		{
			"relative path", `{"request":{"path":"2/x"},"response":{"status":200}}`,
			"must start with /",
		},
		{
			"body and body_text", `{"request":{"path":"/2/x"},"response":{"status":200,"body":{},"body_text":"x"}}`,
			"both body and body_text",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "broken.json")
			if err := os.WriteFile(file, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := twittersim.New(twittersim.Config{ReplayDir: dir})
			if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("err = %v, want one naming %s and saying %q", err, file, tt.wantError)
			}
			if err != nil && strings.Contains(err.Error(), "\n") {
				t.Errorf("err %q spans lines, want one line", err)
			}
		})
	}
	if _, err := twittersim.New(twittersim.Config{ReplayDir: t.TempDir()}); err == nil {
		t.Error("an empty replay folder was accepted, want an error")
	}
}
