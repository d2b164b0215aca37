package trt

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLibraryFileFollowsTheOverride(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libnvinfer.so.10.16.0")
	require.NoError(t, os.WriteFile(lib, nil, 0o644))

	f, err := libraryFile(libInfer, 10, "")
	require.NoError(t, err)
	assert.Equal(t, "libnvinfer.so.10", f, "no override: the soname, for the loader's search")

	f, err = libraryFile(libPlugin, 10, dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "libnvinfer_plugin.so.10"), f, "a folder holds every library")

	f, err = libraryFile(libInfer, 10, lib)
	require.NoError(t, err)
	assert.Equal(t, lib, f, "a file is libnvinfer itself")
	f, err = libraryFile(libParser, 10, lib)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "libnvonnxparser.so.10"), f, "the other libraries are its siblings")

	_, err = libraryFile(libInfer, 10, filepath.Join(dir, "nope"))
	assert.ErrorContains(t, err, "GOTRT_TENSORRT_LIB="+filepath.Join(dir, "nope")+": no such file or folder")
}

func TestPluginLibraryPathChecksTheFile(t *testing.T) {
	dir := t.TempDir()
	_, _, err := pluginLibraryPath(dir)
	assert.ErrorIs(t, err, ErrPluginLibrary)
	assert.ErrorContains(t, err, "not a regular file")

	txt := filepath.Join(dir, "a.so")
	require.NoError(t, os.WriteFile(txt, []byte("hello"), 0o644))
	_, _, err = pluginLibraryPath(txt)
	assert.ErrorIs(t, err, ErrPluginLibrary)
	assert.ErrorContains(t, err, "not an ELF shared library")

	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc to build stand-in plugin libraries")
	}
	build := func(name string, defs ...string) string {
		out := filepath.Join(dir, name)
		args := append([]string{"-shared", "-fPIC", "-DSTANDIN_MAJOR=10", "-DSTANDIN_MINOR=16", "-DSTANDIN_PATCH=0",
			"-o", out, "testdata/standin/libnvinfer_standin.c"}, defs...)
		b, err := exec.Command(cc, args...).CombinedOutput()
		require.NoError(t, err, "%s", b)
		return out
	}
	abs, creators, err := pluginLibraryPath(build("libstatic.so"))
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(abs))
	assert.False(t, creators, "registers from static initialisers: dlopen it")
	_, creators, err = pluginLibraryPath(build("libcreators.so", "-DSTANDIN_CREATORS=1"))
	require.NoError(t, err)
	assert.True(t, creators, "exports getCreators: IPluginRegistry::loadLibrary")
}

func TestLibraryStringAndAge(t *testing.T) {
	l := Library{Headers: Version{10, 16, 0}, Version: Version{10, 8, 0}, Path: "/x/libnvinfer.so.10"}
	assert.Equal(t, "10.8.0 (/x/libnvinfer.so.10)", l.String())
	assert.True(t, l.OlderThanHeaders())
	l.Version.Minor = 17
	assert.False(t, l.OlderThanHeaders())
}
