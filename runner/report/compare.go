package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/runner/result"
)

// Benchmark is a (model, scenario) pair: one row of a comparison.
type Benchmark struct {
	Model    string
	Scenario string
}

// String is "model Scenario", e.g. "resnet50 Offline".
func (b Benchmark) String() string { return b.Model + " " + b.Scenario }

// scenarioOrder puts the datacenter scenarios first, as the seed study's
// table does.
var scenarioOrder = []string{"Offline", "Server", "MultiStream", "SingleStream"}

func scenarioRank(s string) int {
	if i := slices.Index(scenarioOrder, s); i >= 0 {
		return i
	}
	return len(scenarioOrder)
}

// Entry is one system's figure for one benchmark.
type Entry struct {
	// Run is the result behind the entry; nil when the system did not
	// run the benchmark.
	Run *Run
	// Metric is the run's MLPerf metric for the scenario ([MetricOf]).
	Metric Metric
	// Throughput is the result's throughput value.
	Throughput float64
	// Ratio is the entry's performance relative to the first system's,
	// higher is better: Metric over the first's for a throughput, the
	// first's over Metric for a latency. Valid when HasRatio.
	Ratio    float64
	HasRatio bool
}

// Row is one benchmark across the systems.
type Row struct {
	Benchmark
	// Metric names the scenario's MLPerf metric, e.g. "p90 latency".
	Metric string
	// Unit is the metric's unit, e.g. "samples/s" or "ms".
	Unit string
	// LowerIsBetter is true for the latency metrics.
	LowerIsBetter bool
	// Entries has one entry per system, in the systems' order.
	Entries []Entry
}

// Difference is one property of the systems (CPU model, driver ...) as
// each system reports it; Missing where a system does not say.
type Difference struct {
	Field  string
	Values []string
	// Differs is true when the systems' values are not all the same.
	Differs bool
}

// Comparison lines systems up by benchmark: the seed study's table of
// bare metal against vGPU, for any number of systems.
type Comparison struct {
	Systems     []*System
	Rows        []Row
	Differences []Difference
}

// isPerformance says whether a run measured throughput: accuracy runs do not.
func isPerformance(r *result.Result) bool { return r.Mode != "AccuracyOnly" }

// Compare builds the comparison of two or more systems. Each benchmark
// that any system ran becomes a row; ratios are to the first system.
// Every other system must share at least one benchmark with the first
// ([ErrNoSharedBenchmark]), and no system may hold two performance results
// for one benchmark ([ErrDuplicate]). Accuracy-mode runs are left out of
// the throughput table but count in the differences.
func Compare(systems []*System) (*Comparison, error) {
	if len(systems) < 2 {
		return nil, fmt.Errorf("compare needs two or more systems, got %d", len(systems))
	}
	c := &Comparison{Systems: systems}
	byBench := make([]map[Benchmark]*Run, len(systems))
	all := map[Benchmark]bool{}
	for i, s := range systems {
		byBench[i] = map[Benchmark]*Run{}
		for j := range s.Runs {
			run := &s.Runs[j]
			if !isPerformance(run.Result) {
				continue
			}
			b := Benchmark{run.Result.Model, run.Result.Scenario}
			if prev, ok := byBench[i][b]; ok {
				return nil, fmt.Errorf("system %s: %w results for %s: %s and %s (pass one folder per system)",
					s.Name, ErrDuplicate, b, prev.Path, run.Path)
			}
			byBench[i][b] = run
			all[b] = true
		}
		if len(byBench[i]) == 0 {
			return nil, fmt.Errorf("system %s (%s) has no performance result: %w", s.Name, s.Path, ErrNoResults)
		}
	}
	for i := 1; i < len(systems); i++ {
		shared := false
		for b := range byBench[i] {
			if byBench[0][b] != nil {
				shared = true
				break
			}
		}
		if !shared {
			return nil, fmt.Errorf("system %s (%s: %s) and system %s (%s: %s): %w",
				systems[0].Name, systems[0].Path, benchList(byBench[0]),
				systems[i].Name, systems[i].Path, benchList(byBench[i]), ErrNoSharedBenchmark)
		}
	}
	benches := sortedBenchmarks(all)
	for _, b := range benches {
		row := Row{Benchmark: b, Entries: make([]Entry, len(systems))}
		for i := range systems {
			run := byBench[i][b]
			if run == nil {
				continue
			}
			if u := run.Result.Throughput.Unit; u != "" {
				if prev := firstUnit(row); prev != "" && prev != u {
					return nil, fmt.Errorf("%s: %s reports %s but %s reports %s: the throughputs do not compare",
						b, run.Path, u, firstPath(row), prev)
				}
			}
			m := MetricOf(run.Result)
			if row.Metric == "" {
				row.Metric, row.Unit, row.LowerIsBetter = m.Name, m.Unit, m.LowerIsBetter
			}
			row.Entries[i] = Entry{Run: run, Metric: m, Throughput: run.Result.Throughput.Value}
		}
		if first := row.Entries[0]; first.Run != nil {
			for i := range row.Entries {
				if e := &row.Entries[i]; e.Run != nil {
					e.Ratio, e.HasRatio = e.Metric.Relative(first.Metric)
				}
			}
		}
		c.Rows = append(c.Rows, row)
	}
	c.Differences = differences(systems)
	return c, nil
}

