package sched

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPayingBatchFollowsTheFixedCost(t *testing.T) {
	for _, tc := range []struct {
		description string
		f           time.Duration
		c           float64 // ns per sample
		maxB, want  int
	}{
		{"a CPU core: no fixed cost, every batch pays", 0, 14000, 64, 1},
		{"the H200 kernel: 12 µs + 66 ns a sample", 12 * time.Microsecond, 66, 16384, 1473},
		{"a T4-like ResNet-50: 0.5 ms + 163 µs", 500 * time.Microsecond, 163000, 256, 25},
		{"all fixed cost: 90 % of the max batch", time.Second, 1, 64, 58},
	} {
		t.Run(tc.description, func(t *testing.T) {
			b := payingBatch(tc.f, tc.c, tc.maxB, PayFraction)
			assert.Equal(t, tc.want, b)
			rate := func(b int) float64 { return float64(b) / (float64(tc.f) + tc.c*float64(b)) }
			assert.GreaterOrEqual(t, rate(b), PayFraction*rate(tc.maxB)-1e-12, "pays")
			if b > 1 {
				assert.Less(t, rate(b-1), PayFraction*rate(tc.maxB), "the smallest that pays")
			}
		})
	}
}

func TestAheadCoversTheHostTimeAroundABatch(t *testing.T) {
	d := &device{streams: 24, conc: 1}
	assert.Equal(t, 1, d.ahead(100*time.Microsecond), "no host time: one batch ready to go")
	d.stageEW, d.complEW = float64(300*time.Microsecond), float64(100*time.Microsecond)
	assert.Equal(t, 5, d.ahead(100*time.Microsecond), "400 µs of host work over batches of 100 µs, plus one")
	d.streams = 3
	assert.Equal(t, 2, d.ahead(100*time.Microsecond), "no more than the extra streams")
	d.streams = 1
	assert.Zero(t, d.ahead(100*time.Microsecond), "no stream to go ahead with")
}

func TestPlansSayWhatTheAdaptivePolicyDrew(t *testing.T) {
	s := &Scheduler{cfg: Config{LatencyBound: 15 * time.Millisecond, LatencyTarget: DefaultLatencyTarget}, adapt: true}
	d := &device{id: "cpu0", conc: 2, streams: 2, maxBatch: 64}
	for _, b := range []int{1, 2, 4, 64} {
		d.model.add(b, time.Duration(b)*14*time.Microsecond+2*time.Microsecond)
	}
	s.devs = []*device{d}
	p := s.Plans()
	if assert.Len(t, p, 1) {
		assert.Equal(t, "cpu0", p[0].Device)
		assert.Equal(t, 64, p[0].Cap, "the bound allows the max batch")
		assert.Equal(t, 2, p[0].Pay, "2 µs + 14 µs a sample: two samples pay")
		assert.Equal(t, 2, p[0].Depth, "its two lanes, nothing ahead")
		assert.InDelta(t, 14000, p[0].PerSampleNS, 1)
	}
	s.adapt = false
	assert.Nil(t, s.Plans(), "the fixed policy plans nothing")
}
