package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/gotrt/gotrt/runner/result"
)

// RunTelemetry is the summary of a run's telemetry that a comparison
// shows; a nil field was not measured.
type RunTelemetry struct {
	// GPUUtilPct is the mean utilisation of the GPUs that ran the work
	// (of every sampled GPU when the result does not say which ran).
	GPUUtilPct *float64 `json:"gpu_utilization_pct,omitempty"`
	// PowerW is the summed mean power of those GPUs.
	PowerW *float64 `json:"power_w,omitempty"`
	// SamplesPerJoule is the run's samples over the GPUs' energy.
	SamplesPerJoule *float64 `json:"samples_per_joule,omitempty"`
	// OtherCPUPct is the host's CPU time used outside gotrt, in percent of
	// the machine ([result.HostTelemetry.OtherCPUPct]).
	OtherCPUPct *float64 `json:"other_cpu_pct,omitempty"`
	// NoisyHost says other processes kept the host busy (at least
	// result.NoisyHostPct points).
	NoisyHost bool `json:"noisy_host"`
}

// telemetryOf summarises r's telemetry.
func telemetryOf(r *result.Result) RunTelemetry {
	var t RunTelemetry
	tel := r.Telemetry
	if tel == nil {
		return t
	}
	ran := false
	for _, d := range tel.Devices {
		ran = ran || d.Ran
	}
	var util, power float64
	nu, np := 0, 0
	for _, d := range tel.Devices {
		if ran && !d.Ran {
			continue
		}
		if d.UtilizationPct != nil {
			util += d.UtilizationPct.Mean
			nu++
		}
		if d.PowerW != nil {
			power += d.PowerW.Mean
			np++
		}
	}
	if nu > 0 {
		v := util / float64(nu)
		t.GPUUtilPct = &v
	}
	if np > 0 {
		t.PowerW = &power
	}
	if tel.SamplesPerJoule > 0 {
		v := tel.SamplesPerJoule
		t.SamplesPerJoule = &v
	}
	if o, ok := tel.Host.OtherCPUPct(); ok {
		t.OtherCPUPct = &o
	}
	_, t.NoisyHost = tel.Host.Noisy()
	return t
}

func optRaw(v *float64) string {
	if v == nil {
		return ""
	}
	return raw(*v)
}

func optPct(v *float64) string {
	if v == nil {
		return Missing
	}
	return strconv.FormatFloat(*v, 'f', 0, 64) + " %"
}

func optVal(v *float64, unit string) string {
	if v == nil {
		return Missing
	}
	return FormatValue(*v) + unit
}

func optW(v *float64) string {
	if v == nil {
		return Missing
	}
	return strconv.FormatFloat(*v, 'f', 0, 64) + " W"
}

// runDate is the day and time a run started, or Missing.
func runDate(r *result.Result) string {
	t, err := time.Parse(time.RFC3339, r.StartTime)
	if err != nil {
		return Missing
	}
	return t.UTC().Format("2006-01-02 15:04Z")
}

// DetailsTable is one line per benchmark and system: when the run
// started, its verdict, latency percentiles, and the telemetry (GPU
// utilisation and power, samples per joule, the host's CPU busy outside
// gotrt).
func (c *Comparison) DetailsTable() *Table {
	t := &Table{
		Title: "Latency, telemetry and date of each run",
		Columns: []Column{{Name: "Benchmark"}, {Name: "Scenario"}, {Name: "System"}, {Name: "Started"}, {Name: "Result"},
			{Name: "p50 ms", Right: true}, {Name: "p90 ms", Right: true}, {Name: "p99 ms", Right: true}, {Name: "p99.9 ms", Right: true},
			{Name: "GPU util", Right: true}, {Name: "Power", Right: true}, {Name: "Samples/J", Right: true}, {Name: "Host CPU outside gotrt", Right: true}},
	}
	busy := false
	for _, r := range c.Rows {
		for i, e := range r.Entries {
			if e.Run == nil {
				continue
			}
			res := e.Run.Result
			tel := telemetryOf(res)
			other := optPct(tel.OtherCPUPct)
			if tel.NoisyHost {
				other += " (noisy)"
				busy = true
			}
			l := res.LatencyNS
			t.Rows = append(t.Rows, []string{r.Model, r.Scenario, c.Systems[i].Name, runDate(res), verdict(res),
				ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999),
				optPct(tel.GPUUtilPct), optW(tel.PowerW), optVal(tel.SamplesPerJoule, ""), other})
		}
	}
	t.Notes = append(t.Notes, "Latency percentiles are per sample (MultiStream: per query). GPU util and power are means over the GPUs that ran; "+
		Missing+" where not measured (the CPU, most vGPU guests for power).")
	if busy {
		t.Notes = append(t.Notes, fmt.Sprintf("(noisy): other processes used %d%% or more of the machine's CPU time during the run.", result.NoisyHostPct))
	}
	return t
}

