package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// memCapArgs carries a child's command line (JSON) from
// TestUnboundedInputsUnderAMemoryCap to TestMemCapChild.
const memCapArgs = "GOTRT_TEST_MEMCAP_ARGS"

// TestMemCapChild is the child process of TestUnboundedInputsUnderAMemoryCap:
// it runs gotrt with the arguments it is given and exits with gotrt's exit
// status. Run on its own it does nothing.
func TestMemCapChild(t *testing.T) {
	raw := os.Getenv(memCapArgs)
	if raw == "" {
		t.Skip("the child of TestUnboundedInputsUnderAMemoryCap")
	}
	var args []string
	if err := json.Unmarshal([]byte(raw), &args); err != nil {
		fmt.Fprintln(os.Stderr, "bad", memCapArgs, err)
		os.Exit(100)
	}
	rootCmd.SetArgs(args)
	if err := rootCmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "gotrt:", err)
		os.Exit(exitCode(err))
	}
	os.Exit(0)
}

// memCapKiB is the child's address-space limit (ulimit -v): far below what
// each case allocated before it was bounded (24 GB, 8 GB, runtime out of
// memory, 4 GB read), and far above what gotrt needs to refuse it.
const memCapKiB = 3 << 20

// The unbounded inputs, each run as `gotrt` in a child process
// under a memory cap, so that a regression fails the test (the child dies
// of "out of memory", or is killed at the timeout) instead of taking the
// machine's memory. Each must be refused at once with exit 2, naming the
// setting or file.
func TestUnboundedInputsUnderAMemoryCap(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh for ulimit")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "user.conf.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	bigSet := filepath.Join(dir, "bigset.conf")
	require.NoError(t, os.WriteFile(bigSet, []byte("*.*.performance_sample_count_override = 2000000000\n"), 0o644))
	sparse := filepath.Join(dir, "sparse.json")
	f, err := os.Create(sparse)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(1<<30))
	require.NoError(t, f.Close())
	valMap := filepath.Join(dir, "val_map.txt")
	require.NoError(t, os.WriteFile(valMap, []byte("a.JPEG 1\n"), 0o644))
	accLog := filepath.Join(dir, "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(accLog, []byte(`[{"seq_id":0,"qsl_idx":0,"data":"00000000"}]`), 0o644))
	out := filepath.Join(dir, "out")
	run := func(a ...string) []string { return append([]string{"run", "--out", out, "--progress", "off"}, a...) }

	for _, tc := range []struct {
		description string
		args        []string
		want        []string // in stderr, case-insensitive
	}{
		{"server at 1e12 QPS for 1 s (grew to 24 GB, OOM-killed)", run("--scenario", "server", "--target-qps", "1e12", "--duration", "1s"),
			[]string{"over the memory budget", "target_qps 1e+12"}},
		{"server for 1000000h (150 MB/s)", run("--scenario", "server", "--duration", "1000000h"),
			[]string{"over the memory budget", "min_duration 1000000h"}},
		{"singlestream for 1000000h", run("--scenario", "singlestream", "--duration", "1000000h", "--sut", "null"),
			[]string{"over the memory budget", "min_duration 1000000h"}},
		{"multistream of 1e11 samples per query (runtime out of memory)", run("--scenario", "multistream", "--samples-per-query", "100000000000"),
			[]string{"over the memory budget", "samples_per_query 100000000000"}},
		{"server at +Inf QPS (json: unsupported value)", run("--scenario", "server", "--target-qps", "Inf"), []string{"inf"}},
		{"offline at +Inf QPS (8 GB)", run("--target-qps", "Inf"), []string{"inf"}},
		{"a null-SUT set of 2e9 loaded samples", run("--sut", "null", "--user-conf", bigSet), []string{"over the memory budget"}},
		{"a memory budget below the run's need", run("--sut", "null", "--scenario", "server", "--target-qps", "1e7", "--duration", "10s", "--memory-budget", "64MiB"),
			[]string{"over the memory budget", "more than the budget of 64 MiB"}},
		{"a named pipe as --user-conf (blocked for ever)", run("--user-conf", fifo), []string{"named pipe"}},
		{"a named pipe as --mlperf-conf", run("--mlperf-conf", fifo), []string{"named pipe"}},
		{"compare /dev/zero (4 GB in 19 s)", []string{"compare", "/dev/zero", "/dev/zero"}, []string{"/dev/zero: not a regular file"}},
		{"compare a 1 GB sparse file (1 GB RSS)", []string{"compare", sparse, sparse}, []string{"more than 16 MiB"}},
		{"a named pipe as the accuracy log", []string{"accuracy", "--model", "resnet50", "--truth", valMap, "--log", fifo}, []string{"named pipe"}},
		{"a named pipe as val_map", []string{"accuracy", "--model", "resnet50", "--truth", fifo, "--log", accLog}, []string{"named pipe"}},
		{"scale over the memory budget", []string{"scale", "--out", out, "--sut", "null", "--counts", "1", "--scenario", "server", "--target-qps", "1e12"},
			[]string{"over the memory budget"}},
		{"scale --memory-budget NaN%", []string{"scale", "--out", out, "--memory-budget", "NaN%"}, []string{"--memory-budget"}},
		{"accuracy --label-offset at int64's max (scored 0)", []string{"accuracy", "--model", "resnet50", "--truth", valMap, "--log", accLog, "--label-offset", "9223372036854775807"},
			[]string{"label-offset 9223372036854775807"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			code, stderr := runCapped(t, tc.args)
			assert.NotContains(t, stderr, "fatal error", "the child ran out of memory")
			assert.Equal(t, exitUsage, code, "exit status; stderr: %s", stderr)
			for _, w := range tc.want {
				assert.Contains(t, strings.ToLower(stderr), strings.ToLower(w))
			}
			assert.NoFileExists(t, filepath.Join(out, "result.json"))
		})
	}
}

