package tasks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
)

// requeueConfirmTimeout bounds the wait for the broker's confirm of one republished message.
const requeueConfirmTimeout = 30 * time.Second

// deathHeaders are the headers a dead letter gained on its way to the dead-letter queue;
// a requeued message leaves them behind.
var deathHeaders = []string{
	HeaderDeadReason, HeaderDeadAt, "x-death",
	"x-first-death-exchange", "x-first-death-queue", "x-first-death-reason",
	"x-last-death-exchange", "x-last-death-queue", "x-last-death-reason",
}

// ErrNoSelection is returned by Requeue and Drop when MoveOptions name no message.
var ErrNoSelection = errors.New("no dead letters selected: neither all nor ids given")

// MoveOptions select the dead letters Requeue or Drop takes.
type MoveOptions struct {
	// All takes every dead letter; otherwise IDs names them by message id. Exactly one of
	// the two must be given. Every message with a listed id is taken.
	All bool
	IDs []string
	// Limit stops after that many messages were moved; 0 means no limit.
	Limit int
	// Unrunnable lets Requeue also move a message whose body is not a signature or names a
	// task Known does not know, for a worker deployed since that knows it. Without it such
	// messages are skipped and stay dead.
	Unrunnable bool
	// Known reports whether workers run a task of that name; nil knows FetchSourceTask only.
	Known func(name string) bool
	// Moved, when set, is called after each message was moved: republished, confirmed and
	// acknowledged (Requeue), or acknowledged (Drop).
	Moved func(DeadLetter)
}

func (o MoveOptions) validate() error {
	switch {
	case o.All && len(o.IDs) > 0:
		return errors.New("select all dead letters or some ids, not both")
	case !o.All && len(o.IDs) == 0:
		return ErrNoSelection
	case o.Limit < 0:
		return fmt.Errorf("limit %d is negative", o.Limit)
	}
	return nil
}

func (o MoveOptions) selects(id string) bool { return o.All || slices.Contains(o.IDs, id) }

// runnable reports whether a worker could run body: a signature naming a known task.
func (o MoveOptions) runnable(body []byte) bool {
	name, ok := signatureTask(body)
	if !ok {
		return false
	}
	if o.Known == nil {
		return name == FetchSourceTask
	}
	return o.Known(name)
}

// MoveResult is what Requeue or Drop did.
type MoveResult struct {
	// Moved are the dead letters requeued or dropped, in queue order.
	Moved []DeadLetter
	// Skipped were selected but left in the dead-letter queue, as not runnable.
	Skipped []DeadLetter
	// Missing are the ids asked for that no dead letter has. It is empty when the run
	// stopped before the end of the queue.
	Missing []string
}

// Requeue moves the selected dead letters back to the task queue, oldest first. Each is
// republished to the task exchange without its death headers and acknowledged in the
// dead-letter queue only once the broker confirmed the republish, so a tool that dies
// midway loses nothing (a message may then be in both queues). It looks at the messages
// that were ready when it started, so a message dead-lettered again meanwhile is not taken
// twice. ctx ending stops it after the message in hand; the rest stay dead, in their places.
func (q *DeadLetters) Requeue(ctx context.Context, opts MoveOptions) (MoveResult, error) {
	return q.move(ctx, opts, action{"requeue", "requeued", func(s *deadSession, d amqp.Delivery) error {
		return s.republish(ctx, q.topo, d)
	}})
}

// Drop deletes the selected dead letters for good (unrunnable ones too), oldest first.
// Like Requeue it looks only at the messages ready when it started.
func (q *DeadLetters) Drop(ctx context.Context, opts MoveOptions) (MoveResult, error) {
	opts.Unrunnable = true
	return q.move(ctx, opts, action{"drop", "dropped", func(_ *deadSession, d amqp.Delivery) error {
		if err := d.Ack(false); err != nil {
			return fmt.Errorf("ack: %w", err)
		}
		return nil
	}})
}

// action is what move does to each selected dead letter.
type action struct {
	verb, past string // "requeue", "requeued"
	do         func(*deadSession, amqp.Delivery) error
}

