package loadgen

import (
	"fmt"
	"math"
	"time"
)

// loadableSet is one set of QSL samples loaded together: set may carry
// MultiStream padding after end.
type loadableSet struct {
	set []int
	end int
}

// loadableSets shuffles the first count QSL indices with the QSL seed and
// cuts them into performance-sample-count sets, as LoadGen's
// GenerateLoadableSets; MultiStream sets repeat their first
// samples_per_query-1 samples so a query never wraps.
func loadableSets(e *EffectiveSettings, qslTotal int, count uint64) []loadableSet {
	n := min(int(min(count, uint64(math.MaxInt32))), qslTotal)
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	shuffle(newRNG(e.QSLRNGSeed), all)
	size := int(min(e.PerformanceSampleCount, uint64(math.MaxInt32)))
	pad := 0
	if e.Scenario == MultiStream {
		pad = int(e.SamplesPerQuery) - 1
	}
	var sets []loadableSet
	for start := 0; start < n; start += size {
		end := min(start+size, n)
		s := all[start:end:end]
		if pad > 0 {
			s = make([]int, 0, end-start+pad)
			s = append(s, all[start:end]...)
			for i := 0; i < pad; i++ {
				s = append(s, s[i%(end-start)])
			}
		}
		sets = append(sets, loadableSet{set: s, end: end - start})
	}
	return sets
}

// plan is the pre-generated issue plan of one trial, as LoadGen's
// GenerateQueries: sample indices, Server schedule, accuracy-log picks.
type plan struct {
	nQueries int
	spq      int     // samples per query
	idx      []int32 // QSL index of each sample, in issue order
	sched    []int64 // scheduled time of each query (ns from trial start); Server only
	accLog   []uint64
	duration time.Duration // generated_query_duration
}

func (p *plan) nSamples() int { return len(p.idx) }

// maxPlanSamples bounds a plan's size (about 2 GB of per-sample state).
const maxPlanSamples = 1 << 27

// generate builds the plan for a loaded set, reusing p's slices.
func (p *plan) generate(e *EffectiveSettings, ls loadableSet, accuracy bool) error {
	loaded := ls.set
	scen := e.Scenario
	genDur := e.targetDur
	if scen != Server {
		genDur *= 2
	}
	minQ := int(min(e.MinQueryCount, uint64(maxPlanSamples)))
	spq := int(min(e.SamplesPerQuery, uint64(maxPlanSamples)))
	if accuracy && scen == Offline {
		spq = ls.end
	}
	if accuracy || e.PerformanceIssueUnique {
		genDur = 0
		minQ = len(loaded) / spq
	}
	sampleRNG := newRNG(e.SampleIndexRNGSeed)
	schedRNG := newRNG(e.ScheduleRNGSeed)
	stride := 1
	if scen == MultiStream {
		stride = spq
	}
	// The unique distribution: each stride-th loaded position once, shuffled.
	var unique []int32
	if accuracy || e.PerformanceIssueUnique {
		for i := 0; i < ls.end; i += stride {
			unique = append(unique, int32(i))
		}
		shuffle(sampleRNG, unique)
	}
	concat := e.SampleConcatenatePermutation && !accuracy
	if concat {
		if scen == Offline && spq%len(loaded) != 0 {
			spq += len(loaded) - spq%len(loaded)
		} else if scen != Offline && minQ%len(loaded) != 0 {
			minQ += len(loaded) - minQ%len(loaded)
		}
	}
	var perm []int32 // equal-issue permutation, refilled every len(loaded) draws
	permPos := 0
	nextEqual := func() int {
		if permPos == len(perm) {
			if perm == nil {
				perm = make([]int32, len(loaded))
				for i := range perm {
					perm[i] = int32(i)
				}
			}
			shuffle(sampleRNG, perm)
			permPos = 0
		}
		permPos++
		return int(perm[permPos-1])
	}
	uniquePos := 0
	nextUnique := func() int {
		v := unique[uniquePos%len(unique)]
		uniquePos++
		return int(v)
	}
	period := 1 / e.TargetQPS // seconds between queries, except Server
	est := max(float64(minQ), genDur.Seconds()*e.TargetQPS*1.05+64)
	if scen == Offline {
		est = 1
	}
	if est*float64(spq) > maxPlanSamples {
		return fmt.Errorf("%w: the run would pre-generate about %.0f samples (min duration %v × target QPS %g); raise the expected latency or lower the target QPS",
			ErrBadSettings, est*float64(spq), e.minDur, e.TargetQPS)
	}
	p.idx = reuse(p.idx, int(est)*spq)
	p.sched = p.sched[:0]
	p.accLog = p.accLog[:0]
	p.spq = spq
	same := int(e.PerformanceIssueSameIndex)
	ts, prevTS := 0.0, 0.0 // seconds
	nq := 0
	gen := genDur.Seconds()
	for prevTS < gen || nq < minQ {
		switch {
		case scen == MultiStream:
			var start int
			switch {
			case e.PerformanceIssueUnique || accuracy:
				start = nextUnique()
			case e.PerformanceIssueSame:
				start = same
			default:
				start = sampleRNG.intn(ls.end)
			}
			for j := 0; j < spq; j++ {
				p.idx = append(p.idx, int32(loaded[(start+j)%len(loaded)]))
			}
		case scen == Offline:
			if e.PerformanceIssueSame {
				for j := 0; j < spq; j++ {
					p.idx = append(p.idx, int32(loaded[same]))
				}
				break
			}
			full, rem := spq/len(loaded), spq%len(loaded)
			for r := 0; r < full; r++ {
				first := len(p.idx)
				for _, s := range loaded {
					p.idx = append(p.idx, int32(s))
				}
				if concat {
					shuffle(sampleRNG, p.idx[first:])
				}
			}
			for _, s := range loaded[:rem] {
				p.idx = append(p.idx, int32(s))
			}
		default:
			var k int
			switch {
			case e.PerformanceIssueUnique || accuracy:
				k = nextUnique()
			case e.PerformanceIssueSame:
				k = same
			case concat:
				k = nextEqual()
			default:
				k = sampleRNG.intn(ls.end)
			}
			p.idx = append(p.idx, int32(loaded[k]))
		}
		if scen == Server {
			p.sched = append(p.sched, int64(ts*1e9))
		}
		nq++
		if nq*spq > maxPlanSamples {
			return fmt.Errorf("%w: more than %d samples generated; lower the target QPS or min duration", ErrBadSettings, maxPlanSamples)
		}
		prevTS = ts
		if scen == Server {
			ts += schedRNG.exp(e.TargetQPS)
		} else {
			ts += period
		}
		if concat && nq >= minQ && prevTS < gen && scen != Offline {
			minQ += len(loaded)
		}
	}
	p.nQueries = nq
	p.duration = time.Duration(ts * 1e9)
	p.pickAccuracyLog(e)
	return nil
}

