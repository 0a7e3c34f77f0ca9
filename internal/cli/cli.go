// Package cli holds what tweetflow's programs share on their command line: the exit
// statuses, one line per error on stderr, and the container health check command.
package cli

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/metrics"
)

// Exit statuses: 1 when the work failed, 2 for a configuration or usage error.
const (
	ExitFailure = 1
	ExitUsage   = 2
)

// failure marks an error of the work itself rather than of the configuration.
type failure struct{ error }

func (e failure) Unwrap() error { return e.error }

// Failure marks err as a failure of the work (exit status 1); nil stays nil.
func Failure(err error) error {
	if err == nil {
		return nil
	}
	return failure{err}
}

// ErrLogged marks a failure the program has logged already; Execute prints nothing more.
var ErrLogged = errors.New("failed")

// Execute runs cmd with args and returns the exit status. An error is printed as one line
// on stderr, "program: message", unless it was logged already.
func Execute(cmd *cobra.Command, args []string) int {
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	cmd.CompletionOptions.DisableDefaultCmd = true
	cmd.SetArgs(args)
	err := cmd.Execute()
	var f failure
	switch {
	case err == nil:
		return 0
	case errors.Is(err, ErrLogged):
		return ExitFailure
	case errors.As(err, &f):
		fmt.Fprintln(os.Stderr, cmd.Name()+": "+err.Error())
		return ExitFailure
	default:
		fmt.Fprintln(os.Stderr, cmd.Name()+": "+err.Error())
		return ExitUsage
	}
}

// HealthcheckCommand is the container health check of a program: its runtime image has no
// shell or HTTP client, so it asks its own running instance's /healthz on METRICS_ADDR.
func HealthcheckCommand(program, defaultAddr, healthyWhen string) *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 if the " + program + " running here answers healthy on METRICS_ADDR, 1 otherwise",
		Long: "healthcheck asks /healthz on METRICS_ADDR (default " + defaultAddr + ") of the " + program +
			" on this host.\n" + healthyWhen,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return Failure(metrics.ProbeEnv(cmd.Context(), defaultAddr))
		},
	}
}
