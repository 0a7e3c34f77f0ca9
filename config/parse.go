package config

import (
	"errors"
	"reflect"
	"strconv"
	"time"

	"github.com/caarlos0/env/v11"
)

// rawEnv is what the env package decodes from the resolved environment,
// before the checks that need more than a type. Its tags must name variables
// of the table; a test keeps the two in step.
type rawEnv struct {
	BrokerURL          string        `env:"RABBITMQ_URL"`
	BrokerHost         string        `env:"RABBITMQ_HOST"`
	BrokerPort         int           `env:"RABBITMQ_PORT"`
	BrokerUser         string        `env:"RABBITMQ_USER"`
	BrokerPassword     string        `env:"RABBITMQ_PASSWORD"`
	BrokerVhost        string        `env:"RABBITMQ_VHOST"`
	DatabaseURL        string        `env:"DATABASE_URL"`
	TwitterAPIURL      string        `env:"TWITTER_API_URL"`
	TwitterBearerToken string        `env:"TWITTER_BEARER_TOKEN"`
	SourcesFile        string        `env:"SOURCES_FILE"`
	FetchSchedule      string        `env:"FETCH_SCHEDULE"`
	BackfillWindow     time.Duration `env:"BACKFILL_WINDOW"`
	WorkerConcurrency  int           `env:"WORKER_CONCURRENCY"`
	MetricsAddr        string        `env:"METRICS_ADDR"`
	LogLevel           string        `env:"LOG_LEVEL"`
	LogFormat          string        `env:"LOG_FORMAT"`
	ResultBackend      string        `env:"RESULT_BACKEND"`
	TaskTimeout        time.Duration `env:"TASK_TIMEOUT"`
	ShutdownGrace      time.Duration `env:"SHUTDOWN_GRACE"`
	HTTPTimeout        time.Duration `env:"HTTP_TIMEOUT"`
	ScheduleMode       string        `env:"SCHEDULE_MODE"`
	APIBudget          string        `env:"API_BUDGET"`
	BudgetReserve      float64       `env:"API_BUDGET_RESERVE"`
	PollMinInterval    time.Duration `env:"POLL_MIN_INTERVAL"`
	PollMaxInterval    time.Duration `env:"POLL_MAX_INTERVAL"`
	FreshnessTarget    time.Duration `env:"FRESHNESS_TARGET"`
}

// decode fills a rawEnv from m with the env package and records a problem for
// every value of the wrong type. Secrets are strings, so no problem quotes one.
func decode(m map[string]string, ps *problems) rawEnv {
	var r rawEnv
	err := env.ParseWithOptions(&r, env.Options{Environment: m})
	if err == nil {
		return r
	}
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		ps.add(&Error{Problem: "the environment could not be decoded", Fix: "report this as a bug"})
		return r
	}
	for _, e := range agg.Errors {
		ps.add(decodeProblem(e, m))
	}
	return r
}

// decodeProblem turns one env package error into a problem naming the
// variable and its value.
func decodeProblem(err error, m map[string]string) *Error {
	var pe env.ParseError
	if !errors.As(err, &pe) {
		return &Error{Problem: "the environment could not be decoded", Fix: "report this as a bug"}
	}
	field, _ := reflect.TypeFor[rawEnv]().FieldByName(pe.Name)
	name := field.Tag.Get("env")
	value := strconv.Quote(m[name])
	if varFor(name).secret {
		value = "the value"
	}
	problem := value + " is not a whole number"
	switch {
	case pe.Type == reflect.TypeFor[float64]():
		problem = value + " is not a number"
	case pe.Type == reflect.TypeFor[time.Duration]():
		problem = value + " is not a duration such as 90s or 5m"
	case errors.Is(pe.Err, strconv.ErrRange):
		problem = value + " is too large"
	}
	return &Error{Var: name, Problem: problem, Fix: varFor(name).fix}
}
