package twittersim

import (
	"net/http"
	"net/url"
	"time"
)

const (
	// SearchWindow is how far back recent search reaches.
	SearchWindow = 7 * 24 * time.Hour
	// DefaultSearchDelay is how long the real API takes before a new tweet is
	// searchable; Config.SearchDelay sets the simulator's delay.
	DefaultSearchDelay = 30 * time.Second
	// minEndTimeAge is how far in the past an explicit end_time must be.
	minEndTimeAge = 10 * time.Second
)

const detailIDWithTime = "Invalid use of 'since_id' or 'until_id' in conjunction with " +
	"'start_time' or 'end_time'."

// searchRequest is a checked GET /2/tweets/search/recent request.
type searchRequest struct {
	query   string
	match   matcher
	max     int
	sinceID uint64
	untilID uint64
	start   time.Time
	end     time.Time
	token   *pageToken
	objects objectOptions
}

func parseSearch(r *http.Request) (searchRequest, *params) {
	p := newParams(r.URL.Query(), searchParams)
	sr := searchRequest{query: p.q.Get("query"), max: p.intRange("max_results", 10, 10, 100)}
	sr.sinceID, sr.untilID = p.id("since_id"), p.id("until_id")
	sr.start, sr.end = p.time("start_time"), p.time("end_time")
	p.one("sort_order", sortOrderNames)
	sr.objects = parseObjectOptions(p, tweetExpansionNames)
	tokenParam := "next_token"
	if p.q.Get(tokenParam) == "" {
		tokenParam = "pagination_token"
	}
	sr.token = p.token(tokenParam, scopeOf(EndpointSearch, sr.query))
	sr.match = p.searchQuery(sr.query)
	return sr, p
}

// searchQuery checks and compiles the query parameter.
func (p *params) searchQuery(q string) matcher {
	switch n := textLen(q); {
	case n == 0:
		p.fail("query", q, "The `query` query parameter can not be empty")
		return nil
	case n > MaxQueryLength:
		p.failf("query", q, "The `query` query parameter value is %d characters long; the limit is %d",
			n, MaxQueryLength)
		return nil
	}
	m, err := parseQuery(q)
	if err != nil {
		p.fail("query", q, "There were errors processing your request: "+err.Error())
	}
	return m
}

// checkTimes applies the rules that depend on the time of the request.
func (sr searchRequest) checkTimes(p *params, now time.Time) {
	oldest := now.Add(-SearchWindow).Truncate(time.Second)
	start, end, since := apiParam(sr.start), apiParam(sr.end), p.q.Get("since_id")
	if !sr.start.IsZero() && sr.start.Before(oldest) {
		p.failf("start_time", start, "Invalid 'start_time':'%s'. 'start_time' must be on or after %s",
			start, apiParam(oldest))
	}
	if sr.sinceID != 0 && SnowflakeTime(sr.sinceID).Before(oldest) {
		p.failf("since_id", since, "Invalid 'since_id':'%s'. 'since_id' must be a tweet id created "+
			"after %s", since, apiParam(oldest))
	}
	if !sr.end.IsZero() && sr.end.After(now.Add(-minEndTimeAge)) {
		p.failf("end_time", end, "Invalid 'end_time':'%s'. 'end_time' must be a minimum of 10 "+
			"seconds prior to the request time.", end)
	}
	if !sr.start.IsZero() && !sr.end.IsZero() && !sr.start.Before(sr.end) {
		p.failf("start_time", start, "Invalid 'start_time':'%s'. 'start_time' must be before "+
			"'end_time':'%s'", start, end)
	}
}

// idTimeConflict is the 400 for since_id with start_time or until_id with end_time.
func idTimeConflict(q url.Values) reply {
	given := map[string][]string{}
	for _, name := range []string{"since_id", "until_id", "start_time", "end_time"} {
		if v := q.Get(name); v != "" {
			given[name] = []string{v}
		}
	}
	body := newInvalidRequest([]paramError{{Parameters: given, Message: detailIDWithTime}})
	body.Detail = detailIDWithTime
	return reply{status: http.StatusBadRequest, body: body}
}

func apiParam(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// bounds turns the request into the limits of the search at now: the last seven days
// up to and including now - delay, unless the request narrows that.
func (sr searchRequest) bounds(now time.Time, delay time.Duration) bounds {
	b := bounds{sinceID: sr.sinceID, untilID: sr.untilID}
	b.startMS = now.Add(-SearchWindow).UnixMilli()
	if !sr.start.IsZero() {
		b.startMS = sr.start.UnixMilli()
	}
	b.endMS = now.Add(-delay).UnixMilli() + 1
	if !sr.end.IsZero() {
		b.endMS = min(b.endMS, sr.end.UnixMilli())
	}
	return b
}

func (s *Server) search(r *http.Request, now time.Time) reply {
	sr, p := parseSearch(r)
	if (sr.sinceID != 0 && !sr.start.IsZero()) || (sr.untilID != 0 && !sr.end.IsZero()) {
		return idTimeConflict(p.q)
	}
	if sr.token == nil {
		sr.checkTimes(p, now)
	}
	if p.failed() {
		return badRequest(p.errs)
	}
	return okReply(s.searchPage(sr, now))
}

// searchPage collects the newest max matching tweets below the token's boundary. The scan
// covers the tweets inside the bounds, newest first, so a since_id poll costs what is new.
// TODO(search-index): a walk without since_id (a query that has never matched keeps its
// start_time) scans the whole window on every request; an incremental per-query match list
// would make it cost what is new, too.
func (s *Server) searchPage(sr searchRequest, now time.Time) tweetsBody {
	b, boundary := sr.bounds(now, s.cfg.SearchDelay), uint64(0)
	if sr.token != nil {
		b, boundary = sr.token.b, sr.token.boundary
	}
	rest := below(b.within(s.world.tweets), boundary)
	var found []*tweet
	i := len(rest) - 1
	for ; i >= 0 && len(found) < sr.max; i-- {
		if t := rest[i]; !t.author.suspended && sr.match(t) {
			found = append(found, t)
		}
	}
	body := newTweetsBody(s.renderer(sr.objects, now), found)
	if len(found) > 0 && s.anyMatch(rest[:i+1], sr.match) {
		next := pageToken{boundary: found[len(found)-1].id, scope: scopeOf(EndpointSearch, sr.query), b: b}
		body.Meta.NextToken = next.encode()
	}
	return body
}

func (s *Server) anyMatch(ts []*tweet, m matcher) bool {
	for i := len(ts) - 1; i >= 0; i-- {
		if !ts[i].author.suspended && m(ts[i]) {
			return true
		}
	}
	return false
}
