// Package tasks defines what travels from the producer to the workers: the task names, their
// Machinery v2 signatures and argument encoding, the RabbitMQ topology they travel on, and the
// publisher and consumer that move them reliably.
package tasks

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
)

// FetchSourceTask is the Machinery task name of "fetch new tweets for one source".
const FetchSourceTask = "tweetflow.fetch_source"

// Source kinds a fetch can name.
const (
	KindUser  = "user"
	KindQuery = "query"
)

// MaxQueryLength is the longest recent-search query the API accepts on self-serve access,
// in characters.
const MaxQueryLength = 512

var (
	handlePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)
	idPattern     = regexp.MustCompile(`^[0-9]{1,19}$`)
)

// Fetch is the argument set of a fetch-source task. Only strings and an int64 travel, so
// Machinery's argument reflection cannot fail on a well-formed message.
type Fetch struct {
	// Kind is KindUser or KindQuery.
	Kind string
	// Value is the user handle (without @) or the search query.
	Value string
	// SinceIDHint is the cursor the producer knew when it published, "" when none. The
	// worker reads the stored cursor instead; the hint is recorded for diagnosis only.
	SinceIDHint string
	// BackfillSeconds bounds how far back the first fetch of a new source reaches.
	BackfillSeconds int64
	// PublishedAt is when the signature was published, zero when unknown. It travels in a
	// header, not as an argument.
	PublishedAt time.Time
}

// ErrInvalidFetch marks a fetch whose arguments can never succeed. It wraps
// ErrBadArguments, so the consumer dead-letters such a task instead of failing it forever.
var ErrInvalidFetch = fmt.Errorf("invalid fetch: %w", ErrBadArguments)

// Validate reports whether f can be published: a known kind, a valid handle or a query of
// 1 to MaxQueryLength characters, a numeric since-id hint and a non-negative window.
func (f Fetch) Validate() error {
	switch f.Kind {
	case KindUser:
		if !handlePattern.MatchString(f.Value) {
			return fmt.Errorf("%w: handle %q is not 1 to 15 letters, digits or _", ErrInvalidFetch, f.Value)
		}
	case KindQuery:
		if n := utf8.RuneCountInString(f.Value); n == 0 || n > MaxQueryLength {
			return fmt.Errorf("%w: query has %d characters, want 1 to %d", ErrInvalidFetch, n, MaxQueryLength)
		}
	default:
		return fmt.Errorf("%w: kind %q is neither %q nor %q", ErrInvalidFetch, f.Kind, KindUser, KindQuery)
	}
	if f.SinceIDHint != "" && !idPattern.MatchString(f.SinceIDHint) {
		return fmt.Errorf("%w: since-id hint %q is not a tweet id", ErrInvalidFetch, f.SinceIDHint)
	}
	if f.BackfillSeconds < 0 {
		return fmt.Errorf("%w: backfill of %d seconds is negative", ErrInvalidFetch, f.BackfillSeconds)
	}
	return nil
}

// String names the source for logs: "user:golang" or "query:#golang".
func (f Fetch) String() string { return f.Kind + ":" + f.Value }

// Signature validates f and returns a new Machinery signature for it.
func (f Fetch) Signature() (*mtasks.Signature, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	sig, err := mtasks.NewSignature(FetchSourceTask, []mtasks.Arg{
		{Name: "kind", Type: "string", Value: f.Kind},
		{Name: "value", Type: "string", Value: f.Value},
		{Name: "since_id_hint", Type: "string", Value: f.SinceIDHint},
		{Name: "backfill_seconds", Type: "int64", Value: f.BackfillSeconds},
	})
	if err != nil {
		return nil, fmt.Errorf("build signature for %s: %w", f, err)
	}
	return sig, nil
}

// FetchFromSignature decodes the arguments of a fetch-source signature, as published by
// Signature and carried through JSON.
func FetchFromSignature(sig *mtasks.Signature) (Fetch, error) {
	if sig.Name != FetchSourceTask {
		return Fetch{}, fmt.Errorf("%w: task %q is not %q", ErrInvalidFetch, sig.Name, FetchSourceTask)
	}
	if len(sig.Args) != 4 {
		return Fetch{}, fmt.Errorf("%w: %d arguments, want 4", ErrInvalidFetch, len(sig.Args))
	}
	var f Fetch
	var ok [3]bool
	f.Kind, ok[0] = sig.Args[0].Value.(string)
	f.Value, ok[1] = sig.Args[1].Value.(string)
	f.SinceIDHint, ok[2] = sig.Args[2].Value.(string)
	if !ok[0] || !ok[1] || !ok[2] {
		return Fetch{}, fmt.Errorf("%w: the first three arguments must be strings", ErrInvalidFetch)
	}
	n, err := int64Arg(sig.Args[3].Value)
	if err != nil {
		return Fetch{}, fmt.Errorf("%w: backfill_seconds: %w", ErrInvalidFetch, err)
	}
	f.BackfillSeconds = n
	f.PublishedAt = PublishedAt(sig)
	return f, f.Validate()
}

// PublishedAt reads the publish time the publisher put in the signature's headers; zero
// when it is missing or malformed.
func PublishedAt(sig *mtasks.Signature) time.Time {
	s, ok := sig.Headers[HeaderPublishedAt].(string)
	if !ok {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func int64Arg(v any) (int64, error) {
	switch n := v.(type) {
	case int64:
		return n, nil
	case interface{ Int64() (int64, error) }:
		return n.Int64()
	case float64:
		return int64(n), nil
	case string:
		return strconv.ParseInt(n, 10, 64)
	default:
		return 0, fmt.Errorf("%v (%T) is not an integer", v, v)
	}
}
