package tasks

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/RichardKnop/machinery/v2"
	amqpbackend "github.com/RichardKnop/machinery/v2/backends/amqp"
	"github.com/RichardKnop/machinery/v2/backends/iface"
	"github.com/RichardKnop/machinery/v2/backends/null"
	redisbackend "github.com/RichardKnop/machinery/v2/backends/redis"
	amqpbroker "github.com/RichardKnop/machinery/v2/brokers/amqp"
	mconfig "github.com/RichardKnop/machinery/v2/config"
	"github.com/RichardKnop/machinery/v2/locks/eager"
)

// NewServer returns the Machinery server that holds the registered task functions. Its
// broker is configured for t but never consumes: the worker's own consumer delivers the
// signatures. The result backend is null unless resultBackend names one, because nothing
// reads task results.
func NewServer(t Topology, brokerURL, resultBackend string, concurrency int) (*machinery.Server, error) {
	cnf := t.MachineryConfig(brokerURL, resultBackend, concurrency)
	backend, err := newBackend(cnf.ResultBackend, cnf)
	if err != nil {
		return nil, err
	}
	return machinery.NewServer(cnf, amqpbroker.New(cnf), backend, eager.New()), nil
}

func newBackend(raw string, cnf *mconfig.Config) (iface.Backend, error) {
	if raw == "" {
		return null.New(), nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse result backend URL: %w", redactURLError(err))
	}
	switch u.Scheme {
	case "amqp", "amqps":
		return amqpbackend.New(cnf), nil
	case "redis", "rediss":
		return redisbackend.NewGR(cnf, []string{redisAddr(u)}, redisDB(u)), nil
	default:
		return nil, fmt.Errorf("result backend scheme %q is not one of amqp, amqps, redis, rediss", u.Scheme)
	}
}

// redisAddr renders u as Machinery's "user:password@host:port" address form.
func redisAddr(u *url.URL) string {
	if u.User == nil {
		return u.Host
	}
	pass, _ := u.User.Password()
	return u.User.Username() + ":" + pass + "@" + u.Host
}

func redisDB(u *url.URL) int {
	db, err := strconv.Atoi(strings.TrimPrefix(u.Path, "/"))
	if err != nil {
		return 0
	}
	return db
}

// redactURLError drops the URL text from a parse error, since the URL may hold a password.
func redactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
