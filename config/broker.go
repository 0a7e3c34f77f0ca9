package config

import (
	"net"
	"net/url"
	"strconv"
	"strings"

	amqp "github.com/rabbitmq/amqp091-go"
)

// brokerParts are the variables that describe the broker piece by piece when
// RABBITMQ_URL is not given.
var brokerParts = []string{
	varBrokerHost, varBrokerPort, varBrokerUser, varBrokerPassword, varBrokerVhost,
}

// checkBrokerSource makes sure the broker is given exactly one way: either
// RABBITMQ_URL, or RABBITMQ_HOST and RABBITMQ_USER with optional port,
// password and vhost. It must run before defaults are applied.
func checkBrokerSource(m map[string]string, ps *problems) {
	urlVar := givenAs(m, varBrokerURL)
	parts := givenParts(m)
	switch {
	case urlVar != "" && len(parts) > 0:
		ps.add(&Error{
			Var:     urlVar,
			Problem: "set together with " + strings.Join(parts, ", "),
			Fix:     "set either RABBITMQ_URL or the RABBITMQ_HOST... parts, not both",
		})
	case urlVar == "" && len(parts) == 0:
		ps.add(&Error{
			Var:     varBrokerURL,
			Problem: "not set",
			Fix:     "set RABBITMQ_URL (or RABBITMQ_URL_FILE), or RABBITMQ_HOST and RABBITMQ_USER",
		})
	case urlVar == "":
		requirePart(m, varBrokerHost, ps)
		requirePart(m, varBrokerUser, ps)
	}
}

// givenAs returns name or name_FILE, whichever is set, or "".
func givenAs(m map[string]string, name string) string {
	switch {
	case isSet(m, name):
		return name
	case varFor(name).secret && isSet(m, name+fileSuffix):
		return name + fileSuffix
	}
	return ""
}

// givenParts lists the broker part variables that are set, as written.
func givenParts(m map[string]string) []string {
	var set []string
	for _, name := range brokerParts {
		if as := givenAs(m, name); as != "" {
			set = append(set, as)
		}
	}
	return set
}

// requirePart records a problem when a mandatory broker part is unset.
func requirePart(m map[string]string, name string, ps *problems) {
	if isSet(m, name) {
		return
	}
	ps.add(&Error{
		Var:     name,
		Problem: "not set",
		Fix:     "set RABBITMQ_HOST and RABBITMQ_USER, or give the whole RABBITMQ_URL instead",
	})
}

// brokerSettings are the parsed broker variables.
type brokerSettings struct {
	url, host, user, password, vhost string
	port                             int
}

// brokerURL returns the AMQP URL to connect to: RABBITMQ_URL checked, or one
// built from the parts. Problems never quote the URL or the password.
func brokerURL(b brokerSettings) (string, *Error) {
	if b.url != "" {
		return b.url, checkBrokerURL(b.url)
	}
	return buildBrokerURL(b)
}

// checkBrokerURL reports why raw is not a usable AMQP URL, or nil.
func checkBrokerURL(raw string) *Error {
	problem := func(p string) *Error {
		return &Error{Var: varBrokerURL, Problem: p, Fix: varFor(varBrokerURL).fix}
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return problem("contains whitespace (write a space as %20)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return problem("is not a valid URL")
	}
	if u.Scheme != "amqp" && u.Scheme != "amqps" {
		return problem("does not start with amqp:// or amqps://")
	}
	if u.Hostname() == "" {
		return problem("has no host")
	}
	if _, err := amqp.ParseURI(raw); err != nil {
		return problem("is not a valid AMQP URL (check the port and query parameters)")
	}
	return nil
}

// buildBrokerURL joins the parts into an amqp:// URL, escaping the user,
// password and vhost, and checks that it parses back to the same parts.
func buildBrokerURL(b brokerSettings) (string, *Error) {
	if b.port < 1 || b.port > 65535 {
		return "", &Error{
			Var:     varBrokerPort,
			Problem: strconv.Itoa(b.port) + " is not a port",
			Fix:     varFor(varBrokerPort).fix,
		}
	}
	hostPort := net.JoinHostPort(b.host, strconv.Itoa(b.port))
	raw := "amqp://" + url.UserPassword(b.user, b.password).String() + "@" +
		hostPort + "/" + url.PathEscape(b.vhost)
	if !sameBroker(raw, b) {
		return "", &Error{
			Var:     varBrokerHost,
			Problem: strconv.Quote(b.host) + " is not a host name or IP address",
			Fix:     varFor(varBrokerHost).fix,
		}
	}
	return raw, nil
}

// sameBroker reports whether raw parses, as the AMQP client will parse it,
// back to the host, port, user, password and vhost of b.
func sameBroker(raw string, b brokerSettings) bool {
	uri, err := amqp.ParseURI(raw)
	if err != nil {
		return false
	}
	return uri.Host == b.host && uri.Port == b.port && uri.Username == b.user &&
		uri.Password == b.password && uri.Vhost == b.vhost
}

// RedactedBrokerURL returns BrokerURL with its password replaced by "xxxxx",
// fit for logs.
func (c Config) RedactedBrokerURL() string {
	return redactURLPassword(c.BrokerURL)
}
