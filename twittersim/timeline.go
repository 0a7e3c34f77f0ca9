package twittersim

import (
	"net/http"
	"time"
)

const (
	// TimelineDepth is how many of the newest tweets of a timeline can be reached.
	TimelineDepth = 3200
	// TimelineDepthNoReplies is the depth when replies are excluded.
	TimelineDepthNoReplies = 800
)

// timelineRequest is a checked GET /2/users/:id/tweets request.
type timelineRequest struct {
	userID  string
	max     int
	b       bounds
	token   *pageToken
	exclude set
	objects objectOptions
}

func parseTimeline(r *http.Request) (timelineRequest, *params) {
	id := r.PathValue("id")
	p := newParams(r.URL.Query(), timelineParams)
	if !idPattern.MatchString(id) {
		p.failf("id", id, "The `id` query parameter value [%s] does not match %s", id, idPattern)
	}
	tr := timelineRequest{userID: id, max: p.intRange("max_results", 10, 5, 100)}
	tr.b = timelineBounds(p)
	tr.exclude = p.list("exclude", excludeNames)
	tr.objects = parseObjectOptions(p, tweetExpansionNames)
	tr.token = p.token("pagination_token", scopeOf(EndpointTimeline, id))
	return tr, p
}

// timelineBounds reads since_id, until_id, start_time and end_time (both times
// inclusive). An id bound takes precedence over the time bound on the same side.
func timelineBounds(p *params) bounds {
	b := bounds{sinceID: p.id("since_id"), untilID: p.id("until_id")}
	start, end := p.time("start_time"), p.time("end_time")
	if !start.IsZero() && b.sinceID == 0 {
		b.startMS = start.UnixMilli()
	}
	if !end.IsZero() && b.untilID == 0 {
		b.endMS = end.Add(time.Second).UnixMilli()
	}
	return b
}

// token reads a pagination token parameter; nil means absent.
func (p *params) token(name string, scope uint32) *pageToken {
	v := p.q.Get(name)
	if v == "" {
		return nil
	}
	t, err := decodeToken(v, scope)
	if err != nil {
		p.failf(name, v, "The `%s` query parameter value [%s] is not a valid token", name, v)
		return nil
	}
	return &t
}

func (s *Server) timeline(r *http.Request, now time.Time) reply {
	tr, p := parseTimeline(r)
	if p.failed() {
		return badRequest(p.errs)
	}
	a := s.world.byID[tr.userID]
	switch {
	case a == nil || a.outside:
		return okReply(errorsBody{Errors: []resourceError{userNotFound("id", tr.userID)}})
	case a.suspended:
		problem := userSuspended("id", tr.userID, a.username)
		return okReply(errorsBody{Errors: []resourceError{problem}})
	}
	return okReply(s.timelinePage(a, tr, now))
}

// timelinePage serves one page of a's reachable timeline.
func (s *Server) timelinePage(a *account, tr timelineRequest, now time.Time) tweetsBody {
	b, pg := tr.b, page{}
	if tr.token != nil {
		b = tr.token.b
	}
	ts := b.within(reachable(a.timeline, tr.exclude))
	switch {
	case tr.token == nil:
		pg = olderPage(ts, 0, tr.max)
	case tr.token.newer:
		pg = newerPage(ts, tr.token.boundary, tr.max)
	default:
		pg = olderPage(ts, tr.token.boundary, tr.max)
	}
	body := newTweetsBody(s.renderer(tr.objects, now), excluded(pg.tweets, tr.exclude))
	if len(pg.tweets) == 0 {
		return body
	}
	oldest, newest := pg.tweets[len(pg.tweets)-1].id, pg.tweets[0].id
	next := pageToken{boundary: oldest, scope: scopeOf(EndpointTimeline, tr.userID), b: b}
	if pg.moreOlder && anyKept(below(ts, oldest), tr.exclude) {
		body.Meta.NextToken = next.encode()
	}
	if tr.token != nil && pg.moreNewer {
		prev := next
		prev.newer, prev.boundary = true, newest
		body.Meta.PreviousToken = prev.encode()
	}
	return body
}

// reachable is the part of a timeline the API still serves: the newest 3200 tweets,
// or 800 when replies are excluded.
func reachable(timeline []*tweet, exclude set) []*tweet {
	depth := TimelineDepth
	if exclude["replies"] {
		depth = TimelineDepthNoReplies
	}
	return timeline[max(0, len(timeline)-depth):]
}

// excluded drops the tweets that exclude names. Like the real API, this happens after
// the page is cut, so pages with excluded tweets come out short.
func excluded(ts []*tweet, exclude set) []*tweet {
	if !exclude["retweets"] {
		return ts
	}
	var kept []*tweet
	for _, t := range ts {
		if t.kind != KindRetweet {
			kept = append(kept, t)
		}
	}
	return kept
}

// anyKept reports whether excluded would keep any tweet of ts, looking from the newest.
func anyKept(ts []*tweet, exclude set) bool {
	if !exclude["retweets"] {
		return len(ts) > 0
	}
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i].kind != KindRetweet {
			return true
		}
	}
	return false
}

// errorsBody is a 200 response that carries only errors.
type errorsBody struct {
	Errors []resourceError `json:"errors"`
}
