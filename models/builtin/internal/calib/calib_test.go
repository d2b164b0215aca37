package calib

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEntropyThresholdClipsLongTail(t *testing.T) {
	// Mostly half-normal values with a few huge outliers: the threshold must
	// clip the outliers but keep the bulk.
	r := rand.New(rand.NewPCG(3, 4))
	xs := make([]float32, 200000)
	for i := range xs {
		xs[i] = float32(r.NormFloat64())
	}
	for i := range 20 {
		xs[i] = 100
	}
	h := NewHistogram(100)
	h.Add(xs)
	th, err := h.EntropyThreshold()
	require.NoError(t, err)
	require.Greater(t, th, 2.5)
	require.Less(t, th, 20.0)
}

func TestEntropyThresholdKeepsUniformRange(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	xs := make([]float32, 100000)
	for i := range xs {
		xs[i] = float32(r.Float64() * 10)
	}
	h := NewHistogram(10)
	h.Add(xs)
	th, err := h.EntropyThreshold()
	require.NoError(t, err)
	require.InDelta(t, 10, th, 1.0)
}

func TestEntropyThresholdEmptyIsError(t *testing.T) {
	_, err := NewHistogram(1).EntropyThreshold()
	require.ErrorContains(t, err, "empty")
}
