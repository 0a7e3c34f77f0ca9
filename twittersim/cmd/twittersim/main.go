// Command twittersim serves the simulated Twitter/X API v2 that tweetflow's tests and
// demos talk to. See twittersim/README.md for the flags and the admin API.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/tweetflow/tweetflow/twittersim"
)

const shutdownTimeout = 5 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stderr))
}

// run starts the simulator and serves until ctx ends. It returns the exit code: 2 for
// bad settings or recordings, 1 when the server cannot run, 0 after a clean shutdown.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "healthcheck" {
		return healthcheck(ctx, args[1:], getenv, stderr)
	}
	opts, err := parseOptions(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "twittersim: %v\n", err)
		return 2
	}
	sim, err := twittersim.New(opts.config())
	if err != nil {
		fmt.Fprintf(stderr, "twittersim: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	if err := serve(ctx, opts.addr, sim.Handler(), log, len(opts.accounts)); err != nil {
		log.Error("server failed", "error", err)
		return 1
	}
	return 0
}

func (o options) config() twittersim.Config {
	return twittersim.Config{
		Seed:        o.seed,
		Accounts:    o.accounts,
		Token:       o.token,
		Clock:       twittersim.NewScaledClock(o.speed),
		History:     o.history,
		SearchDelay: o.searchDelay,
		RateLimits:  o.rateLimits,
		ReplayDir:   o.replay,
	}
}

// serve listens on addr until ctx ends, then shuts the server down gracefully.
func serve(ctx context.Context, addr string, h http.Handler, log *slog.Logger, accounts int) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Info("simulator listening", "addr", ln.Addr().String(), "accounts", accounts)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// healthcheck asks the simulator listening on the configured address whether it serves;
// containers run it as their health check ("twittersim healthcheck").
func healthcheck(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	opts, err := parseOptions(args, getenv, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "twittersim: %v\n", err)
		return 2
	}
	host, port, err := net.SplitHostPort(opts.addr)
	if err != nil {
		fmt.Fprintf(stderr, "twittersim: address %q is not host:port\n", opts.addr)
		return 2
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := twittersim.NewClient("http://" + net.JoinHostPort(host, port)).Healthz(ctx); err != nil {
		fmt.Fprintf(stderr, "twittersim: unhealthy: %v\n", err)
		return 1
	}
	return 0
}