// firstUnit is the throughput unit of the row's first run so far.
func firstUnit(r Row) string {
	for _, e := range r.Entries {
		if e.Run != nil {
			return e.Run.Result.Throughput.Unit
		}
	}
	return ""
}

func firstPath(r Row) string {
	for _, e := range r.Entries {
		if e.Run != nil {
			return e.Run.Path
		}
	}
	return ""
}

func sortedBenchmarks(m map[Benchmark]bool) []Benchmark {
	var bs []Benchmark
	for b := range m {
		bs = append(bs, b)
	}
	sort.Slice(bs, func(i, j int) bool {
		if bs[i].Model != bs[j].Model {
			return bs[i].Model < bs[j].Model
		}
		if ri, rj := scenarioRank(bs[i].Scenario), scenarioRank(bs[j].Scenario); ri != rj {
			return ri < rj
		}
		return bs[i].Scenario < bs[j].Scenario
	})
	return bs
}

func benchList(m map[Benchmark]*Run) string {
	set := map[Benchmark]bool{}
	for b := range m {
		set[b] = true
	}
	var s []string
	for _, b := range sortedBenchmarks(set) {
		s = append(s, b.String())
	}
	return strings.Join(s, ", ")
}

// Shared returns the benchmarks that every system ran.
func (c *Comparison) Shared() []Benchmark {
	var bs []Benchmark
	for _, r := range c.Rows {
		all := true
		for _, e := range r.Entries {
			all = all && e.Run != nil
		}
		if all {
			bs = append(bs, r.Benchmark)
		}
	}
	return bs
}

// Simulated says whether any result in the comparison came from simulated
// devices.
func (c *Comparison) Simulated() bool {
	for _, r := range c.Rows {
		for _, e := range r.Entries {
			if e.Run != nil && isSimulated(e.Run.Result) {
				return true
			}
		}
	}
	return false
}

func isSimulated(r *result.Result) bool {
	if r.Simulated || (r.Scheduler != nil && r.Scheduler.Simulated) {
		return true
	}
	for _, d := range r.Devices {
		if d.Kind == result.KindSimulated {
			return true
		}
	}
	return false
}

// Marks added to a table cell.
const (
	markInvalid   = " [INVALID]"
	markSimulated = " [simulated]"
	markNoisy     = " [noisy host]"
)

func marks(r *result.Result) string {
	m := ""
	if !r.Valid {
		m += markInvalid
	}
	if isSimulated(r) {
		m += markSimulated
	}
	if noisy(r) {
		m += markNoisy
	}
	return m
}

// noisy says whether other processes kept r's host busy during the run.
func noisy(r *result.Result) bool {
	if r.Telemetry == nil {
		return false
	}
	_, n := r.Telemetry.Host.Noisy()
	return n
}

