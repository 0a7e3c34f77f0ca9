package config

import (
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
)

// Names of the environment variables Load reads.
const (
	varBrokerURL         = "RABBITMQ_URL"
	varBrokerHost        = "RABBITMQ_HOST"
	varBrokerPort        = "RABBITMQ_PORT"
	varBrokerUser        = "RABBITMQ_USER"
	varBrokerPassword    = "RABBITMQ_PASSWORD"
	varBrokerVhost       = "RABBITMQ_VHOST"
	varDatabaseURL       = "DATABASE_URL"
	varTwitterAPIURL     = "TWITTER_API_URL"
	varTwitterToken      = "TWITTER_BEARER_TOKEN" //nolint:gosec // the name of a variable, not a credential
	varSourcesFile       = "SOURCES_FILE"
	varFetchSchedule     = "FETCH_SCHEDULE"
	varBackfillWindow    = "BACKFILL_WINDOW"
	varWorkerConcurrency = "WORKER_CONCURRENCY"
	varMetricsAddr       = "METRICS_ADDR"
	varLogLevel          = "LOG_LEVEL"
	varLogFormat         = "LOG_FORMAT"
	varResultBackend     = "RESULT_BACKEND"
	varTaskTimeout       = "TASK_TIMEOUT"
	varShutdownGrace     = "SHUTDOWN_GRACE"
	varHTTPTimeout       = "HTTP_TIMEOUT"
	varScheduleMode      = "SCHEDULE_MODE"
	varAPIBudget         = "API_BUDGET"
	varBudgetReserve     = "API_BUDGET_RESERVE"
	varPollMinInterval   = "POLL_MIN_INTERVAL"
	varPollMaxInterval   = "POLL_MAX_INTERVAL"
	varFreshnessTarget   = "FRESHNESS_TARGET"
)

// scheduleHint describes a valid schedule in problems about one.
const scheduleHint = `a 5-field cron spec such as "*/5 * * * *" or a descriptor such as "@every 1m"`

// varSpec is one row of the variable table, the single source of the names,
// defaults and hints used by Load, Vars and Usage.
type varSpec struct {
	name        string
	def         string    // default for every program unless producerDef is set
	producerDef string    // the producer's default, when it differs
	doc         string    // one sentence for --help and the README
	fix         string    // what to do when the value is wrong
	secret      bool      // may be given as NAME_FILE and is never printed
	keepEmpty   bool      // an empty value is kept instead of meaning "unset"
	required    []Program // programs that refuse to start without it
}

// table lists every variable in the order --help shows them and errors are
// reported.
var table = []varSpec{
	{
		name: varBrokerURL, secret: true,
		doc: "whole amqp:// or amqps:// URL of RabbitMQ; replaces the RABBITMQ_HOST... parts",
		fix: "give amqp://user:password@host:port/vhost with reserved characters " +
			"percent-encoded, or set RABBITMQ_HOST and RABBITMQ_USER instead",
	},
	{
		name: varBrokerHost, doc: "RabbitMQ host, used when RABBITMQ_URL is unset",
		fix: "set it to a host name or IP address",
	},
	{
		name: varBrokerPort, def: "5672", doc: "RabbitMQ port",
		fix: "set it to a port from 1 to 65535",
	},
	{name: varBrokerUser, doc: "RabbitMQ user, used when RABBITMQ_URL is unset"},
	{name: varBrokerPassword, secret: true, doc: "RabbitMQ password, used when RABBITMQ_URL is unset"},
	{name: varBrokerVhost, def: "/", doc: "RabbitMQ virtual host"},
	{
		name: varDatabaseURL, secret: true, required: []Program{Producer, Worker},
		doc: "PostgreSQL connection, a postgres:// URL or a key=value DSN",
		fix: "set it to a postgres:// URL or a key=value DSN",
	},
	{
		name: varTwitterAPIURL, def: "https://api.x.com", doc: "base URL of the X API, without /2",
		fix: "set it to an http(s) base URL such as https://api.x.com",
	},
	{
		name: varTwitterToken, secret: true, required: []Program{Worker},
		doc: "bearer token of the X API app (worker only)",
	},
	{name: varSourcesFile, def: "sources.yml", doc: "path of the YAML file listing users and queries"},
	{
		name: varFetchSchedule, def: "@every 1m", doc: "when sources are fetched, cron or @every, in UTC",
		fix: "set it to " + scheduleHint,
	},
	{
		name: varBackfillWindow, def: "0",
		doc: "how far back a new source is fetched; 0 means one schedule interval",
		fix: "set it to a Go duration of 0 or more, such as 0, 30m or 24h",
	},
	{
		name: varWorkerConcurrency, def: "4", doc: "tasks a worker runs at once",
		fix: "set it to a number from 1 to 256",
	},
	{
		name: varMetricsAddr, def: ":9101", producerDef: ":9102", keepEmpty: true,
		doc: "host:port of the Prometheus metrics server; empty turns it off",
		fix: "set it to host:port such as :9101, or to the empty string to turn metrics off",
	},
	{
		name: varLogLevel, def: "info", doc: "debug, info, warn or error",
		fix: "set it to debug, info, warn or error",
	},
	{name: varLogFormat, def: "json", doc: "json or console", fix: "set it to json or console"},
	{
		name: varResultBackend, secret: true, doc: "Machinery result backend URL; unset means none",
		fix: "set it to a redis, rediss, amqp or amqps URL, or unset it for none",
	},
	{
		name: varTaskTimeout, def: "5m", doc: "longest a fetch task may run, at most 20m",
		fix: "set it to a Go duration above 0 and at most 20m, such as 5m",
	},
	{
		name: varShutdownGrace, def: "30s", doc: "how long running tasks may finish after a stop signal",
		fix: "set it to a Go duration above 0, such as 30s",
	},
	{
		name: varHTTPTimeout, def: "30s", doc: "timeout of one X API request",
		fix: "set it to a Go duration above 0, such as 30s",
	},
	{
		name: varScheduleMode, def: ScheduleFixed,
		doc: "fixed: every source on its schedule; adaptive: intervals that follow activity within API_BUDGET",
		fix: "set it to fixed or adaptive",
	},
	{
		name: varAPIBudget, def: DefaultAPIBudget,
		doc: "requests per window the adaptive schedule may plan, per endpoint (timeline, search, users)",
		fix: "set it to endpoint=requests/window items separated by commas, such as timeline=10000/15m,search=450/15m",
	},
	{
		name: varBudgetReserve, def: "0.1", doc: "share of API_BUDGET the adaptive schedule leaves unplanned",
		fix: "set it to a fraction from 0 to 0.9, such as 0.1",
	},
	{
		name: varPollMinInterval, def: "30s", doc: "shortest interval the adaptive schedule polls a source at",
		fix: "set it to a Go duration of at least 1s, such as 30s",
	},
	{
		name: varPollMaxInterval, def: "1h", doc: "longest interval the adaptive schedule polls a source at",
		fix: "set it to a Go duration no shorter than POLL_MIN_INTERVAL, such as 1h",
	},
	{
		name: varFreshnessTarget, def: "5m",
		doc: "a post stored within this time of its creation counts as fresh; the adaptive schedule aims at it",
		fix: "set it to a Go duration above 0, such as 5m",
	},
}

