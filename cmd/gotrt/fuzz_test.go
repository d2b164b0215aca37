package main

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// FuzzRunFlags feeds arbitrary command lines (one argument per line) to
// `gotrt run`'s flag parser and checks, standing in for the run: it never
// panics; it refuses with a usage error (exit 2) of bounded length, or it
// hands the runner a config whose every number is finite and inside its
// flag's range. The seeds run as an ordinary test.
func FuzzRunFlags(f *testing.F) {
	for _, s := range []string{
		"",
		"--duration\n0",
		"--duration=9999999999h",
		"--target-qps\nNaN",
		"--target-qps=1e300\n--no-probe",
		"--target-qps=-Inf",
		"--peak-precision\nNaN",
		"--peak-precision=0.999999999999",
		"--max-batch\n100000000",
		"--max-batch=0x7fffffff",
		"--max-batch=-1",
		"--streams\n0",
		"--batch-timeout\n0",
		"--batch-timeout=-0s",
		"--samples-per-query=18446744073709551615\n--scenario=MultiStream",
		"--min-queries=0",
		"--devices=\n--format=",
		"--scenario\nserver\n--target-latency\n1ns",
		"--mode=find-peak\n--scenario=Server\n--peak-precision=0",
		"--progress=maybe",
		"--scenario=server\n--issue-threads=64",
		"--issue-threads=18446744073709551616",
		"--scenario=offline\n--issue-threads=2",
		"-x",
		"--\n--max-batch=0",
	} {
		f.Add(s)
	}
	out := f.TempDir()
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, "\n")
		for _, a := range args {
			// No paths: the fuzzer must not make the command read /dev/stdin or
			// write where it likes.
			if strings.ContainsAny(a, `/\`) {
				t.Skip()
			}
		}
		n := &noRun{}
		cmd := newRunCmd(n.run)
		_, _, err := execCmd(t, cmd, append(append([]string{"run"}, args...), "--out", out, "--progress", "off")...)
		if err == nil {
			return // --help: the stand-in run cannot succeed
		}
		if errors.Is(err, errNotRun) {
			checkRunConfig(t, args, n.cfg)
			return
		}
		if exitCode(err) != exitUsage {
			t.Fatalf("%q: exit %d, want 2 (usage): %v", args, exitCode(err), err)
		}
		if len(err.Error()) > 1000 {
			t.Fatalf("%q: error of %d bytes", args, len(err.Error()))
		}
	})
}

// checkRunConfig fails t unless every number the flags put in cfg is
// finite and inside its flag's range.
func checkRunConfig(t *testing.T, args []string, cfg runner.Config) {
	t.Helper()
	o, s := cfg.Overrides, cfg.Sched
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	switch {
	case !finite(o.TargetQPS) || o.TargetQPS < 0:
		t.Fatalf("%q: target QPS %v", args, o.TargetQPS)
	case !finite(o.PeakPrecision) || o.PeakPrecision < 0 || o.PeakPrecision >= 1:
		t.Fatalf("%q: peak precision %v", args, o.PeakPrecision)
	case o.MinDuration < 0 || o.TargetLatency < 0:
		t.Fatalf("%q: duration %v, latency %v", args, o.MinDuration, o.TargetLatency)
	case o.IssueThreads > loadgen.MaxIssueThreads:
		t.Fatalf("%q: issue threads %d", args, o.IssueThreads)
	case s.MaxBatch < 0 || s.MaxBatch > maxBatchLimit:
		t.Fatalf("%q: max batch %d", args, s.MaxBatch)
	case s.Streams < 0 || s.Streams > maxStreams:
		t.Fatalf("%q: streams %d", args, s.Streams)
	case s.BatchTimeout < 0 || s.BatchTimeout > maxBatchTimeout:
		t.Fatalf("%q: batch timeout %v", args, s.BatchTimeout)
	}
}

// --batch-timeout 0 is "no wait", not the scheduler's default; left out,
// the scheduler chooses.
func TestBatchTimeoutZeroIsNoWait(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 0},
		{[]string{"--batch-timeout", "0"}, noBatchWait},
		{[]string{"--batch-timeout", "0s"}, noBatchWait},
		{[]string{"--batch-timeout", "3ms"}, 3 * time.Millisecond},
	} {
		n := &noRun{}
		_, _, err := execCmd(t, newRunCmd(n.run), append([]string{"run", "--out", t.TempDir(), "--progress", "off"}, tc.args...)...)
		require.ErrorIs(t, err, errNotRun)
		assert.Equal(t, tc.want, n.cfg.Sched.BatchTimeout, "%q", tc.args)
	}
}
