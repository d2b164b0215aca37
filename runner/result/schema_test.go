package result_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/jsonschema"
	"github.com/gotrt/gotrt/runner/result"
)

// The committed result.schema.json is what the Go types generate.
func TestCommittedSchemaIsCurrent(t *testing.T) {
	want, err := result.Schema()
	require.NoError(t, err)
	got, err := os.ReadFile("../../result.schema.json")
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got),
		"result.schema.json is stale: run go generate ./runner/result after changing the result types")
	_, err = jsonschema.Compile(got)
	require.NoError(t, err, "the schema uses only what the validator checks")
}

func full() result.Result {
	pass := true
	st := &result.Stat{Mean: 1, Max: 2}
	return result.Result{
		SchemaVersion: result.SchemaVersion, Model: "m", Scenario: "Offline", Mode: "PerformanceOnly", Valid: true,
		Reasons: []string{}, StartTime: "2026-12-04T17:00:00Z", CommandLine: []string{"gotrt", "run"}, Warnings: []string{"w"},
		Throughput: result.Throughput{Value: 1.5, Unit: "samples/s"}, Settings: map[string]any{"x": 1},
		Devices: []result.Device{{ID: "cuda:0", Kind: result.KindMIG, VGPU: &result.VGPU{Licensed: true}, MIG: &result.MIG{ParentUUID: "GPU-1"}}},
		Host:    result.DetectHost(),
		Scheduler: &result.Scheduler{Policy: "fixed", Devices: []result.SchedulerDevice{{ID: "cuda:0"}},
			Lost: []result.LostDevice{{}}},
		Telemetry: &result.Telemetry{Devices: []result.DeviceTelemetry{{ID: "cuda:0", UtilizationPct: st, PowerW: st,
			ThrottleReasons: map[string]int{"power": 3}}}, Host: result.HostTelemetry{ProcessCPUPct: st, SystemCPUPct: st}},
		Accuracy: &result.Accuracy{Metric: "top-1", Value: 0.9, Target: 0.8, Pass: &pass},
		Extra:    map[string]any{"peak_qps": 1.5, "trials": []any{map[string]any{"a": 1}}},
	}
}