// comparisonJSON is `gotrt compare --format json`.
type comparisonJSON struct {
	Systems     []systemJSON     `json:"systems"`
	Benchmarks  []benchmarkJSON  `json:"benchmarks"`
	Differences []differenceJSON `json:"differences"`
}

type systemJSON struct {
	Name string `json:"name"`
	Path string `json:"path"`
}

type benchmarkJSON struct {
	Model         string      `json:"model"`
	Scenario      string      `json:"scenario"`
	Metric        string      `json:"metric"`
	Unit          string      `json:"unit"`
	LowerIsBetter bool        `json:"lower_is_better"`
	Entries       []entryJSON `json:"entries"`
}

type entryJSON struct {
	System string  `json:"system"`
	Path   string  `json:"path"`
	Value  float64 `json:"value"`
	// Ratio is the performance relative to the first system (higher is
	// better); absent when there is none.
	Ratio      *float64          `json:"ratio,omitempty"`
	Valid      bool              `json:"valid"`
	Reasons    []string          `json:"reasons,omitempty"`
	Simulated  bool              `json:"simulated,omitempty"`
	StartTime  string            `json:"start_time,omitempty"`
	Throughput result.Throughput `json:"throughput"`
	LatencyNS  result.Latency    `json:"latency_ns"`
	Telemetry  RunTelemetry      `json:"telemetry"`
	Warnings   []string          `json:"warnings,omitempty"`
}

type differenceJSON struct {
	Property string   `json:"property"`
	Values   []string `json:"values"`
	Differs  bool     `json:"differs"`
}

// WriteJSON writes the comparison as one JSON document: the systems, per
// benchmark the metric and each system's value, ratio, verdict, latency
// and telemetry, and what else differs.
func (c *Comparison) WriteJSON(w io.Writer) error {
	doc := comparisonJSON{Systems: []systemJSON{}, Benchmarks: []benchmarkJSON{}, Differences: []differenceJSON{}}
	for _, s := range c.Systems {
		doc.Systems = append(doc.Systems, systemJSON{s.Name, s.Path})
	}
	for _, r := range c.Rows {
		b := benchmarkJSON{Model: r.Model, Scenario: r.Scenario, Metric: r.Metric, Unit: r.Unit, LowerIsBetter: r.LowerIsBetter, Entries: []entryJSON{}}
		for i, e := range r.Entries {
			if e.Run == nil {
				continue
			}
			res := e.Run.Result
			ej := entryJSON{System: c.Systems[i].Name, Path: e.Run.Path, Value: e.Metric.Value, Valid: res.Valid,
				Reasons: res.Reasons, Simulated: isSimulated(res), StartTime: res.StartTime, Throughput: res.Throughput,
				LatencyNS: res.LatencyNS, Telemetry: telemetryOf(res), Warnings: res.Warnings}
			if e.HasRatio {
				v := e.Ratio
				ej.Ratio = &v
			}
			b.Entries = append(b.Entries, ej)
		}
		doc.Benchmarks = append(doc.Benchmarks, b)
	}
	for _, d := range c.Differences {
		doc.Differences = append(doc.Differences, differenceJSON{d.Field, d.Values, d.Differs})
	}
	return writeJSON(w, doc)
}

// Write prints the comparison in format f: its tables, or JSON.
func (c *Comparison) Write(w io.Writer, f Format) error {
	if f == JSON {
		return c.WriteJSON(w)
	}
	return WriteTables(w, f, c.Tables(f)...)
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
