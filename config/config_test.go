package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoad_Defaults(t *testing.T) {
	for _, p := range []Program{Producer, Worker} {
		t.Run(p.String(), func(t *testing.T) {
			cfg := mustLoad(t, p, environ())
			wantMetrics := map[Program]string{Producer: ":9102", Worker: ":9101"}[p]
			checks := []struct {
				name      string
				got, want any
			}{
				{"BrokerURL", cfg.BrokerURL, "amqp://tweetflow:@rabbit:5672/%2F"},
				{"TwitterAPIURL", cfg.TwitterAPIURL, "https://api.x.com"},
				{"SourcesFile", cfg.SourcesFile, "sources.yml"},
				{"FetchSchedule", cfg.FetchSchedule, "@every 1m"},
				{"BackfillWindow", cfg.BackfillWindow, time.Duration(0)},
				{"WorkerConcurrency", cfg.WorkerConcurrency, 4},
				{"MetricsAddr", cfg.MetricsAddr, wantMetrics},
				{"LogLevel", cfg.LogLevel, "info"},
				{"LogFormat", cfg.LogFormat, "json"},
				{"ResultBackend", cfg.ResultBackend, ""},
				{"TaskTimeout", cfg.TaskTimeout, 5 * time.Minute},
				{"ShutdownGrace", cfg.ShutdownGrace, 30 * time.Second},
				{"HTTPTimeout", cfg.HTTPTimeout, 30 * time.Second},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
			if got := ScheduleInterval(cfg.Schedule, time.Now()); got != time.Minute {
				t.Errorf("interval of the default schedule = %v, want 1m", got)
			}
		})
	}
}

func TestLoad_ValidValues(t *testing.T) {
	tests := []struct {
		name string
		env  string
		get  func(*Config) any
		want any
	}{
		{
			"twitter url trailing slash trimmed", "TWITTER_API_URL=http://localhost:8080/",
			func(c *Config) any { return c.TwitterAPIURL }, "http://localhost:8080",
		},
		{
			"twitter url with a path", "TWITTER_API_URL=https://proxy.example/x-api//",
			func(c *Config) any { return c.TwitterAPIURL }, "https://proxy.example/x-api",
		},
		{
			"sources file", "SOURCES_FILE=/etc/tweetflow/sources.yml",
			func(c *Config) any { return c.SourcesFile }, "/etc/tweetflow/sources.yml",
		},
		{
			"cron schedule", "FETCH_SCHEDULE=*/5 * * * *",
			func(c *Config) any { return c.FetchSchedule }, "*/5 * * * *",
		},
		{
			"backfill window", "BACKFILL_WINDOW=24h",
			func(c *Config) any { return c.BackfillWindow }, 24 * time.Hour,
		},
		{
			"concurrency low end", "WORKER_CONCURRENCY=1",
			func(c *Config) any { return c.WorkerConcurrency }, 1,
		},
		{
			"concurrency high end", "WORKER_CONCURRENCY=256",
			func(c *Config) any { return c.WorkerConcurrency }, 256,
		},
		{
			"metrics address", "METRICS_ADDR=127.0.0.1:9999",
			func(c *Config) any { return c.MetricsAddr }, "127.0.0.1:9999",
		},
		{
			"metrics off", "METRICS_ADDR=",
			func(c *Config) any { return c.MetricsAddr }, "",
		},
		{
			"log level in capitals", "LOG_LEVEL=DEBUG",
			func(c *Config) any { return c.LogLevel }, "debug",
		},
		{
			"log level warn", "LOG_LEVEL=warn",
			func(c *Config) any { return c.LogLevel }, "warn",
		},
		{
			"log format console", "LOG_FORMAT=console",
			func(c *Config) any { return c.LogFormat }, "console",
		},
		{
			"redis result backend", "RESULT_BACKEND=redis://:pw@redis:6379/1",
			func(c *Config) any { return c.ResultBackend }, "redis://:pw@redis:6379/1",
		},
		{
			"amqp result backend", "RESULT_BACKEND=amqp://tf:pw@rabbitmq:5672/",
			func(c *Config) any { return c.ResultBackend }, "amqp://tf:pw@rabbitmq:5672/",
		},
		{
			"task timeout at the limit", "TASK_TIMEOUT=20m",
			func(c *Config) any { return c.TaskTimeout }, 20 * time.Minute,
		},
		{
			"shutdown grace", "SHUTDOWN_GRACE=2m",
			func(c *Config) any { return c.ShutdownGrace }, 2 * time.Minute,
		},
		{
			"http timeout", "HTTP_TIMEOUT=1500ms",
			func(c *Config) any { return c.HTTPTimeout }, 1500 * time.Millisecond,
		},
		{
			"budget of one endpoint keeps the others' defaults", "API_BUDGET=timeline=10/15m",
			func(c *Config) any { return budgetText(c.APIBudget) },
			"timeline=10/15m0s,search=450/15m0s,users=300/15m0s",
		},
		{
			"budget window", "API_BUDGET=users=500/24h,timeline=10",
			func(c *Config) any { return budgetText(c.APIBudget) },
			"users=500/24h0m0s,timeline=10/15m0s,search=450/15m0s",
		},
		{
			"postgresql url", "DATABASE_URL=postgresql://u:p@db:5432/tf?sslmode=disable",
			func(c *Config) any { return c.DatabaseURL }, "postgresql://u:p@db:5432/tf?sslmode=disable",
		},
		{
			"database dsn", "DATABASE_URL=host=db user=tf password='a b' dbname=tf",
			func(c *Config) any { return c.DatabaseURL }, "host=db user=tf password='a b' dbname=tf",
		},
		{
			"empty value means default", "WORKER_CONCURRENCY=",
			func(c *Config) any { return c.WorkerConcurrency }, 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoad(t, Worker, environ(tt.env))
			if got := tt.get(cfg); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLoad_InvalidValues(t *testing.T) {
	tests := []struct {
		name string
		env  string
		want string
	}{
		{
			"database sslmode unknown", "DATABASE_URL=postgres://u:pw@db/tf?sslmode=bogus",
			"DATABASE_URL: is refused by the PostgreSQL driver",
		},
		{
			"database DSN sslmode unknown", "DATABASE_URL=host=db user=u password=pw sslmode=bogus",
			"DATABASE_URL: is refused by the PostgreSQL driver",
		},
		{
			"concurrency not a number", "WORKER_CONCURRENCY=abc",
			`WORKER_CONCURRENCY: "abc" is not a whole number; set it to a number from 1 to 256`,
		},
		{
			"concurrency zero", "WORKER_CONCURRENCY=0",
			"WORKER_CONCURRENCY: 0 is out of range; set it to a number from 1 to 256",
		},
		{
			"concurrency too high", "WORKER_CONCURRENCY=257",
			"WORKER_CONCURRENCY: 257 is out of range; set it to a number from 1 to 256",
		},
		{
			"concurrency huge", "WORKER_CONCURRENCY=99999999999",
			`WORKER_CONCURRENCY: "99999999999" is too large; set it to a number from 1 to 256`,
		},
		{
			"port not a number", "RABBITMQ_PORT=amqp",
			`RABBITMQ_PORT: "amqp" is not a whole number; set it to a port from 1 to 65535`,
		},
		{
			"port out of range", "RABBITMQ_PORT=70000",
			"RABBITMQ_PORT: 70000 is not a port; set it to a port from 1 to 65535",
		},
		{
			"twitter url with /2", "TWITTER_API_URL=https://api.x.com/2/",
			`TWITTER_API_URL: "https://api.x.com/2/" ends in /2; ` +
				"give the base URL without /2, such as https://api.x.com",
		},
		{
			"twitter url without scheme", "TWITTER_API_URL=api.x.com",
			`TWITTER_API_URL: "api.x.com" is not an http(s) URL with a host; ` +
				"set it to an http(s) base URL such as https://api.x.com",
		},
		{"twitter url ftp", "TWITTER_API_URL=ftp://api.x.com", `"ftp://api.x.com" is not an http(s) URL`},
		{"twitter url with query", "TWITTER_API_URL=https://api.x.com?a=1", "has a query or fragment"},
		{
			"bad schedule", "FETCH_SCHEDULE=every minute",
			`FETCH_SCHEDULE: "every minute": parse schedule: expected exactly 5 fields`,
		},
		{"schedule with time zone", "FETCH_SCHEDULE=CRON_TZ=Europe/Paris 0 9 * * *", "schedules run in UTC"},
		{
			"negative backfill", "BACKFILL_WINDOW=-1h",
			"BACKFILL_WINDOW: -1h0m0s is negative; set it to a Go duration of 0 or more, such as 0, 30m or 24h",
		},
		{
			"backfill not a duration", "BACKFILL_WINDOW=1 day",
			`BACKFILL_WINDOW: "1 day" is not a duration such as 90s or 5m`,
		},
		{
			"metrics address without port", "METRICS_ADDR=localhost",
			`METRICS_ADDR: "localhost" is not host:port; set it to host:port such as :9101`,
		},
		{"metrics port not numeric", "METRICS_ADDR=:http", `":http" is not host:port`},
		{
			"log level", "LOG_LEVEL=verbose",
			`LOG_LEVEL: "verbose" is not a log level; set it to debug, info, warn or error`,
		},
		{"log format", "LOG_FORMAT=text", `LOG_FORMAT: "text" is not a log format; set it to json or console`},
		{
			"result backend scheme", "RESULT_BACKEND=http://backend",
			"RESULT_BACKEND: is not a URL with scheme redis, rediss, amqp or amqps",
		},
		{"task timeout zero", "TASK_TIMEOUT=0s", "TASK_TIMEOUT: 0s is not above 0"},
		{
			"task timeout over 20m", "TASK_TIMEOUT=21m",
			"TASK_TIMEOUT: 21m0s is above the 20m limit; set it to a Go duration above 0 and at most 20m",
		},
		{"task timeout not a duration", "TASK_TIMEOUT=5", `TASK_TIMEOUT: "5" is not a duration`},
		{
			"shutdown grace negative", "SHUTDOWN_GRACE=-1s",
			"SHUTDOWN_GRACE: -1s is not above 0; set it to a Go duration above 0, such as 30s",
		},
		{"http timeout zero", "HTTP_TIMEOUT=0", "HTTP_TIMEOUT: 0s is not above 0"},
		{
			"database url other scheme", "DATABASE_URL=mysql://db/tf",
			"DATABASE_URL: is a URL whose scheme is not postgres or postgresql",
		},
		{
			"database dsn without pairs", "DATABASE_URL=db.internal",
			"DATABASE_URL: is neither a postgres:// URL nor a key=value DSN",
		},
		{
			"database dsn unterminated quote", "DATABASE_URL=host=db password='abc",
			"DATABASE_URL: is a key=value DSN that has an unterminated quote",
		},
		{"database url bad escape", "DATABASE_URL=postgres://u:p%zz@db/tf", "DATABASE_URL: is not a valid URL"},
		{"schedule mode typo", "SCHEDULE_MODE=adaptiv", `SCHEDULE_MODE: "adaptiv" is neither fixed nor adaptive`},
		{"budget names no endpoint", "API_BUDGET= , ", `API_BUDGET: " , " names no endpoint`},
		{"budget unknown endpoint", "API_BUDGET=tweets=5", `unknown endpoint "tweets" (use timeline, search or users)`},
		{"budget zero", "API_BUDGET=timeline=0", `"timeline=0": "0" is not a whole number of requests of at least 1`},
		{"budget bad window", "API_BUDGET=search=5/soon", `window "soon" is not a duration of at least 1s`},
		{"budget twice", "API_BUDGET=users=5,users=6", "API_BUDGET: users appears twice"},
		{"reserve not a number", "API_BUDGET_RESERVE=NaN", "API_BUDGET_RESERVE: NaN is not between 0 and 0.9"},
		{"reserve too big", "API_BUDGET_RESERVE=1", "API_BUDGET_RESERVE: 1 is not between 0 and 0.9"},
		{
			"poll maximum below the minimum", "POLL_MAX_INTERVAL=10s",
			"POLL_MAX_INTERVAL: 10s is shorter than POLL_MIN_INTERVAL (30s)",
		},
		{"freshness target zero", "FRESHNESS_TARGET=0s", "FRESHNESS_TARGET: 0s is not above 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadError(t, Worker, environ(tt.env))
			if !strings.Contains(got, tt.want) {
				t.Errorf("error = %q, want it to contain %q", got, tt.want)
			}
		})
	}
}

func TestLoad_Required(t *testing.T) {
	tests := []struct {
		name    string
		program Program
		remove  string
		want    string
	}{
		{
			"worker needs a token", Worker, "TWITTER_BEARER_TOKEN",
			"TWITTER_BEARER_TOKEN: not set; set it or TWITTER_BEARER_TOKEN_FILE",
		},
		{
			"worker needs a database", Worker, "DATABASE_URL",
			"DATABASE_URL: not set; set it or DATABASE_URL_FILE",
		},
		{
			"producer needs a database", Producer, "DATABASE_URL",
			"DATABASE_URL: not set; set it or DATABASE_URL_FILE",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := loadError(t, tt.program, environ(tt.remove)); got != tt.want {
				t.Errorf("error = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("producer needs no token", func(t *testing.T) {
		cfg := mustLoad(t, Producer, environ("TWITTER_BEARER_TOKEN"))
		if cfg.TwitterBearerToken != "" {
			t.Errorf("TwitterBearerToken = %q, want empty", cfg.TwitterBearerToken)
		}
	})
}

func TestLoad_ReportsEveryProblemInTableOrder(t *testing.T) {
	_, err := Load(Worker, environ("TASK_TIMEOUT=0s", "WORKER_CONCURRENCY=abc", "LOG_FORMAT=xml"))
	var list Errors
	if !errors.As(err, &list) {
		t.Fatalf("error %v is %T, want config.Errors", err, err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Var)
	}
	want := []string{"WORKER_CONCURRENCY", "LOG_FORMAT", "TASK_TIMEOUT"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("problems = %v, want %v", got, want)
	}
	if msg := err.Error(); strings.Count(msg, "\n") != 0 || !strings.Contains(msg, "; LOG_FORMAT: ") {
		t.Errorf("message = %q, want one line joined with \"; \"", msg)
	}
}

func TestLoad_IgnoresUnknownVariables(t *testing.T) {
	mustLoad(t, Worker, environ("WORKER_CONCURENCY=abc", "RABBITMQ_USER_FILE=/nope", "PATH=/bin", "NOEQUALS"))
}

func TestLoad_FirstEntryOfARepeatedKeyWins(t *testing.T) {
	env := append([]string{"LOG_LEVEL=warn"}, environ("LOG_LEVEL=error")...)
	if got := mustLoad(t, Worker, env).LogLevel; got != "warn" {
		t.Errorf("LogLevel = %q, want warn", got)
	}
}

func TestLoad_UnknownProgram(t *testing.T) {
	_, err := Load(Program(7), environ())
	var cfgErr *Error
	if !errors.As(err, &cfgErr) || !strings.Contains(err.Error(), "unknown program") {
		t.Errorf("error = %v, want an unknown program *Error", err)
	}
}
