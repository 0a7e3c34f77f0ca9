package main

import (
	"fmt"
	"os"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/tweetflow/tweetflow/config"
)

// Several producers may run at once; each claims a tick in PostgreSQL before publishing it
// (store.ClaimTick), and only the winner publishes. The claim is keyed by the schedule and
// the tick's due time, so every producer must name the same tick with the same due time:
//
//   - A cron spec ("*/5 * * * *") fires at the same wall-clock times in every process, and
//     due is the spec's activation at or just before the moment the job runs.
//   - An @every interval, left to robfig/cron, counts from when its entry was added, so two
//     producers started at different times would tick at different moments. alignEvery
//     replaces it with a schedule that fires on the multiples of the interval since the
//     Unix epoch (for @every 1m, on every whole minute), and due is that multiple.

// earlyStart is how far before its activation a job may start by the wall clock (a clock
// stepped back between the timer being set and firing) and still be taken for that tick. It
// is capped at a quarter of the interval, so a job that starts up to three quarters of an
// interval late is still taken for its own tick, not the next.
const earlyStart = time.Second

// unixEpoch is the origin @every schedules are aligned to.
var unixEpoch = time.Unix(0, 0).UTC()

// alignedEvery fires on the multiples of every since the Unix epoch.
type alignedEvery struct{ every time.Duration }

// Next returns the first multiple of the interval after t.
func (a alignedEvery) Next(t time.Time) time.Time { return a.floor(t).Add(a.every) }

// floor returns the last multiple of the interval at or before t.
func (a alignedEvery) floor(t time.Time) time.Time {
	since := t.Sub(unixEpoch)
	n := since / a.every
	if since < 0 && since%a.every != 0 {
		n--
	}
	return unixEpoch.Add(n * a.every)
}

// alignEvery returns s aligned to the Unix epoch if it is an @every schedule, and s itself
// otherwise.
func alignEvery(s cron.Schedule) cron.Schedule {
	if c, ok := s.(cron.ConstantDelaySchedule); ok {
		return alignedEvery{every: c.Delay}
	}
	return s
}

// dueAt returns the activation of s that a job running at now belongs to: the last one at or
// before now (allowing for earlyStart). Every producer computes the same value for the same
// tick, which is what its claim is keyed by.
func dueAt(s cron.Schedule, now time.Time) time.Time {
	interval := config.ScheduleInterval(s, now)
	t := now.Add(min(earlyStart, interval/4)).UTC()
	if a, ok := s.(alignedEvery); ok {
		return a.floor(t)
	}
	// Look back far enough to find an activation, then walk forward to the last one.
	const horizon = 6 * 365 * 24 * time.Hour // ParseSchedule refuses schedules idle for five years
	for back := max(interval, time.Minute); back < 2*horizon; back *= 2 {
		due := s.Next(t.Add(-back))
		if due.IsZero() || due.After(t) {
			continue
		}
		for next := s.Next(due); !next.IsZero() && !next.After(t); next = s.Next(due) {
			due = next
		}
		return due
	}
	return t.Truncate(time.Second)
}

// producerID names this producer in the tick claims: host name and process id.
func producerID() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return fmt.Sprintf("%s/%d", host, os.Getpid())
}
