//go:build tensorrt

package trt_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/testutil"
	"github.com/gotrt/gotrt/trt"
)

// engineEnv names a plan built for this machine's GPU and TensorRT; the tests
// that need a real engine skip without it.
const engineEnv = "GOTRT_TEST_ENGINE"

func newRuntime(t *testing.T) *trt.Runtime {
	t.Helper()
	testutil.RequireGPU(t)
	rt, err := trt.NewRuntime()
	require.NoError(t, err)
	return rt
}

func TestLoadBadPlansNamesFile(t *testing.T) {
	rt := newRuntime(t)
	defer func() { assert.NoError(t, rt.Close()) }()
	dir := t.TempDir()

	empty := filepath.Join(dir, "empty.plan")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	_, err := rt.LoadEngineFile(empty)
	assert.ErrorIs(t, err, trt.ErrPlanCorrupt)
	assert.ErrorContains(t, err, empty)

	garbage := filepath.Join(dir, "garbage.plan")
	require.NoError(t, os.WriteFile(garbage, []byte("this is not a tensorrt plan, just text"), 0o600))
	_, err = rt.LoadEngineFile(garbage)
	require.Error(t, err)
	assert.ErrorContains(t, err, garbage)
	assert.ErrorIs(t, err, trt.ErrFailed)
}

func TestEngineLifecycle(t *testing.T) {
	plan := os.Getenv(engineEnv)
	if plan == "" {
		t.Skipf("set %s to a plan built for this GPU", engineEnv)
	}
	rt := newRuntime(t)
	e, err := rt.LoadEngineFile(plan)
	require.NoError(t, err)

	tensors, err := e.IOTensors()
	require.NoError(t, err)
	require.NotEmpty(t, tensors)
	profiles, err := e.Profiles()
	require.NoError(t, err)
	require.NotEmpty(t, profiles)
	report, err := e.Inspect()
	require.NoError(t, err)
	assert.Equal(t, plan, report.File)
	assert.NotEmpty(t, report.Layers)

	ctx, err := e.NewExecutionContext()
	require.NoError(t, err)
	assert.ErrorIs(t, e.Close(), trt.ErrInUse, "an engine with an open context refuses to close")
	assert.ErrorIs(t, rt.Close(), trt.ErrInUse, "a runtime with an open engine refuses to close")

	require.NoError(t, ctx.Close())
	require.NoError(t, ctx.Close(), "double close is harmless")
	assert.ErrorIs(t, ctx.EnqueueV3(nil), trt.ErrClosed)

	require.NoError(t, e.Close())
	_, err = e.IOTensors()
	assert.ErrorIs(t, err, trt.ErrClosed)
	require.NoError(t, rt.Close())
	_, err = rt.LoadEngineFile(plan)
	assert.ErrorIs(t, err, trt.ErrClosed)
}