// --user-conf - reads standard input, bounded: a settings error names it,
// and /dev/zero on standard input stops at the settings limit.
func TestUserConfFromStandardInput(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh for ulimit")
	}
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"run", "--out", out, "--progress", "off", "--sut", "null", "--user-conf", "-"}
	code, stderr := runCappedStdin(t, args, strings.NewReader("*.*.min_duration=5\n"))
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "standard input:1: ")
	zero, err := os.Open("/dev/zero")
	require.NoError(t, err)
	defer zero.Close()
	code, stderr = runCappedStdin(t, args, zero)
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "standard input: more than 1 MiB, the most a settings file may have")
	code, stderr = runCappedStdin(t, []string{"run", "--out", out, "--user-conf", "/dev/stdin"}, strings.NewReader(""))
	assert.Equal(t, exitUsage, code, stderr)
	assert.Contains(t, stderr, "give - to read standard input")
}

// runCapped runs gotrt args in a child process under ulimit -v memCapKiB
// and a timeout, and returns its exit status and stderr.
func runCapped(t *testing.T, args []string) (int, string) {
	t.Helper()
	return runCappedStdin(t, args, nil)
}

// runCappedStdin is runCapped with stdin as the child's standard input.
func runCappedStdin(t *testing.T, args []string, stdin io.Reader) (int, string) {
	t.Helper()
	if raceEnabled {
		t.Skip("the race detector's shadow memory does not fit under ulimit -v")
	}
	raw, err := json.Marshal(args)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", fmt.Sprintf(`ulimit -v %d && exec "$0" -test.run='^TestMemCapChild$'`, memCapKiB), os.Args[0])
	cmd.Env = append(os.Environ(), memCapArgs+"="+string(raw), "GOMAXPROCS=2")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Stdin = stdin
	err = cmd.Run()
	require.NoError(t, ctx.Err(), "the child did not end in 60 s (blocked or unbounded); stderr: %s", stderr.String())
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), stderr.String()
	}
	require.NoError(t, err)
	return 0, stderr.String()
}
