package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Limits of the numeric settings.
const (
	maxConcurrency = 256
	// maxTaskTimeout stays well under RabbitMQ's 30-minute consumer timeout,
	// after which the broker closes the channel of a consumer that has not
	// acknowledged its task.
	maxTaskTimeout = 20 * time.Minute
)

// check validates the decoded value of one setting and stores it in c.
type check struct {
	vars []string // the check is skipped when one of these has a problem
	run  func(r rawEnv, c *Config) *Error
}

// checks run in table order once the environment is decoded.
var checks = []check{
	{append([]string{varBrokerURL}, brokerParts...), setBroker},
	{[]string{varDatabaseURL}, checkDatabaseURL},
	{[]string{varTwitterAPIURL}, setTwitterAPIURL},
	{[]string{varFetchSchedule}, setSchedule},
	{[]string{varBackfillWindow}, checkBackfill},
	{[]string{varWorkerConcurrency}, checkConcurrency},
	{[]string{varMetricsAddr}, checkMetricsAddr},
	{[]string{varLogLevel}, setLogLevel},
	{[]string{varLogFormat}, setLogFormat},
	{[]string{varResultBackend}, checkResultBackend},
	{[]string{varTaskTimeout}, checkTaskTimeout},
	{[]string{varShutdownGrace}, checkShutdownGrace},
	{[]string{varHTTPTimeout}, checkHTTPTimeout},
	{[]string{varScheduleMode}, checkScheduleMode},
	{[]string{varAPIBudget}, setAPIBudget},
	{[]string{varBudgetReserve}, checkBudgetReserve},
	{[]string{varPollMinInterval, varPollMaxInterval}, checkPollIntervals},
	{[]string{varFreshnessTarget}, checkFreshnessTarget},
}

// checkRequired records a problem for every variable program p requires that
// is unset and has no problem yet.
func checkRequired(m map[string]string, p Program, ps *problems) {
	for _, v := range table {
		if !slices.Contains(v.required, p) || isSet(m, v.name) || ps.has(v.name) {
			continue
		}
		fix := "set it"
		if v.secret {
			fix = "set it or " + v.name + fileSuffix
		}
		ps.add(&Error{Var: v.name, Problem: "not set", Fix: fix})
	}
}

// build copies r into a Config and runs every check whose variables have no
// problem yet.
func build(r rawEnv, ps *problems) *Config {
	c := &Config{
		DatabaseURL:        r.DatabaseURL,
		TwitterBearerToken: r.TwitterBearerToken,
		SourcesFile:        r.SourcesFile,
		FetchSchedule:      r.FetchSchedule,
		BackfillWindow:     r.BackfillWindow,
		WorkerConcurrency:  r.WorkerConcurrency,
		MetricsAddr:        r.MetricsAddr,
		ResultBackend:      r.ResultBackend,
		TaskTimeout:        r.TaskTimeout,
		ShutdownGrace:      r.ShutdownGrace,
		HTTPTimeout:        r.HTTPTimeout,
		ScheduleMode:       r.ScheduleMode,
		BudgetReserve:      r.BudgetReserve,
		PollMinInterval:    r.PollMinInterval,
		PollMaxInterval:    r.PollMaxInterval,
		FreshnessTarget:    r.FreshnessTarget,
	}
	for _, ch := range checks {
		if slices.ContainsFunc(ch.vars, ps.has) {
			continue
		}
		if e := ch.run(r, c); e != nil {
			ps.add(e)
		}
	}
	return c
}

// invalid returns a problem with name's usual fix.
func invalid(name, problem string) *Error {
	return &Error{Var: name, Problem: problem, Fix: varFor(name).fix}
}

// setBroker resolves the broker URL.
func setBroker(r rawEnv, c *Config) *Error {
	u, e := brokerURL(brokerSettings{
		url: r.BrokerURL, host: r.BrokerHost, port: r.BrokerPort,
		user: r.BrokerUser, password: r.BrokerPassword, vhost: r.BrokerVhost,
	})
	c.BrokerURL = u
	return e
}

