package atomicfile_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/atomicfile"
)

func TestWriteReplacesASymlinkInsteadOfWritingThroughIt(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "precious")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	p := filepath.Join(dir, "result.json")
	require.NoError(t, os.Symlink(victim, p))

	require.NoError(t, atomicfile.WriteBytes(p, []byte("{}\n")))

	b, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "keep me", string(b), "the link's target is untouched")
	st, err := os.Lstat(p)
	require.NoError(t, err)
	assert.True(t, st.Mode().IsRegular(), "the link was replaced by a file")
	assert.Equal(t, os.FileMode(atomicfile.Perm), st.Mode().Perm())
	b, err = os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "{}\n", string(b))
}

func TestWriteFailureLeavesTheOldFileAndNoTemporary(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "result.json")
	require.NoError(t, os.WriteFile(p, []byte("old"), 0o644))
	boom := errors.New("boom")
	err := atomicfile.Write(p, func(w io.Writer) error {
		_, _ = io.WriteString(w, "half")
		return boom
	})
	require.ErrorIs(t, err, boom)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	assert.Equal(t, "old", string(b))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, ents, 1, "no temporary file is left")
}

func TestWriteRefusesAFolder(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "result.json")
	require.NoError(t, os.Mkdir(p, 0o755))
	err := atomicfile.WriteBytes(p, []byte("x"))
	assert.ErrorIs(t, err, atomicfile.ErrNotRegular)
}

func TestRemoveRemovesTheLinkNotItsTarget(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "precious")
	require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
	p := filepath.Join(dir, "result.json")
	require.NoError(t, os.Symlink(victim, p))
	require.NoError(t, atomicfile.Remove(p))
	assert.NoFileExists(t, p)
	assert.FileExists(t, victim)
	require.NoError(t, atomicfile.Remove(p), "a missing file is no error")
	require.NoError(t, os.Mkdir(p, 0o755))
	assert.ErrorIs(t, atomicfile.Remove(p), atomicfile.ErrNotRegular)
}

func TestCheckDir(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, atomicfile.CheckDir(filepath.Join(dir, "a", "b")), "folders are created")
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	err := atomicfile.CheckDir(file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is a file, not a folder")
	err = atomicfile.CheckDir(filepath.Join(file, "sub"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot create folder")

	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		require.NoError(t, os.Mkdir(ro, 0o555))
		err = atomicfile.CheckDir(ro)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not writable")
	}
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range ents {
		assert.NotContains(t, e.Name(), "write-check", "the probe file is removed")
	}
}
