package simdev_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/simdev"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStreamsShareTheDevice(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	d := simdev.New("sim0", p, c)
	assert.Equal(t, 1, d.Concurrency())
	ends := runStreams(t, d, c, 2)
	// One batch at a time: the second ends one batch time after the first.
	assert.ElementsMatch(t, []time.Duration{p.BatchTime(64), 2 * p.BatchTime(64)}, ends)
	assert.Zero(t, c.Stalls(), "the clock accounted for every goroutine")
}

// runStreams runs a batch of 64 on each of n streams of d at once and
// returns when each ended. The streams start with clock.Go, so the virtual
// clock holds time until every one has queued its batch, and the test
// goroutine waits on the clock, so that time moves while it waits.
func runStreams(t *testing.T, d *simdev.Device, c *clock.Virtual, n int) []time.Duration {
	t.Helper()
	ends := make([]time.Duration, n)
	var wg sync.WaitGroup
	wg.Add(n)
	for s := range ends {
		e, err := d.NewExecutor(s, 64)
		require.NoError(t, err)
		clock.Go(c, func() {
			defer wg.Done()
			_, err := e.Run(context.Background(), 64)
			assert.NoError(t, err)
			ends[s] = c.Now()
		})
	}
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	c.SleepUntil(clock.Never, all)
	return ends
}

func TestConcurrentDeviceRunsBatchesAtOnce(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	d := simdev.New("cpu0", p, c, simdev.WithConcurrency(2))
	assert.Equal(t, 2, d.Concurrency())
	assert.Equal(t, 1, simdev.New("x", p, c, simdev.WithConcurrency(0)).Concurrency(), "at least one")

	// The three streams queue their batches at the same instant t0.
	const t0 = time.Millisecond
	require.True(t, c.SleepUntil(t0, nil))
	ends := runStreams(t, d, c, 3)
	bt := p.BatchTime(64)
	// Two run at once; the third takes the lane that frees first.
	assert.ElementsMatch(t, []time.Duration{t0 + bt, t0 + bt, t0 + 2*bt}, ends)
}

func TestRunEchoesInputsAndReportsTiming(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.Profile{Fixed: time.Millisecond, PerSample: 10 * time.Microsecond, H2DPerSample: time.Microsecond, D2HPerSample: 2 * time.Microsecond}
	e, err := simdev.New("sim0", p, c, simdev.WithSampleSize(4, 2)).NewExecutor(0, 8)
	require.NoError(t, err)
	copy(e.Input(1), "abcd")
	tm, err := e.Run(context.Background(), 2)
	require.NoError(t, err)
	assert.Equal(t, []byte("ab"), e.Output(1))
	assert.Equal(t, 2*time.Microsecond, tm.H2D)
	assert.Equal(t, time.Millisecond+20*time.Microsecond, tm.Compute)
	assert.Equal(t, 4*time.Microsecond, tm.D2H)
	assert.Equal(t, p.BatchTime(2), c.Now())
}

func TestRunRejectsBadBatchesAndInjectsFaults(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	d := simdev.New("sim0", simdev.T4ResNet50(), c, simdev.WithMaxBatch(4), simdev.WithFault(simdev.FailAfter(1)))
	e, err := d.NewExecutor(0, 16)
	require.NoError(t, err)
	assert.Equal(t, 4, e.MaxBatch(), "the device's cap wins")
	for _, n := range []int{0, -1, 5} {
		_, err := e.Run(context.Background(), n)
		assert.ErrorIs(t, err, simdev.ErrBatchSize, "n=%d", n)
	}
	_, err = e.Run(context.Background(), 1)
	require.NoError(t, err)
	_, err = e.Run(context.Background(), 1)
	assert.ErrorIs(t, err, simdev.ErrInjected)
	assert.ErrorContains(t, err, "sim0")
	_, err = d.NewExecutor(0, 0)
	assert.ErrorIs(t, err, simdev.ErrBatchSize)
	assert.Equal(t, simdev.Kind, d.Kind())
}

func TestRunStopsWhenCancelled(t *testing.T) {
	c := clock.NewReal()
	e, err := simdev.New("sim0", simdev.Profile{Fixed: time.Hour}, c).NewExecutor(0, 1)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.Run(ctx, 1)
	assert.ErrorIs(t, err, context.Canceled)
}

func ExampleProfile() {
	p := simdev.T4ResNet50()
	fmt.Println(p.BatchTime(256))
	fmt.Printf("%.0f samples/s at batch 256, %.0f at batch 26\n", p.PeakRate(256), p.PeakRate(26))
	// Output:
	// 42.228ms
	// 6062 samples/s at batch 256, 5488 at batch 26
}

func TestOverlapRunsCopiesBesideAnotherBatchsKernel(t *testing.T) {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.Profile{Fixed: 10 * time.Microsecond, PerSample: time.Microsecond, H2DPerSample: time.Microsecond / 2, D2HPerSample: time.Microsecond / 4, Overlap: true}
	d := simdev.New("sim0", p, c)
	ends := runStreams(t, d, c, 2)
	// Batch 1: H2D 32 µs, kernel 74 µs, D2H 16 µs: ends at 122 µs. Batch 2's
	// H2D runs beside batch 1's kernel (32 to 64 µs), so its kernel starts
	// as soon as batch 1's ends (106 µs): it ends at 196 µs, one kernel
	// later, not one whole batch later.
	assert.ElementsMatch(t, []time.Duration{122 * time.Microsecond, 196 * time.Microsecond}, ends)
	assert.InDelta(t, 64/74e-6, p.PeakRate(64), 1, "the kernel sets the rate")
}

func TestH200BuiltinMatchesTheMeasuredBatch(t *testing.T) {
	p := simdev.H200Builtin()
	n := time.Duration(4096)
	assert.InDelta(t, 192e3, float64(p.Fixed+n*p.PerSample), 1e3, "kernel of 4096: 192 µs")
	assert.InDelta(t, 82e3, float64(n*p.H2DPerSample), 1e3, "H2D of 4096: 82 µs")
}
