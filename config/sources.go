package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

// The sources file says which tweets to collect. It is YAML with two
// optional lists:
//
//	users:
//	  - TwitterDev            # a handle, with or without a leading @
//	  - handle: golang
//	    schedule: "@every 30s" # replaces FETCH_SCHEDULE for this source
//	    priority: high         # the adaptive schedule serves it first
//	    min_interval: 10s      # and polls it within these bounds
//	    max_interval: 10m
//	queries:
//	  - "#golang -is:retweet"
//	  - query: "from:rabbitmq OR #rabbitmq"
//	    schedule: "*/5 * * * *"
//
// A handle is 1 to 15 letters, digits or underscores; a query is 1 to 512
// characters of X search syntax. An entry is either the bare value or a
// mapping with the value and an optional schedule, written as for
// FETCH_SCHEDULE. An empty or missing schedule means FETCH_SCHEDULE. A source
// may appear only once: handles are compared ignoring case, queries ignoring
// surrounding space. sources.example.yml beside this file is a full example.

// SourceKind says what a source follows.
type SourceKind string

const (
	// KindUser follows the tweets of one account.
	KindUser SourceKind = "user"
	// KindQuery follows the results of one recent-search query.
	KindQuery SourceKind = "query"
)

// Source is one entry of the sources file.
type Source struct {
	// Kind is KindUser or KindQuery.
	Kind SourceKind
	// Value is the handle without its leading @, in the case written, or the
	// query with surrounding space trimmed.
	Value string
	// Schedule is the source's own schedule; "" means FETCH_SCHEDULE.
	Schedule string
	// Priority is PriorityLow, PriorityNormal or PriorityHigh, "" for normal: the order in
	// which the adaptive schedule shares the budget out.
	Priority string
	// MinInterval and MaxInterval bound the source's interval in the adaptive schedule;
	// zero means POLL_MIN_INTERVAL and POLL_MAX_INTERVAL.
	MinInterval, MaxInterval time.Duration
	// Line is where the entry starts in the file, from 1.
	Line int
}

// Key identifies the source across restarts and edits of the file: the kind,
// a colon and the canonical value, e.g. "user:twitterdev" (handles lower-cased,
// without @) or "query:#golang -is:retweet".
func (s Source) Key() string {
	if s.Kind == KindUser {
		return string(s.Kind) + ":" + strings.ToLower(strings.TrimPrefix(s.Value, "@"))
	}
	return string(s.Kind) + ":" + strings.TrimSpace(s.Value)
}

// SourceError is one problem of the sources file. Its message is a single
// line, "file:line: problem; what to do", without the line number for a
// problem of the whole file.
type SourceError struct {
	// File is the name of the file as given to LoadSources or ParseSources.
	File string
	// Line is the line of the problem, from 1; 0 for the whole file.
	Line int
	// Problem says what is wrong.
	Problem string
	// Fix says what to do; it may be empty.
	Fix string
	// cause is the underlying error, for errors.Is.
	cause error
}

// Error returns "file:line: problem; fix".
func (e *SourceError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	msg := where + ": " + e.Problem
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg
}

// Unwrap returns the error that caused the problem, if any.
func (e *SourceError) Unwrap() error {
	return e.cause
}

// LoadSources reads and parses the sources file at path; see ParseSources.
// A missing file is an error that says to set SOURCES_FILE.
func LoadSources(path string) ([]Source, error) {
	data, err := os.ReadFile(path) //nolint:gosec // the operator names the sources file to read
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &SourceError{
			File: path, Problem: "no such file",
			Fix: "create it or set SOURCES_FILE to the sources file", cause: err,
		}
	}
	if err != nil {
		return nil, &SourceError{
			File: path, Problem: "cannot read it (" + readFailure(err) + ")",
			Fix: "make it readable or set SOURCES_FILE to another file", cause: err,
		}
	}
	return ParseSources(path, data)
}

// ParseSources parses the sources file data; name is used in messages. An
// empty file or empty lists give no sources and no error. On failure it
// returns every problem found, each a *SourceError on its own line, so that
// all can be fixed at once; sources are returned only when there is none.
func ParseSources(name string, data []byte) ([]Source, error) {
	root, err := decodeSourcesYAML(name, data)
	if err != nil || root == nil {
		return nil, err
	}
	p := &sourcesParser{file: name, seen: map[string]int{}}
	p.parseRoot(root)
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.sources, nil
}
