package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tweetflow/tweetflow/twitterapi"
)

// Budget holds the producer's metrics of the API budget and the adaptive schedule.
type Budget struct {
	capacity *prometheus.GaugeVec
	left     *prometheus.GaugeVec
	planned  *prometheus.CounterVec
	deferred *prometheus.CounterVec
	interval *prometheus.HistogramVec
}

// NewBudget registers the budget metrics on reg, with zero series for every endpoint.
func NewBudget(reg prometheus.Registerer) *Budget {
	b := &Budget{
		capacity: gaugeVec(reg, "budget_capacity_requests",
			"Requests the current window may spend by the budget, its reserve deducted.", "endpoint"),
		left: gaugeVec(reg, "budget_left_requests",
			"Requests the current window had left before the last scheduling round.", "endpoint"),
		planned: counterVec(reg, "budget_planned_requests_total",
			"Requests the adaptive schedule planned (a poll's expected pages, a lookup).", "endpoint"),
		deferred: counterVec(reg, "polls_deferred_total",
			"Due polls left for a later round because the window's budget was spent or the endpoint paused.",
			"endpoint"),
		interval: histVec(reg, "poll_interval_seconds", "Polling intervals of the sources in the current plan.",
			[]float64{10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400}, "endpoint"),
	}
	for _, e := range endpoints {
		b.capacity.WithLabelValues(e)
		b.left.WithLabelValues(e)
		b.planned.WithLabelValues(e)
		b.deferred.WithLabelValues(e)
	}
	for _, e := range []string{twitterapi.EndpointTimeline, twitterapi.EndpointSearch} {
		b.interval.WithLabelValues(e)
	}
	return b
}

// Window records an endpoint's budget in a scheduling round: its capacity, what was left
// before the round, what the round planned and how many due polls it deferred.
func (b *Budget) Window(endpoint string, capacity, left, planned float64, deferred int) {
	b.capacity.WithLabelValues(endpoint).Set(capacity)
	b.left.WithLabelValues(endpoint).Set(left)
	b.planned.WithLabelValues(endpoint).Add(planned)
	b.deferred.WithLabelValues(endpoint).Add(float64(deferred))
}

// Planned records the interval of one source in a new plan.
func (b *Budget) Planned(endpoint string, every time.Duration) {
	b.interval.WithLabelValues(endpoint).Observe(every.Seconds())
}
