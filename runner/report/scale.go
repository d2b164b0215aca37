package report

import (
	"context"
	"errors"
	"fmt"
	"github.com/gotrt/gotrt/internal/bounded"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/runner/result"
)

// RunFunc runs the benchmark once on the given number of devices and
// writes its result folder (MLPerf logs and result.json) into dir, which
// [Scale] has created. It returns the run's result; an INVALID result is a
// result, not an error.
type RunFunc func(ctx context.Context, devices int, dir string) (*result.Result, error)

// Point is one device count of a scaling study.
type Point struct {
	Devices int
	// Dir is the count's result folder.
	Dir    string
	Result *result.Result
	// SpeedUp is the throughput over the first point's; Efficiency is
	// SpeedUp over the device ratio (1 is linear scaling).
	SpeedUp, Efficiency float64
}

// Scaling is the same benchmark over device counts, in increasing count.
type Scaling struct {
	Points []Point
	// Interrupted is set when [Scale] was interrupted (its context ended,
	// or a run came back interrupted): Points are the counts that
	// finished, Unfinished the counts cut short or never run.
	Interrupted bool
	Unfinished  []int
}

// CountDir is the folder name of a device count's result: "devices-4".
func CountDir(n int) string { return "devices-" + strconv.Itoa(n) }

var countDirRE = regexp.MustCompile(`^devices-([0-9]+)$`)

// DefaultCounts returns 1, 2, 4 … up to n, with n itself last when it is
// not a power of two.
func DefaultCounts(n int) []int {
	var cs []int
	for c := 1; c <= n; c *= 2 {
		cs = append(cs, c)
	}
	if n > 0 && cs[len(cs)-1] != n {
		cs = append(cs, n)
	}
	return cs
}

// ParseCounts reads a comma-separated list of device counts, such as
// "1,2,4"; the counts are sorted and must be positive and distinct.
func ParseCounts(s string) ([]int, error) {
	var cs []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("device count %q in %q is not a positive whole number", bounded.Quote(f), bounded.Quote(s))
		}
		if slices.Contains(cs, n) {
			return nil, fmt.Errorf("device count %d is given twice in %q", n, s)
		}
		cs = append(cs, n)
	}
	sort.Ints(cs)
	return cs, nil
}

// Scale runs run once per device count, in increasing order, each into
// out/devices-N, and returns the scaling study. It stops at the first
// error and returns the points done so far with it. When ctx ends, or a run
// comes back interrupted (result.Interrupted), it stops with no error and
// the study marked Interrupted: the finished counts are kept, and the one
// cut short is left out (its folder holds its logs). progress, when not
// nil, is called after each count with the points so far.
func Scale(ctx context.Context, out string, counts []int, run RunFunc, progress func(s *Scaling)) (*Scaling, error) {
	if len(counts) == 0 {
		return nil, errors.New("scale: no device counts")
	}
	counts = slices.Clone(counts)
	sort.Ints(counts)
	s := &Scaling{}
	for _, n := range counts {
		if n < 1 {
			return nil, fmt.Errorf("scale: device count %d is not positive", n)
		}
	}
	for i, n := range counts {
		if ctx.Err() != nil {
			s.Interrupted, s.Unfinished = true, counts[i:]
			return s, nil
		}
		dir := filepath.Join(out, CountDir(n))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return s, fmt.Errorf("scale: %w", err)
		}
		r, err := run(ctx, n, dir)
		if err != nil {
			return s, fmt.Errorf("scale: %d devices: %w", n, err)
		}
		if r == nil {
			return s, fmt.Errorf("scale: %d devices: the run returned no result", n)
		}
		if r.Interrupted {
			s.Interrupted, s.Unfinished = true, counts[i:]
			return s, nil
		}
		s.Points = append(s.Points, Point{Devices: n, Dir: dir, Result: r})
		if err := s.derive(); err != nil {
			return s, fmt.Errorf("scale: %w", err)
		}
		if progress != nil {
			progress(s)
		}
	}
	return s, nil
}

