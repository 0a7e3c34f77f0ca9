package config

import (
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// Checks of the secret settings. Their problems never quote the value.

// resultBackendSchemes are the result backends Machinery can use.
var resultBackendSchemes = []string{"redis", "rediss", "amqp", "amqps"}

// checkDatabaseURL accepts a postgres:// or postgresql:// URL or a key=value
// DSN. It is a light check; the database driver has the last word.
func checkDatabaseURL(r rawEnv, _ *Config) *Error {
	raw := r.DatabaseURL
	if hasURLScheme(raw) {
		if e := checkDatabaseURLForm(raw); e != nil {
			return e
		}
		return checkWithDriver(raw)
	}
	_, err := splitDSN(raw)
	switch {
	case errors.Is(err, errDSNSyntax):
		return invalid(varDatabaseURL, "is neither a postgres:// URL nor a key=value DSN")
	case err != nil:
		return invalid(varDatabaseURL, "is a key=value DSN that "+err.Error())
	}
	return checkWithDriver(raw)
}

// checkWithDriver lets the PostgreSQL driver parse the setting, which catches bad
// parameter values such as sslmode=bogus. The driver's message may quote the setting, so
// it is not passed on.
func checkWithDriver(raw string) *Error {
	if _, err := pgconn.ParseConfig(raw); err != nil {
		return invalid(varDatabaseURL,
			"is refused by the PostgreSQL driver; check sslmode and the other parameters")
	}
	return nil
}

// checkDatabaseURLForm checks a DATABASE_URL written as a URL.
func checkDatabaseURLForm(raw string) *Error {
	scheme, _, _ := strings.Cut(raw, "://")
	scheme = strings.ToLower(scheme)
	if scheme != "postgres" && scheme != "postgresql" {
		return invalid(varDatabaseURL, "is a URL whose scheme is not postgres or postgresql")
	}
	if _, err := url.Parse(raw); err != nil {
		return invalid(varDatabaseURL,
			"is not a valid URL (percent-encode reserved characters in the user and password)")
	}
	return nil
}

// checkResultBackend accepts "" or a URL with a scheme Machinery supports.
func checkResultBackend(r rawEnv, _ *Config) *Error {
	raw := r.ResultBackend
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil || !slices.Contains(resultBackendSchemes, u.Scheme) {
		return invalid(varResultBackend,
			"is not a URL with scheme redis, rediss, amqp or amqps")
	}
	return nil
}
