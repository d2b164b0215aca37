package loadgen

import (
	"slices"
	"sort"
)

// ordered is a latency population whose order statistics the statistics
// read: the i-th smallest value, its size and its sum.
type ordered interface {
	len() int
	at(i int) int64 // the i-th smallest (0-based), 0 ≤ i < len
	sum() int64
}

// sortedSlice is a population sorted in one slice.
type sortedSlice []int64

func (s sortedSlice) len() int       { return len(s) }
func (s sortedSlice) at(i int) int64 { return s[i] }
func (s sortedSlice) sum() (sum int64) {
	for _, v := range s {
		sum += v
	}
	return sum
}

// sortedRuns is a population held as sorted runs: each sample chunk's
// latencies, sorted in place where the chunk kept its completion times.
// Its order statistics are exact, as from one sort of all of it, without
// a contiguous copy of it (8 bytes a sample at the end of a long run).
type sortedRuns struct {
	runs [][]int64
	n    int
}

// newSortedRuns sorts each run in place.
func newSortedRuns(runs [][]int64) *sortedRuns {
	r := &sortedRuns{}
	for _, run := range runs {
		if len(run) == 0 {
			continue
		}
		slices.Sort(run)
		r.runs = append(r.runs, run)
		r.n += len(run)
	}
	return r
}

func (r *sortedRuns) len() int { return r.n }

func (r *sortedRuns) sum() (sum int64) {
	for _, run := range r.runs {
		for _, v := range run {
			sum += v
		}
	}
	return sum
}

// countLE counts the values ≤ v.
func (r *sortedRuns) countLE(v int64) int {
	n := 0
	for _, run := range r.runs {
		n += sort.Search(len(run), func(i int) bool { return run[i] > v })
	}
	return n
}

// at finds the i-th smallest value by bisecting on the value between the
// smallest and the largest: the least v with more than i values ≤ v, which
// is a value of the population.
func (r *sortedRuns) at(i int) int64 {
	if len(r.runs) == 1 {
		return r.runs[0][i]
	}
	lo, hi := r.runs[0][0], r.runs[0][len(r.runs[0])-1]
	for _, run := range r.runs[1:] {
		lo, hi = min(lo, run[0]), max(hi, run[len(run)-1])
	}
	for lo < hi {
		mid := lo + (hi-lo)/2
		if r.countLE(mid) > i {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// countAbove counts the values > v.
func countAbove(o ordered, v int64) int {
	switch s := o.(type) {
	case sortedSlice:
		i := sort.Search(len(s), func(i int) bool { return s[i] > v })
		return len(s) - i
	case *sortedRuns:
		return s.n - s.countLE(v)
	}
	return 0
}
