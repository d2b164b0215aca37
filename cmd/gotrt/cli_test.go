package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// The tests here run gotrt as a user does: a child process (this test
// binary running main, see TestMain) with its exit status, its signals and
// its pipes, under a memory cap (ulimit -v) so that a regression that
// allocates without bound fails the test instead of taking the machine's
// memory.

const (
	childEnv = "GOTRT_TEST_RUN_MAIN"
	// childMemKiB caps the child's address space: far above what any of
	// these runs needs (the built-in model and a short run take a few
	// hundred MB), far below the machine.
	childMemKiB = 4 << 20
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Args = append([]string{"gotrt"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is gotrt args... as a process not yet started, in dir, with the
// memory cap.
func child(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	return childAfter(t, dir, "", args...)
}

// childAfter is child with a shell command run first (a trap, say).
func childAfter(t *testing.T, dir, pre string, args ...string) *exec.Cmd {
	t.Helper()
	self, err := os.Executable()
	require.NoError(t, err)
	sh := fmt.Sprintf(`%s ulimit -v %d && exec "$@"`, pre, childMemKiB)
	c := exec.Command("/bin/sh", append([]string{"-c", sh, "sh", self}, args...)...)
	c.Dir = dir
	c.Env = append(os.Environ(), childEnv+"=1")
	return c
}

// exitOf is a finished child's exit status (-1 with the signal that ended
// it).
func exitOf(t *testing.T, err error) int {
	t.Helper()
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		t.Logf("child ended by %v", ws.Signal())
		return -1
	}
	return ee.ExitCode()
}

// runChild runs gotrt args... to the end, within a minute.
func runChild(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := child(t, dir, args...)
	var o, e bytes.Buffer
	c.Stdout, c.Stderr = &o, &e
	require.NoError(t, c.Start())
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case err := <-done:
		return o.String(), e.String(), exitOf(t, err)
	case <-time.After(time.Minute):
		_ = c.Process.Kill()
		<-done
		t.Fatalf("gotrt %q did not end within a minute; stderr: %s", args, e.String())
	}
	return "", "", 0
}

// Every bad value of every numeric, duration or string flag is exit 2 with
// one line naming the flag, before anything runs or is written.
func TestCLIBadFlagValues(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "afile")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	for _, tc := range []struct {
		description string
		args        []string
		want        string
	}{
		{"duration 0", []string{"run", "--duration", "0"}, `--duration "0": want a positive duration`},
		{"duration negative", []string{"run", "--duration", "-1s"}, `--duration "-1s"`},
		{"duration without unit", []string{"run", "--duration", "10"}, `--duration "10": want a Go duration`},
		{"duration overflow", []string{"run", "--duration", "9999999999h"}, `--duration "9999999999h"`},
		{"target latency 0", []string{"run", "--scenario", "server", "--target-latency", "0"}, `--target-latency "0"`},
		{"target qps NaN", []string{"run", "--target-qps", "NaN"}, `--target-qps "NaN": want a finite number`},
		{"target qps Inf", []string{"run", "--target-qps", "Inf"}, `--target-qps "Inf"`},
		{"target qps -Inf", []string{"run", "--target-qps=-Inf"}, `--target-qps "-Inf"`},
		{"target qps negative", []string{"run", "--target-qps=-5"}, `--target-qps "-5": want a positive value`},
		{"target qps 0", []string{"run", "--target-qps", "0"}, `--target-qps "0"`},
		{"target qps 1e400", []string{"run", "--target-qps", "1e400"}, `--target-qps "1e400"`},
		{"target qps words", []string{"run", "--target-qps", "fast"}, `--target-qps "fast": want a number`},
		{"peak precision NaN", []string{"run", "--peak-precision", "NaN"}, `--peak-precision "NaN"`},
		{"peak precision 1", []string{"run", "--peak-precision", "1"}, `--peak-precision "1": want at least 0 and less than 1`},
		{"peak precision negative", []string{"run", "--peak-precision=-0.1"}, `--peak-precision "-0.1"`},
		{"max batch 0", []string{"run", "--max-batch", "0"}, `--max-batch "0": want 1 to 65536`},
		{"max batch huge", []string{"run", "--max-batch", "100000000"}, `--max-batch "100000000": want 1 to 65536`},
		{"max batch past int64", []string{"run", "--max-batch", "99999999999999999999"}, `--max-batch "99999999999999999999"`},
		{"max batch over the CPU's", []string{"run", "--devices", "cpu", "--max-batch", "5000"}, `--max-batch 5000: want 1 to 4096`},
		{"streams 0", []string{"run", "--streams", "0"}, `--streams "0": want 1 to 1024`},
		{"streams huge", []string{"run", "--streams", "100000"}, `--streams "100000"`},
		{"batch timeout negative", []string{"run", "--batch-timeout", "-1ms"}, `--batch-timeout "-1ms"`},
		{"batch timeout an hour", []string{"run", "--batch-timeout", "1h"}, `--batch-timeout "1h": want 0s to 1m0s`},
		{"samples per query 0", []string{"run", "--scenario", "multistream", "--samples-per-query", "0"}, `--samples-per-query "0"`},
		{"samples per query negative", []string{"run", "--scenario", "multistream", "--samples-per-query=-8"}, `--samples-per-query "-8"`},
		{"min queries 0", []string{"run", "--min-queries", "0"}, `--min-queries "0"`},
		{"devices empty", []string{"run", "--devices", ""}, "--devices is empty"},
		{"format empty", []string{"run", "--format", ""}, "--format is empty"},
		{"scenario empty", []string{"run", "--scenario="}, "--scenario is empty"},
		{"user conf empty", []string{"run", "--user-conf", ""}, "--user-conf is empty"},
		{"model empty", []string{"run", "--model", ""}, "--model is empty"},
		{"out empty", []string{"run", "--out", ""}, "--out is empty"},
		{"scale counts empty", []string{"scale", "--counts", ""}, "--counts is empty"},
		{"scale duration 0", []string{"scale", "--duration", "0"}, `--duration "0"`},
		{"scale max batch huge", []string{"scale", "--max-batch", "100000000"}, `--max-batch "100000000"`},
		{"scale target qps NaN", []string{"scale", "--target-qps", "NaN"}, `--target-qps "NaN"`},
		{"scale devices empty", []string{"scale", "--devices", ""}, "--devices is empty"},
		{"compare format empty", []string{"compare", "--format", "", "a", "b"}, "--format is empty"},
		{"compare names empty", []string{"compare", "--names", "", "a", "b"}, "--names is empty"},
		{"compare out a file", []string{"compare", "--out", file, file, file}, "is a file, not a folder"},
		{"accuracy format empty", []string{"accuracy", "--format", "", "--model", "gotrt-builtin", "--log", "l"}, "--format is empty"},
		{"accuracy truth empty", []string{"accuracy", "--truth", "", "--model", "resnet50", "--log", "l"}, "--truth is empty"},
		{"devices format empty", []string{"devices", "--format", ""}, "--format is empty"},
		{"accuracy unknown model", []string{"accuracy", "--model", "foo", "--log", "L"}, `--model "foo": unknown model; known: resnet50,`},
		{"accuracy no truth", []string{"accuracy", "--model", "resnet50", "--log", "L"}, "--truth is required for resnet50"},
		{"no-probe maybe", []string{"run", "--no-probe=maybe"}, `--no-probe "maybe": want true or false`},
	} {
		t.Run(tc.description, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := tc.args
			if args[0] == "run" || args[0] == "scale" {
				if !contains(args, "--out") {
					args = append(args, "--out", out)
				}
			}
			stdout, stderr, code := runChild(t, dir, args...)
			assert.Equal(t, exitUsage, code, "stderr: %s", stderr)
			assert.Contains(t, stderr, tc.want)
			assert.Equal(t, 1, strings.Count(strings.TrimSpace(stderr), "\n")+1, "one line: %s", stderr)
			assert.Empty(t, stdout, "nothing printed before the check")
			assert.NoDirExists(t, out, "nothing written")
		})
	}
}

