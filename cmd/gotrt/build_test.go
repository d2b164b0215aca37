package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/trt"
)

func TestBuildFlagsToOptions(t *testing.T) {
	f := buildFlags{onnx: "rn50.onnx", out: "rn50.plan", calib: "rn50.cache", int8: true, fp16: true,
		workspaceMiB: 4096, maxBatch: 64, optShapes: "input:32x3x224x224"}
	opts, err := f.options()
	require.NoError(t, err)
	assert.Equal(t, int64(4096)<<20, opts.Workspace)
	assert.True(t, opts.INT8)
	assert.Equal(t, "rn50.cache", opts.CalibrationCache)
	assert.Equal(t, []trt.ProfileShapes{{Name: "input", Min: trt.Shape{32, 3, 224, 224},
		Opt: trt.Shape{32, 3, 224, 224}, Max: trt.Shape{32, 3, 224, 224}}}, opts.Shapes)
}

func TestBuildFlagErrorsAreUsageErrors(t *testing.T) {
	tests := []struct {
		description string
		flags       buildFlags
		want        string
	}{
		{"no model", buildFlags{out: "x.plan"}, "--onnx is required"},
		{"no output", buildFlags{onnx: "x.onnx"}, "--out is required"},
		{"int8 without cache", buildFlags{onnx: "x.onnx", out: "x.plan", int8: true}, "--int8 needs --calib"},
		{"cache without int8", buildFlags{onnx: "x.onnx", out: "x.plan", calib: "x.cache"}, "--calib is only used with --int8"},
		{"negative workspace", buildFlags{onnx: "x.onnx", out: "x.plan", workspaceMiB: -1}, "negative"},
		{"workspace past int64 bytes", buildFlags{onnx: "x.onnx", out: "x.plan", workspaceMiB: 1 << 44}, "at most"},
		{"bad shapes", buildFlags{onnx: "x.onnx", out: "x.plan", minShapes: "input:1x3", maxShapes: "input:8x3"}, "give min, opt and max"},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			_, err := tt.flags.options()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, exitUsage, exitCode(err))
		})
	}
}

func TestInspectWithoutTensorRTFailsClearly(t *testing.T) {
	t.Cleanup(func() { rootCmd.SetArgs(nil) })
	// A plan that exists: the build's support is what fails (a missing
	// one is named first, exit 2: TestInspectMissingFileNamesIt).
	plan := filepath.Join(t.TempDir(), "r.plan")
	require.NoError(t, os.WriteFile(plan, []byte("not a plan"), 0o644))
	rootCmd.SetArgs([]string{"inspect", plan})
	err := rootCmd.Execute()
	if err == nil {
		t.Skip("built with tensorrt")
	}
	assert.Equal(t, exitUsage, exitCode(err), "no TensorRT is the user's to fix: exit 2")
	assert.ErrorIs(t, err, trt.ErrNotSupported)
	assert.NotContains(t, err.Error(), "\n")
	rootCmd.SetArgs([]string{"inspect"})
	assert.Equal(t, exitUsage, exitCode(rootCmd.Execute()))
}
