package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maxQueryChars is the longest query the X API accepts on self-serve plans.
const maxQueryChars = 512

// handlePattern matches an X handle once its leading @ is removed.
var handlePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)

// addSource checks the value and schedule of e and records the source unless
// it repeats an earlier one.
func (p *sourcesParser) addSource(lk listKind, e entry) {
	value, ok := p.checkValue(lk.kind, e)
	ok = p.checkSchedule(lk, e) && ok
	src := Source{Kind: lk.kind, Value: value, Schedule: e.schedule, Line: e.line}
	ok = p.checkPolling(lk, e, &src) && ok
	if !ok {
		return
	}
	if first, dup := p.seen[src.Key()]; dup {
		p.fail(e.line, fmt.Sprintf("%s %s repeats the one on line %d", lk.entry, quoteShort(value), first),
			"remove one of them")
		return
	}
	p.seen[src.Key()] = e.line
	p.sources = append(p.sources, src)
}

// checkValue returns the canonical value of a user or query entry.
func (p *sourcesParser) checkValue(kind SourceKind, e entry) (string, bool) {
	if kind == KindUser {
		return p.checkHandle(e)
	}
	return p.checkQuery(e)
}

// checkHandle strips one leading @ and checks the handle's form.
func (p *sourcesParser) checkHandle(e entry) (string, bool) {
	handle := strings.TrimPrefix(e.value, "@")
	if !handlePattern.MatchString(handle) {
		p.fail(e.valueLine, fmt.Sprintf("user %q: not a valid handle (1 to 15 letters, digits or _)",
			e.value), "")
		return "", false
	}
	return handle, true
}

// checkQuery trims the query and checks that it is neither empty nor over
// the API's length limit, counted in characters.
func (p *sourcesParser) checkQuery(e entry) (string, bool) {
	query := strings.TrimSpace(e.value)
	n := utf8.RuneCountInString(query)
	switch {
	case n == 0:
		p.fail(e.valueLine, "empty query", "write the search terms or remove the entry")
		return "", false
	case n > maxQueryChars:
		p.fail(e.valueLine, fmt.Sprintf("query %s is %d characters long, over the API's limit of %d",
			quoteShort(query), n, maxQueryChars), "shorten it")
		return "", false
	}
	return query, true
}

// checkSchedule parses the entry's own schedule, if it has one.
func (p *sourcesParser) checkSchedule(lk listKind, e entry) bool {
	if e.schedule == "" {
		return true
	}
	if _, err := ParseSchedule(e.schedule); err != nil {
		p.fail(e.schLine, fmt.Sprintf("schedule %s of %s %s: %v",
			strconv.Quote(e.schedule), lk.entry, quoteShort(e.value), err), "write "+scheduleHint)
		return false
	}
	return true
}

// Priorities of a source in the adaptive schedule.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
)

// checkPolling reads the entry's adaptive-schedule settings into src.
func (p *sourcesParser) checkPolling(lk listKind, e entry, src *Source) bool {
	ok := true
	switch e.priority {
	case "":
	case PriorityLow, PriorityNormal, PriorityHigh:
		src.Priority = e.priority
	default:
		p.fail(e.prioLine, fmt.Sprintf("priority %s of %s %s is not low, normal or high",
			strconv.Quote(e.priority), lk.entry, quoteShort(e.value)), "write low, normal or high")
		ok = false
	}
	interval := func(text string, line int, key string) time.Duration {
		if text == "" {
			return 0
		}
		d, err := time.ParseDuration(text)
		if err != nil || d < time.Second {
			p.fail(line, fmt.Sprintf("%s %s of %s %s is not a duration of at least 1s",
				key, strconv.Quote(text), lk.entry, quoteShort(e.value)), "write a duration such as 30s, 5m or 2h")
			ok = false
			return 0
		}
		return d
	}
	src.MinInterval = interval(e.minInterval, e.minLine, "min_interval")
	src.MaxInterval = interval(e.maxInterval, e.maxLine, "max_interval")
	if ok && src.MinInterval > 0 && src.MaxInterval > 0 && src.MaxInterval < src.MinInterval {
		p.fail(e.maxLine, fmt.Sprintf("max_interval %v of %s %s is shorter than its min_interval %v",
			src.MaxInterval, lk.entry, quoteShort(e.value), src.MinInterval), "swap or correct them")
		ok = false
	}
	return ok
}
