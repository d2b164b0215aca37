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
	var ends [2]time.Duration
	var wg sync.WaitGroup
	for s := range 2 {
		e, err := d.NewExecutor(s, 64)
		require.NoError(t, err)
		wg.Go(func() {
			_, err := e.Run(context.Background(), 64)
			assert.NoError(t, err)
			ends[s] = c.Now()
		})
	}
	wg.Wait()
	// One batch at a time: the second ends one batch time after the first.
	assert.ElementsMatch(t, []time.Duration{p.BatchTime(64), 2 * p.BatchTime(64)}, ends[:])
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
