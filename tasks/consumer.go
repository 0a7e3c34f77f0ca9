package tasks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"
	"go.uber.org/zap"
)

// TaskRunner runs one decoded signature; Runner is the implementation workers use.
type TaskRunner interface {
	Known(name string) bool
	Run(ctx context.Context, sig *mtasks.Signature) error
}

// ConsumerConfig configures a Consumer.
type ConsumerConfig struct {
	// BrokerURL is the AMQP URL; Name labels the connection in the management UI.
	BrokerURL, Name string
	Topology        Topology
	// Concurrency is how many tasks run at once; the prefetch count is the same.
	Concurrency int
	// Grace is how long a stopping consumer waits for running tasks before cancelling them.
	Grace  time.Duration
	Runner TaskRunner
	Log    *zap.Logger
	// Observer, when set, is told about every delivery; for metrics.
	Observer Observer
}

// ErrGraceExceeded is returned by Run when running tasks outlived the shutdown grace
// period and were cancelled; their messages return to the queue.
var ErrGraceExceeded = errors.New("running tasks outlived the shutdown grace period")

// Consumer takes signatures off the task queue and runs them. It replaces Machinery's AMQP
// consume loop, which its defects make unfit for a long-running service: a message is
// acknowledged only after its task returned, one that cannot run is dead-lettered alone with
// the reason, a lost connection is re-established with capped backoff, and stopping is
// graceful within a bounded time.
type Consumer struct {
	cfg    ConsumerConfig
	dialer *dialer
	up     atomic.Bool
}

// ErrNotConsuming is Healthy's answer while the consumer is not subscribed to the queue.
var ErrNotConsuming = errors.New("not subscribed to the task queue (broker unreachable?)")

// Healthy reports nil while the consumer is subscribed to the task queue.
func (c *Consumer) Healthy() error {
	if !c.up.Load() {
		return ErrNotConsuming
	}
	return nil
}

// NewConsumer returns a consumer for cfg.
func NewConsumer(cfg ConsumerConfig) *Consumer {
	if cfg.Observer == nil {
		cfg.Observer = nopObserver{}
	}
	return &Consumer{cfg: cfg, dialer: newDialer(cfg.BrokerURL, cfg.Name, cfg.Log)}
}

