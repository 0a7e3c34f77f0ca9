package config

import (
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

func TestParseSchedule(t *testing.T) {
	from := time.Date(2025, 3, 14, 10, 2, 30, 0, time.UTC)
	tests := []struct {
		spec     string
		wantNext time.Time
	}{
		{"@every 1m", from.Add(time.Minute)},
		{"@every 1s", from.Add(time.Second)},
		{"*/5 * * * *", time.Date(2025, 3, 14, 10, 5, 0, 0, time.UTC)},
		{"0 9 * * *", time.Date(2025, 3, 15, 9, 0, 0, 0, time.UTC)},
		{"@hourly", time.Date(2025, 3, 14, 11, 0, 0, 0, time.UTC)},
		{"@daily", time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC)},
		{"  @every 90s  ", from.Add(90 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec)
			if err != nil {
				t.Fatalf("ParseSchedule(%q) error = %v", tt.spec, err)
			}
			if got := s.Next(from); !got.Equal(tt.wantNext) {
				t.Errorf("Next(%v) = %v, want %v", from, got, tt.wantNext)
			}
		})
	}
}

func TestParseSchedule_RunsInUTC(t *testing.T) {
	for _, spec := range []string{"0 9 * * *", "@hourly"} {
		t.Run(spec, func(t *testing.T) {
			s, err := ParseSchedule(spec)
			if err != nil {
				t.Fatalf("ParseSchedule(%q) error = %v", spec, err)
			}
			ss, ok := s.(*cron.SpecSchedule)
			if !ok {
				t.Fatalf("ParseSchedule(%q) = %T, want *cron.SpecSchedule", spec, s)
			}
			if ss.Location != time.UTC {
				t.Errorf("Location = %v, want UTC", ss.Location)
			}
		})
	}
}

func TestParseSchedule_Rejects(t *testing.T) {
	tests := []struct {
		name, spec, want string
	}{
		{"empty", "", "parse schedule: empty spec string"},
		{"six fields", "0 */5 * * * *", "expected exactly 5 fields"},
		{"four fields", "* * * *", "expected exactly 5 fields"},
		{"minute out of range", "61 * * * *", "parse schedule:"},
		{"words", "every minute", "expected exactly 5 fields"},
		{"unknown descriptor", "@often", "unrecognized descriptor"},
		{"every below a second", "@every 500ms", "@every interval 500ms is below 1s"},
		{"every zero", "@every 0s", "is below 1s"},
		{"every negative", "@every -1m", "is below 1s"},
		{"every not a duration", "@every minute", `"minute" is not a duration`},
		{"cron tz prefix", "CRON_TZ=Europe/Berlin 0 9 * * *", "schedules run in UTC"},
		{"tz prefix", "TZ=UTC @hourly", "schedules run in UTC"},
		{"30 February", "0 0 30 2 *", "it never fires"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseSchedule(tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseSchedule(%q) error = %v, want it to contain %q", tt.spec, err, tt.want)
			}
		})
	}
}

func TestScheduleInterval(t *testing.T) {
	thursday := time.Date(2025, 3, 13, 10, 0, 0, 0, time.UTC)
	friday := thursday.AddDate(0, 0, 1)
	tests := []struct {
		name string
		spec string
		from time.Time
		want time.Duration
	}{
		{"every minute", "@every 1m", thursday, time.Minute},
		{"every 90 seconds", "@every 90s", thursday.Add(123 * time.Millisecond), 90 * time.Second},
		{"every five minutes", "*/5 * * * *", thursday.Add(2 * time.Minute), 5 * time.Minute},
		{"hourly", "@hourly", thursday, time.Hour},
		{"weekdays across a day", "0 9 * * 1-5", thursday, 72 * time.Hour},
		{"weekdays across a weekend", "0 9 * * 1-5", friday, 24 * time.Hour},
		{"uneven minutes", "0,10 * * * *", thursday.Add(time.Minute), 50 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.spec)
			if err != nil {
				t.Fatalf("ParseSchedule(%q) error = %v", tt.spec, err)
			}
			if got := ScheduleInterval(s, tt.from); got != tt.want {
				t.Errorf("ScheduleInterval(%q, %v) = %v, want %v", tt.spec, tt.from, got, tt.want)
			}
		})
	}
}
