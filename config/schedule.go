package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// scheduleParser accepts standard 5-field cron specs and descriptors such as
// "@hourly" and "@every 1m".
var scheduleParser = cron.NewParser(
	cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor,
)

// everyPrefix starts a fixed-interval descriptor.
const everyPrefix = "@every "

// ParseSchedule parses a 5-field cron spec such as "*/5 * * * *" or a
// descriptor such as "@hourly" or "@every 1m". Every schedule runs in UTC, so
// a CRON_TZ= or TZ= prefix is an error, as is an @every interval below 1s.
func ParseSchedule(spec string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, errors.New("parse schedule: time zone prefixes are not supported, schedules run in UTC")
	}
	if err := checkEvery(spec); err != nil {
		return nil, err
	}
	s, err := scheduleParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("parse schedule: %w", err)
	}
	if ss, ok := s.(*cron.SpecSchedule); ok {
		ss.Location = time.UTC
	}
	if s.Next(time.Now().UTC()).IsZero() {
		return nil, errors.New("parse schedule: it never fires (no such date within five years)")
	}
	return s, nil
}

// checkEvery rejects an @every interval shorter than a second, which the
// cron package would otherwise silently round up.
func checkEvery(spec string) error {
	rest, ok := strings.CutPrefix(spec, everyPrefix)
	if !ok {
		return nil
	}
	d, err := time.ParseDuration(rest)
	if err != nil {
		return fmt.Errorf("parse schedule: %q is not a duration", rest)
	}
	if d < time.Second {
		return fmt.Errorf("parse schedule: @every interval %s is below 1s", d)
	}
	return nil
}

// ScheduleInterval returns the time between the next two activations of s
// after from, e.g. one minute for "@every 1m". It returns 0 for a schedule
// that never fires.
func ScheduleInterval(s cron.Schedule, from time.Time) time.Duration {
	first := s.Next(from)
	if first.IsZero() {
		return 0
	}
	second := s.Next(first)
	if second.IsZero() {
		return 0
	}
	return second.Sub(first)
}
