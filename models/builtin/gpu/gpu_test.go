//go:build cuda

package gpu

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/gpuerr"
	"github.com/gotrt/gotrt/internal/testutil"
	"github.com/gotrt/gotrt/models/builtin"
)

// heldOut caches the whole held-out split with the CPU INT8 executor's
// classes, computed by the first test that needs it.
var (
	heldOutMu    sync.Mutex
	heldOutCache *heldOutSet
)

type heldOutSet struct {
	m       *builtin.Model
	pixels  []byte
	classes []int32
	labels  []int32
}

func (h *heldOutSet) sample(i int) []byte {
	return h.pixels[i*builtin.InputSize : (i+1)*builtin.InputSize]
}

func loadHeldOut(t testing.TB) *heldOutSet {
	t.Helper()
	// Skip before the CPU reference's seconds of work when there is no GPU.
	testutil.SkipIfNotSupported(t, cuda.Available())
	heldOutMu.Lock()
	defer heldOutMu.Unlock()
	if heldOutCache != nil {
		return heldOutCache
	}
	m, err := builtin.Default()
	require.NoError(t, err)
	pix, cls := cpuClasses(t, m, builtin.TestCount)
	q, err := builtin.NewQSL(m.Seed(), builtin.TestCount, builtin.TestCount)
	require.NoError(t, err)
	labels := make([]int32, builtin.TestCount)
	for i := range labels {
		labels[i], err = q.Label(i)
		require.NoError(t, err)
	}
	heldOutCache = &heldOutSet{m: m, pixels: pix, classes: cls, labels: labels}
	return heldOutCache
}

// openGPU opens GPU 0 or skips the test with the reason there is none.
func openGPU(t testing.TB, m *builtin.Model, opts ...Option) *Device {
	t.Helper()
	d, err := Open(0, "gpu0", m, opts...)
	testutil.SkipIfNotSupported(t, err)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	return d
}

// classifyAll runs every held-out sample through e in batches of batch.
func classifyAll(t testing.TB, e *Executor, h *heldOutSet, batch int) []int32 {
	t.Helper()
	n := len(h.classes)
	out := make([]int32, n)
	for start := 0; start < n; start += batch {
		k := min(batch, n-start)
		for s := range k {
			copy(e.Input(s), h.sample(start+s))
		}
		_, err := e.Run(context.Background(), k)
		require.NoError(t, err)
		for s := range k {
			out[start+s] = int32(e.Class(s))
		}
	}
	return out
}

func top1(pred, labels []int32) float64 {
	good := 0
	for i, p := range pred {
		if p == labels[i] {
			good++
		}
	}
	return float64(good) / float64(len(pred))
}

// TestMatchesCPUInt8 is the equality gate: every held-out class equals the
// CPU INT8 executor's, for every kernel variant, with and without graphs, at
// batch sizes 1, 7, 64, 999 (which does not divide 5000), 4096 and the
// whole split in one batch; so the top-1 is the CPU INT8 top-1.
func TestMatchesCPUInt8(t *testing.T) {
	h := loadHeldOut(t)
	cpuTop1 := top1(h.classes, h.labels)
	for _, spb := range []int{8, 4, 2} {
		for _, graphs := range []bool{true, false} {
			d := openGPU(t, h.m, WithSamplesPerBlock(spb), WithGraphs(graphs))
			for _, batch := range []int{1, 7, 64, 999, 4096, builtin.TestCount} {
				name := fmt.Sprintf("spb=%d/graphs=%v/batch=%d", spb, graphs, batch)
				ex, err := d.NewExecutor(0, batch)
				require.NoError(t, err, name)
				e := ex.(*Executor)
				got := classifyAll(t, e, h, batch)
				require.NoError(t, e.Close())
				bad := 0
				for i := range got {
					if got[i] != h.classes[i] {
						if bad < 5 {
							t.Errorf("%s: sample %d: gpu class %d, cpu int8 %d", name, i, got[i], h.classes[i])
						}
						bad++
					}
				}
				require.Zero(t, bad, "%s: %d of %d classes differ from the CPU INT8 executor's", name, bad, len(got))
				assert.Equal(t, cpuTop1, top1(got, h.labels), name)
			}
			require.NoError(t, d.Close())
		}
	}
	t.Logf("top-1 on the GPU = CPU INT8 = %.4f over %d samples", cpuTop1, len(h.classes))
}

// TestManyBatchSizesWithGraphs runs more distinct batch sizes than an
// executor captures graphs for (as a Server run does): the sizes past
// maxGraphs take the stream path, and every class still equals the CPU's.
func TestManyBatchSizesWithGraphs(t *testing.T) {
	h := loadHeldOut(t)
	d := openGPU(t, h.m, WithGraphs(true))
	ex, err := d.NewExecutor(0, 128)
	require.NoError(t, err)
	e := ex.(*Executor)
	start := 0
	for k := 1; k <= maxGraphs+16; k++ {
		for s := range k {
			copy(e.Input(s), h.sample((start+s)%len(h.classes)))
		}
		_, err := e.Run(context.Background(), k)
		require.NoError(t, err, "batch of %d", k)
		for s := range k {
			require.Equal(t, int(h.classes[(start+s)%len(h.classes)]), e.Class(s), "batch of %d, slot %d", k, s)
		}
		start += k
	}
	assert.Equal(t, maxGraphs, e.nGraphs, "graphs captured")
	require.NoError(t, e.Close())
	require.NoError(t, d.Close())
}

