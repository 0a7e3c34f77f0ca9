package tasks

import (
	"context"
	"fmt"
	"sync"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
)

// Headers a dead letter carries besides the original message's own.
const (
	HeaderDeadReason = "x-tweetflow-reason"
	HeaderDeadAt     = "x-tweetflow-dead-at"
)

// rerouter sends messages that leave the task queue otherwise than by running: dead letters
// to the dead-letter exchange and retries to a delay queue. It publishes on a confirm-mode
// channel of its own and acknowledges the original only once the copy is confirmed.
type rerouter struct {
	topo Topology
	mu   sync.Mutex
	ch   *amqp.Channel
}

func newRerouter(conn *amqp.Connection, topo Topology) (*rerouter, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, fmt.Errorf("open reroute channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		return nil, fmt.Errorf("enable confirms on reroute channel: %w", err)
	}
	return &rerouter{topo: topo, ch: ch}, nil
}

// deadLetter republishes d with the reason to the dead-letter exchange and, once
// confirmed, acks d alone. Should that publish fail, d is rejected without requeue, so the
// queue's own dead-letter exchange still takes it (with RabbitMQ's x-death header instead
// of a reason).
func (r *rerouter) deadLetter(d amqp.Delivery, reason string, log *zap.Logger) {
	log = log.With(zap.String("message_id", d.MessageId), zap.Int("bytes", len(d.Body)),
		zap.String("reason", reason))
	headers := amqp.Table{}
	for k, v := range d.Headers {
		headers[k] = v
	}
	headers[HeaderDeadReason] = reason
	headers[HeaderDeadAt] = time.Now().UTC().Format(time.RFC3339)
	msg := amqp.Publishing{
		Headers: headers, ContentType: d.ContentType, DeliveryMode: amqp.Persistent,
		MessageId: d.MessageId, Body: d.Body,
	}
	if err := r.publish(r.topo.DeadExchange, d.RoutingKey, msg); err != nil {
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

// retry sends the task back through the delay queue for wait and acks d. When that publish
// fails, d is returned to the task queue at once instead: an early retry, never a lost one.
func (r *rerouter) retry(d amqp.Delivery, sig *mtasks.Signature, wait time.Duration, log *zap.Logger) {
	delay := r.topo.delayFor(wait)
	msg, err := retryMessage(sig, delay)
	if err == nil {
		err = r.publish("", r.topo.DelayQueue(delay), msg) // the default exchange routes by queue name
	}
	if err != nil {
		log.Warn("could not delay the retry; returning the task to the queue", zap.String("task_id", sig.UUID),
			zap.Error(err))
		_ = d.Nack(false, true)
		return
	}
	if err := d.Ack(false); err != nil {
		log.Warn("ack of retried task failed; it may run twice", zap.String("task_id", sig.UUID), zap.Error(err))
	}
}

func (r *rerouter) publish(exchange, key string, msg amqp.Publishing) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	dc, err := r.ch.PublishWithDeferredConfirmWithContext(ctx, exchange, key,
		false, false, msg) // not mandatory, not immediate
	if err != nil {
		return err
	}
	ok, err := dc.WaitContext(ctx)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("broker nacked the message")
	}
	return nil
}
