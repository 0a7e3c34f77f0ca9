package tasks

import "time"

// Reasons a message is dead-lettered, a fixed set fit for metric labels.
const (
	DeadEmpty        = "empty"
	DeadUndecodable  = "undecodable"
	DeadUnknownTask  = "unknown_task"
	DeadBadArguments = "bad_arguments"
)

// Observer is told what happens to the tasks a consumer takes: the place for task metrics.
// Task names passed to it are always registered ones.
type Observer interface {
	// Consuming reports whether the consumer is subscribed to the queue right now.
	Consuming(up bool)
	// Received is called for every delivery that names a registered task.
	Received(task string)
	// Started is called when the task function is called; queueWait is the time since
	// the signature was published, negative when unknown.
	Started(task string, queueWait time.Duration)
	// Finished is called when the task function returned.
	Finished(task string, err error, runtime time.Duration)
	// DeadLettered is called for a message moved to the dead-letter queue.
	DeadLettered(reason string)
	// Retried is called for a task sent back to run again later.
	Retried(task string)
}

// nopObserver observes nothing.
type nopObserver struct{}

func (nopObserver) Consuming(bool)                        {}
func (nopObserver) Received(string)                       {}
func (nopObserver) Started(string, time.Duration)         {}
func (nopObserver) Finished(string, error, time.Duration) {}
func (nopObserver) DeadLettered(string)                   {}
func (nopObserver) Retried(string)                        {}
