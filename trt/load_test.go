//go:build tensorrt

package trt

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildStandin compiles testdata/standin (a STAND-IN for TensorRT's
// libraries: it reports version v and creates nothing) into dir/file with
// soname file. It skips the test where no C compiler is installed.
func buildStandin(t *testing.T, dir, file string, v Version, extra ...string) string {
	t.Helper()
	cc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc to build the stand-in library")
	}
	require.NoError(t, os.MkdirAll(dir, 0o755))
	out := filepath.Join(dir, file)
	args := append([]string{"-shared", "-fPIC", "-O1",
		"-DSTANDIN_MAJOR=" + strconv.Itoa(v.Major), "-DSTANDIN_MINOR=" + strconv.Itoa(v.Minor), "-DSTANDIN_PATCH=" + strconv.Itoa(v.Patch),
		"-Wl,-soname," + file, "-o", out, "testdata/standin/libnvinfer_standin.c"}, extra...)
	b, err := exec.Command(cc, args...).CombinedOutput()
	require.NoError(t, err, "%s", b)
	return out
}

// resetLoad forgets the process's load, so that Load runs again; the C side
// keeps an open library open (a stand-in, in these tests).
func resetLoad() {
	loaded.once = sync.Once{}
	loaded.parserOnce = sync.Once{}
	loaded.lib, loaded.err, loaded.parserErr = Library{}, nil, nil
}

// TestLoadWithStandins runs every branch of loading TensorRT against
// stand-in libraries (test tools, not TensorRT), in order: the C side keeps
// what it opened for the life of the process, as it does in gotrt.
func TestLoadWithStandins(t *testing.T) {
	h := headerVersion()
	infer, plugin, parser := soname(libInfer, h.Major), soname(libPlugin, h.Major), soname(libParser, h.Major)
	root := t.TempDir()
	defer resetLoad()

	t.Run("override that does not exist", func(t *testing.T) {
		_, err := openLibrary(filepath.Join(root, "nowhere"))
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrNotSupported)
		assert.NotErrorIs(t, err, ErrLibraryVersion)
		assert.Contains(t, err.Error(), "nowhere")
		assert.Contains(t, err.Error(), "no such file or folder")
		assert.Contains(t, err.Error(), EnvLibrary)
		assert.NotContains(t, err.Error(), "\n")
	})

	t.Run("folder without the library", func(t *testing.T) {
		empty := filepath.Join(root, "empty")
		require.NoError(t, os.Mkdir(empty, 0o755))
		_, err := openLibrary(empty)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrNotSupported)
		assert.Contains(t, err.Error(), "cannot load "+infer)
		assert.Contains(t, err.Error(), filepath.Join(empty, infer))
		assert.Contains(t, err.Error(), EnvLibrary)
	})

	t.Run("library of another major version", func(t *testing.T) {
		other := Version{Major: h.Major - 1, Minor: 6, Patch: 1}
		lib := buildStandin(t, filepath.Join(root, "other"), infer, other)
		_, err := openLibrary(lib)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrLibraryVersion)
		assert.ErrorIs(t, err, ErrNotSupported)
		assert.Contains(t, err.Error(), "is TensorRT "+other.String())
		assert.Contains(t, err.Error(), "built with TensorRT "+h.String()+" headers")
	})

	good := filepath.Join(root, "good")
	buildStandin(t, good, infer, h)
	buildStandin(t, good, plugin, h)

	t.Run("library of the headers' version", func(t *testing.T) {
		t.Setenv(EnvLibrary, good)
		resetLoad()
		lib, err := Load()
		require.NoError(t, err)
		assert.Equal(t, h, lib.Version)
		assert.Equal(t, h, lib.Headers)
		assert.Equal(t, filepath.Join(good, infer), lib.Path)
		assert.Equal(t, filepath.Join(good, plugin), lib.Plugin)
		assert.Empty(t, lib.PluginNote)
		assert.False(t, lib.OlderThanHeaders())
		v, err := LibraryVersion()
		require.NoError(t, err)
		assert.Equal(t, h, v)
	})

	t.Run("factories that return null fail cleanly", func(t *testing.T) {
		rt, err := NewRuntime()
		assert.Nil(t, rt)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrFailed)
		assert.Contains(t, err.Error(), "createInferRuntime")
	})

	t.Run("builder without the onnx parser", func(t *testing.T) {
		t.Setenv(EnvLibrary, good)
		b, err := NewBuilder()
		assert.Nil(t, b)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrNotSupported)
		assert.Contains(t, err.Error(), "cannot load "+parser)
	})

	t.Run("builder with the parser", func(t *testing.T) {
		t.Setenv(EnvLibrary, good)
		buildStandin(t, good, parser, h)
		loaded.parserOnce, loaded.parserErr = sync.Once{}, nil
		b, err := NewBuilder()
		assert.Nil(t, b)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrFailed)
		assert.Contains(t, err.Error(), "createInferBuilder")
	})

	t.Run("user plugin libraries", func(t *testing.T) {
		notELF := filepath.Join(root, "notes.so")
		require.NoError(t, os.WriteFile(notELF, []byte("not a library"), 0o644))
		err := LoadPlugins(notELF)
		assert.ErrorIs(t, err, ErrPluginLibrary)
		assert.Contains(t, err.Error(), notELF)

		err = LoadPlugins(filepath.Join(root, "missing.so"))
		assert.ErrorIs(t, err, ErrPluginLibrary)
		assert.Contains(t, err.Error(), "missing.so")

		// A library that registers its plugins when opened (MLPerf's way).
		static := buildStandin(t, filepath.Join(root, "plugins"), "libstatic_plugin.so", h)
		require.NoError(t, LoadPlugins(static, static))
		// One that exports getCreators goes to IPluginRegistry::loadLibrary,
		// which the stand-in's null registry fails: the error says so.
		creators := buildStandin(t, filepath.Join(root, "plugins"), "libcreators_plugin.so", h,
			"-DSTANDIN_CREATORS=1")
		err = LoadPlugins(creators)
		assert.ErrorIs(t, err, ErrPluginLibrary)
		assert.Contains(t, err.Error(), "getPluginRegistry")

		env := planEnvironment()
		assert.Equal(t, []string{filepath.Join(good, plugin), static}, env.Plugins)
		assert.True(t, strings.HasPrefix(env.Library, h.String()+" ("), env.Library)
	})
}