// move walks the messages ready at its start, applies act to the selected ones and returns
// the others to the queue, in their places.
func (q *DeadLetters) move(ctx context.Context, opts MoveOptions, act action) (MoveResult, error) {
	if err := opts.validate(); err != nil {
		return MoveResult{}, err
	}
	s, err := q.open(ctx)
	if err != nil {
		return MoveResult{}, err
	}
	defer s.close()
	w := &mover{opts: opts, act: act, s: s, log: q.log, found: map[string]bool{}}
	if err := w.run(ctx); err != nil {
		return w.res, err
	}
	if err := s.giveBack(w.held); err != nil {
		return w.res, err
	}
	return w.res, nil
}

// mover is the state of one Requeue or Drop run.
type mover struct {
	opts  MoveOptions
	act   action
	s     *deadSession
	log   *zap.Logger
	res   MoveResult
	found map[string]bool
	held  uint64 // the newest delivery tag kept for returning to the queue
}

func (w *mover) run(ctx context.Context) error {
	n, err := w.s.ready()
	if err != nil {
		return err
	}
	for range n {
		if w.opts.Limit > 0 && len(w.res.Moved) >= w.opts.Limit {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("%s dead letters: stopped after %d: %w", w.act.verb, len(w.res.Moved), err)
		}
		d, ok, err := w.s.get()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := w.take(d); err != nil {
			return err
		}
	}
	w.res.Missing = w.missing()
	return nil
}

// take moves d if it is selected and may move, and holds it otherwise.
func (w *mover) take(d amqp.Delivery) error {
	dl := DescribeDeadLetter(d)
	if !w.opts.selects(d.MessageId) {
		w.held = d.DeliveryTag
		return nil
	}
	w.found[d.MessageId] = true
	if !w.opts.Unrunnable && !w.opts.runnable(d.Body) {
		w.res.Skipped = append(w.res.Skipped, dl)
		w.held = d.DeliveryTag
		return nil
	}
	if err := w.act.do(w.s, d); err != nil {
		return fmt.Errorf("%s dead letter %q: %w", w.act.verb, d.MessageId, err)
	}
	w.res.Moved = append(w.res.Moved, dl)
	w.log.Info("dead letter "+w.act.past, zap.String("message_id", dl.MessageID),
		zap.String("task", dl.Task), zap.Int("bytes", dl.Bytes))
	if w.opts.Moved != nil {
		w.opts.Moved(dl)
	}
	return nil
}

func (w *mover) missing() []string {
	var out []string
	for _, id := range w.opts.IDs {
		if !w.found[id] && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// republish sends d to the task queue and, once the broker confirmed it, acknowledges d.
// The wait is not cut short by ctx: an abandoned confirm would leave the message in both
// queues. A publishing the broker cannot route comes back (mandatory) and d stays dead.
func (s *deadSession) republish(ctx context.Context, topo Topology, d amqp.Delivery) error {
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), requeueConfirmTimeout)
	defer cancel()
	dc, err := s.ch.PublishWithDeferredConfirmWithContext(pctx, topo.Exchange, topo.Queue,
		true, false, requeuedPublishing(d)) // mandatory, not immediate
	if err != nil {
		return fmt.Errorf("publish to %s: %w", topo.Exchange, err)
	}
	ok, err := dc.WaitContext(pctx)
	if err != nil {
		return fmt.Errorf("wait for confirm: %w", err)
	}
	if !ok {
		return errors.New("broker nacked the republished message")
	}
	select { // a return precedes its confirm, so it has arrived by now if there is one
	case r := <-s.returns:
		return fmt.Errorf("broker could not route it to %s: %s", topo.Queue, r.ReplyText)
	default:
	}
	if err := d.Ack(false); err != nil {
		return fmt.Errorf("ack: %w", err)
	}
	return nil
}

// requeuedPublishing is d as it was published to the task queue: the same body and
// properties, persistent, without the death headers. UserId is left out because the broker
// refuses one that is not the connection's user, Expiration because it has run out once.
func requeuedPublishing(d amqp.Delivery) amqp.Publishing {
	headers := amqp.Table{}
	for k, v := range d.Headers {
		if !slices.Contains(deathHeaders, k) {
			headers[k] = v
		}
	}
	return amqp.Publishing{
		Headers:         headers,
		ContentType:     d.ContentType,
		ContentEncoding: d.ContentEncoding,
		DeliveryMode:    amqp.Persistent,
		Priority:        d.Priority,
		CorrelationId:   d.CorrelationId,
		ReplyTo:         d.ReplyTo,
		MessageId:       d.MessageId,
		Timestamp:       d.Timestamp,
		Type:            d.Type,
		AppId:           d.AppId,
		Body:            d.Body,
	}
}
