//go:build !tensorrt

package trt

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStubEntryPointsAreNotSupported(t *testing.T) {
	notSupported := func(err error) {
		t.Helper()
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrNotSupported)
		assert.Contains(t, err.Error(), "build with -tags cuda,tensorrt")
	}
	_, err := NewRuntime()
	notSupported(err)
	_, err = NewBuilder()
	notSupported(err)
	_, err = LibraryVersion()
	notSupported(err)
	notSupported(SetLogSeverity(SeverityInfo))
	_, err = OpenDevice(DeviceConfig{Plan: "rn50.plan"})
	notSupported(err)

	var rt *Runtime
	_, err = rt.LoadEngineFile("rn50.plan")
	notSupported(err)
	var e *Engine
	_, err = e.IOTensors()
	notSupported(err)
	_, err = e.Inspect()
	notSupported(err)
	var c *ExecutionContext
	notSupported(c.EnqueueV3(nil))
	var b *Builder
	_, err = b.BuildONNX("rn50.onnx", BuildOptions{})
	notSupported(err)
	var d *Device
	_, err = d.NewExecutor(0, 8)
	notSupported(err)
}

func TestStubCloseIsSafeOnNil(t *testing.T) {
	var (
		rt *Runtime
		e  *Engine
		c  *ExecutionContext
		g  *Graph
		b  *Builder
		d  *Device
	)
	for _, closer := range []interface{ Close() error }{rt, e, c, g, b, d} {
		assert.NoError(t, closer.Close())
		assert.NoError(t, closer.Close())
	}
}
