// Command worker runs tweetflow's fetch tasks: it takes signatures off RabbitMQ, fetches new
// tweets for each source through the Twitter API and stores them in PostgreSQL.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/config"
)

// exitUsage is the exit status for a configuration or usage error.
const exitUsage = 2

// runError marks a failure of the work itself rather than of the configuration: exit 1.
type runError struct{ error }

func (e runError) Unwrap() error { return e.error }

func main() {
	os.Exit(execute(os.Args[1:]))
}

func execute(args []string) int {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Run tweetflow fetch tasks from RabbitMQ and store the tweets in PostgreSQL",
		Long: "worker consumes fetch-source tasks from the tweetflow queue, fetches each source's new\n" +
			"tweets from the Twitter API v2 and stores them in PostgreSQL, exactly once.\n\n" +
			"It is configured by environment variables:\n\n" + config.Usage(config.Worker),
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context())
		},
	}
	cmd.AddCommand(newHealthcheckCommand())
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmd.SetArgs(args)
	err := cmd.Execute()
	if err == nil {
		return 0
	}
	if errors.Is(err, errLogged) {
		return 1 // run logged it already, once
	}
	fmt.Fprintln(os.Stderr, "worker: "+err.Error())
	var re runError
	if errors.As(err, &re) {
		return 1
	}
	return exitUsage
}
