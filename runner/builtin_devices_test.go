package runner_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
)

// gotrt serve opens the built-in model where a run would: here (no GPU
// usable) shares of the CPU, by the same --devices spellings.
func TestOpenBuiltinDevicesPlacesAsARun(t *testing.T) {
	b, err := runner.OpenBuiltinDevices(runner.Config{Devices: "cpu:2"})
	require.NoError(t, err)
	require.Len(t, b.Devices, 2)
	require.Len(t, b.Infos, 2)
	assert.Equal(t, "cpu", b.Infos[0].Kind)
	assert.Positive(t, b.Streams)
	assert.Contains(t, b.Description, "on the CPU")
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "a second Close is harmless")

	_, err = runner.OpenBuiltinDevices(runner.Config{Devices: "0"})
	require.ErrorIs(t, err, runner.ErrConfig, "a GPU index on a host without a usable GPU")
	_, err = runner.OpenBuiltinDevices(runner.Config{Precision: "int4"})
	require.ErrorIs(t, err, runner.ErrConfig)
}