func formatRatio(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// Table is the metric table: per benchmark and scenario, each system's
// MLPerf metric and, for the second system on, its performance relative to
// the first.
func (c *Comparison) Table() *Table {
	first := c.Systems[0].Name
	t := &Table{
		Title:   "MLPerf metric by benchmark and scenario (performance relative to " + first + ")",
		Columns: []Column{{Name: "Benchmark"}, {Name: "Scenario"}, {Name: "Metric"}, {Name: "Unit"}},
	}
	for i, s := range c.Systems {
		t.Columns = append(t.Columns, Column{Name: s.Name, Right: true})
		if i > 0 {
			t.Columns = append(t.Columns, Column{Name: s.Name + "/" + first, Right: true})
		}
	}
	invalid, sim, busy, lat := false, false, false, false
	for _, r := range c.Rows {
		unit := r.Unit
		if unit == "" {
			unit = Missing
		}
		lat = lat || r.LowerIsBetter
		cells := []string{r.Model, r.Scenario, r.Metric, unit}
		for i, e := range r.Entries {
			v := Missing
			if e.Run != nil {
				v = FormatValue(e.Metric.Value) + marks(e.Run.Result)
				invalid = invalid || !e.Run.Result.Valid
				sim = sim || isSimulated(e.Run.Result)
				busy = busy || noisy(e.Run.Result)
			}
			cells = append(cells, v)
			if i > 0 {
				ratio := Missing
				if e.HasRatio {
					ratio = formatRatio(e.Ratio)
				}
				cells = append(cells, ratio)
			}
		}
		t.Rows = append(t.Rows, cells)
	}
	t.Notes = append(t.Notes, "Metric per scenario as MLPerf's: Offline samples/s; Server scheduled samples/s within the latency bound; SingleStream p90 latency; MultiStream p99 latency.")
	if lat {
		t.Notes = append(t.Notes, "For a latency the ratio is "+first+"'s latency over the system's: above 1 is faster, as for a throughput.")
	}
	if invalid {
		t.Notes = append(t.Notes, "Cells marked [INVALID] come from runs that did not meet MLPerf's validity rules (see the reasons in their result.json).")
	}
	if sim {
		t.Notes = append(t.Notes, "Cells marked [simulated] come from simulated devices: not a measurement.")
	}
	if busy {
		t.Notes = append(t.Notes, fmt.Sprintf("Cells marked [noisy host] come from runs during which other processes used %d%% or more of the machine's CPU time: the figure may be low.", result.NoisyHostPct))
	}
	return t
}

// DataTable is the comparison in long form for CSV: one line per system
// and benchmark that it ran, with raw numbers.
func (c *Comparison) DataTable() *Table {
	t := &Table{Columns: []Column{
		{Name: "model"}, {Name: "scenario"}, {Name: "system"}, {Name: "throughput"}, {Name: "unit"},
		{Name: "ratio"}, {Name: "valid"}, {Name: "simulated"}, {Name: "mode"}, {Name: "path"},
		{Name: "metric"}, {Name: "metric_value"}, {Name: "metric_unit"}, {Name: "start_time"},
		{Name: "p50_latency_ns"}, {Name: "p90_latency_ns"}, {Name: "p99_latency_ns"}, {Name: "p99.9_latency_ns"},
		{Name: "gpu_utilization_pct"}, {Name: "power_w"}, {Name: "samples_per_joule"}, {Name: "other_cpu_pct"}, {Name: "noisy_host"},
	}}
	for _, r := range c.Rows {
		for i, e := range r.Entries {
			if e.Run == nil {
				continue
			}
			ratio := ""
			if e.HasRatio {
				ratio = raw(e.Ratio)
			}
			res := e.Run.Result
			tel := telemetryOf(res)
			l := res.LatencyNS
			t.Rows = append(t.Rows, []string{r.Model, r.Scenario, c.Systems[i].Name, raw(e.Throughput),
				res.Throughput.Unit, ratio, strconv.FormatBool(res.Valid), strconv.FormatBool(isSimulated(res)),
				res.Mode, e.Run.Path, e.Metric.Name, raw(e.Metric.Value), e.Metric.Unit, res.StartTime,
				strconv.FormatInt(l.P50, 10), strconv.FormatInt(l.P90, 10), strconv.FormatInt(l.P99, 10), strconv.FormatInt(l.P999, 10),
				optRaw(tel.GPUUtilPct), optRaw(tel.PowerW), optRaw(tel.SamplesPerJoule), optRaw(tel.OtherCPUPct), strconv.FormatBool(noisy(res))})
		}
	}
	return t
}

// DifferencesTable is "what else differs": the systems' CPU, cores,
// memory, OS, hypervisor, devices, virtualisation, device profile, driver,
// CUDA and TensorRT versions, with a mark on the rows whose values differ.
func (c *Comparison) DifferencesTable() *Table {
	t := &Table{
		Title:   "What else differs between the systems",
		Columns: []Column{{Name: "Property"}},
	}
	for _, s := range c.Systems {
		t.Columns = append(t.Columns, Column{Name: s.Name})
	}
	t.Columns = append(t.Columns, Column{Name: "Differs"})
	for _, d := range c.Differences {
		row := append([]string{d.Field}, d.Values...)
		mark := ""
		if d.Differs {
			mark = "yes"
		}
		t.Rows = append(t.Rows, append(row, mark))
	}
	t.Notes = []string{Missing + ": not recorded in the system's result.json."}
	return t
}

// Tables returns the tables that `gotrt compare` prints, for format f:
// the throughput table and the differences, or for CSV the long-form data
// table alone.
func (c *Comparison) Tables(f Format) []*Table {
	if f == CSV {
		return []*Table{c.DataTable()}
	}
	return []*Table{c.Table(), c.DetailsTable(), c.DifferencesTable()}
}
