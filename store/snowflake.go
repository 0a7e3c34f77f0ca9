package store

import "time"

// twepoch is the Unix time in milliseconds that tweet ids count from.
const twepoch = 1288834974657

// SnowflakeTime is the creation time encoded in a tweet id.
func SnowflakeTime(id int64) time.Time {
	return time.UnixMilli((id >> 22) + twepoch).UTC()
}

// SnowflakeAt is the smallest tweet id created at t or later.
func SnowflakeAt(t time.Time) int64 {
	return (t.UnixMilli() - twepoch) << 22
}
