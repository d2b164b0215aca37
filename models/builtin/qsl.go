package builtin

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/gotrt/gotrt/models/builtin/internal/dataset"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/sut"
)

var (
	_ sut.QuerySampleLibrary = (*QSL)(nil)
	_ device.SampleSource    = (*QSL)(nil)
)

// Data set sizes.
const (
	// TestCount is the size of the held-out split the QSL serves.
	TestCount = dataset.TestCount
	// PerformanceCount is the QSL's default performance sample count.
	PerformanceCount = 1024
)

// QSL is the query sample library over the held-out split: samples are
// rendered when loaded (they are a pure function of the seed and index) into
// memory allocated once, so SampleData never allocates. Load and Unload are
// safe to call from one goroutine at a time, as LoadGen does; SampleData is
// safe for concurrent use with itself.
type QSL struct {
	seed   uint64
	perf   int
	data   []byte
	labels []int32
	loaded []bool
}

// NewQSL returns the QSL of the first total held-out samples of seed's data
// set (total ≤ TestCount), with the given performance sample count.
func NewQSL(seed uint64, total, perfCount int) (*QSL, error) {
	if total < 1 || total > TestCount {
		return nil, fmt.Errorf("new qsl: %d samples, want 1 to %d", total, TestCount)
	}
	if perfCount < 1 || perfCount > total {
		return nil, fmt.Errorf("new qsl: performance sample count %d, want 1 to %d", perfCount, total)
	}
	return &QSL{seed: seed, perf: perfCount, data: make([]byte, total*InputSize),
		labels: make([]int32, total), loaded: make([]bool, total)}, nil
}

// DefaultQSL is the QSL of the whole held-out split of the embedded model's
// data set with PerformanceCount performance samples.
func DefaultQSL(m *Model) (*QSL, error) { return NewQSL(m.Seed(), TestCount, PerformanceCount) }

// Name names the data set.
func (q *QSL) Name() string { return "builtin-shapes-test" }

// TotalSampleCount is the number of samples.
func (q *QSL) TotalSampleCount() int { return len(q.labels) }

// PerformanceSampleCount is how many samples a performance run loads.
func (q *QSL) PerformanceSampleCount() int { return q.perf }

// LoadSamplesToRAM renders the given samples (in parallel across the cores);
// already loaded ones are kept.
func (q *QSL) LoadSamplesToRAM(indices []int) error {
	for _, i := range indices {
		if i < 0 || i >= len(q.labels) {
			return fmt.Errorf("load samples: index %d out of range [0, %d)", i, len(q.labels))
		}
	}
	workers := min(runtime.GOMAXPROCS(0), max(1, len(indices)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			// Samples go to workers by index, not by position in the list,
			// so that a sample named twice is owned by one worker: no two
			// goroutines write its pixels or its loaded flag.
			for _, i := range indices {
				if i%workers != w || q.loaded[i] {
					continue
				}
				q.labels[i] = dataset.Render(q.seed, dataset.Test, i, q.data[i*InputSize:(i+1)*InputSize])
				q.loaded[i] = true
			}
		})
	}
	wg.Wait()
	return nil
}

// UnloadSamplesFromRAM marks the samples unloaded; their memory is kept for
// the next load.
func (q *QSL) UnloadSamplesFromRAM(indices []int) error {
	for _, i := range indices {
		if i < 0 || i >= len(q.labels) {
			return fmt.Errorf("unload samples: index %d out of range [0, %d)", i, len(q.labels))
		}
	}
	for _, i := range indices {
		q.loaded[i] = false
	}
	return nil
}

// SampleData returns the pixels of sample index (InputSize bytes) without
// allocating; nil for an index out of range.
func (q *QSL) SampleData(index int) []byte {
	if index < 0 || index >= len(q.labels) {
		return nil
	}
	return q.data[index*InputSize : (index+1)*InputSize : (index+1)*InputSize]
}

// Label returns the true class of sample index, rendering nothing: the
// label is recomputed from the seed when the sample is not loaded.
func (q *QSL) Label(index int) (int32, error) {
	if index < 0 || index >= len(q.labels) {
		return 0, fmt.Errorf("label: index %d out of range [0, %d)", index, len(q.labels))
	}
	if q.loaded[index] {
		return q.labels[index], nil
	}
	return dataset.Label(q.seed, dataset.Test, index), nil
}
