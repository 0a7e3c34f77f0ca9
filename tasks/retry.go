package tasks

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	amqp "github.com/rabbitmq/amqp091-go"
)

// HeaderAttempt is the signature header counting how often a task was sent back to run
// again; absent on the first run.
const HeaderAttempt = "tweetflow-attempt"

// RetryDelays are the waits a retried task can be given. Each has a delay queue of its own,
// whose messages all wait about as long, so none waits behind a longer one; a longer wait is
// not slept through inside a task (that would hold the message towards RabbitMQ's consumer
// timeout) but spent in the queue.
var RetryDelays = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 15 * time.Minute}

// jitter spreads retries over ±jitter of their delay, so that tasks failing together do not
// come back together. A message waits at most that much behind another in its queue.
const jitter = 0.2

// RetryLater is returned by a task function that wants to run again after After. The
// consumer republishes the task to the delay queue nearest After and acknowledges it.
type RetryLater struct {
	After time.Duration
	Err   error
}

func (r *RetryLater) Error() string { return fmt.Sprintf("retry in %s: %v", r.After, r.Err) }

func (r *RetryLater) Unwrap() error { return r.Err }

// Attempt is how often the signature was retried so far: 0 on its first run.
func Attempt(sig *mtasks.Signature) int {
	switch v := sig.Headers[HeaderAttempt].(type) {
	case string:
		n, _ := strconv.Atoi(v)
		return n
	case float64:
		return int(v)
	case interface{ Int64() (int64, error) }:
		n, _ := v.Int64()
		return int(n)
	default:
		return 0
	}
}

// delayFor picks the delay queue for a wanted wait: the shortest delay not below it, or
// the longest one.
func (t Topology) delayFor(want time.Duration) time.Duration {
	delays := t.delays()
	for _, d := range delays {
		if d >= want {
			return d
		}
	}
	return delays[len(delays)-1]
}

// DelayQueue names the delay queue of d.
func (t Topology) DelayQueue(d time.Duration) string { return t.Queue + ".delay." + d.String() }

// delayQueueArgs make a delay queue hold messages for d and then dead-letter them back to
// the task queue.
func (t Topology) delayQueueArgs(d time.Duration) amqp.Table {
	return amqp.Table{
		"x-message-ttl":             d.Milliseconds(),
		"x-dead-letter-exchange":    t.Exchange,
		"x-dead-letter-routing-key": t.Queue,
	}
}

// retryMessage is the task's message sent back for another attempt: the signature with its
// attempt count raised, expiring in its delay queue after about d.
func retryMessage(sig *mtasks.Signature, d time.Duration) (amqp.Publishing, error) {
	if sig.Headers == nil {
		sig.Headers = mtasks.Headers{}
	}
	sig.Headers[HeaderAttempt] = strconv.Itoa(Attempt(sig) + 1)
	body, err := jsonSignature(sig)
	if err != nil {
		return amqp.Publishing{}, err
	}
	spread := 1 + jitter*(2*rand.Float64()-1) //nolint:gosec // spreading retries needs no secret randomness
	return amqp.Publishing{
		Headers: amqp.Table(sig.Headers), ContentType: "application/json", DeliveryMode: amqp.Persistent,
		MessageId: sig.UUID, Body: body,
		Expiration: strconv.FormatInt(int64(float64(d.Milliseconds())*spread), 10),
	}, nil
}
