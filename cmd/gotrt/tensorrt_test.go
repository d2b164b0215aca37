package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/trt"
)

// standInTensorRT makes the commands' TensorRT check return err (nil: as
// if TensorRT loaded) for the test: a stand-in, not TensorRT.
func standInTensorRT(t *testing.T, err error) {
	t.Helper()
	old := loadTensorRT
	t.Cleanup(func() { loadTensorRT = old })
	loadTensorRT = func(string, []string) error { return err }
}

// standInProbe makes version and devices see info as TensorRT's state.
func standInProbe(t *testing.T, info *tensorrtInfo) {
	t.Helper()
	old := probeTensorRT
	t.Cleanup(func() { probeTensorRT = old })
	probeTensorRT = func() *tensorrtInfo { return info }
}

func TestVersionJSONHasTagsAndTensorRT(t *testing.T) {
	standInProbe(t, nil)
	stdout, _, err := execCmd(t, newVersionCmd(), "version", "--json")
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(stdout), &m))
	_, ok := m["tags"]
	assert.True(t, ok, "version --json always has the tags the text prints: %s", stdout)
	assert.NotContains(t, m, "tensorrt", "no tensorrt object in a build without it")

	text, _, err := execCmd(t, newVersionCmd(), "version")
	require.NoError(t, err)
	assert.Contains(t, text, "tensorrt: not in this build (build with -tags cuda,tensorrt)\n")

	loaded := &tensorrtInfo{Headers: "10.16.0", Library: "10.16.0", Path: "/usr/lib/x86_64-linux-gnu/libnvinfer.so.10",
		Plugins: "/usr/lib/x86_64-linux-gnu/libnvinfer_plugin.so.10"}
	standInProbe(t, loaded)
	text, _, err = execCmd(t, newVersionCmd(), "version")
	require.NoError(t, err)
	assert.Contains(t, text, "tensorrt: headers 10.16.0, library 10.16.0 (/usr/lib/x86_64-linux-gnu/libnvinfer.so.10)\n")
	assert.Contains(t, text, "tensorrt plugins: /usr/lib/x86_64-linux-gnu/libnvinfer_plugin.so.10\n")
	stdout, _, err = execCmd(t, newVersionCmd(), "version", "--json")
	require.NoError(t, err)
	var v versionJSON
	require.NoError(t, json.Unmarshal([]byte(stdout), &v))
	assert.Equal(t, loaded, v.TensorRT)

	missing := &tensorrtInfo{Headers: "10.16.0", Error: "tensorrt: cannot load libnvinfer.so.10 (...): install TensorRT 10.x or set GOTRT_TENSORRT_LIB to its library or folder"}
	standInProbe(t, missing)
	text, _, err = execCmd(t, newVersionCmd(), "version")
	require.NoError(t, err, "version works without TensorRT")
	assert.Contains(t, text, "tensorrt: headers 10.16.0, library not loaded: tensorrt: cannot load libnvinfer.so.10")
}

func TestDevicesAddsOneTensorRTLine(t *testing.T) {
	standInProbe(t, &tensorrtInfo{Headers: "10.16.0", Library: "10.16.0", Path: "/l/libnvinfer.so.10"})
	_, stderr, err := runDevices(t, mockDGX())
	require.NoError(t, err)
	assert.Contains(t, stderr, "gotrt: tensorrt 10.16.0 (/l/libnvinfer.so.10; headers 10.16.0)\n")

	standInProbe(t, &tensorrtInfo{Headers: "10.16.0", Error: "tensorrt: cannot load libnvinfer.so.10 (x): install TensorRT 10.x or set GOTRT_TENSORRT_LIB to its library or folder"})
	_, stderr, err = runDevices(t, mockDGX())
	require.NoError(t, err, "devices works without TensorRT")
	assert.Contains(t, stderr, "gotrt: tensorrt: cannot load libnvinfer.so.10")

	standInProbe(t, nil)
	_, stderr, err = runDevices(t, mockDGX())
	require.NoError(t, err)
	assert.NotContains(t, stderr, "tensorrt", "a build without TensorRT adds no line")
}

// The stand-in error is what trt.Load returns where the library is missing.
var errNoLibrary = &trt.LibraryError{Lib: "libnvinfer.so.10", Tried: "libnvinfer.so.10", Headers: trt.Version{Major: 10, Minor: 16},
	Reason: "libnvinfer.so.10: cannot open shared object file: No such file or directory"}

