package brats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/gotrt/gotrt/models/internal/datamap"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/npy"
)

// The padded volume the network sees, as the r0.7 script's padded_shape.
var Padded = [3]int{224, 224, 160}

// Classes is the number of class scores per voxel.
const Classes = 4

// RegionNames are the three BraTS regions, in the script's order.
var RegionNames = [3]string{"whole tumor", "tumor core", "enhancing tumor"}

// Sentinel errors.
var (
	// ErrBadTruth: a label volume has a bad shape, dtype or label.
	ErrBadTruth = errors.New("bad ground truth")
	// ErrBadResponse: a response is not 4 × 224 × 224 × 160 of the dtype.
	ErrBadResponse = errors.New("bad response")
	// ErrCoverage: the log does not hold exactly one entry per case.
	ErrCoverage = errors.New("log does not cover every case once")
	// ErrUndefined: no case has the region in truth or prediction.
	ErrUndefined = errors.New("mean DICE undefined")
)

// Options are the script's flags that change the result.
type Options struct {
	// DType is the response element type (--output_dtype): "float16" when
	// empty, or int8, int16, int32, int64, float32, float64.
	DType string
	// Parallel bounds the cases scored at once (default GOMAXPROCS).
	Parallel int
}

// Case is one case's DICE per region (NaN where undefined).
type Case struct {
	Name string
	Dice [3]float64
}

// Result is the outcome of scoring.
type Result struct {
	// Regions are the per-region means as summary.csv holds them (rounded
	// to four decimals); Mean is their mean, the script's "mean".
	Regions [3]float64
	Mean    float64
	// Unrounded are the region means before rounding.
	Unrounded [3]float64
	// Cases are the per-case DICE, in QSL order.
	Cases []Case
}

// Truth is the ground truth folder: case names in QSL order and their
// label files.
type Truth struct {
	Dir   string
	Cases []string
}

// OpenTruth lists the cases of a truth folder (see the package doc).
func OpenTruth(dir string) (*Truth, error) {
	for _, list := range []string{"val_map.txt", "cases.txt"} {
		p := filepath.Join(dir, list)
		lines, err := datamap.Read(p, 1)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("brats: %w", err)
		}
		cases := make([]string, len(lines))
		for i, l := range lines {
			cases[i] = strings.TrimSuffix(l.Cols[0], ".npy")
		}
		if len(cases) == 0 {
			return nil, fmt.Errorf("brats: %s: %w: no cases", p, ErrBadTruth)
		}
		return &Truth{Dir: dir, Cases: cases}, nil
	}
	m, err := filepath.Glob(filepath.Join(dir, "*.npy"))
	if err != nil {
		return nil, fmt.Errorf("brats: %w", err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("brats: %s: %w: no val_map.txt, cases.txt or .npy label volumes", dir, ErrBadTruth)
	}
	slices.Sort(m)
	t := &Truth{Dir: dir}
	for _, p := range m {
		t.Cases = append(t.Cases, strings.TrimSuffix(filepath.Base(p), ".npy"))
	}
	return t, nil
}

// Path is the label file of case i.
func (t *Truth) Path(i int) string { return filepath.Join(t.Dir, t.Cases[i]+".npy") }

// labels reads case i's label volume as int8 labels.
func (t *Truth) labels(i int) ([]int8, [3]int, error) {
	p := t.Path(i)
	// The header first: a label volume whose shape does not fit is refused
	// before its data (which a sparse file makes as large as it claims) is
	// read.
	f, err := npy.Open(p)
	if err != nil {
		return nil, [3]int{}, err
	}
	var shape [3]int
	if len(f.Shape) != 3 {
		f.Close()
		return nil, shape, fmt.Errorf("%s: %w: shape %v, want (D, H, W)", p, ErrBadTruth, f.Shape)
	}
	for k := range 3 {
		shape[k] = f.Shape[k]
		if shape[k] > Padded[k] || shape[k] == 0 {
			f.Close()
			return nil, shape, fmt.Errorf("%s: %w: shape %v does not fit the padded %v", p, ErrBadTruth, f.Shape, Padded)
		}
	}
	f.Close()
	a, err := npy.Read(p, nil)
	if err != nil {
		return nil, [3]int{}, err
	}
	if !slices.Equal(a.Shape, f.Shape) {
		return nil, shape, fmt.Errorf("%s: %w: shape changed while read", p, ErrBadTruth)
	}
	if a.FortranOrder {
		return nil, shape, fmt.Errorf("%s: %w: fortran order", p, ErrBadTruth)
	}
	n := shape[0] * shape[1] * shape[2]
	out := make([]int8, n)
	get, err := elementReader(a.DType)
	if err != nil {
		return nil, shape, fmt.Errorf("%s: %w: %w", p, ErrBadTruth, err)
	}
	sz := a.DType.Size
	for v := range n {
		x := get(a.Data[v*sz:])
		if x != math.Trunc(x) || x < -1 || x > 3 {
			return nil, shape, fmt.Errorf("%s: %w: label %v at voxel %d, want -1, 0, 1, 2 or 3", p, ErrBadTruth, x, v)
		}
		out[v] = int8(x)
	}
	return out, shape, nil
}

