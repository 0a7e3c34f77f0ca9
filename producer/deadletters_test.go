package main

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/tweetflow/tweetflow/internal/cli"
	"github.com/tweetflow/tweetflow/tasks"
)

func TestPrintDeadLetters_OneAlignedRowEach(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)
	letters := []tasks.DeadLetter{
		{MessageID: "task_1", Task: tasks.FetchSourceTask, Reason: `no worker knows task "x"`, DeadAt: at, Bytes: 599},
		{MessageID: "junk", Reason: "body is not a Machinery signature:\tinvalid\ncharacter", Bytes: 9},
		{},
	}
	var out bytes.Buffer
	if err := printDeadLetters(&out, letters); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"ID      TASK                    REASON                                                DEAD AT               BYTES\n" +
		"task_1  tweetflow.fetch_source  no worker knows task \"x\"                              2025-03-01T12:30:00Z  599\n" +
		"junk    -                       body is not a Machinery signature: invalid character  -                     9\n" +
		"-       -                       -                                                     -                     0\n"
	if out.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestPrintDeadLetters_SaysSoWhenTheQueueIsEmpty(t *testing.T) {
	var out bytes.Buffer
	if err := printDeadLetters(&out, nil); err != nil {
		t.Fatal(err)
	}
	if want := "tweetflow.dead holds no dead letters\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
}

func TestPrintDeadLettersJSON_LeavesOutWhatIsUnknown(t *testing.T) {
	at := time.Date(2025, 3, 1, 12, 30, 0, 0, time.UTC)
	cases := []struct {
		name    string
		letters []tasks.DeadLetter
		want    string
	}{
		{"none", nil, `[]`},
		{
			"all parts",
			[]tasks.DeadLetter{{MessageID: "a", Task: "t", Reason: "r", DeadAt: at, Bytes: 3}},
			`[{"id":"a","task":"t","reason":"r","dead_at":"2025-03-01T12:30:00Z","bytes":3}]`,
		},
		{"nothing known", []tasks.DeadLetter{{MessageID: "b"}}, `[{"id":"b","bytes":0}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := printDeadLettersJSON(&out, c.letters); err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, out.Bytes()); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			if compact.String() != c.want {
				t.Errorf("got %s, want %s", compact.String(), c.want)
			}
		})
	}
}

func TestDeadLetters_UsageErrorsExitTwoBeforeAnyWork(t *testing.T) {
	cases := [][]string{
		{"deadletters", "requeue"},
		{"deadletters", "requeue", "--limit", "5"},
		{"deadletters", "requeue", "--all", "--id", "a"},
		{"deadletters", "requeue", "--all", "--limit", "-1"},
		{"deadletters", "drop"},
		{"deadletters", "list", "--limit", "-1"},
		{"deadletters", "list", "extra"},
	}
	for _, args := range cases {
		if code := execute(args); code != cli.ExitUsage {
			t.Errorf("producer %v exited %d, want %d", args, code, cli.ExitUsage)
		}
	}
}

func TestUnmet_NamesTheIDsNotMoved(t *testing.T) {
	cases := []struct {
		name string
		opts tasks.MoveOptions
		res  tasks.MoveResult
		want string
	}{
		{"all done", tasks.MoveOptions{IDs: []string{"a"}}, tasks.MoveResult{Moved: []tasks.DeadLetter{{MessageID: "a"}}}, ""},
		{"skips under --all are no failure", tasks.MoveOptions{All: true}, tasks.MoveResult{Skipped: []tasks.DeadLetter{{MessageID: "a"}}}, ""},
		{"missing", tasks.MoveOptions{IDs: []string{"a", "b"}}, tasks.MoveResult{Missing: []string{"a", "b"}}, "no dead letter has id a, b"},
		{
			"skipped and missing",
			tasks.MoveOptions{IDs: []string{"a", "b"}},
			tasks.MoveResult{Skipped: []tasks.DeadLetter{{MessageID: "a"}}, Missing: []string{"b"}},
			"no dead letter has id b; skipped a",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := unmet(c.opts, c.res)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != c.want {
				t.Errorf("unmet = %q, want %q", got, c.want)
			}
		})
	}
}