// pickAccuracyLog marks the samples a performance run logs to the accuracy
// log (accuracy_log_probability / accuracy_log_sampling_target): one draw
// per sample from the accuracy-log seed, plus a run-wide offset, as LoadGen.
func (p *plan) pickAccuracyLog(e *EffectiveSettings) {
	prob := e.AccuracyLogProbability
	if e.AccuracyLogSamplingTarget > 0 {
		expected := uint64(e.TargetQPS * float64(e.MinDurationMS) / 1000)
		minimum := e.MinQueryCount * e.SamplesPerQuery
		if e.Scenario != Offline {
			expected *= e.SamplesPerQuery
		} else {
			minimum = e.MinSampleCount
		}
		expected = max(expected, minimum, 1)
		prob = float64(e.AccuracyLogSamplingTarget) / float64(expected)
	}
	if prob <= 0 {
		return
	}
	r := newRNG(e.AccuracyLogRNGSeed)
	offset := r.float64()
	n := len(p.idx)
	p.accLog = reuse(p.accLog, (n+63)/64)[:(n+63)/64]
	clear(p.accLog)
	for i := 0; i < n; i++ {
		v := r.float64() + offset
		if v >= 1 {
			v--
		}
		if v <= prob {
			p.accLog[i/64] |= 1 << (i % 64)
		}
	}
}

// reuse returns s emptied, with at least capacity n, reallocating only when
// s is too small.
func reuse[T any](s []T, n int) []T {
	if cap(s) >= n {
		return s[:0]
	}
	return make([]T, 0, n)
}

// ServerSchedule returns the first n scheduled times of a Server run at
// qps with the given schedule seed (time of the first query is 0), the
// same arrivals [Run] uses: for checking reproducibility and for studies.
func ServerSchedule(seed uint64, qps float64, n int) []time.Duration {
	r := newRNG(seed)
	out := make([]time.Duration, n)
	ts := 0.0
	for i := range out {
		out[i] = time.Duration(ts * 1e9)
		ts += r.exp(qps)
	}
	return out
}
