// Command worker runs tweetflow's fetch tasks: it takes signatures off RabbitMQ, fetches new
// tweets for each source through the Twitter API and stores them in PostgreSQL.
package main

import (
	"os"
	"runtime/debug"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/internal/cli"
)

// The soft limit of the Go runtime's memory when GOMEMLIMIT is unset: a base for the
// runtime and the libraries, and room for each running task. A task's live heap is a page
// or two (its body, its tweets and their encoding for PostgreSQL, under 1 MiB for 100
// tweets); the limit makes the collector run before the heap grows to twice that, which
// keeps a worker at the default concurrency of 4 under 40 MiB of RSS, some 24 MiB of which
// are the binary's own pages.
const (
	baseMemoryLimit = 12 << 20
	memoryPerTask   = 2 << 20
)

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit(os.Getenv("WORKER_CONCURRENCY")))
	}
	os.Exit(execute(os.Args[1:]))
}

// memoryLimit is the default soft memory limit for a WORKER_CONCURRENCY of concurrency; a
// value config would refuse counts as its default, 4, as the worker stops at once anyway.
func memoryLimit(concurrency string) int64 {
	n, err := strconv.Atoi(concurrency)
	if err != nil || n < 1 || n > 256 {
		n = 4
	}
	return baseMemoryLimit + int64(n)*memoryPerTask
}

func execute(args []string) int {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run tweetflow fetch tasks from RabbitMQ and store the tweets in PostgreSQL",
		Long: "worker consumes fetch-source tasks from the tweetflow queue, fetches each source's new\n" +
			"tweets from the Twitter API v2 and stores them in PostgreSQL, exactly once.\n\n" +
			"It is configured by environment variables:\n\n" + config.Usage(config.Worker),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context())
		},
	}
	cmd.AddCommand(cli.HealthcheckCommand("worker", ":9101",
		"The worker is healthy while it is subscribed to the task queue."))
	return cli.Execute(cmd, args)
}
