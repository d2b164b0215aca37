package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// A --out that cannot hold the logs is refused before the run (exit 2),
// not after it.
func TestOutThatCannotHoldLogsFailsBeforeTheRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	for _, tc := range []struct{ out, want string }{
		{file, "is a file, not a folder"},
		{filepath.Join(file, "sub"), "cannot create folder"},
	} {
		n := &noRun{}
		_, _, err := execCmd(t, newRunCmd(n.run), "run", "--out", tc.out, "--progress", "off")
		assert.Equal(t, exitUsage, exitCode(err), "%v", err)
		assert.Contains(t, err.Error(), tc.want)
		assert.Contains(t, err.Error(), "--out")
		assert.Zero(t, n.calls, "the run never started")

		f := &fakeRunner{}
		_, _, err = execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", tc.out)
		assert.Equal(t, exitUsage, exitCode(err), "%v", err)
		assert.Contains(t, err.Error(), tc.want)
		assert.Empty(t, f.devices, "no count ran")
	}
}

// A run that fails leaves no earlier run's result.json looking current.
func TestFailedRunLeavesNoStaleResult(t *testing.T) {
	out := t.TempDir()
	for _, name := range []string{"result.json", "mlperf_log_summary.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(out, name), []byte("old"), 0o644))
	}
	mine := filepath.Join(out, "notes.txt")
	require.NoError(t, os.WriteFile(mine, []byte("mine"), 0o644))
	n := &noRun{}
	_, _, err := execCmd(t, newRunCmd(n.run), "run", "--out", out, "--progress", "off")
	require.ErrorIs(t, err, errNotRun)
	assert.Equal(t, exitFailure, exitCode(err))
	assert.NoFileExists(t, filepath.Join(out, "result.json"))
	assert.NoFileExists(t, filepath.Join(out, "mlperf_log_summary.txt"))
	assert.FileExists(t, mine, "only the logs go")
	ents, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "no folder of moved logs is left")
}

// A result.json planted as a link is replaced, never written through.
func TestRunNeverWritesThroughALinkedResult(t *testing.T) {
	out := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	require.NoError(t, os.WriteFile(victim, []byte("keep"), 0o644))
	require.NoError(t, os.Symlink(victim, filepath.Join(out, "result.json")))
	_, _, err := execCmd(t, newRunCmd(nullRun), "run", "--sut", "null", "--out", out, "--progress", "off")
	assert.Contains(t, []int{exitOK, exitInvalid}, exitCode(err), "%v", err)
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep", string(b))
	st, err := os.Lstat(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.True(t, st.Mode().IsRegular())
	assert.NotEmpty(t, readResult(t, out).Scenario)
}

// A bad flag that only the runner can judge (an unknown model) ran
// nothing: the earlier run's logs stay, and nothing else is left behind.
func TestBadFlagKeepsTheEarlierLogs(t *testing.T) {
	out := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(out, "result.json"), []byte("old"), 0o644))
	_, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--model", "resnet51", "--out", out, "--progress", "off")
	assert.Equal(t, exitUsage, exitCode(err), "%v", err)
	b, err := os.ReadFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	ents, err := os.ReadDir(out)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "no folder of moved logs is left")
}

// scale: a count's earlier logs go once its run happened, and stay when a
// bad flag stopped it first.
func TestScaleCountKeepsOrReplacesEarlierLogs(t *testing.T) {
	out := t.TempDir()
	dir := filepath.Join(out, "devices-1")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	old := filepath.Join(dir, "result.json")
	require.NoError(t, os.WriteFile(old, []byte("old"), 0o644))
	f := &fakeRunner{fail: 1, err: fmt.Errorf("%w: model resnet51", runner.ErrConfig)}
	_, _, err := execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", out, "--counts", "1")
	assert.Equal(t, exitUsage, exitCode(err), "%v", err)
	b, err := os.ReadFile(old)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b), "nothing ran: the earlier logs stay")

	f = &fakeRunner{fail: 1, err: errors.New("cuda: device fell off the bus")}
	_, _, err = execCmd(t, newScaleCmd(f.run, fourDevices), "scale", "--out", out, "--counts", "1")
	assert.Equal(t, exitFailure, exitCode(err), "%v", err)
	assert.NoFileExists(t, old, "a run that failed leaves no earlier result looking current")
}

// A folder of moved-aside logs that holds something else (a folder of the
// user's that an older gotrt moved aside) loses its log files only: the
// rest stays where it is.
func TestLeftoverKeepsWhatIsNotALog(t *testing.T) {
	out := t.TempDir()
	aside := filepath.Join(out, asidePrefix+"7")
	mine := filepath.Join(aside, "result.json", "mine.txt")
	require.NoError(t, os.MkdirAll(filepath.Dir(mine), 0o755))
	require.NoError(t, os.WriteFile(mine, []byte("mine"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(aside, "mlperf_log_summary.txt"), []byte("old"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(out, "result.json"), []byte("newer"), 0o644))
	var note bytes.Buffer
	require.NoError(t, recoverAside(out, &note))
	assert.Contains(t, note.String(), "removed")
	assert.Contains(t, note.String(), "kept "+aside)
	assert.FileExists(t, mine)
	assert.NoFileExists(t, filepath.Join(aside, "mlperf_log_summary.txt"))
}

// Logs that cannot be written lose no measurement: the result is printed
// all the same, and the error (exit 1) says it was not saved.
func TestUnsavedResultIsPrinted(t *testing.T) {
	out := t.TempDir()
	run := func(ctx context.Context, cfg runner.Config) (*loadgen.Report, error) {
		rep, err := nullRun(ctx, cfg)
		// The disk refuses the logs: a folder now sits where one goes.
		require.NoError(t, os.Mkdir(filepath.Join(out, "result.json"), 0o755))
		return rep, err
	}
	stdout, _, err := execCmd(t, newRunCmd(run), "run", "--out", out, "--progress", "off")
	require.Error(t, err)
	assert.Equal(t, exitFailure, exitCode(err), "%v", err)
	assert.Contains(t, err.Error(), "could not be saved in "+out)
	assert.Contains(t, stdout, "Result is : ")
	assert.NotContains(t, stdout, "Logs and result.json in")
}
