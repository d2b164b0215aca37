package main

import (
	"context"
	"encoding/json"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
)

// nullRun is runner.Run on the null SUT for a short while.
func nullRun(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
	cfg.SUT = "null"
	cfg.UserConf = &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.*.min_duration = 50\n")}
	return runner.Run(ctx, cfg)
}

// signalled returns a run function that sends sig to this process, as
// Ctrl-C or a service manager would, waits until the command's context
// sees it, then runs the real runner: the signal lands at start-up.
func signalled(t *testing.T, sig syscall.Signal, run func(context.Context, runner.Config) (*loadgen.Report, error)) func(context.Context, runner.Config) (*loadgen.Report, error) {
	return func(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
		// The command has registered for the signal before calling the run:
		// it cannot kill the test.
		require.NoError(t, syscall.Kill(os.Getpid(), sig))
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Second):
			t.Fatal("the signal did not cancel the command's context")
		}
		return run(ctx, cfg)
	}
}

// Ctrl-C, SIGTERM or SIGHUP (a closed terminal) at start-up ends like an
// interrupt later in the run: logs written, INVALID, "interrupted", exit 3.
func TestRunInterruptedBySignalWritesLogs(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			if sig != syscall.SIGTERM && signal.Ignored(sig) {
				t.Skipf("the test process ignores %v (nohup or a background job), as gotrt then does", sig)
			}
			out := t.TempDir()
			cfgFile := userConf(t, "*.*.min_duration = 60000\n")
			stdout, _, err := execCmd(t, newRunCmd(signalled(t, sig, runner.Run)), "run", "--out", out, "--progress", "off", "--user-conf", cfgFile)
			require.Error(t, err)
			assert.Equal(t, exitInvalid, exitCode(err), "%v", err)
			assert.Contains(t, stdout, "Result is : INVALID")
			assert.Contains(t, stdout, "interrupted")
			assert.NotContains(t, stdout, "Increase")
			for _, f := range loadgen.LogFiles {
				assert.FileExists(t, filepath.Join(out, f))
			}
			r := readResult(t, out)
			assert.True(t, r.Interrupted)
			assert.False(t, r.Valid)
			require.NotEmpty(t, r.Reasons)
			assert.Contains(t, r.Reasons[0], "interrupted")
		})
	}
}

// Ctrl-C during scale keeps the finished counts in the table, marked
// interrupted (exit 3), with the chart and tables written.
func TestScaleInterruptedKeepsFinishedCounts(t *testing.T) {
	out := filepath.Join(t.TempDir(), "scale")
	f := &fakeRunner{}
	run := func(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
		if cfg.Count == 2 {
			return signalled(t, syscall.SIGINT, func(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
				r := vgpuResult("resnet50", "Offline", 100)
				r.Valid, r.Interrupted, r.Reasons = false, true, []string{loadgen.ReasonInterrupted}
				return &loadgen.Report{Result: *r}, nil
			})(ctx, cfg)
		}
		return f.run(ctx, cfg)
	}
	stdout, _, err := execCmd(t, newScaleCmd(run, fourDevices), "scale", "--out", out, "--model", "resnet50")
	assert.Equal(t, exitInvalid, exitCode(err), "%v", err)
	assert.Contains(t, err.Error(), "interrupted")
	assert.Contains(t, stdout, "(interrupted)")
	assert.Contains(t, stdout, "1453", "the finished count stays in the table")
	assert.Contains(t, stdout, "counts 2 and 4 did not finish")
	for _, name := range []string{"scale.svg", "scale.txt", "scale.csv"} {
		assert.FileExists(t, filepath.Join(out, name))
	}
	var r result.Result
	b, err := os.ReadFile(filepath.Join(out, "devices-2", "result.json"))
	require.NoError(t, err, "the interrupted count's logs are kept")
	require.NoError(t, json.Unmarshal(b, &r))
	assert.True(t, r.Interrupted)
}