// VarDoc describes one environment variable as a given program reads it.
type VarDoc struct {
	// Name is the variable's name, e.g. "WORKER_CONCURRENCY".
	Name string
	// Default is the value used when the variable is unset or empty; "" when
	// there is none.
	Default string
	// Doc is a short lowercase description.
	Doc string
	// Secret means the value may instead be read from the file named by
	// NAME_FILE and is never printed.
	Secret bool
	// Required means the program refuses to start without it. The RabbitMQ
	// variables are not marked: either RABBITMQ_URL or RABBITMQ_HOST and
	// RABBITMQ_USER must be set.
	Required bool
}

// Vars returns the variables program p reads, with p's defaults, in the order
// Usage prints them.
func Vars(p Program) []VarDoc {
	docs := make([]VarDoc, len(table))
	for i, v := range table {
		docs[i] = VarDoc{
			Name:     v.name,
			Default:  v.defaultFor(p),
			Doc:      v.doc,
			Secret:   v.secret,
			Required: slices.Contains(v.required, p),
		}
	}
	return docs
}

// Usage returns a table of the variables program p reads, for --help.
func Usage(p Program) string {
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "VARIABLE\tDEFAULT\tDESCRIPTION")
	for _, v := range Vars(p) {
		fmt.Fprintf(w, "%s\t%s\t%s\n", v.Name, usageDefault(v), v.Doc)
	}
	_ = w.Flush() // writes to a strings.Builder, which cannot fail
	b.WriteString("Secrets (marked *) may instead be read from the file named by NAME_FILE.\n")
	return b.String()
}

// usageDefault is the DEFAULT column of Usage: the default, "required" or "-",
// with a star for secrets.
func usageDefault(v VarDoc) string {
	s := v.Default
	switch {
	case v.Required:
		s = "required"
	case s == "":
		s = "-"
	}
	if v.Secret {
		s += " *"
	}
	return s
}

// defaultFor returns the default program p uses.
func (v varSpec) defaultFor(p Program) string {
	if p == Producer && v.producerDef != "" {
		return v.producerDef
	}
	return v.def
}

// varIndex returns the table position of name or of the variable whose
// NAME_FILE it is; unknown names sort last.
func varIndex(name string) int {
	base := strings.TrimSuffix(name, fileSuffix)
	for i, v := range table {
		if v.name == name || v.name == base {
			return i
		}
	}
	return len(table)
}

// varFor returns the table row of name; it panics on a name missing from the
// table, which is a programming error caught by the tests.
func varFor(name string) varSpec {
	i := varIndex(name)
	if i == len(table) {
		panic("config: variable " + name + " is missing from the table")
	}
	return table[i]
}
