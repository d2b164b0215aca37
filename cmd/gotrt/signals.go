package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/spf13/cobra"
)

// Signals, as a run sees them:
//
//   - SIGINT (Ctrl-C), SIGTERM and SIGHUP (a closed terminal or ssh
//     session) end a run within a second with its logs written, INVALID
//     "interrupted", exit 3. A signal the shell started gotrt ignoring
//     (nohup for SIGHUP, `&` in a script for SIGINT) stays ignored.
//   - SIGPIPE never ends gotrt: a closed stdout or stderr (`gotrt run ... |
//     head`) makes the console writes fail, which the commands drop (see
//     console); the run goes on and writes its logs.
//   - SIGQUIT keeps Go's default: a goroutine dump for debugging and exit
//     2, no logs.
//   - SIGKILL cannot be caught: the next run in the same --out finds what
//     the killed one left (see prepareOut).

// interruptSignals are the signals that interrupt a run.
var interruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// interruptible is the command's context, cancelled by Ctrl-C, SIGTERM or
// SIGHUP so that a run ends cleanly, writes its logs and is marked INVALID.
func interruptible(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	var sigs []os.Signal
	for _, s := range interruptSignals {
		// Notify would undo an ignore inherited from the shell (nohup).
		if s == syscall.SIGTERM || !signal.Ignored(s) {
			sigs = append(sigs, s)
		}
	}
	return signal.NotifyContext(ctx, sigs...)
}

// survivePipes keeps a closed pipe on stdout or stderr from killing the
// process: Go ends a program with SIGPIPE on a failed write to fd 1 or 2
// unless SIGPIPE is notified, in which case the write returns EPIPE
// instead. Notify (not Ignore) leaves SIGPIPE's disposition as it was for
// any child process.
func survivePipes() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

// console is stdout or stderr as the commands write to them. A failed
// write (a reader that went away, a full disk) is dropped rather than
// returned, so that printing never ends a command before its logs are
// written nor changes its exit code; the first failure other than a closed
// pipe is kept for main to mention.
type console struct {
	f    *os.File
	mu   sync.Mutex
	err  error
	dead bool
}

func newConsole(f *os.File) *console { return &console{f: f} }

func (c *console) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return len(p), nil
	}
	if _, err := c.f.Write(p); err != nil {
		c.dead = true
		if !errors.Is(err, syscall.EPIPE) {
			c.err = err
		}
	}
	return len(p), nil
}

// Stat is the underlying file's: whether it is a terminal decides the live
// progress line.
func (c *console) Stat() (os.FileInfo, error) { return c.f.Stat() }

// failed is the first write error other than a closed pipe.
func (c *console) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// reportConsole mentions, on stderr, an output that could not be written
// (not a closed pipe: its reader chose to stop).
func reportConsole(stdout, stderr *console) {
	if err := stdout.failed(); err != nil {
		fmt.Fprintf(stderr, "gotrt: warning: stdout could not be written (%v): the output is cut short; the logs in --out are whole\n", err)
	}
}
