package tasks

import (
	"context"
	"fmt"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
)

// Headers a dead letter carries besides the original message's own.
const (
	HeaderDeadReason = "x-tweetflow-reason"
	HeaderDeadAt     = "x-tweetflow-dead-at"
)

// deadLetterer moves a message that cannot run to the dead-letter exchange, alone.
type deadLetterer struct {
	topo Topology
	mu   sync.Mutex
	ch   *amqp.Channel
}

func newDeadLetterer(conn *amqp.Connection, topo Topology) (*deadLetterer, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("open dead-letter channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		return nil, fmt.Errorf("enable confirms on dead-letter channel: %w", err)
	}
	return &deadLetterer{topo: topo, ch: ch}, nil
}

// send republishes d with the reason to the dead-letter exchange and, once confirmed, acks
// d alone. Should that publish fail, d is rejected without requeue, so the queue's own
// dead-letter exchange still takes it (with RabbitMQ's x-death header instead of a reason).
func (dl *deadLetterer) send(d amqp.Delivery, reason string, log *zap.Logger) {
	log = log.With(zap.String("message_id", d.MessageId), zap.Int("bytes", len(d.Body)),
		zap.String("reason", reason))
	if err := dl.publish(d, reason); err != nil {
		log.Warn("message rejected to the dead-letter queue", zap.NamedError("publish_error", err))
		_ = d.Nack(false, false) // this message only, no requeue
		return
	}
	if err := d.Ack(false); err != nil {
		log.Warn("ack of dead-lettered message failed; it may be dead-lettered twice", zap.Error(err))
		return
	}
	log.Warn("message dead-lettered")
}

func (dl *deadLetterer) publish(d amqp.Delivery, reason string) error {
	headers := amqp.Table{}
	for k, v := range d.Headers {
		headers[k] = v
	}
	headers[HeaderDeadReason] = reason
	headers[HeaderDeadAt] = time.Now().UTC().Format(time.RFC3339)
	dl.mu.Lock()
	defer dl.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dc, err := dl.ch.PublishWithDeferredConfirmWithContext(ctx, dl.topo.DeadExchange, d.RoutingKey,
		false, false, amqp.Publishing{ // not mandatory, not immediate
			Headers: headers, ContentType: d.ContentType, DeliveryMode: amqp.Persistent,
			MessageId: d.MessageId, Body: d.Body,
		})
	if err != nil {
		return err
	}
	ok, err := dc.WaitContext(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("broker nacked the dead letter")
	}
	return nil
}
