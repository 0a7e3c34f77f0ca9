package config

import (
	"time"

	"github.com/robfig/cron/v3"
)

// Config is the validated configuration of the producer or the worker. Its
// String and GoString methods redact secrets; log it with LogFields.
type Config struct {
	// BrokerURL is the AMQP URL of RabbitMQ, from RABBITMQ_URL or built from
	// the RABBITMQ_HOST... parts. It holds the password: log
	// RedactedBrokerURL instead.
	BrokerURL string
	// DatabaseURL is the PostgreSQL URL or key=value DSN. It may hold a
	// password.
	DatabaseURL string
	// TwitterAPIURL is the base URL of the X API without the /2 and without
	// a trailing slash, e.g. "https://api.x.com".
	TwitterAPIURL string
	// TwitterBearerToken authenticates API requests; empty for a producer
	// that was not given one.
	TwitterBearerToken string
	// SourcesFile is the path of the sources file, see LoadSources.
	SourcesFile string
	// FetchSchedule is the schedule as written, e.g. "@every 1m".
	FetchSchedule string
	// Schedule is FetchSchedule parsed; it runs in UTC.
	Schedule cron.Schedule
	// BackfillWindow is how far back the first fetch of a new source
	// reaches; 0 means one interval of its schedule.
	BackfillWindow time.Duration
	// WorkerConcurrency is how many tasks a worker runs at once, 1 to 256.
	WorkerConcurrency int
	// MetricsAddr is the host:port the metrics server listens on; "" turns
	// the server off.
	MetricsAddr string
	// LogLevel is "debug", "info", "warn" or "error".
	LogLevel string
	// LogFormat is "json" or "console".
	LogFormat string
	// ResultBackend is the Machinery result backend URL, "" for none. It may
	// hold a password.
	ResultBackend string
	// TaskTimeout bounds one fetch task, above 0 and at most 20 minutes.
	TaskTimeout time.Duration
	// ShutdownGrace is how long running work may finish after a stop signal.
	ShutdownGrace time.Duration
	// HTTPTimeout bounds one X API request.
	HTTPTimeout time.Duration
	// ScheduleMode is ScheduleFixed or ScheduleAdaptive.
	ScheduleMode string
	// APIBudget is each endpoint's requests per window, for the adaptive schedule.
	APIBudget []Budget
	// BudgetReserve is the share of APIBudget left unplanned, 0 to 0.9.
	BudgetReserve float64
	// PollMinInterval and PollMaxInterval bound the adaptive schedule's intervals.
	PollMinInterval, PollMaxInterval time.Duration
	// FreshnessTarget is the time from a post's creation within which storing it counts as
	// fresh.
	FreshnessTarget time.Duration
}

// Load builds the configuration of program p from environ, entries of the
// form "KEY=value" as os.Environ returns them. Secrets may be given as
// NAME_FILE, a file whose trimmed contents are the value. An empty value
// counts as unset, except METRICS_ADDR, where it turns metrics off. Unknown
// variables are ignored.
//
// On failure Load returns a *Error for a single problem, or Errors holding
// every problem found, in one line. No message contains a secret.
func Load(p Program, environ []string) (*Config, error) {
	if !p.valid() {
		return nil, &Error{Problem: "unknown program " + p.String(), Fix: "pass Producer or Worker"}
	}
	var ps problems
	m := environMap(environ)
	resolveSecrets(m, &ps)
	checkBrokerSource(m, &ps)
	checkRequired(m, p, &ps)
	applyDefaults(m, p)
	cfg := build(decode(m, &ps), &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}
