package result_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
)

func TestTelemetrySetSamples(t *testing.T) {
	sampled := func() *result.Telemetry {
		return &result.Telemetry{
			EnergyJ: 350, // every sampled device, before SetSamples
			Devices: []result.DeviceTelemetry{
				{ID: "cuda:0", EnergyJ: 150, EnergySource: "counter"},
				{ID: "cuda:1", EnergyJ: 50, EnergySource: "counter"},
				{ID: "cuda:2", EnergyJ: 150, EnergySource: "power"},
				{ID: "cuda:3"}, // no energy reported (a vGPU guest)
			},
		}
	}
	tests := []struct {
		description string
		total       int64
		per         map[string]int64
		wantEnergy  float64
		wantPerJ    float64
		wantRan     []bool
	}{
		{"the GPUs that ran count, the idle one does not", 1000, map[string]int64{"cuda:0": 600, "cuda:1": 400},
			200, 5, []bool{true, true, false, false}},
		{"a CPU run on a GPU host has no energy figure", 1000, map[string]int64{"cpu0": 1000},
			0, 0, []bool{false, false, false, false}},
		{"a device without energy leaves the run's unknown", 1000, map[string]int64{"cuda:0": 500, "cuda:3": 500},
			0, 0, []bool{true, false, false, true}},
		{"a GPU and an unsampled CPU: unknown", 1000, map[string]int64{"cuda:2": 500, "cpu0": 500},
			0, 0, []bool{false, false, true, false}},
		{"nothing ran", 0, nil, 0, 0, []bool{false, false, false, false}},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			tel := sampled()
			tel.SetSamples(tc.total, tc.per)
			assert.InDelta(t, tc.wantEnergy, tel.EnergyJ, 1e-12)
			assert.InDelta(t, tc.wantPerJ, tel.SamplesPerJoule, 1e-12)
			for i, d := range tel.Devices {
				assert.Equal(t, tc.wantRan[i], d.Ran, d.ID)
				assert.Equal(t, tc.per[d.ID], d.Samples, d.ID)
				if d.EnergyJ > 0 && d.Ran {
					assert.InDelta(t, float64(tc.per[d.ID])/d.EnergyJ, d.SamplesPerJoule, 1e-12, d.ID)
				} else {
					assert.Zero(t, d.SamplesPerJoule, d.ID)
				}
			}
		})
	}

	var none *result.Telemetry
	none.SetSamples(1, nil) // no panic on nil
}

func TestDeviceJSONOmitsUnknownFields(t *testing.T) {
	b, err := json.Marshal(result.Device{ID: "cpu", Kind: result.KindCPU, Name: "Test CPU"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"index":0,"id":"cpu","kind":"cpu","name":"Test CPU"}`, string(b))
}
