package dataset

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/models/internal/datamap"
	"github.com/gotrt/gotrt/models/npy"
	"github.com/gotrt/gotrt/runner/sut"
)

// Sentinel errors.
var (
	// ErrMismatch: a file's dtype, shape or order does not fit the
	// catalogue's tensor.
	ErrMismatch = errors.New("preprocessed data does not match the catalogue")
	// ErrTooFewSamples: a source holds fewer samples than the QSL size.
	ErrTooFewSamples = errors.New("fewer samples than the QSL size")
	// ErrIndex: a sample index is outside the QSL, or not loaded.
	ErrIndex = errors.New("bad sample index")
)

// Source says where one input tensor's preprocessed samples are: either
// Files (one .npy per sample, sample i in Files[i]) or Array (one .npy whose
// first axis is the sample index).
type Source struct {
	Files []string
	Array string
	// DType and Format are those of the preprocessed data; zero values
	// mean the catalogue's defaults.
	DType  catalog.DataType
	Format catalog.Format
	// Feed is the layout of the engine input the data feeds (the engine's
	// tensor format); empty means Format. When it differs, each sample is
	// converted once, as it loads (linear to CHW4 or CHW32, see
	// [CanConvert]), so SampleData holds what the engine reads.
	Feed catalog.Format
}

// Config configures a QSL.
type Config struct {
	// Name is the QSL's name; it defaults to the entry's id.
	Name string
	// Entry is the benchmark; its Inputs say what each source must hold.
	Entry catalog.Entry
	// Inputs has one source per entry input, in the entry's order.
	Inputs []Source
	// TotalSampleCount and PerformanceSampleCount default to the entry's.
	// A smaller total serves a subset (the first samples).
	TotalSampleCount, PerformanceSampleCount int
	// Parallel is how many files are read at once (default 8).
	Parallel int
}

type tensor struct {
	spec     catalog.TensorSpec
	src      Source
	dtype    npy.DType
	npyShape []int
	size     int // bytes per sample as fed (in the Feed layout)
	fileSize int // bytes per sample as stored
	vector   int // the Feed layout's vector width when samples are converted, else 0
	array    *npy.File
	buf      []byte
}

// QSL is a query sample library over preprocessed .npy inputs. Close it to
// release the open array files.
type QSL struct {
	name        string
	total, perf int
	parallel    int
	tensors     []tensor
	slot        []int32 // per sample index: slot in the buffers, or -1
	used        int     // slots handed out since the buffers were last empty
	loaded      int     // samples loaded now
	capacity    int     // slots the buffers hold
	packed      []byte  // all inputs of a sample back to back (multi-input models)
	packedSize  int
}

// The QSL is a sut.QuerySampleLibrary and, by its SampleData method, a
// runner/device.SampleSource (not asserted here, so that this package builds
// apart from the scheduler).
var _ sut.QuerySampleLibrary = (*QSL)(nil)

// New checks the configuration against the catalogue entry and opens the
// array sources (their headers are checked here; per-sample files are
// checked as they load).
func New(cfg Config) (*QSL, error) {
	e := cfg.Entry
	q := &QSL{name: cfg.Name, total: cfg.TotalSampleCount, perf: cfg.PerformanceSampleCount, parallel: cfg.Parallel}
	if q.name == "" {
		q.name = e.ID
	}
	if q.total == 0 {
		q.total = e.TotalSampleCount
	}
	if q.perf == 0 {
		q.perf = min(e.PerformanceSampleCount, q.total)
	}
	if q.parallel <= 0 {
		q.parallel = 8
	}
	if q.total <= 0 || q.perf <= 0 || q.perf > q.total {
		return nil, fmt.Errorf("dataset %s: performance sample count %d must be in [1, total %d]", q.name, q.perf, q.total)
	}
	if len(cfg.Inputs) != len(e.Inputs) {
		return nil, fmt.Errorf("dataset %s: %d input sources for %d inputs of %s", q.name, len(cfg.Inputs), len(e.Inputs), e.ID)
	}
	for i, src := range cfg.Inputs {
		spec := e.Inputs[i]
		t := tensor{spec: spec, src: src}
		dt, f := src.DType, src.Format
		if dt == "" {
			dt = spec.DType
		}
		if f == "" {
			f = spec.Format
		}
		feed := src.Feed
		if feed == "" {
			feed = f
		}
		for _, l := range []catalog.Format{f, feed} {
			if !spec.Accepts(dt, l) {
				q.Close()
				return nil, fmt.Errorf("dataset %s: input %q: %w: %s in %s is not a layout of this tensor", q.name, spec.Name, ErrMismatch, dt, l)
			}
		}
		if !CanConvert(f, feed) {
			q.Close()
			return nil, fmt.Errorf("dataset %s: input %q: %w: data in %s cannot be converted to the engine's %s (only linear to chw4 or chw32)",
				q.name, spec.Name, ErrMismatch, f, feed)
		}
		if f != feed {
			t.vector = VectorWidth(feed)
		}
		d, err := npy.ParseDType(dt.NpyDescr())
		if err != nil {
			q.Close()
			return nil, fmt.Errorf("dataset %s: input %q: %w", q.name, spec.Name, err)
		}
		t.dtype, t.npyShape, t.size, t.fileSize = d, spec.NpyShape(f), spec.SampleBytes(dt, feed), spec.SampleBytes(dt, f)
		switch {
		case src.Array != "" && src.Files != nil:
			q.Close()
			return nil, fmt.Errorf("dataset %s: input %q: give Files or Array, not both", q.name, spec.Name)
		case src.Array != "":
			a, err := npy.Open(src.Array)
			if err != nil {
				q.Close()
				return nil, fmt.Errorf("dataset %s: input %q: %w", q.name, spec.Name, err)
			}
			t.array = a
			if err := t.checkArray(q.total); err != nil {
				a.Close()
				q.Close()
				return nil, fmt.Errorf("dataset %s: input %q: %w", q.name, spec.Name, err)
			}
		case len(src.Files) < q.total:
			q.Close()
			return nil, fmt.Errorf("dataset %s: input %q: %w: %d files for %d samples", q.name, spec.Name, ErrTooFewSamples, len(src.Files), q.total)
		}
		q.tensors = append(q.tensors, t)
		q.packedSize += t.size
	}
	q.slot = make([]int32, q.total)
	for i := range q.slot {
		q.slot[i] = -1
	}
	return q, nil
}

