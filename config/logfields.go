package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// LogFields returns the configuration as log fields keyed by lowercase
// names, with secrets redacted: URLs keep everything but the password, the
// result backend loses its user information, and the bearer token shows only
// "set" or "unset".
func (c Config) LogFields() map[string]any {
	return map[string]any{
		"broker_url":           c.RedactedBrokerURL(),
		"database_url":         redactDatabaseURL(c.DatabaseURL),
		"twitter_api_url":      c.TwitterAPIURL,
		"twitter_bearer_token": setOrUnset(c.TwitterBearerToken),
		"sources_file":         c.SourcesFile,
		"fetch_schedule":       c.FetchSchedule,
		"backfill_window":      c.BackfillWindow.String(),
		"worker_concurrency":   c.WorkerConcurrency,
		"metrics_addr":         c.MetricsAddr,
		"log_level":            c.LogLevel,
		"log_format":           c.LogFormat,
		"result_backend":       redactUserinfo(c.ResultBackend),
		"task_timeout":         c.TaskTimeout.String(),
		"shutdown_grace":       c.ShutdownGrace.String(),
		"http_timeout":         c.HTTPTimeout.String(),
		"schedule_mode":        c.ScheduleMode,
		"api_budget":           budgetText(c.APIBudget),
		"api_budget_reserve":   c.BudgetReserve,
		"poll_min_interval":    c.PollMinInterval.String(),
		"poll_max_interval":    c.PollMaxInterval.String(),
		"freshness_target":     c.FreshnessTarget.String(),
	}
}

// budgetText writes budgets back in API_BUDGET's form.
func budgetText(budgets []Budget) string {
	parts := make([]string, len(budgets))
	for i, b := range budgets {
		parts[i] = fmt.Sprintf("%s=%d/%s", b.Endpoint, b.Requests, b.Window)
	}
	return strings.Join(parts, ",")
}

// String returns the redacted LogFields as "config{key=value ...}" with the
// keys sorted, so that printing a Config with %v or %+v reveals no secret.
func (c Config) String() string {
	return "config" + c.fieldsText()
}

// GoString is String for %#v.
func (c Config) GoString() string {
	return "config.Config" + c.fieldsText()
}

// fieldsText formats the redacted fields as "{key=value ...}".
func (c Config) fieldsText() string {
	fields := c.LogFields()
	parts := make([]string, 0, len(fields))
	for _, key := range slices.Sorted(maps.Keys(fields)) {
		parts = append(parts, fmt.Sprintf("%s=%v", key, fields[key]))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// setOrUnset tells whether a secret has a value without showing it.
func setOrUnset(secret string) string {
	if secret == "" {
		return "unset"
	}
	return "set"
}
