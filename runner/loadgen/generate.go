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

// maxOfflineSamples bounds the one Offline query, which exists whole in
// memory (16 bytes of state per sample: 4 GB at the bound). It leaves room
// for a GPU running the built-in model at over 20M samples/s for the 10 s
// minimum duration with the probe's margin.
const maxOfflineSamples = MaxOfflineSamples

// MaxOfflineSamples is the most samples the one Offline query may hold.
const MaxOfflineSamples = 1 << 28

// genBatch is how many queries the generator makes at a time.
const genBatch = 4096

// generator is LoadGen's GenerateQueries made lazy (Server's trials still
// run it to the end before their clock starts): it draws the same sample
// indices, Server schedule and accuracy-log picks from the same seeded
// streams, in the same order, but a batch at a time as issuing proceeds,
// writing them into the trial's chunked per-sample and per-query tables.
//
// LoadGen's loop runs while the previous query's time is below the
// generated duration or fewer than min_query_count queries exist. Server
// keeps that bound (its schedule is the run). SingleStream and MultiStream
// in performance mode are unbounded: the stream goes on until issuing stops
// because min duration and min query count are met (or a maximum is hit),
// so a fast SUT never runs out of queries. Accuracy mode and
// performance_issue_unique keep LoadGen's fixed count, and Offline is one
// query.
type generator struct {
	e         *EffectiveSettings
	scen      Scenario
	loaded    []int
	end       int // ls.end
	spq       int
	same      int
	unique    bool // draw from the shuffled unique list
	concat    bool
	unbounded bool

	sampleRNG *rng
	schedRNG  *rng
	accRNG    *rng // nil: no sampled accuracy logging
	accOffset float64
	accProb   float64

	uniq    []int32
	uniqPos int
	perm    []int32
	permPos int

	period       float64 // seconds between queries, except Server
	ts, prevTS   float64 // seconds
	gen          float64 // generated duration, seconds
	minQ         int
	nq           int // queries generated
	nSamples     int // samples generated
	finished     bool
	offlineLimit int
	// maxQ caps the queries generated, from the memory budget; capped
	// says the generation ended at it.
	maxQ   int
	capped bool
}

// newGenerator prepares the generation of one trial's queries over a
// loaded set; it draws what LoadGen draws before its loop (the unique
// shuffle, the accuracy-log offset).
func newGenerator(e *EffectiveSettings, ls loadableSet, accuracy bool) (*generator, error) {
	g := &generator{e: e, scen: e.Scenario, loaded: ls.set, end: ls.end, maxQ: math.MaxInt}
	scen := e.Scenario
	genDur := e.targetDur
	if scen != Server {
		genDur *= 2
	}
	minQ := int(min(e.MinQueryCount, uint64(math.MaxInt32)))
	spq := int(min(e.SamplesPerQuery, uint64(math.MaxInt32)))
	if accuracy && scen == Offline {
		spq = ls.end
	}
	g.unique = accuracy || e.PerformanceIssueUnique
	if g.unique {
		genDur = 0
		minQ = len(g.loaded) / spq
	}
	g.sampleRNG = newRNG(e.SampleIndexRNGSeed)
	g.schedRNG = newRNG(e.ScheduleRNGSeed)
	stride := 1
	if scen == MultiStream {
		stride = spq
	}
	// The unique distribution: each stride-th loaded position once, shuffled.
	if g.unique {
		for i := 0; i < ls.end; i += stride {
			g.uniq = append(g.uniq, int32(i))
		}
		shuffle(g.sampleRNG, g.uniq)
	}
	g.concat = e.SampleConcatenatePermutation && !accuracy
	if g.concat {
		if scen == Offline && spq%len(g.loaded) != 0 {
			spq += len(g.loaded) - spq%len(g.loaded)
		} else if scen != Offline && minQ%len(g.loaded) != 0 {
			minQ += len(g.loaded) - minQ%len(g.loaded)
		}
	}
	if scen == Offline && spq > maxOfflineSamples {
		return nil, fmt.Errorf("%w: the Offline query would hold %d samples (1.1 × min duration %v × expected QPS %g); at most %d",
			ErrBadSettings, spq, e.minDur, e.TargetQPS, maxOfflineSamples)
	}
	g.spq, g.minQ, g.gen = spq, minQ, genDur.Seconds()
	g.same = int(e.PerformanceIssueSameIndex)
	g.period = 1 / e.TargetQPS
	g.unbounded = !accuracy && !g.unique && (scen == SingleStream || scen == MultiStream)
	if !accuracy {
		g.initAccuracyLog(e)
	}
	return g, nil
}

