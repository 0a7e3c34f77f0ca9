package tasks

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/RichardKnop/machinery/v2"
	mtasks "github.com/RichardKnop/machinery/v2/tasks"
	"go.uber.org/zap"
)

// ErrBadArguments marks a signature whose arguments do not fit its registered task function.
// Such a message can never run, so it goes to the dead-letter queue.
var ErrBadArguments = errors.New("arguments do not fit the task")

// Runner runs signatures through the task functions registered on a Machinery server, with
// Machinery's argument reflection and result-backend states, under a per-task deadline.
type Runner struct {
	server  *machinery.Server
	timeout time.Duration
	log     *zap.Logger
}

// NewRunner returns a runner for the tasks registered on server. Each task gets at most
// timeout, which must stay well under RabbitMQ's consumer_timeout.
func NewRunner(server *machinery.Server, timeout time.Duration, log *zap.Logger) *Runner {
	return &Runner{server: server, timeout: timeout, log: log}
}

// Known reports whether a task of that name is registered.
func (r *Runner) Known(name string) bool { return r.server.IsTaskRegistered(name) }

// Run calls the task function sig names. It returns ErrBadArguments when the arguments do
// not fit, and otherwise the task function's own error. ctx ending cancels the task.
func (r *Runner) Run(ctx context.Context, sig *mtasks.Signature) error {
	fn, err := r.server.GetRegisteredTask(sig.Name)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadArguments, err)
	}
	if err := checkArgs(fn, sig.Args); err != nil {
		return fmt.Errorf("%w: %w", ErrBadArguments, err)
	}
	task, err := mtasks.NewWithSignature(fn, sig)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadArguments, err)
	}
	backend := r.server.GetBackend()
	r.note("received", backend.SetStateReceived(sig))
	r.note("started", backend.SetStateStarted(sig))

	taskCtx, cancel := context.WithTimeout(task.Context, r.timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, cancel)
	defer stop()
	task.Context = taskCtx

	results, err := task.Call()
	if err != nil {
		r.note("failure", backend.SetStateFailure(sig, err.Error()))
		return err
	}
	r.note("success", backend.SetStateSuccess(sig, results))
	return nil
}

// note logs a result-backend write that failed; results are optional, so the task goes on.
func (r *Runner) note(state string, err error) {
	if err != nil {
		r.log.Warn("result backend write failed", zap.String("state", state), zap.Error(err))
	}
}

// checkArgs compares the signature's arguments with the task function's parameters, so
// that a mismatch is refused here instead of panicking inside Machinery's reflective call.
func checkArgs(fn any, args []mtasks.Arg) error {
	ft := reflect.TypeOf(fn)
	first := 0
	if ft.NumIn() > 0 && mtasks.IsContextType(ft.In(0)) {
		first = 1
	}
	if want := ft.NumIn() - first; len(args) != want {
		return fmt.Errorf("%d arguments, the task takes %d", len(args), want)
	}
	for i, a := range args {
		if want := ft.In(first + i).String(); a.Type != want {
			return fmt.Errorf("argument %d (%s) has type %q, the task takes %s", i+1, a.Name, a.Type, want)
		}
	}
	return nil
}
