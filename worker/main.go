// Command worker runs tweetflow's fetch tasks: it takes signatures off RabbitMQ, fetches new
// tweets for each source through the Twitter API and stores them in PostgreSQL.
package main

import (
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/internal/cli"
)

// defaultMemoryLimit is the soft limit of the Go runtime's memory when GOMEMLIMIT is unset.
// A worker's live heap is a few pages per running task; the limit makes the collector run
// before the heap grows to twice that, which keeps a worker's RSS well under 40 MiB.
const defaultMemoryLimit = 24 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	os.Exit(execute(os.Args[1:]))
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
