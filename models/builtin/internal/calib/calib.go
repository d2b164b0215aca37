// Package calib chooses INT8 activation scales the way TensorRT's
// IInt8EntropyCalibrator2 does: a 2048-bin histogram of the tensor's
// absolute values, and the clipping threshold whose 128-level quantised
// distribution is closest in Kullback-Leibler divergence to the clipped
// reference distribution.
package calib

import (
	"errors"
	"math"
)

// Bins is the histogram resolution, and Levels the quantised levels
// (0…127 for a post-ReLU tensor held as INT8).
const (
	Bins   = 2048
	Levels = 128
)

// Histogram accumulates |x| over [0, Max] in Bins bins.
type Histogram struct {
	Max    float64
	Counts [Bins]float64
	// SkipZeros leaves exact zeros out. A post-ReLU tensor is mostly exact
	// zeros, which every scale represents without error; counted, they
	// swamp the divergence and the threshold clips the large activations
	// that decide the class.
	SkipZeros bool
}

// NewHistogram returns a histogram for values up to max (max > 0).
func NewHistogram(max float64) *Histogram { return &Histogram{Max: max} }

// Add counts the values of xs. Exact zeros are skipped when SkipZeros is
// set.
func (h *Histogram) Add(xs []float32) {
	w := h.Max / Bins
	for _, x := range xs {
		if x == 0 && h.SkipZeros {
			continue
		}
		a := math.Abs(float64(x))
		i := int(a / w)
		if i >= Bins {
			i = Bins - 1
		}
		h.Counts[i]++
	}
}

// EntropyThreshold returns the threshold of minimal KL divergence. The INT8
// scale is threshold/127.
func (h *Histogram) EntropyThreshold() (float64, error) {
	var total float64
	for _, c := range h.Counts {
		total += c
	}
	if total == 0 || !(h.Max > 0) {
		return 0, errors.New("calibration histogram is empty")
	}
	w := h.Max / Bins
	best, bestKL := Bins, math.Inf(1)
	p := make([]float64, Bins)
	q := make([]float64, Bins)
	for i := Levels; i <= Bins; i++ {
		// Reference: the first i bins, outliers folded into the last one.
		copy(p, h.Counts[:i])
		for _, c := range h.Counts[i:] {
			p[i-1] += c
		}
		// Candidate: the first i bins merged into Levels levels, each
		// level's mass spread evenly over its non-empty bins.
		clear(q[:i])
		for l := range Levels {
			lo := l * i / Levels
			hi := (l + 1) * i / Levels
			var mass, nz float64
			for j := lo; j < hi; j++ {
				mass += h.Counts[j]
				if h.Counts[j] != 0 {
					nz++
				}
			}
			if nz == 0 {
				continue
			}
			for j := lo; j < hi; j++ {
				if h.Counts[j] != 0 {
					q[j] = mass / nz
				}
			}
		}
		kl := divergence(p[:i], q[:i])
		if kl < bestKL {
			best, bestKL = i, kl
		}
	}
	return (float64(best) + 0.5) * w, nil
}

// Percentile returns the value below which the fraction p of the counted
// values lie (the upper edge of the bin where the cumulative count reaches p).
func (h *Histogram) Percentile(p float64) float64 {
	var total float64
	for _, c := range h.Counts {
		total += c
	}
	var cum float64
	for i, c := range h.Counts {
		cum += c
		if cum >= p*total {
			return float64(i+1) * h.Max / Bins
		}
	}
	return h.Max
}

// divergence is KL(p‖q) of the normalised histograms; bins where q is empty
// but p is not get a small smoothing mass, as TensorRT and MXNet do, so that
// clipping the outliers is penalised rather than infinite.
func divergence(p, q []float64) float64 {
	const eps = 1e-4
	var sp, sq float64
	for j := range p {
		sp += p[j]
		sq += q[j]
	}
	if sp == 0 || sq == 0 {
		return math.Inf(1)
	}
	var kl float64
	for j := range p {
		if p[j] == 0 {
			continue
		}
		pj := p[j] / sp
		qj := q[j] / sq
		if qj == 0 {
			qj = eps / sq
		}
		kl += pj * math.Log(pj/qj)
	}
	return kl
}
