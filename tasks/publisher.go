package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
)

// HeaderPublishedAt is the signature header holding the publish time (RFC 3339, UTC), from
// which workers measure how long a task waited in the queue.
const HeaderPublishedAt = "tweetflow-published-at"

// Publisher sends signatures to the task queue in Machinery's message format: the JSON of
// the signature, its headers as AMQP headers, persistent delivery. Unlike Machinery's own
// publisher it pipelines publisher confirms over a whole batch, and after any channel or
// connection error it reconnects and resends what was not confirmed.
type Publisher struct {
	topo   Topology
	log    *zap.Logger
	dialer *dialer

	mu   sync.Mutex
	conn *amqp.Connection
	ch   *amqp.Channel
}

// NewPublisher returns a publisher for brokerURL; it connects on first use. name labels the
// connection in RabbitMQ's management UI.
func NewPublisher(brokerURL, name string, topo Topology, log *zap.Logger) *Publisher {
	return &Publisher{topo: topo, log: log, dialer: newDialer(brokerURL, name, log)}
}

// Publish sends sigs and returns nil once the broker has confirmed every one. It retries
// through broker outages until ctx ends; a signature may then reach the queue twice, which
// the workers tolerate. The error says how many were left unconfirmed.
func (p *Publisher) Publish(ctx context.Context, sigs ...*mtasks.Signature) error {
	msgs, err := p.encode(sigs)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pending := msgs
	bo := newReconnectBackoff()
	for {
		pending, err = p.publishOnce(ctx, pending)
		if len(pending) == 0 {
			return nil
		}
		p.closeLocked()
		if errors.Is(err, ErrBrokerRefused) || ctx.Err() != nil {
			return fmt.Errorf("publish: %d of %d signatures unconfirmed: %w", len(pending), len(msgs), err)
		}
		wait := bo.NextBackOff()
		p.log.Warn("publish interrupted, will resend",
			zap.Int("unconfirmed", len(pending)), zap.String("error", err.Error()),
			zap.Time("next_attempt", time.Now().Add(wait).UTC()))
		if waitErr := sleepCtx(ctx, wait); waitErr != nil {
			return fmt.Errorf("publish: %d of %d signatures unconfirmed: %w", len(pending), len(msgs), err)
		}
	}
}

// Connect opens the connection now, waiting for the broker with capped backoff until ctx
// ends, so that a program learns at start whether the broker is there.
func (p *Publisher) Connect(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ensureLocked(ctx)
}

func (p *Publisher) encode(sigs []*mtasks.Signature) ([]amqp.Publishing, error) {
	now := time.Now().UTC().Format(time.RFC3339Nano)
	msgs := make([]amqp.Publishing, len(sigs))
	for i, sig := range sigs {
		sig.RoutingKey = p.topo.Queue
		if sig.Headers == nil {
			sig.Headers = mtasks.Headers{}
		}
		sig.Headers[HeaderPublishedAt] = now
		body, err := jsonSignature(sig)
		if err != nil {
			return nil, err
		}
		msgs[i] = amqp.Publishing{
			Headers:      amqp.Table(sig.Headers),
			ContentType:  "application/json",
			DeliveryMode: amqp.Persistent,
			Priority:     sig.Priority,
			MessageId:    sig.UUID,
			Body:         body,
		}
	}
	return msgs, nil
}

func jsonSignature(sig *mtasks.Signature) ([]byte, error) {
	body, err := json.Marshal(sig)
	if err != nil {
		return nil, fmt.Errorf("encode signature %s: %w", sig.UUID, err)
	}
	return body, nil
}

// publishOnce publishes msgs on the current channel and waits for their confirms. It
// returns the messages the broker did not confirm.
func (p *Publisher) publishOnce(ctx context.Context, msgs []amqp.Publishing) ([]amqp.Publishing, error) {
	if err := p.ensureLocked(ctx); err != nil {
		return msgs, err
	}
	confirms := make([]*amqp.DeferredConfirmation, 0, len(msgs))
	for i := range msgs {
		dc, err := p.ch.PublishWithDeferredConfirmWithContext(ctx, p.topo.Exchange, p.topo.Queue,
			false, false, msgs[i]) // not mandatory, not immediate: the queue is declared
		if err != nil {
			_ = p.ch.Close() // settles the outstanding confirms, acked or not
			return append(unconfirmed(msgs[:i], confirms), msgs[i:]...), fmt.Errorf("publish: %w", err)
		}
		confirms = append(confirms, dc)
	}
	var failed []amqp.Publishing
	var firstErr error
	for i, dc := range confirms {
		ok, err := dc.WaitContext(ctx)
		if err != nil || !ok {
			failed = append(failed, msgs[i])
			if firstErr == nil {
				firstErr = confirmError(err)
			}
		}
	}
	return failed, firstErr
}

// unconfirmed returns the messages among sent that the broker did not ack. The channel must
// be closed already, so that every confirmation is settled.
func unconfirmed(sent []amqp.Publishing, confirms []*amqp.DeferredConfirmation) []amqp.Publishing {
	var out []amqp.Publishing
	for i := range sent {
		if ok, err := confirms[i].WaitContext(context.Background()); err != nil || !ok {
			out = append(out, sent[i])
		}
	}
	return out
}

func confirmError(err error) error {
	if err != nil {
		return fmt.Errorf("wait for confirm: %w", err)
	}
	return errors.New("broker rejected (nacked) a message")
}

func (p *Publisher) ensureLocked(ctx context.Context) error {
	if p.ch != nil && !p.ch.IsClosed() {
		return nil
	}
	p.closeLocked()
	conn, err := p.dialer.dial(ctx)
	if err != nil {
		return err
	}
	ch, err := openConfirmChannel(conn, p.topo)
	if err != nil {
		_ = conn.Close()
		return err
	}
	p.conn, p.ch = conn, ch
	return nil
}

func openConfirmChannel(conn *amqp.Connection, topo Topology) (*amqp.Channel, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("open channel: %w", err)
	}
	if err := topo.Declare(ch); err != nil {
		return nil, err
	}
	if err := ch.Confirm(false); err != nil {
		return nil, fmt.Errorf("enable publisher confirms: %w", err)
	}
	return ch, nil
}

func (p *Publisher) closeLocked() {
	if p.conn != nil {
		_ = p.conn.Close()
	}
	p.conn, p.ch = nil, nil
}

// Close closes the connection, if one is open.
func (p *Publisher) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closeLocked()
}
