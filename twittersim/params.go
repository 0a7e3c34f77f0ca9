package twittersim

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var idPattern = regexp.MustCompile(`^[0-9]{1,19}$`)

// paramError is one item of the errors list of a 400 invalid-request response.
type paramError struct {
	Parameters map[string][]string `json:"parameters"`
	Message    string              `json:"message"`
}

// params reads and checks query parameters, collecting every problem it finds.
type params struct {
	q    url.Values
	errs []paramError
}

// newParams starts reading q and reports every parameter that is not in allowed.
func newParams(q url.Values, allowed []string) *params {
	p := &params{q: q}
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			p.failf(name, q.Get(name), "The query parameter [%s] is not one of [%s]",
				name, strings.Join(allowed, ","))
		}
	}
	return p
}

func (p *params) fail(name, value, message string) {
	e := paramError{Parameters: map[string][]string{name: {value}}, Message: message}
	p.errs = append(p.errs, e)
}

func (p *params) failf(name, value, format string, args ...any) {
	p.fail(name, value, fmt.Sprintf(format, args...))
}

func (p *params) failed() bool { return len(p.errs) > 0 }

// intRange reads an integer parameter between lo and hi, or def when it is absent.
func (p *params) intRange(name string, def, lo, hi int) int {
	v := p.q.Get(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.failf(name, v, "The `%s` query parameter value [%s] is not between %d and %d", name, v, lo, hi)
		return def
	}
	return n
}

// id reads a tweet id parameter; 0 means absent.
func (p *params) id(name string) uint64 {
	v := p.q.Get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if !idPattern.MatchString(v) || err != nil {
		p.failf(name, v, "The `%s` query parameter value [%s] does not match %s", name, v, idPattern)
		return 0
	}
	return n
}

// minAPITime is the earliest start_time the API accepts.
var minAPITime = time.Date(2010, 11, 6, 0, 0, 0, 0, time.UTC)

// time reads an RFC 3339 time parameter with second granularity; zero means absent.
func (p *params) time(name string) time.Time {
	v := p.q.Get(name)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil || strings.Contains(v, ".") {
		p.failf(name, v, "The `%s` query parameter value [%s] is not a valid time: "+
			"use YYYY-MM-DDTHH:mm:ssZ (RFC 3339, no fractional seconds)", name, v)
		return time.Time{}
	}
	if t.Before(minAPITime) {
		p.failf(name, v, "The `%s` query parameter value [%s] must be on or after %s",
			name, v, minAPITime.Format(time.RFC3339))
		return time.Time{}
	}
	return t.UTC()
}

// list reads a comma-separated list parameter whose items must be in allowed.
func (p *params) list(name string, allowed []string) set {
	v := p.q.Get(name)
	s := set{}
	for item := range strings.SplitSeq(v, ",") {
		if item == "" {
			continue
		}
		if !slices.Contains(allowed, item) {
			p.failf(name, item, "The `%s` query parameter value [%s] is not one of [%s]",
				name, item, strings.Join(allowed, ","))
			continue
		}
		s[item] = true
	}
	return s
}

// one reads a parameter whose value must be one of allowed, or "" when absent.
func (p *params) one(name string, allowed []string) string {
	v := p.q.Get(name)
	if v != "" && !slices.Contains(allowed, v) {
		p.failf(name, v, "The `%s` query parameter value [%s] is not one of [%s]",
			name, v, strings.Join(allowed, ","))
	}
	return v
}