// NewScaling builds a study from finished points (any order); it checks
// that they share model, scenario and unit, and derives speed-up and
// efficiency.
func NewScaling(points []Point) (*Scaling, error) {
	s := &Scaling{Points: slices.Clone(points)}
	sort.SliceStable(s.Points, func(i, j int) bool { return s.Points[i].Devices < s.Points[j].Devices })
	if err := s.derive(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Scaling) derive() error {
	if len(s.Points) == 0 {
		return ErrNoResults
	}
	p0 := s.Points[0]
	for i := range s.Points {
		p := &s.Points[i]
		if p.Result == nil {
			return fmt.Errorf("%d devices: no result", p.Devices)
		}
		if p.Devices < 1 {
			return fmt.Errorf("%s: device count %d is not positive", p.Dir, p.Devices)
		}
		if i > 0 && p.Devices == s.Points[i-1].Devices {
			return fmt.Errorf("%w results for %d devices: %s and %s", ErrDuplicate, p.Devices, s.Points[i-1].Dir, p.Dir)
		}
		r, r0 := p.Result, p0.Result
		if r.Model != r0.Model || r.Scenario != r0.Scenario || r.Throughput.Unit != r0.Throughput.Unit {
			return fmt.Errorf("%d devices ran %s %s (%s) but %d devices ran %s %s (%s)",
				p.Devices, r.Model, r.Scenario, r.Throughput.Unit, p0.Devices, r0.Model, r0.Scenario, r0.Throughput.Unit)
		}
		p.SpeedUp, p.Efficiency = 0, 0
		if t0 := r0.Throughput.Value; t0 > 0 {
			p.SpeedUp = r.Throughput.Value / t0
			p.Efficiency = p.SpeedUp / (float64(p.Devices) / float64(p0.Devices))
		}
	}
	return nil
}

// LoadScaling reads a scaling study back from the folder [Scale] wrote:
// dir/devices-N/result.json for each count N.
func LoadScaling(dir string) (*Scaling, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read scaling: %w", err)
	}
	var points []Point
	for _, e := range ents {
		m := countDirRE.FindStringSubmatch(e.Name())
		if !e.IsDir() || m == nil {
			continue
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		sub := filepath.Join(dir, e.Name())
		r, err := ReadResult(filepath.Join(sub, ResultFile))
		if err != nil {
			return nil, err
		}
		points = append(points, Point{Devices: n, Dir: sub, Result: r})
	}
	if len(points) == 0 {
		return nil, fmt.Errorf("%s: no devices-N/%s: %w", dir, ResultFile, ErrNoResults)
	}
	s, err := NewScaling(points)
	if err != nil {
		return nil, fmt.Errorf("read scaling %s: %w", dir, err)
	}
	return s, nil
}

// Simulated says whether any point came from simulated devices.
func (s *Scaling) Simulated() bool {
	for _, p := range s.Points {
		if isSimulated(p.Result) {
			return true
		}
	}
	return false
}

// Valid says whether every point is VALID.
func (s *Scaling) Valid() bool {
	for _, p := range s.Points {
		if !p.Result.Valid {
			return false
		}
	}
	return true
}

func (s *Scaling) base() int { return s.Points[0].Devices }

// Table is the scaling table: throughput, speed-up and efficiency per
// device count.
func (s *Scaling) Table() *Table {
	r0 := s.Points[0].Result
	t := &Table{
		Title: fmt.Sprintf("Scaling of %s %s over device count", r0.Model, r0.Scenario),
		Columns: []Column{
			{Name: "Devices", Right: true}, {Name: "Throughput (" + unitOr(r0.Throughput.Unit) + ")", Right: true},
			{Name: "Speed-up", Right: true}, {Name: "Efficiency", Right: true}, {Name: "Result"},
		},
	}
	invalid, sim, busy := false, false, false
	for _, p := range s.Points {
		state := "VALID"
		if !p.Result.Valid {
			state, invalid = "INVALID", true
		}
		if p.Result.Interrupted {
			state = "INVALID (interrupted)"
		}
		if isSimulated(p.Result) {
			state, sim = state+" [simulated]", true
		}
		if noisy(p.Result) {
			state, busy = state+markNoisy, true
		}
		t.Rows = append(t.Rows, []string{
			strconv.Itoa(p.Devices), FormatValue(p.Result.Throughput.Value),
			strconv.FormatFloat(p.SpeedUp, 'f', 2, 64) + "x",
			strconv.FormatFloat(100*p.Efficiency, 'f', 1, 64) + " %", state,
		})
	}
	t.Notes = append(t.Notes, fmt.Sprintf("Speed-up is throughput over that of %d device(s); efficiency is speed-up over the device ratio.", s.base()))
	if invalid {
		t.Notes = append(t.Notes, "INVALID runs did not meet MLPerf's validity rules (see the reasons in their result.json).")
	}
	if sim {
		t.Notes = append(t.Notes, "Cells marked [simulated] come from simulated devices: not a measurement.")
	}
	if busy {
		t.Notes = append(t.Notes, fmt.Sprintf("[noisy host]: other processes used %d%% or more of the machine's CPU time during that run: its throughput may be low.", result.NoisyHostPct))
	}
	if s.Interrupted {
		t.Title += " (interrupted)"
		t.Notes = append(t.Notes, "Interrupted: the rows are the counts that finished; "+countList(s.Unfinished)+" did not finish.")
	}
	return t
}

// countList words device counts: "count 4", "counts 4 and 8", "counts 2, 4 and 8".
func countList(cs []int) string {
	switch len(cs) {
	case 0:
		return "no count"
	case 1:
		return "count " + strconv.Itoa(cs[0])
	}
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = strconv.Itoa(c)
	}
	return "counts " + strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// DataTable is the scaling table with raw numbers, for CSV.
func (s *Scaling) DataTable() *Table {
	t := &Table{Columns: []Column{
		{Name: "devices"}, {Name: "model"}, {Name: "scenario"}, {Name: "throughput"}, {Name: "unit"},
		{Name: "speedup"}, {Name: "efficiency"}, {Name: "valid"}, {Name: "simulated"}, {Name: "dir"},
	}}
	for _, p := range s.Points {
		r := p.Result
		t.Rows = append(t.Rows, []string{
			strconv.Itoa(p.Devices), r.Model, r.Scenario, raw(r.Throughput.Value), r.Throughput.Unit,
			raw(p.SpeedUp), raw(p.Efficiency), strconv.FormatBool(r.Valid), strconv.FormatBool(isSimulated(r)), filepath.Base(p.Dir),
		})
	}
	return t
}

// Tables returns the tables that `gotrt scale` prints for format f.
func (s *Scaling) Tables(f Format) []*Table {
	if f == CSV {
		return []*Table{s.DataTable()}
	}
	return []*Table{s.Table()}
}

func unitOr(u string) string {
	if u == "" {
		return "?"
	}
	return u
}
