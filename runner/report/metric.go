package report

import (
	"strconv"

	"github.com/gotrt/gotrt/runner/result"
)

// Metric is a result's MLPerf metric for its scenario: what MLPerf reports
// and ranks systems by.
type Metric struct {
	// Name says what was measured, e.g. "scheduled samples/s" or
	// "p90 latency".
	Name string
	// Value is in Unit.
	Value float64
	// Unit is "samples/s", "queries/s" or "ms".
	Unit string
	// LowerIsBetter is true for the latency metrics.
	LowerIsBetter bool
}

// MetricOf returns r's metric, by scenario:
//   - Offline: samples/s;
//   - Server: the scheduled samples (queries) per second the run achieved
//     under its latency bound (find-peak: at the peak);
//   - SingleStream: the 90th-percentile latency;
//   - MultiStream: the 99th-percentile query latency.
//
// Other scenarios fall back on result.json's throughput.
func MetricOf(r *result.Result) Metric {
	switch r.Scenario {
	case "Offline":
		return Metric{Name: "throughput", Value: r.Throughput.Value, Unit: "samples/s"}
	case "Server":
		if v, ok := extraFloat(r, "scheduled_samples_per_second"); ok {
			return Metric{Name: "scheduled throughput", Value: v, Unit: "samples/s"}
		}
		return Metric{Name: "throughput", Value: r.Throughput.Value, Unit: "samples/s"}
	case "SingleStream":
		return Metric{Name: "p90 latency", Value: float64(r.LatencyNS.P90) / 1e6, Unit: "ms", LowerIsBetter: true}
	case "MultiStream":
		return Metric{Name: "p99 latency", Value: float64(r.LatencyNS.P99) / 1e6, Unit: "ms", LowerIsBetter: true}
	}
	return Metric{Name: r.Throughput.Unit, Value: r.Throughput.Value, Unit: r.Throughput.Unit}
}

// Relative is how m performs against base, higher is better: the ratio of
// the values for a throughput, the inverse ratio for a latency. ok is false
// when either value is not positive.
func (m Metric) Relative(base Metric) (float64, bool) {
	if m.Value <= 0 || base.Value <= 0 {
		return 0, false
	}
	if m.LowerIsBetter {
		return base.Value / m.Value, true
	}
	return m.Value / base.Value, true
}

// extraFloat reads a number from r.Extra, as the run left it or as JSON
// decoded it.
func extraFloat(r *result.Result, key string) (float64, bool) {
	switch v := r.Extra[key].(type) {
	case float64:
		return v, true
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}

// ms formats nanoseconds as milliseconds for a table.
func ms(ns int64) string {
	if ns == 0 {
		return Missing
	}
	return FormatValue(float64(ns) / 1e6)
}

// verdict is VALID or INVALID.
func verdict(r *result.Result) string {
	if r.Valid {
		return "VALID"
	}
	return "INVALID"
}

// ResultTable is one run as a one-row table: its MLPerf metric, validity
// and latency percentiles (`gotrt run --format md|csv`). CSV cells hold raw
// numbers (latencies in ns).
func ResultTable(r *result.Result, f Format) *Table {
	m := MetricOf(r)
	t := &Table{Columns: []Column{{Name: "Model"}, {Name: "Scenario"}, {Name: "Mode"}, {Name: "Metric"},
		{Name: "Value", Right: true}, {Name: "Unit"}, {Name: "Result"}}}
	row := []string{r.Model, r.Scenario, r.Mode, m.Name, FormatValue(m.Value), m.Unit, verdict(r)}
	l := r.LatencyNS
	lat := []int64{l.Min, l.Mean, l.P50, l.P90, l.P99, l.Max}
	for i, n := range []string{"min", "mean", "p50", "p90", "p99", "max"} {
		if f == CSV {
			t.Columns = append(t.Columns, Column{Name: n + "_latency_ns"})
			row = append(row, strconv.FormatInt(lat[i], 10))
		} else {
			t.Columns = append(t.Columns, Column{Name: n + " (ms)", Right: true})
			row = append(row, ms(lat[i]))
		}
	}
	if f == CSV {
		row[4] = raw(m.Value)
	}
	t.Rows = [][]string{row}
	if !r.Valid && f != CSV {
		for _, why := range r.Reasons {
			t.Notes = append(t.Notes, "INVALID: "+why)
		}
	}
	return t
}
