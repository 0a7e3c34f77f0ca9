package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestLoadSources_Example(t *testing.T) {
	got, err := LoadSources("sources.example.yml")
	if err != nil {
		t.Fatalf("LoadSources error = %v", err)
	}
	want := []Source{
		{Kind: KindUser, Value: "TwitterDev", Line: 21},
		{Kind: KindUser, Value: "XDevelopers", Line: 22},
		{Kind: KindUser, Value: "golang", Schedule: "@every 30s", Line: 23},
		{Kind: KindUser, Value: "NASA", Priority: PriorityHigh, MaxInterval: 10 * time.Minute, Line: 25},
		{Kind: KindQuery, Value: "#golang -is:retweet", Line: 29},
		{Kind: KindQuery, Value: "from:rabbitmq OR #rabbitmq", Schedule: "*/5 * * * *", Line: 30},
	}
	if !slices.Equal(got, want) {
		t.Errorf("sources =\n%v\nwant\n%v", got, want)
	}
}

func TestLoadSources_MissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sources.yml")
	_, err := LoadSources(path)
	want := path + ": no such file; create it or set SOURCES_FILE to the sources file"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("errors.Is(%v, fs.ErrNotExist) = false, want true", err)
	}
}

func TestLoadSources_ReadsAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.yml")
	if err := os.WriteFile(path, []byte("users:\n  - bad name\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadSources(path)
	want := path + `:2: user "bad name": not a valid handle`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %v, want it to start with %q", err, want)
	}
}

