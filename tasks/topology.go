package tasks

import (
	"fmt"
	"time"

	mconfig "github.com/RichardKnop/machinery/v2/config"
	amqp "github.com/rabbitmq/amqp091-go"
)

// Topology names the RabbitMQ objects tasks travel on. The task queue is named after its
// binding key on a direct exchange, which is where Machinery's own publisher would put a
// signature, so a stock Machinery client and tweetflow agree on every message's route.
type Topology struct {
	// Exchange is the durable direct exchange tasks are published to.
	Exchange string
	// Queue is the durable task queue and its binding key.
	Queue string
	// DeadExchange receives messages no worker can run; DeadQueue keeps them.
	DeadExchange string
	// DeadQueue is the durable queue operators list and requeue dead letters from.
	DeadQueue string
	// Delays are the retry delays, one delay queue each; nil means RetryDelays.
	Delays []time.Duration
}

// delays returns the retry delays in force, shortest first.
func (t Topology) delays() []time.Duration {
	if len(t.Delays) == 0 {
		return RetryDelays
	}
	return t.Delays
}

// DefaultTopology is the topology both programs use.
var DefaultTopology = Topology{
	Exchange:     "tweetflow",
	Queue:        "tweetflow.tasks",
	DeadExchange: "tweetflow.dead",
	DeadQueue:    "tweetflow.dead",
}

// QueueArgs are the task queue's declare arguments. Every declaration of the queue, ours
// or Machinery's, must pass the same ones, or RabbitMQ refuses it.
func (t Topology) QueueArgs() amqp.Table {
	return amqp.Table{"x-dead-letter-exchange": t.DeadExchange}
}

// Declare creates the exchanges and queues if they do not exist yet. It is idempotent.
func (t Topology) Declare(ch *amqp.Channel) error {
	steps := []struct {
		what string
		do   func() error
	}{
		{"exchange " + t.Exchange, func() error {
			return ch.ExchangeDeclare(t.Exchange, amqp.ExchangeDirect, true, false, false, false, nil)
		}},
		{"exchange " + t.DeadExchange, func() error {
			return ch.ExchangeDeclare(t.DeadExchange, amqp.ExchangeFanout, true, false, false, false, nil)
		}},
		{"queue " + t.Queue, func() error {
			_, err := ch.QueueDeclare(t.Queue, true, false, false, false, t.QueueArgs())
			return err
		}},
		{"queue " + t.DeadQueue, func() error {
			_, err := ch.QueueDeclare(t.DeadQueue, true, false, false, false, nil)
			return err
		}},
		{"binding " + t.Queue, func() error { return ch.QueueBind(t.Queue, t.Queue, t.Exchange, false, nil) }},
		{"binding " + t.DeadQueue, func() error { return ch.QueueBind(t.DeadQueue, "", t.DeadExchange, false, nil) }},
	}
	for _, d := range t.delays() {
		name, args := t.DelayQueue(d), t.delayQueueArgs(d)
		steps = append(steps, struct {
			what string
			do   func() error
		}{"queue " + name, func() error {
			_, err := ch.QueueDeclare(name, true, false, false, false, args)
			return err
		}})
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			return fmt.Errorf("declare %s: %w", s.what, err)
		}
	}
	return nil
}

// MachineryConfig returns the Machinery configuration matching t: the same exchange, queue
// and queue arguments, prefetch equal to concurrency, and no signal handling of its own.
func (t Topology) MachineryConfig(brokerURL, resultBackend string, concurrency int) *mconfig.Config {
	args := mconfig.QueueDeclareArgs{}
	for k, v := range t.QueueArgs() {
		args[k] = v
	}
	return &mconfig.Config{
		Broker:        brokerURL,
		DefaultQueue:  t.Queue,
		ResultBackend: resultBackend,
		NoUnixSignals: true,
		AMQP: &mconfig.AMQPConfig{
			Exchange:         t.Exchange,
			ExchangeType:     amqp.ExchangeDirect,
			BindingKey:       t.Queue,
			QueueDeclareArgs: args,
			PrefetchCount:    concurrency,
		},
	}
}