// setTwitterAPIURL checks the API base URL and drops trailing slashes.
func setTwitterAPIURL(r rawEnv, c *Config) *Error {
	raw := r.TwitterAPIURL
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return invalid(varTwitterAPIURL, strconv.Quote(raw)+" is not an http(s) URL with a host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return invalid(varTwitterAPIURL, strconv.Quote(raw)+" has a query or fragment")
	}
	if strings.HasSuffix(strings.TrimRight(u.Path, "/"), "/2") {
		return &Error{
			Var: varTwitterAPIURL, Problem: strconv.Quote(raw) + " ends in /2",
			Fix: "give the base URL without /2, such as https://api.x.com",
		}
	}
	c.TwitterAPIURL = strings.TrimRight(raw, "/")
	return nil
}

// setSchedule parses FETCH_SCHEDULE.
func setSchedule(r rawEnv, c *Config) *Error {
	s, err := ParseSchedule(r.FetchSchedule)
	if err != nil {
		return invalid(varFetchSchedule, fmt.Sprintf("%q: %v", r.FetchSchedule, err))
	}
	c.Schedule = s
	return nil
}

// checkBackfill rejects a negative backfill window.
func checkBackfill(r rawEnv, _ *Config) *Error {
	if r.BackfillWindow < 0 {
		return invalid(varBackfillWindow, r.BackfillWindow.String()+" is negative")
	}
	return nil
}

// checkConcurrency keeps the worker concurrency within 1 to maxConcurrency.
func checkConcurrency(r rawEnv, _ *Config) *Error {
	if n := r.WorkerConcurrency; n < 1 || n > maxConcurrency {
		return invalid(varWorkerConcurrency, strconv.Itoa(n)+" is out of range")
	}
	return nil
}

// checkMetricsAddr accepts "" or host:port with a numeric port.
func checkMetricsAddr(r rawEnv, _ *Config) *Error {
	addr := r.MetricsAddr
	if addr == "" {
		return nil
	}
	_, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 0 || n > 65535 {
		return invalid(varMetricsAddr, strconv.Quote(addr)+" is not host:port")
	}
	return nil
}

// setLogLevel accepts the level in any case and stores it in lower case.
func setLogLevel(r rawEnv, c *Config) *Error {
	level := strings.ToLower(r.LogLevel)
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, level) {
		return invalid(varLogLevel, strconv.Quote(r.LogLevel)+" is not a log level")
	}
	c.LogLevel = level
	return nil
}

// setLogFormat accepts json or console in any case and stores it in lower
// case.
func setLogFormat(r rawEnv, c *Config) *Error {
	format := strings.ToLower(r.LogFormat)
	if format != "json" && format != "console" {
		return invalid(varLogFormat, strconv.Quote(r.LogFormat)+" is not a log format")
	}
	c.LogFormat = format
	return nil
}

// checkTaskTimeout keeps the task timeout above 0 and at most maxTaskTimeout.
func checkTaskTimeout(r rawEnv, _ *Config) *Error {
	if r.TaskTimeout > maxTaskTimeout {
		return invalid(varTaskTimeout, r.TaskTimeout.String()+" is above the 20m limit")
	}
	return positive(varTaskTimeout, r.TaskTimeout)
}

// checkShutdownGrace requires a grace period above 0.
func checkShutdownGrace(r rawEnv, _ *Config) *Error {
	return positive(varShutdownGrace, r.ShutdownGrace)
}

// checkHTTPTimeout requires an HTTP timeout above 0.
func checkHTTPTimeout(r rawEnv, _ *Config) *Error {
	return positive(varHTTPTimeout, r.HTTPTimeout)
}

// positive records a problem when the duration d of name is not above 0.
func positive(name string, d time.Duration) *Error {
	if d <= 0 {
		return invalid(name, d.String()+" is not above 0")
	}
	return nil
}
