package testenv

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Build compiles programs (output name → package path, relative to moduleDir) into dir,
// with cgo off as the Dockerfiles build them.
func Build(moduleDir, dir string, programs map[string]string) error {
	for name, pkg := range programs {
		cmd := exec.CommandContext(context.Background(), "go", "build", "-o", filepath.Join(dir, name), pkg)
		cmd.Dir = moduleDir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %w\n%s", pkg, err, out)
		}
	}
	return nil
}

// Process is a program a test started, with its output kept.
type Process struct {
	Name string
	Cmd  *exec.Cmd
	Out  *SyncBuffer
	// Done is closed once the program has exited.
	Done chan struct{}
	// LogLines is how many of the last output lines are logged when the test fails; 0 logs
	// all of it.
	LogLines int
	tb       testing.TB
}

// SyncBuffer is a bytes.Buffer safe for the writing program and a reading test.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Start runs the program at path with env (on top of a minimal environment) and args; name
// labels it in messages. The program is stopped when the test ends, and its output is
// logged if the test failed.
func Start(tb testing.TB, name, path string, env []string, args ...string) *Process {
	tb.Helper()
	cmd := exec.CommandContext(context.Background(), path, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}, env...)
	p := &Process{Name: name, Cmd: cmd, Out: &SyncBuffer{}, Done: make(chan struct{}), tb: tb}
	cmd.Stdout, cmd.Stderr = p.Out, p.Out
	if err := cmd.Start(); err != nil {
		tb.Fatalf("start %s: %v", name, err)
	}
	go func() { _ = cmd.Wait(); close(p.Done) }()
	tb.Cleanup(func() {
		p.Stop()
		if tb.Failed() {
			tb.Logf("output of %s:\n%s", name, p.lastLines())
		}
	})
	return p
}

func (p *Process) lastLines() string {
	out := p.Out.String()
	if p.LogLines == 0 {
		return out
	}
	all := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return strings.Join(all[max(0, len(all)-p.LogLines):], "\n")
}

// Stop sends SIGTERM and waits for the exit, killing the program after a minute; it
// returns the exit code, and ProcessState then holds the program's resource usage.
func (p *Process) Stop() int {
	select {
	case <-p.Done:
	default:
		_ = p.Cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.Done:
		case <-time.After(time.Minute):
			_ = p.Cmd.Process.Kill()
			<-p.Done
			p.tb.Errorf("%s did not stop within a minute of SIGTERM", p.Name)
		}
	}
	return p.Cmd.ProcessState.ExitCode()
}

// FreeAddr returns a loopback address with a port nobody listens on right now.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
