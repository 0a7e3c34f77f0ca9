package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tweetflow/tweetflow/tasks"
)

// Tasks holds the task-queue metrics of a worker, in the manner of celery-exporter. It
// implements tasks.Observer.
type Tasks struct {
	received, started, succeeded, failed, retried *prometheus.CounterVec
	deadLettered                                  *prometheus.CounterVec
	runtime, queueWait                            *prometheus.HistogramVec
	inProgress                                    *prometheus.GaugeVec
	up                                            prometheus.Gauge
	// series holds the series of the names given to NewTasks, so that a delivery does not
	// look its labels up; it is not written after NewTasks.
	series map[string]*taskSeries
}

// taskSeries is one task's series.
type taskSeries struct {
	received, started, succeeded, failed, retried prometheus.Counter
	runtime, queueWait                            prometheus.Observer
	inProgress                                    prometheus.Gauge
}

// taskBuckets cover tasks from milliseconds to the 20-minute task limit.
var taskBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1200}

// NewTasks registers the task metrics on reg, with a zero series for each of names.
func NewTasks(reg prometheus.Registerer, names ...string) *Tasks {
	t := &Tasks{
		received:  counterVec(reg, "tasks_received_total", "Deliveries of a registered task.", "task"),
		started:   counterVec(reg, "tasks_started_total", "Task function calls.", "task"),
		succeeded: counterVec(reg, "tasks_succeeded_total", "Tasks whose function returned no error.", "task"),
		failed:    counterVec(reg, "tasks_failed_total", "Tasks whose function returned an error.", "task"),
		retried:   counterVec(reg, "tasks_retried_total", "Tasks sent back to the queue to run again later.", "task"),
		deadLettered: counterVec(reg, "tasks_dead_lettered_total",
			"Messages moved to the dead-letter queue, by reason.", "reason"),
		runtime: histVec(reg, "task_runtime_seconds", "Time the task function ran.", taskBuckets, "task"),
		queueWait: histVec(reg, "task_queue_wait_seconds", "Time from publishing a task to its start.",
			taskBuckets, "task"),
		inProgress: gaugeVec(reg, "tasks_in_progress", "Tasks running now.", "task"),
		up:         gauge(reg, "worker_up", "1 while the worker is subscribed to the task queue, else 0."),
	}
	t.series = make(map[string]*taskSeries, len(names))
	for _, n := range names {
		t.series[n] = t.newSeries(n)
	}
	for _, r := range []string{tasks.DeadEmpty, tasks.DeadUndecodable, tasks.DeadUnknownTask, tasks.DeadBadArguments} {
		t.deadLettered.WithLabelValues(r)
	}
	return t
}

// newSeries creates task's series, at zero.
func (t *Tasks) newSeries(task string) *taskSeries {
	return &taskSeries{
		received: t.received.WithLabelValues(task), started: t.started.WithLabelValues(task),
		succeeded: t.succeeded.WithLabelValues(task), failed: t.failed.WithLabelValues(task),
		retried: t.retried.WithLabelValues(task), runtime: t.runtime.WithLabelValues(task),
		queueWait: t.queueWait.WithLabelValues(task), inProgress: t.inProgress.WithLabelValues(task),
	}
}

// of returns task's series: the ones made by NewTasks, or else looked up now.
func (t *Tasks) of(task string) *taskSeries {
	if s, ok := t.series[task]; ok {
		return s
	}
	return t.newSeries(task)
}

// Consuming implements tasks.Observer.
func (t *Tasks) Consuming(up bool) {
	if up {
		t.up.Set(1)
	} else {
		t.up.Set(0)
	}
}

// Received implements tasks.Observer.
func (t *Tasks) Received(task string) { t.of(task).received.Inc() }

// Started implements tasks.Observer.
func (t *Tasks) Started(task string, queueWait time.Duration) {
	s := t.of(task)
	s.started.Inc()
	s.inProgress.Inc()
	if queueWait >= 0 {
		s.queueWait.Observe(queueWait.Seconds())
	}
}

// Finished implements tasks.Observer.
func (t *Tasks) Finished(task string, err error, runtime time.Duration) {
	s := t.of(task)
	s.inProgress.Dec()
	s.runtime.Observe(runtime.Seconds())
	if err != nil {
		s.failed.Inc()
	} else {
		s.succeeded.Inc()
	}
}

// Retried implements tasks.Observer.
func (t *Tasks) Retried(task string) { t.of(task).retried.Inc() }

// DeadLettered implements tasks.Observer.
func (t *Tasks) DeadLettered(reason string) { t.deadLettered.WithLabelValues(reason).Inc() }
