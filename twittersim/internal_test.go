package twittersim

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestSnowflakeIDsStrictlyIncrease(t *testing.T) {
	var s snowflake
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	steps := []time.Duration{0, 0, time.Millisecond, -time.Second, 0}
	var prev uint64
	for i, d := range steps {
		id, created := s.next(at.Add(d))
		if id <= prev {
			t.Errorf("step %d: id %d after %d, want larger", i, id, prev)
		}
		if got := SnowflakeTime(id); !got.Equal(created) {
			t.Errorf("step %d: id encodes %s, created %s", i, got, created)
		}
		prev = id
	}
}

func TestCutText(t *testing.T) {
	long := strings.Repeat("ab 👩‍💻 ", 60)
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{"short stays", "hello world", 280, "hello world"},
		{"cut at a space", "aaa bbb ccc", 9, "aaa bbb…"},
		{"no space to cut at", "abcdefghij", 5, "abcd…"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cutText(tt.in, tt.limit); got != tt.want {
				t.Errorf("cutText(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
		})
	}
	got := cutText(long, 280)
	n := utf8.RuneCountInString(got)
	if n > 280 || !strings.HasSuffix(got, "…") || strings.Contains(got, "\u200d…") {
		t.Errorf("cut of a long emoji text = %q (%d characters), want at most 280 ending in …", got, n)
	}
}

func TestScanEntitiesUsesCodePoints(t *testing.T) {
	text := "🇯🇵 تم @gopher: #golang &amp; https://t.co/AbC123 x#no e@mail"
	e := scanEntities(text, func(name string) string {
		if name == "gopher" {
			return "42"
		}
		return ""
	})
	wantMention := apiMention{Start: 6, End: 13, Username: "gopher", ID: "42"}
	if len(e.Mentions) != 1 || e.Mentions[0] != wantMention {
		t.Errorf("mentions = %+v, want [%+v]", e.Mentions, wantMention)
	}
	if want := (apiHashtag{Start: 15, End: 22, Tag: "golang"}); len(e.Hashtags) != 1 || e.Hashtags[0] != want {
		t.Errorf("hashtags = %+v, want [%+v]", e.Hashtags, want)
	}
	if len(e.URLs) != 1 || e.URLs[0].Start != 29 || e.URLs[0].End != 48 || e.URLs[0].URL != "https://t.co/AbC123" {
		t.Errorf("urls = %+v, want https://t.co/AbC123 at 29-48", e.URLs)
	}
}

func TestPageTokenRoundTripAndTampering(t *testing.T) {
	tok := pageToken{
		boundary: 1338971066773905408, scope: scopeOf("timeline", "1"),
		b: bounds{sinceID: 5, untilID: 1 << 62, startMS: 1700000000000, endMS: -1},
	}
	s := tok.encode()
	got, err := decodeToken(s, tok.scope)
	if err != nil || got != tok {
		t.Fatalf("decode(encode(%+v)) = %+v, %v", tok, got, err)
	}
	if strings.ToLower(s) != s {
		t.Errorf("token %q is not lower case", s)
	}
	for _, bad := range []string{"", "0", s[:len(s)-1], s + "0", strings.ToUpper(s[:1]) + "x" + s[2:]} {
		if _, err := decodeToken(bad, tok.scope); err == nil {
			t.Errorf("decodeToken(%q) succeeded, want an error", bad)
		}
	}
	if _, err := decodeToken(s, scopeOf("timeline", "2")); err == nil {
		t.Error("a token decoded under another scope, want an error")
	}
}

func TestScaledClockRunsSpeedTimesFaster(t *testing.T) {
	origin := time.Now().Add(-time.Second)
	c := &scaledClock{origin: origin, speed: 60}
	if got := c.Now().Sub(origin); got < time.Minute || got > 2*time.Minute {
		t.Errorf("one real second at 60x moved the clock %s, want about a minute", got)
	}
}
