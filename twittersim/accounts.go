package twittersim

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
)

// usernamePattern is the shape of a username the real API accepts.
var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,15}$`)

// AccountSpec describes one simulated account: its username and the mean time between
// its posts (exponentially distributed). An Interval of 0 makes the account silent.
type AccountSpec struct {
	Username string
	Interval time.Duration
}

// ParseAccounts parses a comma-separated list of name:interval items, for example
// "gopher:45s,quiet:0". Errors quote the offending item.
func ParseAccounts(spec string) ([]AccountSpec, error) {
	var specs []AccountSpec
	seen := map[string]bool{}
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		a, err := parseAccount(item)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", item, err)
		}
		if seen[strings.ToLower(a.Username)] {
			return nil, fmt.Errorf("%q: username %q is listed twice", item, a.Username)
		}
		seen[strings.ToLower(a.Username)] = true
		specs = append(specs, a)
	}
	return specs, nil
}

func parseAccount(item string) (AccountSpec, error) {
	name, interval, ok := strings.Cut(item, ":")
	if !ok {
		return AccountSpec{}, fmt.Errorf("want name:interval (e.g. gopher:30s)")
	}
	d, err := ParseInterval(interval)
	if err != nil {
		return AccountSpec{}, err
	}
	a := AccountSpec{Username: strings.TrimSpace(name), Interval: d}
	return a, a.validate()
}

// ParseInterval parses a posting interval such as "30s" or "0" (silent).
func ParseInterval(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("interval %q is not a duration (use e.g. 30s)", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("interval %q is negative", s)
	}
	return d, nil
}

func (a AccountSpec) validate() error {
	if !usernamePattern.MatchString(a.Username) {
		return fmt.Errorf("username %q does not match %s", a.Username, usernamePattern)
	}
	if a.Interval < 0 {
		return fmt.Errorf("interval %s is negative", a.Interval)
	}
	return nil
}

// account is a simulated user: a tracked account with a posting schedule, or an
// outside author that only appears as the original of retweets and quotes.
type account struct {
	id        string
	username  string
	name      string
	created   time.Time
	interval  time.Duration
	outside   bool
	index     int // position among the tracked accounts, -1 for an outside author
	suspended bool
	rng       *rand.Rand
	next      time.Time // zero: never posts
	timeline  []*tweet  // oldest first
	posts     []*tweet  // the timeline's tweets that are not retweets, oldest first
}

// scheduleNext draws the time of the account's next post after the current one.
func (a *account) scheduleNext(after time.Time) {
	if a.interval <= 0 {
		a.next = time.Time{}
		return
	}
	gap := time.Duration(a.rng.ExpFloat64() * float64(a.interval))
	a.next = after.Add(max(gap, time.Millisecond))
}

// AccountInfo describes a simulated account as GET /sim/accounts reports it.
type AccountInfo struct {
	ID        string `json:"id"`
	Username  string `json:"username"`
	Name      string `json:"name"`
	Interval  string `json:"interval"`
	Suspended bool   `json:"suspended"`
	Tweets    int    `json:"tweets"`
}

func (a *account) info() AccountInfo {
	return AccountInfo{
		ID:        a.id,
		Username:  a.username,
		Name:      a.name,
		Interval:  a.interval.String(),
		Suspended: a.suspended,
		Tweets:    len(a.timeline),
	}
}
