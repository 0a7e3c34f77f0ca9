package twittersim

import (
	"slices"
	"sort"
)

// within returns the part of ts (oldest first, as timelines are kept) inside b.
func (b bounds) within(ts []*tweet) []*tweet {
	lo, hi := 0, len(ts)
	if b.sinceID > 0 {
		lo = max(lo, sort.Search(len(ts), func(i int) bool { return ts[i].id > b.sinceID }))
	}
	if b.untilID > 0 {
		hi = min(hi, sort.Search(len(ts), func(i int) bool { return ts[i].id >= b.untilID }))
	}
	if b.startMS != 0 {
		lo = max(lo, createdFrom(ts, b.startMS))
	}
	if b.endMS != 0 {
		hi = min(hi, createdFrom(ts, b.endMS))
	}
	if lo >= hi {
		return nil
	}
	return ts[lo:hi]
}

// createdFrom returns the index of the first tweet of ts created at or after ms.
func createdFrom(ts []*tweet, ms int64) int {
	return sort.Search(len(ts), func(i int) bool { return ts[i].created.UnixMilli() >= ms })
}

// below returns the tweets of ts (oldest first) with ids under id; 0 means all.
func below(ts []*tweet, id uint64) []*tweet {
	if id == 0 {
		return ts
	}
	return ts[:sort.Search(len(ts), func(i int) bool { return ts[i].id >= id })]
}

// above returns the tweets of ts (oldest first) with ids over id.
func above(ts []*tweet, id uint64) []*tweet {
	return ts[sort.Search(len(ts), func(i int) bool { return ts[i].id > id }):]
}

// page is one page of a walk over a contiguous run of tweets.
type page struct {
	tweets    []*tweet // newest first
	moreOlder bool
	moreNewer bool
}

// olderPage takes the n newest tweets of ts (oldest first) below boundary.
func olderPage(ts []*tweet, boundary uint64, n int) page {
	rest := below(ts, boundary)
	cut := max(len(rest)-n, 0)
	return page{tweets: newestFirst(rest[cut:]), moreOlder: cut > 0, moreNewer: len(rest) < len(ts)}
}

// newerPage takes the n oldest tweets of ts (oldest first) above boundary.
func newerPage(ts []*tweet, boundary uint64, n int) page {
	rest := above(ts, boundary)
	cut := min(n, len(rest))
	older := len(rest) < len(ts)
	return page{tweets: newestFirst(rest[:cut]), moreOlder: older, moreNewer: cut < len(rest)}
}

func newestFirst(ts []*tweet) []*tweet {
	out := slices.Clone(ts)
	slices.Reverse(out)
	return out
}

// apiMeta is the meta object of a tweets response.
type apiMeta struct {
	ResultCount   int    `json:"result_count"`
	NewestID      string `json:"newest_id,omitempty"`
	OldestID      string `json:"oldest_id,omitempty"`
	NextToken     string `json:"next_token,omitempty"`
	PreviousToken string `json:"previous_token,omitempty"`
}

// tweetsBody is the body of a timeline or search response.
type tweetsBody struct {
	Data     []apiTweet   `json:"data,omitempty"`
	Includes *apiIncludes `json:"includes,omitempty"`
	Meta     apiMeta      `json:"meta"`
}

// newTweetsBody renders the tweets of a page, newest first, with counts and ids.
func newTweetsBody(rd renderer, ts []*tweet) tweetsBody {
	body := tweetsBody{Meta: apiMeta{ResultCount: len(ts)}}
	if len(ts) == 0 {
		return body
	}
	body.Data = rd.tweets(ts)
	body.Includes = rd.includes(ts)
	body.Meta.NewestID = ts[0].idString()
	body.Meta.OldestID = ts[len(ts)-1].idString()
	return body
}
