package tasks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"

	"github.com/tweetflow/tweetflow/tasks"
)

func TestFetchSignature_RoundTripsThroughJSONAndMachineryReflection(t *testing.T) {
	cases := []tasks.Fetch{
		{Kind: tasks.KindUser, Value: "TwitterDev", SinceIDHint: "1338971066773905408", BackfillSeconds: 60},
		{Kind: tasks.KindQuery, Value: "#golang -is:retweet 東京 🚀", BackfillSeconds: 0},
		{Kind: tasks.KindQuery, Value: strings.Repeat("é", tasks.MaxQueryLength)},
	}
	for _, want := range cases {
		t.Run(want.String()[:min(20, len(want.String()))], func(t *testing.T) {
			sig, err := want.Signature()
			if err != nil {
				t.Fatalf("Signature: %v", err)
			}
			body, err := json.Marshal(sig)
			if err != nil {
				t.Fatal(err)
			}
			decoded := decodeSignature(t, body)
			got, err := tasks.FetchFromSignature(decoded)
			if err != nil || got != want {
				t.Fatalf("FetchFromSignature = %+v, %v; want %+v", got, err, want)
			}
			var called tasks.Fetch
			fn := func(_ context.Context, kind, value, hint string, backfill int64) error {
				called = tasks.Fetch{Kind: kind, Value: value, SinceIDHint: hint, BackfillSeconds: backfill}
				return nil
			}
			task, err := mtasks.NewWithSignature(fn, decoded)
			if err != nil {
				t.Fatalf("Machinery reflection: %v", err)
			}
			if _, err := task.Call(); err != nil || called != want {
				t.Fatalf("task called with %+v (err %v), want %+v", called, err, want)
			}
		})
	}
}

// decodeSignature decodes a message body the way Machinery and the consumer do.
func decodeSignature(t *testing.T, body []byte) *mtasks.Signature {
	t.Helper()
	sig := new(mtasks.Signature)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(sig); err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestFetchValidate_RejectsWhatCanNeverRun(t *testing.T) {
	cases := []struct {
		name string
		f    tasks.Fetch
		want string
	}{
		{"unknown kind", tasks.Fetch{Kind: "list", Value: "x"}, `kind "list"`},
		{"handle with a dash", tasks.Fetch{Kind: tasks.KindUser, Value: "bad-name"}, "handle"},
		{"handle too long", tasks.Fetch{Kind: tasks.KindUser, Value: strings.Repeat("a", 16)}, "handle"},
		{"empty query", tasks.Fetch{Kind: tasks.KindQuery}, "0 characters"},
		{"query too long", tasks.Fetch{Kind: tasks.KindQuery, Value: strings.Repeat("é", 513)}, "513 characters"},
		{"hint not an id", tasks.Fetch{Kind: tasks.KindUser, Value: "a", SinceIDHint: "12x"}, "since-id"},
		{"negative backfill", tasks.Fetch{Kind: tasks.KindUser, Value: "a", BackfillSeconds: -1}, "negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.f.Validate()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Validate() = %v, want an error mentioning %q", err, c.want)
			}
			if !errors.Is(err, tasks.ErrBadArguments) {
				t.Errorf("error %v does not wrap ErrBadArguments", err)
			}
			if _, err := c.f.Signature(); err == nil {
				t.Error("Signature() accepted an invalid fetch")
			}
		})
	}
}
