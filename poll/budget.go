package poll

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tweetflow/tweetflow/twitterapi"
)

// DefaultWindow is the API's rate-limit window.
const DefaultWindow = 15 * time.Minute

// DefaultBudgets are the app-only limits of the pay-per-use tier.
const DefaultBudgets = "timeline=10000/15m,search=450/15m,users=300/15m"

// ParseBudgets parses a budget list such as "timeline=10000/15m,search=450": per endpoint
// (timeline, search, users), requests per window; the window defaults to 15 minutes.
func ParseBudgets(spec string) ([]Budget, error) {
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
		return Budget{}, fmt.Errorf("%q is not endpoint=requests[/window]", item)
	}
	switch name {
	case twitterapi.EndpointTimeline, twitterapi.EndpointSearch, twitterapi.EndpointUsers:
	default:
		return Budget{}, fmt.Errorf("%q: unknown endpoint %q (use timeline, search or users)", item, name)
	}
	count, window, hasWindow := strings.Cut(value, "/")
	n, err := strconv.Atoi(count)
	if err != nil || n < 1 {
		return Budget{}, fmt.Errorf("%q: requests %q is not a whole number of at least 1", item, count)
	}
	b := Budget{Endpoint: name, Requests: n, Window: DefaultWindow}
	if hasWindow {
		d, err := time.ParseDuration(window)
		if err != nil || d < time.Second {
			return Budget{}, fmt.Errorf("%q: window %q is not a duration of at least 1s (use e.g. 15m)", item, window)
		}
		b.Window = d
	}
	return b, nil
}
