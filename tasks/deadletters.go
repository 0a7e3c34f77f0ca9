package tasks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
)

// deadLetterConnectTimeout bounds how long the operator's tool waits for the broker.
const deadLetterConnectTimeout = 30 * time.Second

// DeadLetter is one message of the dead-letter queue as an operator sees it.
type DeadLetter struct {
	// MessageID is the AMQP message id; for a signature it is the task's UUID.
	MessageID string
	// Task is the name the body's signature gives, "" when the body is not a signature.
	Task string
	// Reason says why the message is dead: the consumer's x-tweetflow-reason or, when the
	// queue dead-lettered it itself, RabbitMQ's x-death reason and queue. "" when unknown.
	Reason string
	// DeadAt is when the message was dead-lettered, zero when unknown.
	DeadAt time.Time
	// Bytes is the size of the body.
	Bytes int
}

// DescribeDeadLetter returns what d says about itself as a dead letter. It never fails: a
// part it cannot read stays empty.
func DescribeDeadLetter(d amqp.Delivery) DeadLetter {
	dl := DeadLetter{MessageID: d.MessageId, Bytes: len(d.Body)}
	dl.Task, _ = signatureTask(d.Body)
	dl.Reason, _ = d.Headers[HeaderDeadReason].(string)
	if at, ok := d.Headers[HeaderDeadAt].(string); ok {
		dl.DeadAt, _ = time.Parse(time.RFC3339, at)
	}
	reason, at := lastDeath(d.Headers)
	if dl.Reason == "" {
		dl.Reason = reason
	}
	if dl.DeadAt.IsZero() {
		dl.DeadAt = at
	}
	return dl
}

// signatureTask returns the task name of the signature body holds, decoded the way the
// consumer decodes it; ok is false when body is not a signature with a name.
func signatureTask(body []byte) (name string, ok bool) {
	if len(bytes.TrimSpace(body)) == 0 {
		return "", false
	}
	var sig mtasks.Signature
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&sig); err != nil {
		return "", false
	}
	return sig.Name, sig.Name != ""
}

// lastDeath reads the newest entry of RabbitMQ's x-death header: "rejected from QUEUE" and
// its time. Both are empty when the header is missing or malformed.
func lastDeath(h amqp.Table) (reason string, at time.Time) {
	deaths, _ := h["x-death"].([]any)
	if len(deaths) == 0 {
		return "", time.Time{}
	}
	death, _ := deaths[0].(amqp.Table)
	why, _ := death["reason"].(string)
	queue, _ := death["queue"].(string)
	at, _ = death["time"].(time.Time)
	switch {
	case why != "" && queue != "":
		reason = why + " from " + queue
	case why != "":
		reason = why
	}
	return reason, at.UTC()
}

// DeadLetters lists, requeues and drops the messages of a topology's dead-letter queue.
// Each call opens its own connection and closes it before returning.
type DeadLetters struct {
	topo   Topology
	log    *zap.Logger
	dialer *dialer
}

// NewDeadLetters returns the dead-letter tool for brokerURL and topo; name labels its
// connections in RabbitMQ's management UI.
func NewDeadLetters(brokerURL, name string, topo Topology, log *zap.Logger) *DeadLetters {
	return &DeadLetters{topo: topo, log: log, dialer: newDialer(brokerURL, name, log)}
}

// List returns the dead letters that are ready in the queue, oldest first, at most limit of
// them (0: all), and leaves the queue as it was. It takes each message with basic.get and
// manual acknowledgement, and at the end returns them all at once; RabbitMQ puts returned
// messages back in their places. While List runs, other readers of the dead-letter queue do
// not see the messages it holds.
func (q *DeadLetters) List(ctx context.Context, limit int) ([]DeadLetter, error) {
	s, err := q.open(ctx)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var out []DeadLetter
	var last uint64
	for limit <= 0 || len(out) < limit {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("list dead letters: %w", err)
		}
		d, ok, err := s.get()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		last = d.DeliveryTag
		out = append(out, DescribeDeadLetter(d))
	}
	if err := s.giveBack(last); err != nil {
		return nil, err
	}
	return out, nil
}

// deadSession is one connection and confirm-mode channel of the dead-letter tool.
type deadSession struct {
	queue   string
	conn    *amqp.Connection
	ch      *amqp.Channel
	returns chan amqp.Return
}

// open connects, declares the topology and puts the channel in confirm mode, with
// unroutable mandatory publishings reported on returns.
func (q *DeadLetters) open(ctx context.Context) (*deadSession, error) {
	dialCtx, cancel := context.WithTimeout(ctx, deadLetterConnectTimeout)
	defer cancel()
	conn, err := q.dialer.dial(dialCtx)
	if err != nil {
		return nil, err
	}
	ch, err := openConfirmChannel(conn, q.topo)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	returns := ch.NotifyReturn(make(chan amqp.Return, 1))
	return &deadSession{queue: q.topo.DeadQueue, conn: conn, ch: ch, returns: returns}, nil
}

// get takes the next ready dead letter with manual acknowledgement; ok is false when none
// is ready.
func (s *deadSession) get() (amqp.Delivery, bool, error) {
	d, ok, err := s.ch.Get(s.queue, false) // manual ack
	if err != nil {
		return d, false, fmt.Errorf("get from %s: %w", s.queue, err)
	}
	return d, ok, nil
}

// ready returns how many messages are ready in the dead-letter queue.
func (s *deadSession) ready() (int, error) {
	q, err := s.ch.QueueDeclarePassive(s.queue, true, false, false, false, nil) // as Declare made it
	if err != nil {
		return 0, fmt.Errorf("inspect %s: %w", s.queue, err)
	}
	return q.Messages, nil
}

// giveBack returns every unacknowledged delivery up to and including tag to the queue, in
// their places; tag 0 returns nothing.
func (s *deadSession) giveBack(tag uint64) error {
	if tag == 0 {
		return nil
	}
	if err := s.ch.Nack(tag, true, true); err != nil { // all up to tag, requeue
		return fmt.Errorf("return dead letters to %s: %w", s.queue, err)
	}
	return nil
}

// close ends the connection; the broker returns what is still unacknowledged to the queue.
func (s *deadSession) close() { _ = s.conn.Close() }
