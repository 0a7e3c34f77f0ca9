package config

import "fmt"

// Program names which program loads the configuration; defaults and required
// settings differ between them.
type Program int

const (
	// Producer is the program that publishes fetch tasks on a schedule.
	Producer Program = iota + 1
	// Worker is the program that fetches tweets and stores them.
	Worker
)

// String returns "producer", "worker" or "program(N)" for an unknown value.
func (p Program) String() string {
	switch p {
	case Producer:
		return "producer"
	case Worker:
		return "worker"
	default:
		return fmt.Sprintf("program(%d)", int(p))
	}
}

// valid reports whether p is one of the declared programs.
func (p Program) valid() bool {
	return p == Producer || p == Worker
}
