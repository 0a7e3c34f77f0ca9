package tasks

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
)

// Reconnect bounds: the first retry comes quickly, later ones no further apart than
// maxReconnectWait, and the sequence starts again at the minimum after each recovery.
const (
	minReconnectWait = 500 * time.Millisecond
	maxReconnectWait = 30 * time.Second
)

// ErrBrokerRefused marks a connection the broker refused for good (bad credentials or an
// unknown vhost): retrying cannot help, the configuration must change.
var ErrBrokerRefused = errors.New("broker refused the connection")

func newReconnectBackoff() *backoff.ExponentialBackOff {
	return &backoff.ExponentialBackOff{
		InitialInterval:     minReconnectWait,
		RandomizationFactor: 0.2,
		Multiplier:          2,
		MaxInterval:         maxReconnectWait,
	}
}

// dialer opens AMQP connections, waiting out a broker that is not up yet.
type dialer struct {
	url  string
	name string // connection_name shown in the management UI
	log  *zap.Logger
	bo   *backoff.ExponentialBackOff
}

func newDialer(url, name string, log *zap.Logger) *dialer {
	return &dialer{url: url, name: name, log: log, bo: newReconnectBackoff()}
}

// dial connects, retrying with capped backoff until ctx ends. Each failed attempt logs one
// line with the time of the next. A refusal for credentials or vhost is returned at once.
func (d *dialer) dial(ctx context.Context) (*amqp.Connection, error) {
	for attempt := 1; ; attempt++ {
		conn, err := amqp.DialConfig(d.url, amqp.Config{
			Properties: amqp.Table{"connection_name": d.name},
			Heartbeat:  10 * time.Second,
			Locale:     "en_US",
		})
		if err == nil {
			d.bo.Reset()
			return conn, nil
		}
		err = redactURLError(err)
		if refused(err) {
			return nil, fmt.Errorf("%w: %w", ErrBrokerRefused, err)
		}
		wait := d.bo.NextBackOff()
		d.log.Warn("broker unreachable, will retry",
			zap.Int("attempt", attempt), zap.String("error", err.Error()),
			zap.Time("next_attempt", time.Now().Add(wait).UTC()))
		if waitErr := sleepCtx(ctx, wait); waitErr != nil {
			return nil, fmt.Errorf("connect to broker: %w (last error: %w)", waitErr, err)
		}
	}
}

func refused(err error) bool {
	if errors.Is(err, amqp.ErrCredentials) || errors.Is(err, amqp.ErrVhost) {
		return true
	}
	var ae *amqp.Error
	return errors.As(err, &ae) && (ae.Code == amqp.AccessRefused || ae.Code == amqp.NotAllowed)
}

// sleepCtx waits d or until ctx ends, whichever is first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
