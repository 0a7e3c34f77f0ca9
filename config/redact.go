package config

import (
	"net/url"
	"strings"
)

// redacted stands in for a secret in logs, as net/url does for passwords.
const redacted = "xxxxx"

// redactURLPassword returns raw with the password and any password query
// parameter replaced by "xxxxx". A value that does not parse as a URL is
// replaced entirely; "" stays "".
func redactURLPassword(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), redacted)
	}
	redactQuery(u)
	return u.String()
}

// redactUserinfo returns raw with the whole user information replaced by
// "xxxxx". It suits result backends, where redis://secret@host puts the
// password where a user name would be.
func redactUserinfo(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return redacted
	}
	if u.User != nil {
		u.User = url.User(redacted)
	}
	redactQuery(u)
	return u.String()
}

// redactQuery replaces the value of every query parameter whose name
// mentions a password.
func redactQuery(u *url.URL) {
	q := u.Query()
	changed := false
	for key := range q {
		if strings.Contains(strings.ToLower(key), "password") {
			q.Set(key, redacted)
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
}

// redactDatabaseURL redacts a postgres:// URL or a key=value DSN.
func redactDatabaseURL(raw string) string {
	if raw == "" || hasURLScheme(raw) {
		return redactURLPassword(raw)
	}
	return redactDSN(raw)
}
