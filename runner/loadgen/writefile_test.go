package loadgen_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
)

func nullReport(t *testing.T) *loadgen.Report {
	t.Helper()
	s := loadgen.DefaultSettings(loadgen.Offline)
	s.MinDuration, s.MinQueryCount, s.OfflineExpectedQPS = 0, 1, 100
	rep, err := loadgen.Run(context.Background(), &loadgen.NullSUT{}, loadgen.NewNullQSL(100, 64), s, loadgen.WithoutHostDetection())
	require.NoError(t, err)
	return rep
}

// A result.json that is a link (planted, or left by a tool) is replaced by
// the new file; what it points at is never written.
func TestWriteLogsNeverWritesThroughALink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "passwd")
	require.NoError(t, os.WriteFile(victim, []byte("root:x:0:0\n"), 0o644))
	for _, name := range loadgen.LogFiles {
		require.NoError(t, os.Symlink(victim, filepath.Join(dir, name)))
	}
	require.NoError(t, nullReport(t).WriteLogs(dir))
	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "root:x:0:0\n", string(b))
	for _, name := range loadgen.LogFiles {
		st, err := os.Lstat(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.True(t, st.Mode().IsRegular(), name)
		assert.Positive(t, st.Size(), name)
	}
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, ents, len(loadgen.LogFiles), "no temporary files are left")
}

// A folder linked as --out is the user's choice: the logs go into it.
func TestWriteLogsIntoALinkedFolder(t *testing.T) {
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "latest")
	require.NoError(t, os.Symlink(real, link))
	require.NoError(t, loadgen.PrepareLogDir(link))
	require.NoError(t, nullReport(t).WriteLogs(link))
	assert.FileExists(t, filepath.Join(real, loadgen.ResultFile))
}

// PrepareLogDir removes an earlier run's logs, so that a run that then
// fails leaves no result.json that looks like its own; it refuses a file.
func TestPrepareLogDirRemovesStaleLogs(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, nullReport(t).WriteLogs(dir))
	other := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(other, []byte("mine"), 0o644))
	require.NoError(t, loadgen.PrepareLogDir(dir))
	for _, name := range loadgen.LogFiles {
		assert.NoFileExists(t, filepath.Join(dir, name))
	}
	assert.FileExists(t, other, "only the log files go")

	err := loadgen.PrepareLogDir(other)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a folder")
}
