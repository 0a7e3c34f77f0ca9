package collector

import (
	"context"
	"time"

	"go.uber.org/zap"

	"github.com/tweetflow/tweetflow/store"
)

// TimelineDepth is how many of a timeline's newest tweets the API serves at all. A walk
// from a cursor that reads this many may have lost what lies between the cursor and the
// oldest tweet it read.
const TimelineDepth = 3200

// Gap reasons.
const (
	GapTimelineDepth = "timeline_depth"
	GapSearchWindow  = "search_window"
)

// GapObserver is told about every gap found; an Observer may implement it.
type GapObserver interface {
	GapFound(kind, reason string)
}

// mayHaveOutgrown reports whether a completed timeline walk from a cursor read so nearly as
// many tweets as the API serves that the cursor may lie beyond its reach. The reach is the
// newest tweets at the time of each request, so tweets posted while a walk runs shift it:
// a walk that read one page less than the depth may have been cut short, and one that was
// interrupted (say, until a rate-limit window reset) may have lost a tenth of it.
func mayHaveOutgrown(w store.Walk, now time.Time) bool {
	if w.SinceID == 0 {
		return false
	}
	slack := 100
	if now.Sub(w.StartedAt) > time.Minute {
		slack = TimelineDepth / 10
	}
	return w.Fetched >= TimelineDepth-slack
}

// timelineGap returns the gap a completed timeline walk from a cursor left when it may have
// outgrown the API's reach: the tweets between the cursor and the oldest one stored since,
// oldest. The range may turn out empty; a gap is never left unreported.
func timelineGap(src *store.Source, w store.Walk, oldest int64, now time.Time) *store.Gap {
	if !mayHaveOutgrown(w, now) || oldest <= w.SinceID+1 {
		return nil
	}
	return &store.Gap{
		SourceID: src.ID, Reason: GapTimelineDepth, AfterID: w.SinceID, BeforeID: oldest,
		From: store.SnowflakeTime(w.SinceID), To: store.SnowflakeTime(oldest), DetectedAt: now,
	}
}

// searchGap is the gap a search cursor older than the search window leaves: the tweets
// between the cursor and the window's start.
func searchGap(src *store.Source, cursor int64, windowStart, now time.Time) *store.Gap {
	return &store.Gap{
		SourceID: src.ID, Reason: GapSearchWindow, AfterID: cursor, BeforeID: store.SnowflakeAt(windowStart),
		From: store.SnowflakeTime(cursor), To: windowStart, DetectedAt: now,
	}
}

// recordGap stores, logs and counts a gap: a gap is never silent.
func (c *Collector) recordGap(ctx context.Context, st *store.Store, src *store.Source, g *store.Gap) error {
	if err := st.RecordGap(ctx, *g); err != nil {
		return err
	}
	c.log.Warn("gap: tweets of this source are out of the API's reach", zap.Int64("source_id", src.ID),
		zap.String("source", src.Kind+":"+src.Value), zap.String("reason", g.Reason),
		zap.Int64("after_id", g.AfterID), zap.Int64("before_id", g.BeforeID),
		zap.Time("from", g.From), zap.Time("to", g.To))
	if o, ok := c.Observer.(GapObserver); ok {
		o.GapFound(src.Kind, g.Reason)
	}
	return nil
}