// elementReader reads one native-order element of d as a float64.
func elementReader(d npy.DType) (func([]byte) float64, error) {
	le := binary.NativeEndian
	switch {
	case d.Kind == npy.Bool || d.Kind == npy.Uint && d.Size == 1:
		return func(b []byte) float64 { return float64(b[0]) }, nil
	case d.Kind == npy.Int && d.Size == 1:
		return func(b []byte) float64 { return float64(int8(b[0])) }, nil
	case d.Kind == npy.Int && d.Size == 2:
		return func(b []byte) float64 { return float64(int16(le.Uint16(b))) }, nil
	case d.Kind == npy.Uint && d.Size == 2:
		return func(b []byte) float64 { return float64(le.Uint16(b)) }, nil
	case d.Kind == npy.Int && d.Size == 4:
		return func(b []byte) float64 { return float64(int32(le.Uint32(b))) }, nil
	case d.Kind == npy.Uint && d.Size == 4:
		return func(b []byte) float64 { return float64(le.Uint32(b)) }, nil
	case d.Kind == npy.Int && d.Size == 8:
		return func(b []byte) float64 { return float64(int64(le.Uint64(b))) }, nil
	case d.Kind == npy.Uint && d.Size == 8:
		return func(b []byte) float64 { return float64(le.Uint64(b)) }, nil
	case d.Kind == npy.Float && d.Size == 2:
		return func(b []byte) float64 { return float64(halfToFloat[le.Uint16(b)]) }, nil
	case d.Kind == npy.Float && d.Size == 4:
		return func(b []byte) float64 { return float64(math.Float32frombits(le.Uint32(b))) }, nil
	case d.Kind == npy.Float && d.Size == 8:
		return func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) }, nil
	}
	return nil, fmt.Errorf("dtype %s", d)
}

// responseDType maps the script's --output_dtype names to element types;
// responses are little-endian as LoadGen logs host memory.
func responseDType(name string) (npy.DType, error) {
	m := map[string]string{"": "<f2", "float16": "<f2", "float32": "<f4", "float64": "<f8",
		"int8": "|i1", "int16": "<i2", "int32": "<i4", "int64": "<i8"}
	s, ok := m[name]
	if !ok {
		return npy.DType{}, fmt.Errorf("brats: dtype %q: want int8, int16, int32, int64, float16, float32 or float64", name)
	}
	return npy.ParseDType(s)
}

// scorer holds what scoring a log needs.
type scorer struct {
	truth *Truth
	dtype npy.DType
	half  func([]byte, int) uint16 // element i of a response as float16 bits
	seen  []bool
	cases []Case
	mu    sync.Mutex
}

func newScorer(truthDir string, opt Options) (*scorer, error) {
	t, err := OpenTruth(truthDir)
	if err != nil {
		return nil, err
	}
	d, err := responseDType(opt.DType)
	if err != nil {
		return nil, err
	}
	s := &scorer{truth: t, dtype: d, seen: make([]bool, len(t.Cases)), cases: make([]Case, len(t.Cases))}
	if d.Kind == npy.Float && d.Size == 2 {
		s.half = func(b []byte, i int) uint16 { return binary.LittleEndian.Uint16(b[2*i:]) }
	} else {
		get, _ := elementReader(d.AsNative())
		sz := d.Size
		s.half = func(b []byte, i int) uint16 { return float64ToHalf(get(b[i*sz:])) }
	}
	return s, nil
}

// claim checks an entry's qsl_idx and marks its case as seen.
func (s *scorer) claim(entry int, r mlperflog.Record) error {
	if r.QSLIdx >= len(s.truth.Cases) {
		return fmt.Errorf("brats: entry %d: qsl_idx %d: %w (%d cases)", entry, r.QSLIdx, mlperflog.ErrUnknownSample, len(s.truth.Cases))
	}
	if s.seen[r.QSLIdx] {
		return fmt.Errorf("brats: entry %d: qsl_idx %d (%s): %w: appears twice", entry, r.QSLIdx, s.truth.Cases[r.QSLIdx], ErrCoverage)
	}
	s.seen[r.QSLIdx] = true
	return nil
}