func TestParseSources_Accepts(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []Source
	}{
		{"empty file", "", nil},
		{"only comments", "# nothing yet\n", nil},
		{"null document", "~\n", nil},
		{"empty lists", "users: []\nqueries: []\n", nil},
		{"lists without items", "users:\nqueries:\n", nil},
		{
			"leading at stripped", "users:\n  - \"@golang\"\n  - handle: '@Go_Lang_15chars'\n",
			[]Source{{Kind: KindUser, Value: "golang", Line: 2}, {Kind: KindUser, Value: "Go_Lang_15chars", Line: 3}},
		},
		{"numeric handle", "users:\n  - 12345\n", []Source{{Kind: KindUser, Value: "12345", Line: 2}}},
		{"query trimmed", "queries:\n  - \"  golang  \"\n", []Source{{Kind: KindQuery, Value: "golang", Line: 2}}},
		{
			"adaptive settings", "users:\n  - handle: vip\n    priority: high\n    min_interval: 10s\n" +
				"    max_interval: 10m\nqueries:\n  - query: golang\n    priority: low\n",
			[]Source{
				{Kind: KindUser, Value: "vip", Priority: PriorityHigh, MinInterval: 10 * time.Second, MaxInterval: 10 * time.Minute, Line: 2},
				{Kind: KindQuery, Value: "golang", Priority: PriorityLow, Line: 7},
			},
		},
		{
			"empty schedule means global", "users:\n  - handle: a\n    schedule:\n",
			[]Source{{Kind: KindUser, Value: "a", Line: 2}},
		},
		{
			"alias to a handle", "users:\n  - &h golang\nqueries:\n  - *h\n",
			[]Source{{Kind: KindUser, Value: "golang", Line: 2}, {Kind: KindQuery, Value: "golang", Line: 4}},
		},
		{
			"same text as user and query", "users: [golang]\nqueries: [golang]\n",
			[]Source{{Kind: KindUser, Value: "golang", Line: 1}, {Kind: KindQuery, Value: "golang", Line: 2}},
		},
		{
			"query of 512 characters", "queries:\n  - " + strings.Repeat("a", 512) + "\n",
			[]Source{{Kind: KindQuery, Value: strings.Repeat("a", 512), Line: 2}},
		},
		{
			"multi-byte query of 512 characters", "queries:\n  - " + strings.Repeat("é", 512) + "\n",
			[]Source{{Kind: KindQuery, Value: strings.Repeat("é", 512), Line: 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSources("sources.yml", []byte(tt.yaml))
			if err != nil {
				t.Fatalf("ParseSources error = %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("sources = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseSources_Rejects(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{
			"yaml syntax", "users:\n  - a\nqueries: [\n",
			"sources.yml:3: did not find expected node content; fix the YAML syntax",
		},
		{
			"tab indentation", "users:\n  - a\n\t- b\n",
			"sources.yml:2: found a tab character that violates indentation; fix the YAML syntax",
		},
		{
			"second document", "users: [a]\n---\nusers: [b]\n",
			"sources.yml:2: a second YAML document starts here; keep all sources in one document",
		},
		{
			"top level list", "- golang\n",
			"sources.yml:1: the file is not a mapping; start it with users: or queries:",
		},
		{
			"unknown top-level key", "users: [a]\nuser: [b]\n",
			`sources.yml:2: unknown top-level key "user"; use users or queries`,
		},
		{
			"repeated top-level key", "users: [a]\nqueries: [q]\nusers: [b]\n",
			"sources.yml:3: users appears again (first on line 1); merge the two lists",
		},
		{
			"users not a list", "users:\n  handle: golang\n",
			`sources.yml:1: users is not a list; write each user on its own line starting with "- "`,
		},
		{
			"users a single value", "queries: golang\n",
			`sources.yml:1: queries is not a list; write each query on its own line starting with "- "`,
		},
		{
			"unknown user key", "users:\n  - TwitterDev\n  - handle: golang\n    schedul: \"@every 1m\"\n",
			`sources.yml:4: unknown key "schedul" in a user entry (known: handle, schedule, priority, min_interval, max_interval)`,
		},
		{
			"unknown priority", "users:\n  - handle: a\n    priority: urgent\n",
			`sources.yml:3: priority "urgent" of user "a" is not low, normal or high; write low, normal or high`,
		},
		{
			"bad interval", "users:\n  - handle: a\n    min_interval: 500ms\n",
			`sources.yml:3: min_interval "500ms" of user "a" is not a duration of at least 1s; write a duration such as 30s, 5m or 2h`,
		},
		{
			"bounds swapped", "users:\n  - handle: a\n    min_interval: 10m\n    max_interval: 1m\n",
			`sources.yml:4: max_interval 1m0s of user "a" is shorter than its min_interval 10m0s; swap or correct them`,
		},
		{
			"unknown query key", "queries:\n  - q: golang\n",
			`sources.yml:2: unknown key "q" in a query entry (known: query, schedule, priority, min_interval, max_interval)`,
		},
		{
			"invalid handle", "users:\n  - a\n  - b\n  - c\n  - d\n  - e\n  - bad-name!\n",
			`sources.yml:7: user "bad-name!": not a valid handle (1 to 15 letters, digits or _)`,
		},
		{
			"handle too long", "users:\n  - abcdefghijklmnop\n",
			`sources.yml:2: user "abcdefghijklmnop": not a valid handle (1 to 15 letters, digits or _)`,
		},
		{"two at signs", "users:\n  - \"@@golang\"\n", `sources.yml:2: user "@@golang": not a valid handle`},
		{"only an at sign", "users:\n  - \"@\"\n", `sources.yml:2: user "@": not a valid handle`},
		{"empty user", "users:\n  -\n", `sources.yml:2: user "": not a valid handle`},
		{
			"mapped handle invalid", "users:\n  - handle: x.y\n    schedule: '@hourly'\n",
			`sources.yml:2: user "x.y": not a valid handle`,
		},
		{
			"empty query", "queries:\n  - \"   \"\n",
			"sources.yml:2: empty query; write the search terms or remove the entry",
		},
		{"null query", "queries:\n  - query:\n", "sources.yml:2: empty query;"},
		{
			"query over 512 characters", "queries:\n  - " + strings.Repeat("a", 513) + "\n",
			`sources.yml:2: query "` + strings.Repeat("a", 40) + `"... is 513 characters long, ` +
				"over the API's limit of 512; shorten it",
		},
		{
			"multi-byte query over 512 characters", "queries:\n  - " + strings.Repeat("é", 513) + "\n",
			`sources.yml:2: query "` + strings.Repeat("é", 40) + `"... is 513 characters long, ` +
				"over the API's limit of 512",
		},
		{
			"bad schedule", "users:\n  - handle: golang\n    schedule: \"every minute\"\n",
			`sources.yml:3: schedule "every minute" of user "golang": parse schedule: expected exactly 5 fields`,
		},
		{
			"schedule below a second", "queries:\n  - query: golang\n    schedule: \"@every 10ms\"\n",
			"sources.yml:3: schedule \"@every 10ms\" of query \"golang\": parse schedule: @every interval " +
				`10ms is below 1s; write a 5-field cron spec such as "*/5 * * * *" or a descriptor such as "@every 1m"`,
		},
		{
			"schedule with time zone", "users:\n  - handle: golang\n    schedule: \"TZ=UTC @hourly\"\n",
			"sources.yml:3: schedule \"TZ=UTC @hourly\" of user \"golang\": parse schedule: time zone prefixes",
		},
		{
			"entry without handle", "users:\n  - schedule: \"@hourly\"\n",
			"sources.yml:2: a user entry has no handle; add handle: to it",
		},
		{
			"entry is a list", "users:\n  - [a, b]\n",
			"sources.yml:2: a user entry is neither a value nor a mapping; " +
				"write the handle, or a mapping with handle: and optional schedule:, priority:, min_interval: and max_interval: keys",
		},
		{"value is a list", "queries:\n  - query: [a]\n", "sources.yml:2: query is not a single value"},
		{
			"key twice in an entry", "users:\n  - handle: a\n    handle: b\n",
			"sources.yml:3: handle appears twice in one entry; keep one of them",
		},
		{
			"duplicate handle ignoring case and at", "users:\n  - golang\n  - other\n  - \"@GoLang\"\n",
			`sources.yml:4: user "GoLang" repeats the one on line 2; remove one of them`,
		},
		{
			"duplicate handle in mapping form", "users:\n  - golang\n  - handle: golang\n    schedule: '@hourly'\n",
			`sources.yml:3: user "golang" repeats the one on line 2; remove one of them`,
		},
		{
			"duplicate query ignoring space", "queries:\n  - \"#go\"\n  - query: \" #go \"\n",
			`sources.yml:3: query "#go" repeats the one on line 2; remove one of them`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSources("sources.yml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("ParseSources error = nil (sources %v), want %q", got, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to start with %q", err, tt.want)
			}
			var srcErr *SourceError
			if !errors.As(err, &srcErr) {
				t.Errorf("error %T is not a *SourceError", err)
			}
			if got != nil {
				t.Errorf("sources = %v, want none on error", got)
			}
		})
	}
}

func TestParseSources_ReportsEveryProblemOnItsOwnLine(t *testing.T) {
	data := "users:\n  - bad-name!\n  - golang\n  - GOLANG\nqueries:\n  - \"\"\nextra: 1\n"
	_, err := ParseSources("sources.yml", []byte(data))
	if err == nil {
		t.Fatal("ParseSources error = nil, want problems")
	}
	got := strings.Split(err.Error(), "\n")
	want := []string{
		`sources.yml:2: user "bad-name!": not a valid handle (1 to 15 letters, digits or _)`,
		`sources.yml:4: user "GOLANG" repeats the one on line 3; remove one of them`,
		"sources.yml:6: empty query; write the search terms or remove the entry",
		`sources.yml:7: unknown top-level key "extra"; use users or queries`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestSource_Key(t *testing.T) {
	tests := []struct {
		name string
		src  Source
		want string
	}{
		{"user lower-cased", Source{Kind: KindUser, Value: "TwitterDev"}, "user:twitterdev"},
		{"user with at", Source{Kind: KindUser, Value: "@Golang"}, "user:golang"},
		{
			"query kept as written",
			Source{Kind: KindQuery, Value: "#GoLang -is:retweet"},
			"query:#GoLang -is:retweet",
		},
		{"query trimmed", Source{Kind: KindQuery, Value: " from:x "}, "query:from:x"},
		{"schedule and line ignored", Source{Kind: KindUser, Value: "a", Schedule: "@hourly", Line: 9}, "user:a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.src.Key(); got != tt.want {
				t.Errorf("Key() = %q, want %q", got, tt.want)
			}
		})
	}
}
