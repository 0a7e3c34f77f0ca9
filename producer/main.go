// Command producer is tweetflow's beat: it publishes "fetch new tweets" tasks for every
// configured source on a schedule (producer run), on demand (producer fetch), and reports
// each source's state (producer sources).
package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/config"
	"github.com/tweetflow/tweetflow/internal/cli"
)

func main() {
	os.Exit(execute(os.Args[1:]))
}

func execute(args []string) int {
	root := &cobra.Command{
		Use:   "producer",
		Short: "Publish tweetflow fetch tasks on a schedule or on demand",
		Long: "producer publishes fetch-source tasks to RabbitMQ for the workers to run.\n\n" +
			"It is configured by environment variables:\n\n" + config.Usage(config.Producer),
	}
	root.AddCommand(newRunCommand(), newFetchCommand(), newSourcesCommand(), newMigrateCommand(),
		newDeadLettersCommand(), newAPICommand(), cli.HealthcheckCommand("producer", ":9102", ""))
	return cli.Execute(root, args)
}

// runErr marks err as a failure of the work itself (exit status 1), unless it is a
// configuration or sources-file error (exit status 2).
func runErr(err error) error {
	var ce *config.Error
	var ces config.Errors
	var se *config.SourceError
	if err == nil || errors.As(err, &ce) || errors.As(err, &ces) || errors.As(err, &se) {
		return err
	}
	return cli.Failure(err)
}
