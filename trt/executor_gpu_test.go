//go:build cuda && tensorrt

package trt_test

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/testutil"
	"github.com/gotrt/gotrt/trt"
)

func TestExecutorRunsBatches(t *testing.T) {
	plan := os.Getenv(engineEnv)
	if plan == "" {
		t.Skipf("set %s to a plan built for this GPU", engineEnv)
	}
	testutil.RequireGPU(t)
	dev, err := trt.OpenDevice(trt.DeviceConfig{Plan: plan, GraphBatches: []int{1}})
	require.NoError(t, err)
	defer func() { assert.NoError(t, dev.Close()) }()

	x, err := dev.NewExecutor(0, 8)
	require.NoError(t, err)
	defer func() { assert.NoError(t, x.Close()) }()
	require.GreaterOrEqual(t, x.MaxBatch(), 1)

	for _, n := range []int{1, x.MaxBatch()} {
		tm, err := x.Run(context.Background(), n)
		require.NoError(t, err, "batch %d", n)
		assert.Positive(t, tm.Compute, "batch %d", n)
		assert.NotEmpty(t, x.Output(n-1))
	}
	_, err = x.Run(context.Background(), x.MaxBatch()+1)
	assert.ErrorIs(t, err, trt.ErrBatchTooLarge)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = x.Run(ctx, 1)
	assert.ErrorIs(t, err, context.Canceled)
}
