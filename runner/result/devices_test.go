package result_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
)

func TestTelemetrySetSamples(t *testing.T) {
	tel := &result.Telemetry{
		EnergyJ: 200,
		Devices: []result.DeviceTelemetry{{ID: "cuda:0", EnergyJ: 150}, {ID: "cuda:1"}},
	}
	tel.SetSamples(1000, map[string]int64{"cuda:0": 600, "cuda:1": 400})
	assert.InDelta(t, 5.0, tel.SamplesPerJoule, 1e-12)
	assert.InDelta(t, 4.0, tel.Devices[0].SamplesPerJoule, 1e-12)
	assert.Equal(t, int64(400), tel.Devices[1].Samples)
	assert.Zero(t, tel.Devices[1].SamplesPerJoule, "no energy, no samples/J")

	var none *result.Telemetry
	none.SetSamples(1, nil) // no panic on nil
}

func TestDeviceJSONOmitsUnknownFields(t *testing.T) {
	b, err := json.Marshal(result.Device{ID: "cpu", Kind: result.KindCPU, Name: "Test CPU"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"index":0,"id":"cpu","kind":"cpu","name":"Test CPU"}`, string(b))
}