func (t *tensor) checkArray(total int) error {
	a := t.array
	if !a.DType.SameType(t.dtype) {
		return fmt.Errorf("%s: %w: dtype %s, want %s", a.Path, ErrMismatch, a.DType, t.dtype)
	}
	if len(a.Shape) != len(t.npyShape)+1 || !slices.Equal(a.Shape[1:], t.npyShape) {
		return fmt.Errorf("%s: %w: shape %v, want (samples, %v)", a.Path, ErrMismatch, a.Shape, t.npyShape)
	}
	if a.FortranOrder && len(a.Shape) > 1 {
		return fmt.Errorf("%s: %w: fortran order; samples must be contiguous (C order)", a.Path, ErrMismatch)
	}
	if a.Shape[0] < total {
		return fmt.Errorf("%s: %w: %d samples, QSL size %d", a.Path, ErrTooFewSamples, a.Shape[0], total)
	}
	return nil
}

// Name returns the QSL's name.
func (q *QSL) Name() string { return q.name }

// TotalSampleCount is the QSL size.
func (q *QSL) TotalSampleCount() int { return q.total }

// PerformanceSampleCount is the number of samples LoadGen keeps loaded in
// performance mode.
func (q *QSL) PerformanceSampleCount() int { return q.perf }

// LoadSamplesToRAM reads the samples into the per-tensor buffers. Indices
// already loaded are kept; a repeated index loads once. The buffers are
// allocated for max(PerformanceSampleCount, n) samples when empty; if a
// load does not fit beside samples still loaded, they are moved to larger
// buffers (Buffer's earlier results are then stale). On error no sample of
// this call is loaded, and the error names the file and the sample.
func (q *QSL) LoadSamplesToRAM(indices []int) error {
	for _, i := range indices {
		if i < 0 || i >= q.total {
			return fmt.Errorf("dataset %s: load sample %d: %w: QSL holds %d samples", q.name, i, ErrIndex, q.total)
		}
	}
	var todo []int
	for _, i := range indices {
		if q.slot[i] == -1 {
			q.slot[i] = -2 // claimed by this call
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	q.reserve(q.used + len(todo))
	first := q.used
	for k, i := range todo {
		q.slot[i] = int32(first + k)
	}
	var g errgroup.Group
	g.SetLimit(q.parallel)
	for k, i := range todo {
		s := first + k
		g.Go(func() error { return q.readSample(i, s) })
	}
	if err := g.Wait(); err != nil {
		for _, i := range todo {
			q.slot[i] = -1
		}
		return err
	}
	q.used += len(todo)
	q.loaded += len(todo)
	return nil
}

// reserve makes room for n slots, keeping the first q.used.
func (q *QSL) reserve(n int) {
	if n <= q.capacity {
		return
	}
	c := max(n, q.perf)
	for ti := range q.tensors {
		t := &q.tensors[ti]
		nb := make([]byte, c*t.size)
		copy(nb, t.buf[:q.used*t.size])
		t.buf = nb
	}
	if len(q.tensors) > 1 {
		np := make([]byte, c*q.packedSize)
		copy(np, q.packed[:q.used*q.packedSize])
		q.packed = np
	}
	q.capacity = c
}

func (q *QSL) readSample(index, slot int) error {
	off := 0
	for ti := range q.tensors {
		t := &q.tensors[ti]
		dst := t.buf[slot*t.size : (slot+1)*t.size]
		if err := t.read(index, dst); err != nil {
			return fmt.Errorf("dataset %s: input %q, sample %d: %w", q.name, t.spec.Name, index, err)
		}
		if q.packed != nil {
			copy(q.packed[slot*q.packedSize+off:], dst)
			off += t.size
		}
	}
	return nil
}

// read reads sample index into dst, converting it to the fed layout when
// that differs from the stored one (at load time, off the timed path).
func (t *tensor) read(index int, dst []byte) error {
	if t.vector == 0 {
		return t.readStored(index, dst)
	}
	raw := make([]byte, t.fileSize)
	if err := t.readStored(index, raw); err != nil {
		return err
	}
	return LinearToVectorized(dst, raw, t.spec.Shape, t.dtype.Size, t.vector)
}

func (t *tensor) readStored(index int, dst []byte) error {
	if t.array != nil {
		return t.array.ReadRows(dst, index)
	}
	f, err := npy.Open(t.src.Files[index])
	if err != nil {
		return err
	}
	defer f.Close()
	if !f.DType.SameType(t.dtype) {
		return fmt.Errorf("%s: %w: dtype %s, want %s", f.Path, ErrMismatch, f.DType, t.dtype)
	}
	if !slices.Equal(f.Shape, t.npyShape) {
		return fmt.Errorf("%s: %w: shape %v, want %v", f.Path, ErrMismatch, f.Shape, t.npyShape)
	}
	if f.FortranOrder && len(f.Shape) > 1 {
		return fmt.Errorf("%s: %w: fortran order, want C order", f.Path, ErrMismatch)
	}
	return f.ReadData(dst)
}

// UnloadSamplesFromRAM releases the samples. When no sample is left loaded
// the buffers are reused from their start by the next load (they are not
// freed). An index that is not loaded is an error wrapping [ErrIndex].
func (q *QSL) UnloadSamplesFromRAM(indices []int) error {
	for _, i := range indices {
		if i < 0 || i >= q.total || q.slot[i] < 0 {
			return fmt.Errorf("dataset %s: unload sample %d: %w: not loaded", q.name, i, ErrIndex)
		}
		q.slot[i] = -1
		q.loaded--
	}
	if q.loaded == 0 {
		q.used = 0
	}
	return nil
}

// SampleData returns the input bytes of a loaded sample without copying or
// allocating: for a one-input model a view of the tensor's buffer, for a
// multi-input model (BERT) the sample's inputs back to back in the entry's
// order. It returns nil for a sample that is not loaded.
func (q *QSL) SampleData(index int) []byte {
	if index < 0 || index >= len(q.slot) || q.slot[index] < 0 {
		return nil
	}
	s := int(q.slot[index])
	if q.packed != nil {
		return q.packed[s*q.packedSize : (s+1)*q.packedSize]
	}
	t := &q.tensors[0]
	return t.buf[s*t.size : (s+1)*t.size]
}

// SampleTensor returns input tensor t's bytes of a loaded sample (a view),
// or nil when it is not loaded.
func (q *QSL) SampleTensor(index, t int) []byte {
	if index < 0 || index >= len(q.slot) || q.slot[index] < 0 || t < 0 || t >= len(q.tensors) {
		return nil
	}
	s := int(q.slot[index])
	tt := &q.tensors[t]
	return tt.buf[s*tt.size : (s+1)*tt.size]
}

// Slot returns the position of a loaded sample in the buffers (sample
// index s occupies bytes [Slot*SampleBytes(t), (Slot+1)*SampleBytes(t)) of
// Buffer(t)), or -1.
func (q *QSL) Slot(index int) int {
	if index < 0 || index >= len(q.slot) || q.slot[index] < 0 {
		return -1
	}
	return int(q.slot[index])
}

// Buffer returns input tensor t's whole contiguous buffer (nil before the
// first load): the memory a GPU layer pins or uploads.
func (q *QSL) Buffer(t int) []byte { return q.tensors[t].buf }

// SampleBytes is the size of one sample of input tensor t, as fed (in the
// Source's Feed layout).
func (q *QSL) SampleBytes(t int) int { return q.tensors[t].size }

// Close closes the array files; a second call is harmless.
func (q *QSL) Close() error {
	var errs []error
	for ti := range q.tensors {
		if q.tensors[ti].array != nil {
			errs = append(errs, q.tensors[ti].array.Close())
		}
	}
	return errors.Join(errs...)
}

// FilesFromMap lists the per-sample files of a data map as NVIDIA's
// preprocessing names them: for each line of valMap (e.g. data_maps/
// imagenet/val_map.txt, "ILSVRC2012_val_00000001.JPEG 65"), dir/<first
// column><suffix>, suffix usually ".npy". A blank line is an error naming
// the file and line.
func FilesFromMap(valMap, dir, suffix string) ([]string, error) {
	lines, err := datamap.Read(valMap, 1)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	files := make([]string, len(lines))
	for i, l := range lines {
		files[i] = filepath.Join(dir, l.Cols[0]+suffix)
	}
	return files, nil
}
