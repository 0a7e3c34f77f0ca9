package twittersim

import (
	"testing"
	"time"
)

// queryFixture is a small world with hand-written tweets.
func queryFixture(t *testing.T) map[string]*tweet {
	t.Helper()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	w, err := newWorld(1, []AccountSpec{{Username: "Gopher"}, {Username: "rabbit"}}, start, start)
	if err != nil {
		t.Fatal(err)
	}
	own := func(author, text string) *tweet {
		tw := &tweet{author: w.lookup(author), kind: KindPost, lang: "en"}
		w.setText(tw, escapeText(text))
		return w.store(tw, start)
	}
	ts := map[string]*tweet{
		"go":     own("gopher", "Learning Go & #golang with @rabbit today"),
		"good":   own("gopher", "Good morning, queues!"),
		"ja":     own("rabbit", "今日はGoのテストを書いています #Postgres"),
		"phrase": own("rabbit", "It was the clock, it is always the clock."),
	}
	rt := &tweet{author: w.lookup("rabbit"), kind: KindRetweet, lang: "en", ref: ts["go"]}
	rt.text = "RT @Gopher: " + ts["go"].text
	rt.entities = scanEntities(rt.text, w.resolve)
	ts["retweet"] = w.store(rt, start)
	quote := &tweet{author: w.lookup("gopher"), kind: KindQuote, lang: "en", ref: ts["phrase"]}
	w.setText(quote, "so true")
	ts["quote"] = w.store(quote, start)
	return ts
}

func TestQuery_MatchesTheSupportedSubset(t *testing.T) {
	ts := queryFixture(t)
	tests := []struct {
		query string
		want  []string
	}{
		{"go", []string{"go", "ja", "retweet"}},
		{"GO", []string{"go", "ja", "retweet"}},
		{"good", []string{"good"}},
		{"テスト", []string{"ja"}},
		{"&", []string{"go", "retweet"}},
		{"from:gopher", []string{"go", "good", "quote"}},
		{"from:GOPHER -is:quote", []string{"go", "good"}},
		{"#golang", []string{"go", "retweet"}},
		{"#postgres", []string{"ja"}},
		{"@rabbit", []string{"go", "retweet"}},
		{"@gopher", []string{"retweet"}},
		{`"always the clock"`, []string{"phrase", "quote"}},
		{`"the morning"`, nil},
		{"is:retweet", []string{"retweet"}},
		{"from:rabbit -is:retweet", []string{"ja", "phrase"}},
		{"is:quote", []string{"quote"}},
		{"good OR テスト", []string{"good", "ja"}},
		{"from:rabbit (clock OR #postgres) -is:retweet", []string{"ja", "phrase"}},
		{"-(from:gopher OR is:retweet) clock", []string{"phrase"}},
		{"learning today", []string{"go", "retweet"}},
		{"learning -today", nil},
		{"has:mentions from:gopher", []string{"go"}},
		{"lang:en is:quote", []string{"quote"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			m, err := parseQuery(tt.query)
			if err != nil {
				t.Fatalf("parseQuery: %v", err)
			}
			var got []string
			for _, name := range []string{"go", "good", "ja", "phrase", "retweet", "quote"} {
				if m(ts[name]) {
					got = append(got, name)
				}
			}
			if !sameNames(got, tt.want) {
				t.Errorf("matched %v, want %v", got, tt.want)
			}
		})
	}
}

func sameNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestQuery_RejectsMalformedQueries(t *testing.T) {
	tests := []struct{ name, query string }{
		{"empty", ""},
		{"only spaces", "   "},
		{"unclosed quote", `"abc`},
		{"unclosed parenthesis", "(a OR b"},
		{"stray closing parenthesis", "a)"},
		{"empty group", "()"},
		{"OR at the start", "OR a"},
		{"OR at the end", "a OR"},
		{"only negated", "-a -b"},
		{"unknown operator", "colour:red"},
		{"unknown is value", "is:nice"},
		{"operator without value", "from:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseQuery(tt.query); err == nil {
				t.Errorf("parseQuery(%q) succeeded, want an error", tt.query)
			}
		})
	}
}
