//go:build cuda

package gpu

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
)

// benchBatches are the batch sizes of the kernel and stage benchmarks.
var benchBatches = []int{1024, 4096, 16384, 65536}

// kernelBurst is how many launches one kernel benchmark iteration queues
// before it waits: enough that the wait's latency is a small share, few
// enough that every iteration is synchronous (launches are asynchronous: an
// iteration that did not wait would look free, and the benchmark's b.N
// estimate would run away).
const kernelBurst = 8

// BenchmarkKernel is the kernel alone on device-resident inputs: samples/s
// per kernel variant (spb=0: the one Open picks) and batch size. Each
// iteration queues kernelBurst launches between two events and waits for
// the second; the figures are the events' GPU time.
func BenchmarkKernel(b *testing.B) {
	h := loadHeldOut(b)
	for _, spb := range []int{0, 8, 4, 2} {
		d := openGPU(b, h.m, WithSamplesPerBlock(spb), WithGraphs(false))
		for _, n := range benchBatches {
			b.Run(fmt.Sprintf("spb=%d/batch=%d", spb, n), func(b *testing.B) {
				ex, err := d.NewExecutor(0, n)
				require.NoError(b, err)
				e := ex.(*Executor)
				defer e.Close()
				for i := range n {
					copy(e.Input(i), h.sample(i%len(h.classes)))
				}
				_, err = e.Run(context.Background(), n) // inputs now on the device
				require.NoError(b, err)
				groups := (n + d.perBlock - 1) / d.perBlock
				grid := cuda.Dim3{X: uint32(min(groups, d.maxBlocks)), Y: 1, Z: 1}
				block := cuda.Dim3{X: threads, Y: 1, Z: 1}
				var gpu time.Duration
				for b.Loop() {
					if err := e.ev[0].Record(e.stream); err != nil {
						b.Fatal(err)
					}
					for range kernelBurst {
						if err := e.stream.Launch(d.fn, grid, block, d.smem, uint64(e.din.Ptr()), uint64(n),
							uint64(e.dout.Ptr()), uint64(d.params.Ptr())); err != nil {
							b.Fatal(err)
						}
					}
					if err := e.ev[1].Record(e.stream); err != nil {
						b.Fatal(err)
					}
					if err := e.ev[1].Synchronize(); err != nil {
						b.Fatal(err)
					}
					el, err := e.ev[1].Elapsed(e.ev[0])
					if err != nil {
						b.Fatal(err)
					}
					gpu += el
				}
				launches := float64(b.N * kernelBurst)
				b.ReportMetric(float64(n)*launches/gpu.Seconds(), "samples/s")
				b.ReportMetric(float64(gpu.Nanoseconds())/1e3/launches, "us/batch")
			})
		}
		require.NoError(b, d.Close())
	}
}

// BenchmarkExecutor is end to end as the scheduler drives it: each of
// `streams` goroutines owns an executor, stages its batches by copying
// samples into the pinned inputs, runs them and reads every class. It
// reports samples/s over all streams, with graphs on and off. Each b.N
// iteration is one batch, run to completion: pick cases with -test.bench
// (tools/gpu/check.sh ranks streams × batch) and a fixed count such as
// -test.benchtime 400x.
func BenchmarkExecutor(b *testing.B) {
	h := loadHeldOut(b)
	for _, graphs := range []bool{true, false} {
		d := openGPU(b, h.m, WithGraphs(graphs), WithStreams(16))
		for _, streams := range []int{1, 2, 4, 8, 12, 16} {
			for _, n := range []int{1024, 2048, 4096, 8192, 16384} {
				b.Run(fmt.Sprintf("graphs=%v/streams=%d/batch=%d", graphs, streams, n), func(b *testing.B) {
					runStreams(b, d, h, streams, n)
				})
			}
		}
		require.NoError(b, d.Close())
	}
}

func runStreams(b *testing.B, d *Device, h *heldOutSet, streams, n int) {
	exs := make([]*Executor, streams)
	for s := range exs {
		ex, err := d.NewExecutor(s, n)
		require.NoError(b, err)
		exs[s] = ex.(*Executor)
		defer exs[s].Close()
		stage(exs[s], h, 0, n)
		_, err = exs[s].Run(context.Background(), n) // captures the graph
		require.NoError(b, err)
	}
	// Batches are handed out one at a time, as the scheduler does.
	var mu sync.Mutex
	left := b.N
	var wg sync.WaitGroup
	errs := make([]error, streams)
	sinks := make([]int, streams)
	b.ResetTimer()
	start := time.Now()
	for s, e := range exs {
		wg.Go(func() {
			for k := 0; ; k++ {
				mu.Lock()
				if left == 0 {
					mu.Unlock()
					return
				}
				left--
				mu.Unlock()
				stage(e, h, (s+k*streams)*n, n)
				if _, err := e.Run(context.Background(), n); err != nil {
					errs[s] = err
					return
				}
				for i := range n {
					sinks[s] += int(e.Output(i)[0])
				}
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	for _, err := range errs {
		require.NoError(b, err)
	}
	b.ReportMetric(float64(n)*float64(b.N)/el.Seconds(), "samples/s")
}

// stage copies n held-out samples, from offset first (cycling), into e's
// inputs, as the scheduler copies QSL samples.
func stage(e *Executor, h *heldOutSet, first, n int) {
	total := len(h.classes)
	for i := range n {
		copy(e.Input(i), h.sample((first+i)%total))
	}
}

// BenchmarkStages reports a batch's H2D, kernel and D2H times from the
// stream's events (graphs off, one stream), per batch size.
func BenchmarkStages(b *testing.B) {
	h := loadHeldOut(b)
	d := openGPU(b, h.m, WithGraphs(false))
	for _, n := range benchBatches {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			ex, err := d.NewExecutor(0, n)
			require.NoError(b, err)
			defer ex.Close()
			stage(ex.(*Executor), h, 0, n)
			var sum device.Timing
			for b.Loop() {
				t, err := ex.Run(context.Background(), n)
				if err != nil {
					b.Fatal(err)
				}
				sum.H2D += t.H2D
				sum.Compute += t.Compute
				sum.D2H += t.D2H
			}
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(b.N) }
			b.ReportMetric(per(sum.H2D), "h2d-us")
			b.ReportMetric(per(sum.Compute), "compute-us")
			b.ReportMetric(per(sum.D2H), "d2h-us")
			b.ReportMetric(float64(n*builtin.InputSize)/(per(sum.H2D)*1e3), "h2d-GB/s")
		})
	}
}
