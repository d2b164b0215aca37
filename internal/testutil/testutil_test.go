package testutil

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// fakeTB records Skip and Fatal instead of stopping the goroutine.
type fakeTB struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(format string, args ...any) {
	f.skipped, f.msg = true, fmt.Sprintf(format, args...)
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed, f.msg = true, fmt.Sprintf(format, args...)
}

func TestSkipIfNotSupported(t *testing.T) {
	wrapped := fmt.Errorf("cuda context 0: %w", &gpuerr.UnsupportedError{Feature: "cuda", Hint: "build with -tags cuda"})
	tests := []struct {
		description string
		err         error
		env         string
		skip, fail  bool
		msgContains string
	}{
		{description: "nil error does nothing", err: nil},
		{description: "wrapped sentinel skips", err: wrapped, skip: true, msgContains: "build with -tags cuda"},
		{description: "bare sentinel fails", err: gpuerr.ErrNotSupported, fail: true, msgContains: "bare"},
		{description: "other error fails", err: errors.New("boom"), fail: true, msgContains: "boom"},
		{description: "wrapped sentinel fails when a GPU is promised", err: wrapped, env: "1", fail: true, msgContains: GPUEnv},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			t.Setenv(GPUEnv, tt.env)
			f := &fakeTB{}
			SkipIfNotSupported(f, tt.err)
			assert.Equal(t, tt.skip, f.skipped, "skipped")
			assert.Equal(t, tt.fail, f.failed, "failed")
			assert.Contains(t, f.msg, tt.msgContains)
		})
	}
}

func TestRequireGPU(t *testing.T) {
	present := filepath.Join(t.TempDir(), "nvidiactl")
	assert.NoError(t, writeEmpty(present))
	tests := []struct {
		description string
		node, env   string
		skip, fail  bool
	}{
		{description: "driver node present runs", node: present},
		{description: "no driver node skips", node: "/nonexistent/nvidiactl", skip: true},
		{description: "no driver node fails when a GPU is promised", node: "/nonexistent/nvidiactl", env: "1", fail: true},
	}
	for _, tt := range tests {
		t.Run(tt.description, func(t *testing.T) {
			t.Setenv(GPUEnv, tt.env)
			old := gpuNode
			gpuNode = tt.node
			t.Cleanup(func() { gpuNode = old })
			f := &fakeTB{}
			RequireGPU(f)
			assert.Equal(t, tt.skip, f.skipped, "skipped")
			assert.Equal(t, tt.fail, f.failed, "failed")
			if tt.skip {
				assert.Contains(t, f.msg, GPUEnv)
			}
		})
	}
}
