package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Producer holds the producer's metrics.
type Producer struct {
	published     *prometheus.CounterVec
	publishErrors *prometheus.CounterVec
	tickDuration  prometheus.Histogram
	lastTick      prometheus.Gauge
	sources       *prometheus.GaugeVec
}

// NewProducer registers the producer's metrics on reg, with zero series for task.
func NewProducer(reg prometheus.Registerer, task string) *Producer {
	p := &Producer{
		published: counterVec(reg, "signatures_published_total",
			"Signatures the broker confirmed.", "task"),
		publishErrors: counterVec(reg, "publish_errors_total",
			"Signatures a tick could not get confirmed.", "task"),
		tickDuration: hist(reg, "tick_duration_seconds", "Time one scheduling tick took to publish.",
			[]float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60}),
		lastTick: gauge(reg, "last_successful_tick_timestamp_seconds",
			"When the last tick had every signature confirmed, Unix time."),
		sources: gaugeVec(reg, "sources", "Sources in the sources file now.", "kind"),
	}
	p.published.WithLabelValues(task)
	p.publishErrors.WithLabelValues(task)
	for _, k := range kinds {
		p.sources.WithLabelValues(k)
	}
	return p
}

// Tick records a scheduling tick that published n signatures of task, or failed with err
// leaving n unconfirmed.
func (p *Producer) Tick(task string, n int, err error, took time.Duration) {
	p.tickDuration.Observe(took.Seconds())
	if err != nil {
		p.publishErrors.WithLabelValues(task).Add(float64(n))
		return
	}
	p.published.WithLabelValues(task).Add(float64(n))
	p.lastTick.SetToCurrentTime()
}

// Sources records how many sources of each kind the sources file lists.
func (p *Producer) Sources(byKind map[string]int) {
	for _, k := range kinds {
		p.sources.WithLabelValues(k).Set(float64(byKind[k]))
	}
}
