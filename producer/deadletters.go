package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tweetflow/tweetflow/tasks"
)

// deadLettersConnection labels the tool's connections in RabbitMQ's management UI.
const deadLettersConnection = "tweetflow-producer-deadletters"

func newDeadLettersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deadletters",
		Short: "List the messages no worker could run, send them back to the task queue or drop them",
		Long: "deadletters works on the dead-letter queue " + tasks.DefaultTopology.DeadQueue + ", where workers put\n" +
			"the messages they cannot run (empty, not a signature, an unknown task, bad arguments)\n" +
			"with the reason. It needs only the broker settings of the environment.",
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newDeadListCommand(), newDeadRequeueCommand(), newDeadDropCommand())
	return cmd
}

func newDeadListCommand() *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "list [--json] [--limit N]",
		Short: "List the dead letters, oldest first, and leave them in the queue",
		Long: "list shows each dead letter: its message id (the task's UUID), the task it names when\n" +
			"the body is a signature, why it is dead, when it died and the body's size. The messages\n" +
			"stay in the queue in their order; while list runs it holds them, so a second reader of\n" +
			"the dead-letter queue at the same moment does not see them.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if limit < 0 {
				return fmt.Errorf("--limit %d: give 0 (all) or more", limit)
			}
			return runErr(listDeadLetters(cmd.Context(), cmd.OutOrStdout(), limit, asJSON))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array instead of a table")
	cmd.Flags().IntVar(&limit, "limit", 0, "list at most N dead letters (0: all)")
	return cmd
}

func listDeadLetters(ctx context.Context, out io.Writer, limit int, asJSON bool) error {
	dl, err := openDeadLetters()
	if err != nil {
		return err
	}
	letters, err := dl.List(ctx, limit)
	if err != nil {
		return err
	}
	if asJSON {
		return printDeadLettersJSON(out, letters)
	}
	return printDeadLetters(out, letters)
}

func openDeadLetters() (*tasks.DeadLetters, error) {
	e, err := loadEnv()
	if err != nil {
		return nil, err
	}
	return tasks.NewDeadLetters(e.cfg.BrokerURL, deadLettersConnection, tasks.DefaultTopology, e.log), nil
}

// printDeadLetters writes the table of list.
func printDeadLetters(out io.Writer, letters []tasks.DeadLetter) error {
	if len(letters) == 0 {
		_, err := fmt.Fprintf(out, "%s holds no dead letters\n", tasks.DefaultTopology.DeadQueue)
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTASK\tREASON\tDEAD AT\tBYTES")
	for _, d := range letters {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", cell(d.MessageID), cell(d.Task), cell(d.Reason),
			timeOrDash(d.DeadAt), d.Bytes)
	}
	return tw.Flush()
}

// cell is s on one line without tabs, which would break the table, or "-" when empty.
func cell(s string) string { return orDash(strings.Join(strings.Fields(s), " ")) }

// deadLetterJSON is one element of list --json.
type deadLetterJSON struct {
	ID     string     `json:"id"`
	Task   string     `json:"task,omitempty"`
	Reason string     `json:"reason,omitempty"`
	DeadAt *time.Time `json:"dead_at,omitempty"`
	Bytes  int        `json:"bytes"`
}

