package loadgen

import "math"

// Early stopping, as LoadGen's early_stopping.cc: with t of n queries over
// the latency bound, the run passes at confidence c if the binomial odds of
// seeing at most t overlatency queries in h+t, were the true overlatency
// rate 1-p, are below 1-c. Those odds are the regularized incomplete beta
// function I_p(h, t+1). LoadGen sums a terminating hypergeometric series
// (O(t) terms); gotrt evaluates the same function with Lentz's continued
// fraction, which needs O(√h) terms, so estimates over millions of queries
// take milliseconds.

const (
	earlyStopConfidence = 0.99
	earlyStopTolerance  = 0.0
)

// minPassing returns the smallest h ≥ 1 with I_{p-d}(h, t+1) < 1-c, as
// LoadGen's MinPassingQueriesFinder.
func minPassing(t int64, p float64) int64 {
	q := p - earlyStopTolerance
	limit := 1 - earlyStopConfidence
	passes := func(h int64) bool { return regIncBeta(q, float64(h), float64(t+1)) < limit }
	// The odds fall as h grows; bracket, then bisect.
	lo, hi := int64(0), max(int64(1), int64(float64(t)*q/(1-q)))
	for !passes(hi) {
		lo = hi
		hi *= 2
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if passes(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// regIncBeta is the regularized incomplete beta function I_x(a, b).
func regIncBeta(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(x, a, b) / a
	}
	return 1 - front*betaCF(1-x, b, a)/b
}

// betaCF evaluates the continued fraction of I_x(a, b) (modified Lentz).
func betaCF(x, a, b float64) float64 {
	const (
		eps   = 1e-15
		tiny  = 1e-300
		maxIt = 10_000_000
	)
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1.0; m < maxIt; m++ {
		m2 := 2 * m
		aa := m * (b - m) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// earlyStopStreams is the SingleStream/MultiStream estimate: the number of
// highest latencies n queries let one discard at percentile p. It returns
// ok=false and the queries needed when n is too small.
func earlyStopStreams(n int64, p float64) (t int64, needed int64, ok bool) {
	hMin := minPassing(1, p)
	if n < hMin+1 {
		return 0, hMin + 1, false
	}
	// LoadGen scans i = 2, 3, … for the first i with h(i)+i > n; h(i)+i
	// grows with i, so bisect.
	lo, hi := int64(1), n // g(lo) ≤ n (checked above), g(hi) > n
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if minPassing(mid, p)+mid > n {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi - 1, hMin + 1, true
}