// scoreCase computes one case's DICE per region.
func (s *scorer) scoreCase(entry int, r mlperflog.Record) error {
	name := s.truth.Cases[r.QSLIdx]
	want := Classes * Padded[0] * Padded[1] * Padded[2] * s.dtype.Size
	if len(r.Data) != want {
		return fmt.Errorf("brats: entry %d: qsl_idx %d (%s): %w: %d bytes, want %d (4×224×224×160 %s)",
			entry, r.QSLIdx, name, ErrBadResponse, len(r.Data), want, s.dtype)
	}
	lab, shape, err := s.truth.labels(r.QSLIdx)
	if err != nil {
		return fmt.Errorf("brats: case %d (%s): %w", r.QSLIdx, name, err)
	}
	var pb [3]int
	for k := range 3 {
		pb[k] = (Padded[k] - shape[k]) / 2
	}
	plane := Padded[0] * Padded[1] * Padded[2]
	var pred, tru, inter [3]int
	v := 0
	for d := range shape[0] {
		for h := range shape[1] {
			base := ((pb[0]+d)*Padded[1]+pb[1]+h)*Padded[2] + pb[2]
			for w := range shape[2] {
				p := argmax4(s.half, r.Data, base+w, plane)
				t := lab[v]
				v++
				for reg := range 3 {
					// Region reg holds labels > reg: whole {1,2,3}, core {2,3}, enhancing {3}.
					pi, ti := p > reg, int(t) > reg
					if pi {
						pred[reg]++
					}
					if ti {
						tru[reg]++
					}
					if pi && ti {
						inter[reg]++
					}
				}
			}
		}
	}
	c := Case{Name: name}
	for reg := range 3 {
		if pred[reg] == 0 && tru[reg] == 0 {
			c.Dice[reg] = math.NaN()
		} else {
			c.Dice[reg] = 2 * float64(inter[reg]) / float64(pred[reg]+tru[reg])
		}
	}
	s.mu.Lock()
	s.cases[r.QSLIdx] = c
	s.mu.Unlock()
	return nil
}

// argmax4 returns the index of the largest of the four float16 scores at
// voxel offset i (channel stride plane), the first on ties and the first NaN
// if any, as numpy's argmax.
func argmax4(half func([]byte, int) uint16, b []byte, i, plane int) int {
	best := 0
	bv := halfToFloat[half(b, i)]
	if bv != bv {
		return 0
	}
	for c := 1; c < Classes; c++ {
		x := halfToFloat[half(b, i+c*plane)]
		if x != x {
			return c
		}
		if x > bv {
			best, bv = c, x
		}
	}
	return best
}

func (s *scorer) result() (*Result, error) {
	for i, ok := range s.seen {
		if !ok {
			return nil, fmt.Errorf("brats: qsl_idx %d (%s): %w: missing", i, s.truth.Cases[i], ErrCoverage)
		}
	}
	res := &Result{Cases: s.cases}
	for reg := range 3 {
		sum, n := 0.0, 0
		for _, c := range s.cases {
			if !math.IsNaN(c.Dice[reg]) {
				sum += c.Dice[reg]
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("brats: %s: %w: empty in every case's truth and prediction", RegionNames[reg], ErrUndefined)
		}
		res.Unrounded[reg] = sum / float64(n)
		res.Regions[reg], _ = strconv.ParseFloat(strconv.FormatFloat(res.Unrounded[reg], 'f', 4, 64), 64)
	}
	res.Mean = (res.Regions[0] + res.Regions[1] + res.Regions[2]) / 3
	return res, nil
}

// Score scores in-memory records against the truth folder.
func Score(records []mlperflog.Record, truthDir string, opt Options) (*Result, error) {
	s, err := newScorer(truthDir, opt)
	if err != nil {
		return nil, err
	}
	if len(records) != len(s.truth.Cases) {
		return nil, fmt.Errorf("brats: %w: %d entries for %d cases", ErrCoverage, len(records), len(s.truth.Cases))
	}
	for i, r := range records {
		if err := s.claim(i, r); err != nil {
			return nil, err
		}
	}
	g := group(opt)
	for i, r := range records {
		g.Go(func() error { return s.scoreCase(i, r) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s.result()
}

// ScoreLog scores the accuracy log at logPath, streaming it: at most
// Parallel responses are held in memory at once (each 64 MB in float16).
func ScoreLog(logPath, truthDir string, opt Options) (*Result, error) {
	s, err := newScorer(truthDir, opt)
	if err != nil {
		return nil, err
	}
	g := group(opt)
	n := 0
	err = mlperflog.ScanLog(logPath, func(entry int, r mlperflog.Record) error {
		n++
		if err := s.claim(entry, r); err != nil {
			return err
		}
		g.Go(func() error { return s.scoreCase(entry, r) })
		return nil
	})
	if werr := g.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", logPath, err)
	}
	if n != len(s.truth.Cases) {
		return nil, fmt.Errorf("%s: brats: %w: %d entries for %d cases", logPath, ErrCoverage, n, len(s.truth.Cases))
	}
	return s.result()
}

func group(opt Options) *errgroup.Group {
	var g errgroup.Group
	p := opt.Parallel
	if p <= 0 {
		p = runtime.GOMAXPROCS(0)
	}
	g.SetLimit(p)
	return &g
}
