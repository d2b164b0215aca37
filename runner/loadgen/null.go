package loadgen

import (
	"fmt"
	"sync"
)

// NullSUT completes every sample at once, inside IssueQuery, with empty
// response data, in calls of up to 1024 responses: LoadGen's
// SystemUnderTestNull, for measuring the load generator's own overhead
// (`gotrt run --sut null`, the benchmarks). It is safe for concurrent use.
type NullSUT struct {
	pool sync.Pool
}

// nullBatch is how many responses NullSUT passes per Complete call, as the
// null-SUT drivers LoadGen is compared with.
const nullBatch = 1024

var _ SystemUnderTest = (*NullSUT)(nil)

// Name implements [SystemUnderTest].
func (*NullSUT) Name() string { return "NullSUT" }

// IssueQuery implements [SystemUnderTest]: it completes the samples now.
func (n *NullSUT) IssueQuery(samples []QuerySample, c Completer) {
	buf, _ := n.pool.Get().(*[]Response)
	if buf == nil {
		b := make([]Response, nullBatch)
		buf = &b
	}
	rs := *buf
	for len(samples) > 0 {
		k := min(len(samples), nullBatch)
		for i := 0; i < k; i++ {
			rs[i] = Response{ID: samples[i].ID}
		}
		if err := c.Complete(rs[:k]); err != nil {
			c.Fail(fmt.Errorf("null sut: %w", err))
		}
		samples = samples[k:]
	}
	n.pool.Put(buf)
}

// FlushQueries implements [SystemUnderTest]; there is nothing to flush.
func (*NullSUT) FlushQueries() {}

// NullQSL is an in-memory query sample library of Total samples that holds
// no data; it checks that the load generator only loads, unloads and
// issues valid indices. It is not safe for concurrent Load/Unload calls.
type NullQSL struct {
	// Total is the data set size, Performance the performance sample
	// count it reports (0 means min(Total, 1024)).
	Total, Performance int

	mu     sync.Mutex
	loaded map[int]int
	// Loads and Unloads count the calls, for tests.
	Loads, Unloads int
}

var _ QuerySampleLibrary = (*NullQSL)(nil)

// NewNullQSL returns a NullQSL of total samples reporting perf as its
// performance sample count.
func NewNullQSL(total, perf int) *NullQSL { return &NullQSL{Total: total, Performance: perf} }

// Name implements [QuerySampleLibrary].
func (*NullQSL) Name() string { return "NullQSL" }

// TotalSampleCount implements [QuerySampleLibrary].
func (q *NullQSL) TotalSampleCount() int { return q.Total }

// PerformanceSampleCount implements [QuerySampleLibrary].
func (q *NullQSL) PerformanceSampleCount() int {
	if q.Performance == 0 {
		return min(q.Total, 1024)
	}
	return q.Performance
}

// LoadSamplesToRAM implements [QuerySampleLibrary]; an out-of-range index
// is an error.
func (q *NullQSL) LoadSamplesToRAM(indices []int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.loaded == nil {
		q.loaded = map[int]int{}
	}
	for _, i := range indices {
		if i < 0 || i >= q.Total {
			return fmt.Errorf("null qsl: load index %d out of range [0, %d)", i, q.Total)
		}
		q.loaded[i]++
	}
	q.Loads++
	return nil
}

// UnloadSamplesFromRAM implements [QuerySampleLibrary]; unloading a sample
// that is not loaded is an error.
func (q *NullQSL) UnloadSamplesFromRAM(indices []int) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, i := range indices {
		if q.loaded[i] == 0 {
			return fmt.Errorf("null qsl: unload index %d that is not loaded", i)
		}
		q.loaded[i]--
		if q.loaded[i] == 0 {
			delete(q.loaded, i)
		}
	}
	q.Unloads++
	return nil
}

// Loaded reports how many samples are loaded now.
func (q *NullQSL) Loaded() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.loaded)
}

// IsLoaded reports whether sample i is loaded now.
func (q *NullQSL) IsLoaded(i int) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.loaded[i] > 0
}
