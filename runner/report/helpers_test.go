package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
)

func mkResult(model, scenario string, tput float64) *result.Result {
	return &result.Result{
		SchemaVersion: result.SchemaVersion,
		Model:         model,
		Scenario:      scenario,
		Mode:          "PerformanceOnly",
		Valid:         true,
		Throughput:    result.Throughput{Value: tput, Unit: "samples/s"},
		Host:          result.Host{CPUModel: "Intel Xeon Gold 6248", CPUCores: 80, OS: "Ubuntu 22.04", Version: "v0.1.0"},
	}
}

func withGPUs(r *result.Result, n int, name, virt string) *result.Result {
	for i := range n {
		r.Devices = append(r.Devices, result.Device{Index: i, ID: "cuda:" + string(rune('0'+i)), Kind: result.KindGPU,
			Name: name, DriverVersion: "450.80", CUDADriverVersion: "11.0", Virtualization: virt})
	}
	return r
}

func writeResult(t *testing.T, path string, r *result.Result) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	b, err := json.MarshalIndent(r, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

func sys(name string, rs ...*result.Result) *System {
	s := &System{Name: name, Path: name}
	for _, r := range rs {
		s.Runs = append(s.Runs, Run{Path: filepath.Join(name, r.Model+"-"+r.Scenario, ResultFile), Result: r})
	}
	return s
}
