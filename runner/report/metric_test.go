package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
)

func TestMetricPerScenario(t *testing.T) {
	srv := mkResult("resnet50", "Server", 5100)
	srv.Extra = map[string]any{"scheduled_samples_per_second": 5000.0}
	ss := mkResult("resnet50", "SingleStream", 900)
	ss.LatencyNS = result.Latency{P90: 1_250_000, P99: 2_000_000}
	ms := mkResult("resnet50", "MultiStream", 100)
	ms.LatencyNS = result.Latency{P90: 7_000_000, P99: 9_500_000}
	for _, tc := range []struct {
		r    *result.Result
		want Metric
	}{
		{mkResult("resnet50", "Offline", 5961), Metric{"throughput", 5961, "samples/s", false}},
		{srv, Metric{"scheduled throughput", 5000, "samples/s", false}},
		{ss, Metric{"p90 latency", 1.25, "ms", true}},
		{ms, Metric{"p99 latency", 9.5, "ms", true}},
	} {
		assert.Equal(t, tc.want, MetricOf(tc.r), tc.r.Scenario)
	}
	// Half the latency is twice the performance.
	r, ok := Metric{Value: 1, LowerIsBetter: true}.Relative(Metric{Value: 2, LowerIsBetter: true})
	assert.True(t, ok)
	assert.Equal(t, 2.0, r)
	_, ok = Metric{Value: 0}.Relative(Metric{Value: 2})
	assert.False(t, ok)
}

func noisyTelemetry() *result.Telemetry {
	util, power := result.Stat{Mean: 80}, result.Stat{Mean: 60}
	return &result.Telemetry{
		Devices: []result.DeviceTelemetry{
			{ID: "cuda:0", Ran: true, UtilizationPct: &util, PowerW: &power},
			{ID: "cuda:1", Ran: true, UtilizationPct: &util, PowerW: &power},
			{ID: "cuda:2", UtilizationPct: &result.Stat{Mean: 0}}, // idle: not counted
		},
		Host:            result.HostTelemetry{CPUs: 8, ProcessCPUPct: &result.Stat{Mean: 10}, SystemCPUPct: &result.Stat{Mean: 60}},
		SamplesPerJoule: 42,
	}
}

func TestCompareLatencyMetricsAndDetails(t *testing.T) {
	a := mkResult("resnet50", "SingleStream", 500)
	a.LatencyNS = result.Latency{P50: 1e6, P90: 2e6, P99: 3e6, P999: 4e6}
	a.StartTime = "2026-12-04T17:00:00Z"
	b := mkResult("resnet50", "SingleStream", 1000)
	b.LatencyNS = result.Latency{P50: 5e5, P90: 1e6, P99: 1.5e6, P999: 2e6}
	b.Telemetry = noisyTelemetry()
	c, err := Compare([]*System{sys("a", a), sys("b", b)})
	require.NoError(t, err)
	row := c.Rows[0]
	assert.Equal(t, "p90 latency", row.Metric)
	assert.Equal(t, "ms", row.Unit)
	assert.InDelta(t, 2.0, row.Entries[1].Ratio, 1e-12, "half the p90 latency: twice as fast")

	var buf bytes.Buffer
	require.NoError(t, c.Write(&buf, Text))
	out := buf.String()
	assert.Contains(t, out, "1.00 [noisy host]")
	assert.Contains(t, out, "above 1 is faster")
	assert.Contains(t, out, "Latency, telemetry and date of each run")
	assert.Contains(t, out, "2026-12-04 17:00Z")
	assert.Contains(t, out, "80 %", "GPU utilisation of the GPUs that ran")
	assert.Contains(t, out, "120 W")
	assert.Contains(t, out, "50 % (noisy)")

	buf.Reset()
	require.NoError(t, c.Write(&buf, JSON))
	var doc struct {
		Benchmarks []struct {
			Metric        string `json:"metric"`
			LowerIsBetter bool   `json:"lower_is_better"`
			Entries       []struct {
				System    string       `json:"system"`
				Value     float64      `json:"value"`
				Ratio     *float64     `json:"ratio"`
				Telemetry RunTelemetry `json:"telemetry"`
			} `json:"entries"`
		} `json:"benchmarks"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc), buf.String())
	require.Len(t, doc.Benchmarks, 1)
	e := doc.Benchmarks[0].Entries[1]
	assert.Equal(t, "b", e.System)
	assert.Equal(t, 1.0, e.Value)
	require.NotNil(t, e.Ratio)
	assert.Equal(t, 2.0, *e.Ratio)
	assert.True(t, e.Telemetry.NoisyHost)
	require.NotNil(t, e.Telemetry.SamplesPerJoule)
	assert.Equal(t, 42.0, *e.Telemetry.SamplesPerJoule)

	buf.Reset()
	require.NoError(t, c.Write(&buf, CSV))
	head := strings.SplitN(buf.String(), "\n", 2)[0]
	assert.Contains(t, head, "metric,metric_value,metric_unit,start_time,p50_latency_ns")
	assert.Contains(t, head, "noisy_host")
}

func TestScalingJSON(t *testing.T) {
	s, err := NewScaling([]Point{
		{Devices: 1, Dir: "d1", Result: mkResult("resnet50", "Offline", 1000)},
		{Devices: 2, Dir: "d2", Result: mkResult("resnet50", "Offline", 1900)},
	})
	require.NoError(t, err)
	s.Points[1].Result.Valid = false
	var buf bytes.Buffer
	require.NoError(t, s.Write(&buf, JSON))
	var doc struct {
		Model  string `json:"model"`
		Valid  bool   `json:"valid"`
		Points []struct {
			Devices int     `json:"devices"`
			SpeedUp float64 `json:"speedup"`
			Valid   bool    `json:"valid"`
		} `json:"points"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, "resnet50", doc.Model)
	assert.False(t, doc.Valid)
	require.Len(t, doc.Points, 2)
	assert.InDelta(t, 1.9, doc.Points[1].SpeedUp, 1e-12)
	assert.False(t, doc.Points[1].Valid)
}

func TestScaleTableMarksANoisyHost(t *testing.T) {
	busy := mkResult("resnet50", "Offline", 1900)
	busy.Telemetry = noisyTelemetry()
	s, err := NewScaling([]Point{
		{Devices: 1, Dir: "d1", Result: mkResult("resnet50", "Offline", 1000)},
		{Devices: 2, Dir: "d2", Result: busy},
	})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, s.Write(&buf, Text))
	assert.Contains(t, buf.String(), "VALID [noisy host]")
	assert.Contains(t, buf.String(), "[noisy host]: other processes used 20%")
}