// TestStreamsRunConcurrently runs the whole split on four executors of one
// device at once, each on its own goroutine, and checks every class.
func TestStreamsRunConcurrently(t *testing.T) {
	h := loadHeldOut(t)
	d := openGPU(t, h.m)
	const streams, batch = 4, 256
	var wg sync.WaitGroup
	errs := make([]error, streams)
	for s := range streams {
		ex, err := d.NewExecutor(s, batch)
		require.NoError(t, err)
		e := ex.(*Executor)
		wg.Go(func() {
			defer func() { errs[s] = e.Close() }()
			n := len(h.classes)
			// Stream s takes every streams-th batch.
			for start := s * batch; start < n; start += streams * batch {
				k := min(batch, n-start)
				for i := range k {
					copy(e.Input(i), h.sample(start+i))
				}
				if _, err := e.Run(context.Background(), k); err != nil {
					errs[s] = err
					return
				}
				for i := range k {
					if got := int32(e.Class(i)); got != h.classes[start+i] {
						errs[s] = fmt.Errorf("stream %d sample %d: gpu %d, cpu %d", s, start+i, got, h.classes[start+i])
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
}

// TestOpenRunCloseCycles opens and closes the device and its executors
// several times (a leak shows as a failed Close of the context, which
// refuses while handles are open) and checks that Close twice is harmless.
func TestOpenRunCloseCycles(t *testing.T) {
	h := loadHeldOut(t)
	for cycle := range 3 {
		d := openGPU(t, h.m, WithGraphs(cycle%2 == 0))
		var exs []*Executor
		for s := range d.Streams() {
			ex, err := d.NewExecutor(s, 64)
			require.NoError(t, err)
			exs = append(exs, ex.(*Executor))
		}
		for _, e := range exs {
			for i := range 64 {
				copy(e.Input(i), h.sample(i))
			}
			_, err := e.Run(context.Background(), 64)
			require.NoError(t, err)
			assert.Equal(t, int(h.classes[63]), e.Class(63))
		}
		for _, e := range exs {
			require.NoError(t, e.Close())
			require.NoError(t, e.Close(), "second executor Close")
			assert.Nil(t, e.Input(0), "Input after Close")
			assert.Nil(t, e.Output(0), "Output after Close")
			_, err := e.Run(context.Background(), 1)
			require.ErrorIs(t, err, gpuerr.ErrClosed)
		}
		require.NoError(t, d.Close(), "cycle %d", cycle)
		require.NoError(t, d.Close(), "second device Close")
		_, err := d.NewExecutor(0, 1)
		require.ErrorIs(t, err, gpuerr.ErrClosed)
	}
}

// TestDeviceCloseRefusesWithOpenExecutor checks the close policy: children
// first.
func TestDeviceCloseRefusesWithOpenExecutor(t *testing.T) {
	h := loadHeldOut(t)
	d := openGPU(t, h.m)
	ex, err := d.NewExecutor(0, 8)
	require.NoError(t, err)
	err = d.Close()
	require.ErrorIs(t, err, gpuerr.ErrInUse)
	assert.Contains(t, err.Error(), "gpu0")
	// The device still works.
	copy(ex.Input(0), h.sample(0))
	_, err = ex.Run(context.Background(), 1)
	require.NoError(t, err)
	require.NoError(t, ex.Close())
	require.NoError(t, d.Close())
}

// TestBadBatchIsANamedError covers batch sizes and streams out of range.
func TestBadBatchIsANamedError(t *testing.T) {
	h := loadHeldOut(t)
	d := openGPU(t, h.m)
	for _, mb := range []int{0, -1, MaxBatchLimit + 1} {
		_, err := d.NewExecutor(0, mb)
		require.ErrorIs(t, err, ErrBatch, "max batch %d", mb)
	}
	_, err := d.NewExecutor(d.Streams(), 1)
	require.Error(t, err)
	_, err = d.NewExecutor(-1, 1)
	require.Error(t, err)
	ex, err := d.NewExecutor(0, 16)
	require.NoError(t, err)
	defer ex.Close()
	for _, n := range []int{0, -3, 17} {
		_, err := ex.Run(context.Background(), n)
		require.ErrorIs(t, err, ErrBatch, "n=%d", n)
		assert.Contains(t, err.Error(), "gpu0")
	}
	assert.Nil(t, ex.Input(16))
	assert.Nil(t, ex.Output(-1))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = ex.Run(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	_, err = Open(0, "gpu0", nil)
	require.Error(t, err)
	_, err = Open(0, "gpu0", h.m, WithSamplesPerBlock(3))
	require.Error(t, err)
}

// TestRunAllocatesNothing checks the hot path, with and without graphs,
// once every batch size has been seen.
func TestRunAllocatesNothing(t *testing.T) {
	h := loadHeldOut(t)
	for _, graphs := range []bool{true, false} {
		d := openGPU(t, h.m, WithGraphs(graphs))
		ex, err := d.NewExecutor(0, 128)
		require.NoError(t, err)
		for i := range 128 {
			copy(ex.Input(i), h.sample(i))
		}
		ctx := context.Background()
		_, err = ex.Run(ctx, 128) // captures the graph
		require.NoError(t, err)
		allocs := testing.AllocsPerRun(50, func() { _, _ = ex.Run(ctx, 128) })
		assert.Zero(t, allocs, "graphs=%v: allocations per Run", graphs)
		require.NoError(t, ex.Close())
		require.NoError(t, d.Close())
	}
}