func printDeadLettersJSON(out io.Writer, letters []tasks.DeadLetter) error {
	rows := make([]deadLetterJSON, len(letters))
	for i, d := range letters {
		rows[i] = deadLetterJSON{ID: d.MessageID, Task: d.Task, Reason: d.Reason, Bytes: d.Bytes}
		if !d.DeadAt.IsZero() {
			at := d.DeadAt.UTC()
			rows[i].DeadAt = &at
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// selection holds the flags requeue and drop share.
type selection struct {
	all   bool
	ids   []string
	limit int
}

func (s *selection) register(cmd *cobra.Command, verb string) {
	cmd.Flags().BoolVar(&s.all, "all", false, verb+" every dead letter")
	cmd.Flags().StringArrayVar(&s.ids, "id", nil, verb+" the dead letters with this message id (repeatable)")
	cmd.Flags().IntVar(&s.limit, "limit", 0, verb+" at most N dead letters, oldest first (0: no limit)")
	cmd.MarkFlagsOneRequired("all", "id")
	cmd.MarkFlagsMutuallyExclusive("all", "id")
}

func (s *selection) options() (tasks.MoveOptions, error) {
	if s.limit < 0 {
		return tasks.MoveOptions{}, fmt.Errorf("--limit %d: give 0 (no limit) or more", s.limit)
	}
	return tasks.MoveOptions{All: s.all, IDs: s.ids, Limit: s.limit}, nil
}

func newDeadRequeueCommand() *cobra.Command {
	var sel selection
	var force bool
	cmd := &cobra.Command{
		Use:   "requeue (--all | --id MESSAGE_ID...) [--limit N] [--force]",
		Short: "Send dead letters back to the task queue",
		Long: "requeue moves the selected dead letters, oldest first, back to the task queue " +
			tasks.DefaultTopology.Queue + "\n" +
			"without their death headers. Each leaves the dead-letter queue only once RabbitMQ has\n" +
			"confirmed it in the task queue, so an interrupted requeue loses nothing. A message that\n" +
			"is not a signature or names a task this producer does not know is skipped unless\n" +
			"--force is given (for a worker deployed since that knows it). Only the messages present\n" +
			"at the start are looked at; one dead-lettered again meanwhile stays dead.",
		Example: "  producer deadletters requeue --id task_2f6c...\n  producer deadletters requeue --all --limit 100",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := sel.options()
			if err != nil {
				return err
			}
			opts.Unrunnable = force
			return runMove(cmd, opts, "requeued", (*tasks.DeadLetters).Requeue)
		},
	}
	sel.register(cmd, "requeue")
	cmd.Flags().BoolVar(&force, "force", false,
		"also requeue messages that are not a signature or name a task this producer does not know")
	return cmd
}

func newDeadDropCommand() *cobra.Command {
	var sel selection
	cmd := &cobra.Command{
		Use:   "drop (--all | --id MESSAGE_ID...) [--limit N]",
		Short: "Delete dead letters for good",
		Long:  "drop deletes the selected dead letters from the dead-letter queue. There is no undo.",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts, err := sel.options()
			if err != nil {
				return err
			}
			return runMove(cmd, opts, "dropped", (*tasks.DeadLetters).Drop)
		},
	}
	sel.register(cmd, "drop")
	return cmd
}

// moveFunc is Requeue or Drop.
type moveFunc func(*tasks.DeadLetters, context.Context, tasks.MoveOptions) (tasks.MoveResult, error)

// runMove runs move until done or until SIGINT or SIGTERM, which stop it after the
// message in hand. It prints each message moved and a summary.
func runMove(cmd *cobra.Command, opts tasks.MoveOptions, past string, move moveFunc) error {
	dl, err := openDeadLetters()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	out := cmd.OutOrStdout()
	opts.Moved = func(d tasks.DeadLetter) { fmt.Fprintf(out, "%s %s (%s)\n", past, cell(d.MessageID), cell(d.Task)) }
	res, err := move(dl, ctx, opts)
	if err == nil || len(res.Moved) > 0 {
		fmt.Fprintf(out, "%s %s\n", past, deadLetterCount(len(res.Moved)))
	}
	printSkipped(out, res.Skipped)
	if err != nil {
		return runErr(err)
	}
	return runErr(unmet(opts, res))
}

// deadLetterCount is "1 dead letter" or "N dead letters".
func deadLetterCount(n int) string {
	if n == 1 {
		return "1 dead letter"
	}
	return fmt.Sprintf("%d dead letters", n)
}

func printSkipped(out io.Writer, skipped []tasks.DeadLetter) {
	for _, d := range skipped {
		why := "the body is not a signature"
		if d.Task != "" {
			why = fmt.Sprintf("task %q is not one this producer knows", d.Task)
		}
		fmt.Fprintf(out, "skipped %s: %s; --force requeues it\n", cell(d.MessageID), why)
	}
}

// unmet names the --id values that were asked for but not moved, or returns nil.
func unmet(opts tasks.MoveOptions, res tasks.MoveResult) error {
	var msgs []string
	if len(res.Missing) > 0 {
		msgs = append(msgs, "no dead letter has id "+strings.Join(res.Missing, ", "))
	}
	if len(opts.IDs) > 0 && len(res.Skipped) > 0 {
		ids := make([]string, len(res.Skipped))
		for i, d := range res.Skipped {
			ids[i] = d.MessageID
		}
		msgs = append(msgs, "skipped "+strings.Join(ids, ", "))
	}
	if len(msgs) == 0 {
		return nil
	}
	return errors.New(strings.Join(msgs, "; "))
}
