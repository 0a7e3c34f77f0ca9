package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schedule modes.
const (
	// ScheduleFixed publishes every source on its schedule (FETCH_SCHEDULE or its own).
	ScheduleFixed = "fixed"
	// ScheduleAdaptive polls each source at an interval that follows its activity, within
	// the API budget.
	ScheduleAdaptive = "adaptive"
)

// DefaultAPIBudget is the app-only rate limits of the pay-per-use tier.
const DefaultAPIBudget = "timeline=10000/15m,search=450/15m,users=300/15m"

// budgetWindow is a budget's window when the item names none: the API's 15 minutes.
const budgetWindow = 15 * time.Minute

// Budget is one endpoint's allowance: Requests per Window.
type Budget struct {
	// Endpoint is "timeline", "search" or "users".
	Endpoint string
	Requests int
	Window   time.Duration
}

// ParseBudgets parses a budget list such as "timeline=10000/15m,search=450": per endpoint,
// requests per window, the window 15 minutes unless given. An endpoint the list leaves out
// keeps its budget from DefaultAPIBudget.
func ParseBudgets(spec string) ([]Budget, error) {
	given, err := parseBudgetList(spec)
	if err != nil {
		return nil, err
	}
	if len(given) == 0 {
		return nil, fmt.Errorf("%q names no endpoint", spec)
	}
	defaults, err := parseBudgetList(DefaultAPIBudget)
	if err != nil {
		return nil, err
	}
	out := given
	for _, d := range defaults {
		if !slices.ContainsFunc(given, func(b Budget) bool { return b.Endpoint == d.Endpoint }) {
			out = append(out, d)
		}
	}
	return out, nil
}

func parseBudgetList(spec string) ([]Budget, error) {
	var out []Budget
	for item := range strings.SplitSeq(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		b, err := parseBudget(item)
		if err != nil {
			return nil, err
		}
		for _, o := range out {
			if o.Endpoint == b.Endpoint {
				return nil, fmt.Errorf("%s appears twice", b.Endpoint)
			}
		}
		out = append(out, b)
	}
	return out, nil
}

func parseBudget(item string) (Budget, error) {
	name, value, ok := strings.Cut(item, "=")
	if !ok {
		return Budget{}, fmt.Errorf("%q is not endpoint=requests/window", item)
	}
	switch name {
	case "timeline", "search", "users":
	default:
		return Budget{}, fmt.Errorf("%q: unknown endpoint %q (use timeline, search or users)", item, name)
	}
	count, window, hasWindow := strings.Cut(value, "/")
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		return Budget{}, fmt.Errorf("%q: %q is not a whole number of requests of at least 1", item, count)
	}
	b := Budget{Endpoint: name, Requests: n, Window: budgetWindow}
	if hasWindow {
		d, err := time.ParseDuration(window)
		if err != nil || d < time.Second {
			return Budget{}, fmt.Errorf("%q: window %q is not a duration of at least 1s", item, window)
		}
		b.Window = d
	}
	return b, nil
}

func checkScheduleMode(r rawEnv, _ *Config) *Error {
	if r.ScheduleMode != ScheduleFixed && r.ScheduleMode != ScheduleAdaptive {
		return invalid(varScheduleMode, strconv.Quote(r.ScheduleMode)+" is neither fixed nor adaptive")
	}
	return nil
}

func setAPIBudget(r rawEnv, c *Config) *Error {
	b, err := ParseBudgets(r.APIBudget)
	if err != nil {
		return invalid(varAPIBudget, err.Error())
	}
	c.APIBudget = b
	return nil
}

func checkBudgetReserve(r rawEnv, _ *Config) *Error {
	if math.IsNaN(r.BudgetReserve) || r.BudgetReserve < 0 || r.BudgetReserve > 0.9 {
		return invalid(varBudgetReserve, strconv.FormatFloat(r.BudgetReserve, 'g', -1, 64)+" is not between 0 and 0.9")
	}
	return nil
}

func checkPollIntervals(r rawEnv, _ *Config) *Error {
	if r.PollMinInterval < time.Second {
		return invalid(varPollMinInterval, r.PollMinInterval.String()+" is shorter than 1s")
	}
	if r.PollMaxInterval < r.PollMinInterval {
		return invalid(varPollMaxInterval, fmt.Sprintf("%v is shorter than POLL_MIN_INTERVAL (%v)",
			r.PollMaxInterval, r.PollMinInterval))
	}
	return nil
}

func checkFreshnessTarget(r rawEnv, _ *Config) *Error {
	if r.FreshnessTarget <= 0 {
		return invalid(varFreshnessTarget, r.FreshnessTarget.String()+" is not above 0")
	}
	return nil
}
