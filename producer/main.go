// Command producer is tweetflow's beat: it publishes "fetch new tweets" tasks for every
// configured source on a schedule (producer run), on demand (producer fetch), and reports
// each source's state (producer sources).
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

// runError marks a failure of the work itself, after the configuration was accepted: exit
// status 1 rather than 2.
type runError struct{ error }

func (e runError) Unwrap() error { return e.error }

func main() {
	os.Exit(execute(os.Args[1:]))
}

func execute(args []string) int {
	root := &cobra.Command{
		Use:   "producer",
		Short: "Publish tweetflow fetch tasks on a schedule or on demand",
		Long: "producer publishes fetch-source tasks to RabbitMQ for the workers to run.\n\n" +
			"It is configured by environment variables:\n\n" + config.Usage(config.Producer),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newRunCommand(), newFetchCommand(), newSourcesCommand(), newMigrateCommand(),
		newHealthcheckCommand(), newDeadLettersCommand(), newAPICommand())
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "producer: "+err.Error())
	var re runError
	if errors.As(err, &re) {
		return 1
	}
	return exitUsage
}

// runErr marks err as a failure of the work itself rather than of its configuration.
func runErr(err error) error {
	if err == nil {
		return nil
	}
	var ce *config.Error
	var ces config.Errors
	var se *config.SourceError
	if errors.As(err, &ce) || errors.As(err, &ces) || errors.As(err, &se) {
		return err
	}
	return runError{err}
}