func TestCommandsWithoutTensorRTExitTwo(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "r.plan")
	onnx := filepath.Join(dir, "r.onnx")
	for _, f := range []string{plan, onnx} {
		require.NoError(t, os.WriteFile(f, []byte("x"), 0o644))
	}
	standInTensorRT(t, usageError{errors.Join(errNoLibrary)})
	for _, args := range [][]string{
		{"inspect", plan},
		{"build", "--onnx", onnx, "--out", filepath.Join(dir, "o.plan")},
	} {
		_, _, err := execRoot(t, args...)
		require.Error(t, err, args)
		assert.Equal(t, exitUsage, exitCode(err), args)
		assert.ErrorIs(t, err, trt.ErrNotSupported, args)
		assert.Contains(t, err.Error(), "libnvinfer.so.10", args)
		assert.Contains(t, err.Error(), "GOTRT_TENSORRT_LIB", args)
		assert.NotContains(t, err.Error(), "\n", args)
	}

	n := &noRun{}
	_, _, err := execCmd(t, newRunCmd(n.run), "run", "--model", "resnet50", "--engine", plan, "--data", dir,
		"--out", t.TempDir(), "--progress", "off")
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err))
	assert.Contains(t, err.Error(), "GOTRT_TENSORRT_LIB")
	assert.Zero(t, n.calls, "stopped before the run")

	// The built-in model needs no TensorRT.
	n = &noRun{}
	_, stderr, err := execCmd(t, newRunCmd(n.run), "run", "--plugins", "a.so", "--out", t.TempDir(), "--progress", "off")
	require.ErrorIs(t, err, errNotRun)
	assert.Contains(t, stderr, "--plugins is ignored")
}

func TestInspectMissingPlanIsOneClearLine(t *testing.T) {
	_, _, err := execRoot(t, "inspect", "/nonexistent/resnet50.plan")
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err))
	assert.Equal(t, "plan /nonexistent/resnet50.plan: no such file", err.Error())
}

func TestBuildChecksTheGPUFirst(t *testing.T) {
	dir := t.TempDir()
	onnx := filepath.Join(dir, "r.onnx")
	require.NoError(t, os.WriteFile(onnx, []byte("x"), 0o644))
	standInTensorRT(t, nil)
	old := buildGPU
	t.Cleanup(func() { buildGPU = old })
	buildGPU = func() error {
		return errors.New("no usable CUDA device: libcuda.so.1: cannot open shared object file")
	}
	_, _, err := execRoot(t, "build", "--onnx", onnx, "--out", filepath.Join(dir, "o.plan"))
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err))
	assert.True(t, strings.HasPrefix(err.Error(), "build: needs a usable GPU: no usable CUDA device"), err.Error())
	_, statErr := os.Stat(filepath.Join(dir, "o.plan"))
	assert.True(t, os.IsNotExist(statErr), "no plan written")

	plan := filepath.Join(dir, "r.plan")
	require.NoError(t, os.WriteFile(plan, []byte("x"), 0o644))
	_, _, err = execRoot(t, "inspect", plan)
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err))
	assert.True(t, strings.HasPrefix(err.Error(), "inspect: needs a usable GPU: no usable CUDA device"), err.Error())
}

func TestRequireTensorRTIsAUsageError(t *testing.T) {
	if _, ok := trt.HeaderVersion(); ok {
		t.Skip("a tensorrt build: .ci/trt-check.sh runs it with and without a stand-in library")
	}
	err := requireTensorRT("inspect", nil)
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err))
	assert.ErrorIs(t, err, trt.ErrNotSupported)
	assert.Equal(t, "inspect: tensorrt library: not supported (build with -tags cuda,tensorrt)", err.Error())
}

func TestScaleEngineWithoutTensorRTExitsTwo(t *testing.T) {
	standInTensorRT(t, usageError{errNoLibrary})
	f := &scaleFlags{run: runFlags{model: "resnet50", engine: "r.plan", data: "d", scenario: "Offline", mode: "performance",
		onDeviceError: "fail", devices: "all"}}
	_, err := scaleConfig(f, nil)
	require.Error(t, err)
	assert.Equal(t, exitUsage, exitCode(err))
	assert.Contains(t, err.Error(), "GOTRT_TENSORRT_LIB")
}