func contains(args []string, s string) bool {
	for _, a := range args {
		if a == s {
			return true
		}
	}
	return false
}

// A value meaning "the default" is documented in --help.
func TestCLIHelpDocumentsDefaults(t *testing.T) {
	stdout, _, code := runChild(t, t.TempDir(), "run", "--help")
	require.Equal(t, 0, code)
	for _, want := range []string{
		"0: no wait",                    // --batch-timeout 0
		"0: LoadGen's one decimal",      // --peak-precision 0
		`"" or left out (the scheduler`, // --sut ""
		"default: the config files'",    // the settings flags
		"(default: the device's: 64 on", // --max-batch
	} {
		assert.Contains(t, stdout, want)
	}
}

// The run's results are never lost: a second gotrt on the same --out
// stops at once naming the first; a folder where a log goes is refused;
// SIGHUP is an interrupt; a closed pipe ends nothing; a killed run's
// moved-aside logs are dealt with by the next run.
func TestCLIResultsKept(t *testing.T) {
	t.Run("second run on a held --out", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out")
		require.NoError(t, os.MkdirAll(out, 0o755))
		lk, err := lockOut(out) // this process stands for the first run
		require.NoError(t, err)
		defer lk.release()
		for _, args := range [][]string{
			{"run", "--sut", "null", "--out", out},
			{"scale", "--out", out},
			{"compare", "--out", out, "a", "b"},
		} {
			start := time.Now()
			stdout, stderr, code := runChild(t, t.TempDir(), args...)
			assert.Equal(t, exitUsage, code, "%v: %s", args, stderr)
			assert.Contains(t, stderr, "in use by another gotrt (pid "+strconv.Itoa(os.Getpid())+")")
			assert.Empty(t, stdout)
			assert.Less(t, time.Since(start), 20*time.Second, "stops at once, without waiting")
		}
		ents, err := os.ReadDir(out)
		require.NoError(t, err)
		assert.Len(t, ents, 1, "only the lock file: nothing moved or written")
	})

	t.Run("lock released", func(t *testing.T) {
		out := t.TempDir()
		_, stderr, code := runChild(t, t.TempDir(), "run", "--sut", "null", "--scenario", "singlestream", "--duration", "50ms", "--min-queries", "5", "--out", out)
		assert.Contains(t, []int{exitOK, exitInvalid}, code, stderr)
		assert.NoFileExists(t, filepath.Join(out, lockName))
		lk, err := lockOut(out)
		require.NoError(t, err, "the next run gets the folder")
		lk.release()
	})

	t.Run("folder where a log goes", func(t *testing.T) {
		for _, name := range loadgen.LogFiles {
			out := t.TempDir()
			keep := filepath.Join(out, name, "mine.txt")
			require.NoError(t, os.MkdirAll(filepath.Dir(keep), 0o755))
			require.NoError(t, os.WriteFile(keep, []byte("mine"), 0o644))
			_, stderr, code := runChild(t, t.TempDir(), "run", "--sut", "null", "--out", out)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Contains(t, stderr, filepath.Join(out, name)+" is a folder")
			assert.FileExists(t, keep, "the user's folder stays")
		}
	})

	t.Run("folder where a compare or scale file goes", func(t *testing.T) {
		out := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(out, "compare.json"), 0o755))
		stdout, stderr, code := runChild(t, t.TempDir(), "compare", "--out", out, "a", "b")
		assert.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "compare.json is a folder")
		assert.Empty(t, stdout, "no table before the check")
		require.NoError(t, os.MkdirAll(filepath.Join(out, "scale.svg"), 0o755))
		_, stderr, code = runChild(t, t.TempDir(), "scale", "--out", out)
		assert.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "scale.svg is a folder")
	})

	t.Run("SIGHUP", func(t *testing.T) {
		if signal.Ignored(syscall.SIGHUP) {
			t.Skip("this test runs with SIGHUP ignored (nohup), which its child inherits and gotrt rightly keeps")
		}
		out := t.TempDir()
		c := child(t, t.TempDir(), "run", "--sut", "null", "--scenario", "server", "--target-qps", "200", "--duration", "60s", "--out", out, "--progress", "off")
		var o, e bytes.Buffer
		c.Stdout, c.Stderr = &o, &e
		require.NoError(t, c.Start())
		waitFor(t, filepath.Join(out, lockName))
		time.Sleep(300 * time.Millisecond) // past the flag checks, into the run
		require.NoError(t, c.Process.Signal(syscall.SIGHUP))
		code := exitOf(t, c.Wait())
		assert.Equal(t, exitInvalid, code, "stderr: %s", e.String())
		assert.Contains(t, o.String(), "interrupted")
		for _, f := range loadgen.LogFiles {
			assert.FileExists(t, filepath.Join(out, f))
		}
		assert.True(t, readResult(t, out).Interrupted)
	})

	t.Run("SIGHUP under nohup", func(t *testing.T) {
		// Started ignoring SIGHUP, as nohup starts it: a closed terminal
		// ends nothing; Ctrl-C still interrupts.
		out := t.TempDir()
		c := childAfter(t, t.TempDir(), `trap "" HUP;`, "run", "--sut", "null", "--scenario", "server", "--target-qps", "200", "--duration", "60s", "--out", out, "--progress", "off")
		var o, e bytes.Buffer
		c.Stdout, c.Stderr = &o, &e
		require.NoError(t, c.Start())
		waitFor(t, filepath.Join(out, lockName))
		require.NoError(t, c.Process.Signal(syscall.SIGHUP))
		time.Sleep(500 * time.Millisecond)
		_, err := os.Lstat(filepath.Join(out, lockName))
		assert.NoError(t, err, "still running after SIGHUP")
		require.NoError(t, c.Process.Signal(syscall.SIGINT))
		assert.Equal(t, exitInvalid, exitOf(t, c.Wait()), "stderr: %s", e.String())
		assert.True(t, readResult(t, out).Interrupted)
	})

	t.Run("closed pipe", func(t *testing.T) {
		// gotrt run ... 2>&1 | head -1: the reader goes away at once.
		out := t.TempDir()
		r, w, err := os.Pipe()
		require.NoError(t, err)
		require.NoError(t, r.Close())
		c := child(t, t.TempDir(), "run", "--sut", "null", "--scenario", "server", "--mode", "find-peak",
			"--target-qps", "500", "--target-latency", "50ms", "--duration", "200ms", "--peak-precision", "0.5", "--out", out)
		c.Stdout, c.Stderr = w, w
		require.NoError(t, c.Start())
		require.NoError(t, w.Close())
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		select {
		case err = <-done:
		case <-time.After(2 * time.Minute):
			_ = c.Process.Kill()
			t.Fatal("find-peak did not end")
		}
		code := exitOf(t, err)
		assert.Contains(t, []int{exitOK, exitInvalid}, code, "not killed by SIGPIPE")
		for _, f := range loadgen.LogFiles {
			assert.FileExists(t, filepath.Join(out, f))
		}
	})

	t.Run("json to a closed pipe", func(t *testing.T) {
		out := t.TempDir()
		r, w, err := os.Pipe()
		require.NoError(t, err)
		require.NoError(t, r.Close())
		c := child(t, t.TempDir(), "run", "--sut", "null", "--scenario", "singlestream", "--duration", "50ms", "--min-queries", "5", "--json", "--out", out)
		c.Stdout = w
		var e bytes.Buffer
		c.Stderr = &e
		require.NoError(t, c.Start())
		require.NoError(t, w.Close())
		code := exitOf(t, c.Wait())
		assert.Contains(t, []int{exitOK, exitInvalid}, code, e.String())
		assert.NotContains(t, e.String(), "broken pipe", "a reader that left is no error")
		assert.FileExists(t, filepath.Join(out, "result.json"))
	})

	t.Run("stdout on a full disk", func(t *testing.T) {
		full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
		if err != nil {
			t.Skip("no /dev/full here")
		}
		defer full.Close()
		out := t.TempDir()
		c := child(t, t.TempDir(), "run", "--sut", "null", "--scenario", "singlestream", "--duration", "50ms", "--min-queries", "5", "--out", out)
		var e bytes.Buffer
		c.Stdout, c.Stderr = full, &e
		assert.Contains(t, []int{exitOK, exitInvalid}, exitOf(t, c.Run()), e.String())
		assert.Contains(t, e.String(), "stdout could not be written", "said, not silent")
		assert.FileExists(t, filepath.Join(out, "result.json"))
	})

	t.Run("after SIGKILL, nothing written since", func(t *testing.T) {
		out := t.TempDir()
		aside := filepath.Join(out, asidePrefix+"123")
		require.NoError(t, os.MkdirAll(aside, 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(aside, "result.json"), []byte("old"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(out, ".result.json.tmp-99"), []byte("half"), 0o644))
		// An unknown model stops the run before it starts: the earlier
		// logs come back and stay.
		_, stderr, code := runChild(t, t.TempDir(), "run", "--model", "resnet51", "--out", out)
		assert.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "found "+asidePrefix+"123")
		assert.Contains(t, stderr, "put back")
		b, err := os.ReadFile(filepath.Join(out, "result.json"))
		require.NoError(t, err)
		assert.Equal(t, "old", string(b))
		ents, err := os.ReadDir(out)
		require.NoError(t, err)
		assert.Len(t, ents, 1, "no hidden folder or temporary file is left")
	})

	t.Run("after SIGKILL, newer logs written", func(t *testing.T) {
		out := t.TempDir()
		aside := filepath.Join(out, asidePrefix+"456")
		require.NoError(t, os.MkdirAll(aside, 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(aside, "result.json"), []byte("older"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(out, loadgen.SummaryFile), []byte("newer"), 0o644))
		_, stderr, code := runChild(t, t.TempDir(), "run", "--model", "resnet51", "--out", out)
		assert.Equal(t, exitUsage, code, stderr)
		assert.Contains(t, stderr, "removed")
		assert.NoDirExists(t, aside)
		assert.NoFileExists(t, filepath.Join(out, "result.json"))
		b, err := os.ReadFile(filepath.Join(out, loadgen.SummaryFile))
		require.NoError(t, err)
		assert.Equal(t, "newer", string(b))
	})

	t.Run("killed for real, then run again", func(t *testing.T) {
		out := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(out, "result.json"), []byte("old"), 0o644))
		c := child(t, t.TempDir(), "run", "--sut", "null", "--scenario", "server", "--target-qps", "200", "--duration", "60s", "--out", out, "--progress", "off")
		require.NoError(t, c.Start())
		waitFor(t, filepath.Join(out, lockName))
		waitGone(t, filepath.Join(out, "result.json"))
		require.NoError(t, c.Process.Kill())
		_ = c.Wait()
		ms, _ := filepath.Glob(filepath.Join(out, asidePrefix+"*"))
		require.Len(t, ms, 1, "the killed run left the earlier logs aside")
		_, stderr, code := runChild(t, t.TempDir(), "run", "--sut", "null", "--scenario", "singlestream", "--duration", "50ms", "--min-queries", "5", "--out", out)
		assert.Contains(t, []int{exitOK, exitInvalid}, code, stderr)
		assert.Contains(t, stderr, "put back")
		ms, _ = filepath.Glob(filepath.Join(out, ".gotrt*"))
		assert.Empty(t, ms, "no hidden folder or lock file is left")
		assert.Equal(t, "SingleStream", readResult(t, out).Scenario, "the new run's result")
	})
}

