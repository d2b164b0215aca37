package loadgen

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refPlan is the load generator's former eager GenerateQueries, kept here
// as the reference the lazy generator must reproduce draw for draw.
// refPlan is the pre-generated issue refPlan of one trial, as LoadGen's
// GenerateQueries: sample indices, Server schedule, accuracy-log picks.
type refPlan struct {
	nQueries int
	spq      int     // samples per query
	idx      []int32 // QSL index of each sample, in issue order
	sched    []int64 // scheduled time of each query (ns from trial start); Server only
	accLog   []uint64
	duration time.Duration // generated_query_duration
}

func (p *refPlan) nSamples() int { return len(p.idx) }

// maxRefPlanSamples bounds a refPlan's size (about 2 GB of per-sample state).
const maxRefPlanSamples = 1 << 27

// generate builds the refPlan for a loaded set, reusing p's slices.
func (p *refPlan) generate(e *EffectiveSettings, ls loadableSet, accuracy bool) error {
	loaded := ls.set
	scen := e.Scenario
	genDur := e.targetDur
	if scen != Server {
		genDur *= 2
	}
	minQ := int(min(e.MinQueryCount, uint64(maxRefPlanSamples)))
	spq := int(min(e.SamplesPerQuery, uint64(maxRefPlanSamples)))
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
	if est*float64(spq) > maxRefPlanSamples {
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
		if nq*spq > maxRefPlanSamples {
			return fmt.Errorf("%w: more than %d samples generated; lower the target QPS or min duration", ErrBadSettings, maxRefPlanSamples)
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
func (p *refPlan) pickAccuracyLog(e *EffectiveSettings) {
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

// lazyPlan runs the lazy generator until it ends or has made at least
// atLeast queries, in batches of batch queries.
func lazyPlan(t *testing.T, e *EffectiveSettings, ls loadableSet, accuracy bool, atLeast, batch int) (*generator, *sampleTable, *chunkList) {
	t.Helper()
	g, err := newGenerator(e, ls, accuracy)
	require.NoError(t, err)
	tab, qt := &sampleTable{}, &chunkList{}
	tab.reset()
	for g.nq < atLeast {
		if g.more(batch, tab, qt) == 0 {
			break
		}
	}
	return g, tab, qt
}

func TestLazyGenerationMatchesEagerPlan(t *testing.T) {
	type tc struct {
		name     string
		sc       Scenario
		accuracy bool
		edit     func(*TestSettings)
	}
	cases := []tc{
		{"SingleStream", SingleStream, false, nil},
		{"SingleStreamConcat", SingleStream, false, func(s *TestSettings) { s.SampleConcatenatePermutation = true }},
		{"SingleStreamSame", SingleStream, false, func(s *TestSettings) { s.PerformanceIssueSame, s.PerformanceIssueSameIndex = true, 3 }},
		{"SingleStreamUnique", SingleStream, false, func(s *TestSettings) { s.PerformanceIssueUnique = true }},
		{"SingleStreamAccLog", SingleStream, false, func(s *TestSettings) { s.AccuracyLogProbability = 0.1 }},
		{"SingleStreamAccuracy", SingleStream, true, nil},
		{"MultiStream", MultiStream, false, func(s *TestSettings) { s.MultiStreamSamplesPerQuery = 8 }},
		{"MultiStreamAccuracy", MultiStream, true, func(s *TestSettings) { s.MultiStreamSamplesPerQuery = 8 }},
		{"Server", Server, false, nil},
		{"ServerConcat", Server, false, func(s *TestSettings) { s.SampleConcatenatePermutation = true }},
		{"ServerSamplingTarget", Server, false, func(s *TestSettings) { s.AccuracyLogSamplingTarget = 500 }},
		{"ServerMinQueries", Server, false, func(s *TestSettings) { s.MinQueryCount = 30000 }},
		{"ServerAccuracy", Server, true, nil},
		{"Offline", Offline, false, nil},
		{"OfflineConcat", Offline, false, func(s *TestSettings) { s.SampleConcatenatePermutation = true }},
		{"OfflineSame", Offline, false, func(s *TestSettings) { s.PerformanceIssueSame = true }},
		{"OfflineAccLog", Offline, false, func(s *TestSettings) { s.AccuracyLogProbability = 0.01 }},
		{"OfflineAccuracy", Offline, true, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := DefaultSettings(c.sc)
			s.MinDuration = 100 * time.Millisecond
			s.MinQueryCount = 100
			s.PerformanceSampleCount = 100
			s.ServerTargetQPS = 100000
			s.OfflineExpectedQPS = 200000
			s.SingleStreamExpectedLatency = 20 * time.Microsecond
			s.MultiStreamExpectedLatency = 100 * time.Microsecond
			s.SampleIndexRNGSeed, s.ScheduleRNGSeed, s.AccuracyLogRNGSeed = 11, 12, 13
			if c.accuracy {
				s.Mode = AccuracyOnly
			}
			if c.edit != nil {
				c.edit(&s)
			}
			e, err := effectiveSettings(s, 100, 300)
			require.NoError(t, err)
			ls := loadableSets(&e, 300, e.PerformanceSampleCount)[0]
			var ref refPlan
			require.NoError(t, ref.generate(&e, ls, c.accuracy))
			require.Greater(t, ref.nQueries, 0)

			// Batches of every size give the same stream.
			for _, batch := range []int{1, 7, genBatch} {
				g, tab, qt := lazyPlan(t, &e, ls, c.accuracy, ref.nQueries+5000, batch)
				require.GreaterOrEqual(t, g.nq, ref.nQueries)
				if !g.unbounded {
					assert.Equal(t, ref.nQueries, g.nq, "a bounded generation makes as many queries as LoadGen's")
					assert.Equal(t, ref.duration, g.duration())
					assert.True(t, g.finished)
				} else {
					assert.Greater(t, g.nq, ref.nQueries, "a stream goes on past LoadGen's pre-generated set")
				}
				assert.Equal(t, ref.spq, g.spq)
				require.GreaterOrEqual(t, g.nSamples, len(ref.idx))
				got := make([]int32, len(ref.idx))
				for i := range got {
					got[i] = tab.idx(i)
				}
				assert.Equal(t, ref.idx, got, "sample indices")
				if c.sc == Server {
					sched := make([]int64, ref.nQueries)
					for i := range sched {
						sched[i] = qt.at(i)
					}
					assert.Equal(t, ref.sched, sched, "schedule")
				}
				var acc []uint64
				if g.accRNG != nil {
					acc = make([]uint64, (len(ref.idx)+63)/64)
					for i := range ref.idx {
						c := tab.chunks[i>>chunkShift]
						j := i & chunkMask
						if c.acc[j>>6]&(1<<(j&63)) != 0 {
							acc[i/64] |= 1 << (i % 64)
						}
					}
				}
				if len(ref.accLog) == 0 {
					assert.Nil(t, acc)
				} else {
					assert.Equal(t, ref.accLog, acc, "accuracy-log picks")
					assert.NotZero(t, countBits(acc))
				}
			}
		})
	}
}

func countBits(b []uint64) int {
	n := 0
	for _, w := range b {
		for ; w != 0; w &= w - 1 {
			n++
		}
	}
	return n
}

func TestSampleTableReusesClearedChunks(t *testing.T) {
	var tab sampleTable
	tab.reset()
	tab.grow(chunkSize + 1)
	require.Len(t, *tab.dir.Load(), 2)
	c0 := tab.chunks[0]
	c0.done[5] = 9
	tab.markAcc(chunkSize - 1)
	tab.reset()
	assert.Empty(t, *tab.dir.Load())
	tab.grow(10)
	require.Len(t, *tab.dir.Load(), 1)
	assert.Same(t, c0, tab.chunks[0], "a chunk of the previous trial is reused")
	assert.Zero(t, tab.chunks[0].done[5])
	assert.Zero(t, tab.chunks[0].acc[(chunkSize-1)>>6])
}