// Run consumes until ctx ends, then stops taking deliveries, lets running tasks finish
// within the grace period and returns nil (or ErrGraceExceeded). It returns an error only
// when the broker refuses the connection for good.
func (c *Consumer) Run(ctx context.Context) error {
	for {
		conn, err := c.dialer.dial(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		err = c.session(ctx, conn)
		_ = conn.Close()
		if ctx.Err() != nil || errors.Is(err, ErrGraceExceeded) {
			return err
		}
		c.cfg.Log.Warn("broker connection lost, reconnecting", zap.String("error", err.Error()))
	}
}

// session consumes on one connection until ctx ends or the connection or channel fails.
func (c *Consumer) session(ctx context.Context, conn *amqp.Connection) error {
	ch, deliveries, err := c.subscribe(conn)
	if err != nil {
		return err
	}
	reroute, err := newRerouter(conn, c.cfg.Topology)
	if err != nil {
		return err
	}
	taskCtx, cancelTasks := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelTasks()
	w := &workers{c: c, reroute: reroute, ctx: taskCtx}
	done := w.start(deliveries, c.cfg.Concurrency)
	connClosed := conn.NotifyClose(make(chan *amqp.Error, 1))
	chClosed := ch.NotifyClose(make(chan *amqp.Error, 1))
	c.cfg.Log.Info("consuming", zap.String("queue", c.cfg.Topology.Queue), zap.Int("concurrency", c.cfg.Concurrency))
	c.cfg.Observer.Consuming(true)
	c.up.Store(true)
	defer func() {
		c.up.Store(false)
		c.cfg.Observer.Consuming(false)
	}()

	select {
	case <-ctx.Done():
		w.stopping.Store(true)
		_ = ch.Cancel(c.cfg.Name, false) // no new deliveries
		return c.drain(done, cancelTasks)
	case e := <-connClosed:
		cancelTasks()
		<-done
		return fmt.Errorf("connection closed: %w", amqpErr(e))
	case e := <-chClosed:
		cancelTasks()
		<-done
		return fmt.Errorf("channel closed: %w", amqpErr(e))
	case <-done:
		return errors.New("the broker cancelled the consumer")
	}
}

func amqpErr(e *amqp.Error) error {
	if e == nil {
		return errors.New("closed without a reason")
	}
	return e
}

// drain waits for running tasks within the grace period, then cancels them.
func (c *Consumer) drain(done <-chan struct{}, cancelTasks context.CancelFunc) error {
	t := time.NewTimer(c.cfg.Grace)
	defer t.Stop()
	select {
	case <-done:
		return nil
	case <-t.C:
		cancelTasks()
		<-done
		return ErrGraceExceeded
	}
}

func (c *Consumer) subscribe(conn *amqp.Connection) (*amqp.Channel, <-chan amqp.Delivery, error) {
	ch, err := conn.Channel()
	if err != nil {
		return nil, nil, fmt.Errorf("open channel: %w", err)
	}
	if err := c.cfg.Topology.Declare(ch); err != nil {
		return nil, nil, err
	}
	if err := ch.Qos(c.cfg.Concurrency, 0, false); err != nil {
		return nil, nil, fmt.Errorf("set prefetch: %w", err)
	}
	deliveries, err := ch.Consume(c.cfg.Topology.Queue, c.cfg.Name,
		false, false, false, false, nil) // manual ack, not exclusive, no-local, wait, no args
	if err != nil {
		return nil, nil, fmt.Errorf("consume %s: %w", c.cfg.Topology.Queue, err)
	}
	return ch, deliveries, nil
}

// workers is the pool that handles the deliveries of one session.
type workers struct {
	c        *Consumer
	reroute  *rerouter
	ctx      context.Context
	stopping atomic.Bool
}

// start runs n goroutines over deliveries; the returned channel closes when all are done.
func (w *workers) start(deliveries <-chan amqp.Delivery, n int) <-chan struct{} {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			for d := range deliveries {
				w.handle(d)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

func (w *workers) handle(d amqp.Delivery) {
	log := w.c.cfg.Log
	if w.stopping.Load() || w.ctx.Err() != nil {
		_ = d.Nack(false, true) // stopping: back to the queue for another worker
		return
	}
	obs := w.c.cfg.Observer
	sig, code, reason := decodeDelivery(d, w.c.cfg.Runner)
	if code == "" {
		obs.Received(sig.Name)
		obs.Started(sig.Name, queueWait(sig))
		start := time.Now()
		err := w.c.cfg.Runner.Run(w.ctx, sig)
		obs.Finished(sig.Name, err, time.Since(start))
		if w.ctx.Err() != nil {
			_ = d.Nack(false, true) // cancelled by shutdown or a lost connection: run it again
			return
		}
		var later *RetryLater
		switch {
		case errors.Is(err, ErrBadArguments):
			code, reason = DeadBadArguments, err.Error()
		case errors.As(err, &later):
			obs.Retried(sig.Name)
			w.reroute.retry(d, sig, later.After, log)
			return
		}
	}
	if code != "" {
		obs.DeadLettered(code)
		w.reroute.deadLetter(d, reason, log)
		return
	}
	if err := d.Ack(false); err != nil {
		log.Warn("ack failed; the broker will redeliver the task", zap.String("task_id", sig.UUID), zap.Error(err))
	}
}

// decodeDelivery returns the signature a delivery carries, or why it cannot be run: a
// reason code from the Dead* set and the reason in words.
func decodeDelivery(d amqp.Delivery, r TaskRunner) (sig *mtasks.Signature, code, reason string) {
	if len(bytes.TrimSpace(d.Body)) == 0 {
		return nil, DeadEmpty, "empty message body"
	}
	sig, err := decodeSignature(d.Body)
	if err != nil {
		return nil, DeadUndecodable, "body is not a Machinery signature: " + err.Error()
	}
	if sig.Name == "" {
		return nil, DeadUndecodable, "signature has no task name"
	}
	if !r.Known(sig.Name) {
		return nil, DeadUnknownTask, fmt.Sprintf("no worker knows task %q", sig.Name)
	}
	return sig, "", ""
}

// queueWait is the time since the signature was published, -1 when unknown.
func queueWait(sig *mtasks.Signature) time.Duration {
	t := PublishedAt(sig)
	if t.IsZero() {
		return -1
	}
	return max(time.Since(t), 0)
}