// waitFor waits until path exists.
func waitFor(t *testing.T, path string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Lstat(path); err == nil {
			return
		}
	}
	t.Fatalf("%s did not appear", path)
}

// waitGone waits until path no longer exists.
func waitGone(t *testing.T, path string) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			return
		}
	}
	t.Fatalf("%s is still there", path)
}

// What the run prints, once and readable.
func TestCLIPrintsOnce(t *testing.T) {
	t.Run("accuracy summary", func(t *testing.T) {
		stdout, stderr, code := runChild(t, t.TempDir(), "run", "--sut", "null", "--mode", "accuracy", "--out", t.TempDir())
		assert.Contains(t, []int{exitOK, exitInvalid}, code, stderr)
		assert.Equal(t, 1, strings.Count(stdout, "Not an MLPerf submission"), stdout)
		assert.LessOrEqual(t, strings.Count(stdout, "noisy host"), 1, stdout)
	})
	t.Run("a huge target QPS", func(t *testing.T) {
		_, stderr, code := runChild(t, t.TempDir(), "run", "--sut", "null", "--target-qps", "1e300", "--no-probe", "--out", t.TempDir())
		assert.Equal(t, exitUsage, code, stderr)
		assert.Regexp(t, `query of [0-9.]+e\+[0-9]+ samples`, stderr)
		assert.Less(t, len(stderr), 300, stderr)
	})
}
