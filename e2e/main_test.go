// Package e2e runs tweetflow's programs as real processes against the machine's RabbitMQ and
// PostgreSQL, with twittersim standing in for the Twitter API, and compares what arrives in
// the database with the simulator's ground truth.
package e2e

import (
	"fmt"
	"os"
	"testing"

	"github.com/tweetflow/tweetflow/internal/testenv"
)

// bin holds the programs built for this test run.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tweetflow-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: create build folder:", err)
		os.Exit(1)
	}
	bin = dir
	code := build(dir)
	if code == 0 {
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// build compiles the three programs the way the Dockerfiles do.
func build(dir string) int {
	err := testenv.Build("..", dir, map[string]string{
		"producer": "./producer", "worker": "./worker", "twittersim": "./twittersim/cmd/twittersim",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return 0
}