// initAccuracyLog sets up the samples a performance run logs to the
// accuracy log (accuracy_log_probability / accuracy_log_sampling_target):
// one draw per sample from the accuracy-log seed, plus a run-wide offset,
// as LoadGen.
func (g *generator) initAccuracyLog(e *EffectiveSettings) {
	prob := accuracyLogProb(e)
	if prob <= 0 {
		return
	}
	g.accRNG = newRNG(e.AccuracyLogRNGSeed)
	g.accOffset = g.accRNG.float64()
	g.accProb = prob
}

// accuracyLogProb is the share of a performance run's samples logged to the
// accuracy log, as LoadGen derives it.
func accuracyLogProb(e *EffectiveSettings) float64 {
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
	return prob
}

func (g *generator) nextEqual() int {
	if g.permPos == len(g.perm) {
		if g.perm == nil {
			g.perm = make([]int32, len(g.loaded))
			for i := range g.perm {
				g.perm[i] = int32(i)
			}
		}
		shuffle(g.sampleRNG, g.perm)
		g.permPos = 0
	}
	g.permPos++
	return int(g.perm[g.permPos-1])
}

func (g *generator) nextUnique() int {
	v := g.uniq[g.uniqPos%len(g.uniq)]
	g.uniqPos++
	return int(v)
}

// more generates up to maxQ further queries into tab (sample indices and
// accuracy-log picks) and, for Server, their scheduled times into sched. It
// returns how many it made; 0 once the generation has ended.
func (g *generator) more(maxQ int, tab *sampleTable, sched *chunkList) int {
	if g.finished {
		return 0
	}
	e := g.e
	loaded := g.loaded
	spq := g.spq
	first := g.nSamples
	k := 0
	for ; k < maxQ; k++ {
		if !g.unbounded && !(g.prevTS < g.gen || g.nq < g.minQ) {
			g.finished = true
			break
		}
		if g.nq >= g.maxQ {
			g.finished, g.capped = true, true
			break
		}
		s := g.nSamples
		tab.grow(s + spq)
		switch g.scen {
		case MultiStream:
			var start int
			switch {
			case g.unique:
				start = g.nextUnique()
			case e.PerformanceIssueSame:
				start = g.same
			default:
				start = g.sampleRNG.intn(g.end)
			}
			for j := 0; j < spq; j++ {
				tab.setIdx(s+j, int32(loaded[(start+j)%len(loaded)]))
			}
		case Offline:
			if e.PerformanceIssueSame {
				for j := 0; j < spq; j++ {
					tab.setIdx(s+j, int32(loaded[g.same]))
				}
				break
			}
			full, rem := spq/len(loaded), spq%len(loaded)
			pos := s
			for r := 0; r < full; r++ {
				if g.concat {
					// A shuffled copy of the loaded set, as LoadGen
					// shuffles each appended copy in place.
					if g.perm == nil {
						g.perm = make([]int32, len(loaded))
					}
					for i, v := range loaded {
						g.perm[i] = int32(v)
					}
					shuffle(g.sampleRNG, g.perm)
					for _, v := range g.perm {
						tab.setIdx(pos, v)
						pos++
					}
					continue
				}
				for _, v := range loaded {
					tab.setIdx(pos, int32(v))
					pos++
				}
			}
			for _, v := range loaded[:rem] {
				tab.setIdx(pos, int32(v))
				pos++
			}
		default:
			var i int
			switch {
			case g.unique:
				i = g.nextUnique()
			case e.PerformanceIssueSame:
				i = g.same
			case g.concat:
				i = g.nextEqual()
			default:
				i = g.sampleRNG.intn(g.end)
			}
			tab.setIdx(s, int32(loaded[i]))
		}
		if g.scen == Server {
			sched.push(int64(g.ts * 1e9))
		}
		g.nq++
		g.nSamples += spq
		g.prevTS = g.ts
		if g.scen == Server {
			g.ts += g.schedRNG.exp(e.TargetQPS)
		} else {
			g.ts += g.period
		}
		if g.concat && g.nq >= g.minQ && g.prevTS < g.gen && g.scen != Offline {
			g.minQ += len(loaded)
		}
	}
	if g.accRNG != nil {
		for i := first; i < g.nSamples; i++ {
			v := g.accRNG.float64() + g.accOffset
			if v >= 1 {
				v--
			}
			if v <= g.accProb {
				tab.markAcc(i)
			}
		}
	}
	return k
}

// duration is generated_query_duration: the time of the query after the
// last one generated.
func (g *generator) duration() time.Duration { return time.Duration(g.ts * 1e9) }

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
