package main

import (
	"bytes"
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
)

var errNotRun = errors.New("test: the run was not meant to start")

// noRun stands in for runner.Run where a test checks what happens before
// the run: it records the config and refuses.
type noRun struct {
	calls int
	cfg   runner.Config
}

func (n *noRun) run(_ context.Context, cfg runner.Config) (*loadgen.Report, error) {
	n.calls++
	n.cfg = cfg
	return nil, errNotRun
}

// execRoot runs the real root command, as `gotrt args...`.
func execRoot(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var o, e bytes.Buffer
	rootCmd.SetOut(&o)
	rootCmd.SetErr(&e)
	rootCmd.SetArgs(args)
	t.Cleanup(func() { rootCmd.SetArgs(nil); rootCmd.SetOut(nil); rootCmd.SetErr(nil) })
	err = rootCmd.Execute()
	return o.String(), e.String(), err
}

// Every bad flag, argument or command exits 2 (README: "2 bad flags,
// arguments or config").
func TestBadFlagsExitTwo(t *testing.T) {
	tooMany := "cpu:" + strconv.Itoa(runtime.NumCPU()+1)
	for _, tc := range []struct {
		description string
		cmd         func() (string, string, error)
		want        string
	}{
		{"more cpu devices than cores", func() (string, string, error) {
			return execCmd(t, newRunCmd(runner.Run), "run", "--devices", tooMany, "--out", t.TempDir(), "--progress", "off")
		}, tooMany[4:]},
		{"scale find-peak offline", func() (string, string, error) {
			f := &fakeRunner{}
			return execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--mode", "find-peak", "--out", t.TempDir())
		}, "find-peak"},
		{"unknown command", func() (string, string, error) { return execRoot(t, "bogus") }, `unknown command "bogus"`},
		{"progress maybe", func() (string, string, error) {
			n := &noRun{}
			return execCmd(t, newRunCmd(n.run), "run", "--progress", "maybe", "--out", t.TempDir())
		}, "--progress"},
		{"on-device-error sometimes", func() (string, string, error) {
			n := &noRun{}
			return execCmd(t, newRunCmd(n.run), "run", "--on-device-error", "sometimes", "--out", t.TempDir())
		}, "--on-device-error"},
		{"streams beyond the cores", func() (string, string, error) {
			return execCmd(t, newRunCmd(runner.Run), "run", "--streams", "1000", "--out", t.TempDir(), "--progress", "off")
		}, "--streams 1000: want 1 to " + strconv.Itoa(runtime.NumCPU()) + " on this CPU"},
		{"streams beyond a split CPU's cores", func() (string, string, error) {
			return execCmd(t, newRunCmd(runner.Run), "run", "--devices", "cpu:2", "--streams", strconv.Itoa(runtime.NumCPU()), "--out", t.TempDir(), "--progress", "off")
		}, "streams " + strconv.Itoa(runtime.NumCPU()) + ": CPU device"},
		{"streams beyond the flag's range", func() (string, string, error) {
			return execCmd(t, newRunCmd(runner.Run), "run", "--streams", "100000", "--out", t.TempDir(), "--progress", "off")
		}, `--streams "100000": want 1 to 1024`},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, _, err := tc.cmd()
			require.Error(t, err)
			assert.Equal(t, exitUsage, exitCode(err), "%v", err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, 1, strings.Count(err.Error(), tc.want), "said once: %v", err)
		})
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	_, _, err := execRoot(t, "rnu")
	assert.Equal(t, exitUsage, exitCode(err))
	assert.Contains(t, err.Error(), "did you mean run")
	_, _, err = execRoot(t, strings.Repeat("x", 100000))
	assert.Less(t, len(err.Error()), 300, "a long argument is quoted short")
}

func TestOnDeviceErrorSetsThePolicy(t *testing.T) {
	for flag, want := range map[string]sched.FaultPolicy{"fail": sched.FailRun, "continue": sched.Continue} {
		n := &noRun{}
		_, _, err := execCmd(t, newRunCmd(n.run), "run", "--on-device-error", flag, "--out", t.TempDir(), "--progress", "off")
		require.ErrorIs(t, err, errNotRun)
		assert.Equal(t, want, n.cfg.Sched.OnFault, flag)
	}
	n := &noRun{}
	_, _, err := execCmd(t, newRunCmd(n.run), "run", "--out", t.TempDir(), "--progress", "off")
	require.ErrorIs(t, err, errNotRun)
	assert.Equal(t, sched.FailRun, n.cfg.Sched.OnFault, "fail is the default")
}

// A missing plan is named, whatever the build supports.
func TestInspectMissingFileNamesIt(t *testing.T) {
	_, _, err := execRoot(t, "inspect", "/nonexistent/resnet50.plan")
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err))
	assert.Contains(t, err.Error(), "/nonexistent/resnet50.plan")
	assert.NotContains(t, err.Error(), "not supported")
}

// Flags the run does not use say so.
func TestIgnoredFlagsWarn(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"--engine", "r.plan", "--data", "d"}, []string{"--engine is ignored", "--data is ignored"}},
		{[]string{"--sut", "null", "--devices", "cpu:2", "--precision", "fp32"}, []string{"--devices is ignored", "--precision is ignored"}},
		{[]string{"--model", "resnet50", "--engine", "r.plan", "--data", "d", "--precision", "fp32"}, []string{"--precision is ignored"}},
		{[]string{"--mode", "accuracy", "--duration", "1s", "--min-queries", "5"}, []string{"--duration is ignored", "--min-queries is ignored"}},
		{[]string{"--peak-precision", "0.1", "--scenario", "server", "--no-probe"}, []string{"--peak-precision is ignored", "--no-probe is ignored"}},
	} {
		n := &noRun{}
		standInTensorRT(t, nil)
		_, stderr, err := execCmd(t, newRunCmd(n.run), append([]string{"run", "--out", t.TempDir(), "--progress", "off"}, tc.args...)...)
		require.ErrorIs(t, err, errNotRun)
		for _, w := range tc.want {
			assert.Contains(t, stderr, "warning: "+w, "%v", tc.args)
		}
	}
	n := &noRun{}
	_, stderr, _ := execCmd(t, newRunCmd(n.run), "run", "--out", t.TempDir(), "--progress", "off", "--devices", "cpu:2")
	assert.NotContains(t, stderr, "warning", "flags the run uses")
}

// --user-conf /dev/zero fails at once with a named error (it used to read
// until the kernel killed gotrt).
func TestUserConfDevZeroFailsFast(t *testing.T) {
	n := &noRun{}
	_, _, err := execCmd(t, newRunCmd(n.run), "run", "--user-conf", "/dev/zero", "--out", t.TempDir(), "--progress", "off")
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err), "%v", err)
	assert.Contains(t, err.Error(), "--user-conf: /dev/zero: not a regular file")
	assert.Zero(t, n.calls)
}
