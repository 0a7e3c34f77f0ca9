package twittersim

import "time"

// TwitterEpochMS is the Snowflake epoch in Unix milliseconds (2010-11-04T01:42:54.657Z).
const TwitterEpochMS = 1288834974657

const (
	timestampShift = 22
	maxSequence    = 1<<12 - 1
)

// SnowflakeTime returns the creation time encoded in a Snowflake id, to the millisecond.
func SnowflakeTime(id uint64) time.Time {
	return time.UnixMilli(int64(id>>timestampShift) + TwitterEpochMS).UTC()
}

// SnowflakeAt returns the smallest Snowflake id that can belong to a tweet created at t.
// Times before the Snowflake epoch give 0.
func SnowflakeAt(t time.Time) uint64 {
	return sinceEpoch(t.UnixMilli()) << timestampShift
}

// sinceEpoch returns the milliseconds from TwitterEpochMS to the Unix time ms, or 0 if
// ms is earlier.
func sinceEpoch(ms int64) uint64 {
	d := ms - TwitterEpochMS
	if d < 0 {
		return 0
	}
	return uint64(d)
}

// snowflake hands out strictly increasing ids. A request for a time earlier than the
// last id's time gets the last time again with the next sequence number; a time before
// the Snowflake epoch counts as the epoch.
type snowflake struct {
	lastMS int64
	seq    uint64
}

// next returns a fresh id for a tweet created at t and the creation time it encodes.
func (s *snowflake) next(t time.Time) (uint64, time.Time) {
	ms := max(t.UnixMilli(), s.lastMS, TwitterEpochMS)
	switch {
	case ms > s.lastMS:
		s.seq = 0
	case s.seq == maxSequence:
		ms++
		s.seq = 0
	default:
		s.seq++
	}
	s.lastMS = ms
	id := sinceEpoch(ms)<<timestampShift | s.seq
	return id, time.UnixMilli(ms).UTC()
}
