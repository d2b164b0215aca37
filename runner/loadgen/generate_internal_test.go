package loadgen

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The lazy generator is checked against LoadGen's rules, stated here from
// first principles (LoadGen's GenerateQueries and its documentation), not
// against a copy of its own code: how many queries and samples a trial
// generates, which loaded samples each draw may take, and the Server
// schedule's Poisson statistics. Every case uses fixed seeds, so each
// statistical bound is checked on one fixed sequence and cannot flake.

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

// genSettings are small settings over a loaded set of 100 of 300 samples.
func genSettings(sc Scenario, accuracy bool, edit func(*TestSettings)) (EffectiveSettings, loadableSet) {
	s := DefaultSettings(sc)
	s.MinDuration = 100 * time.Millisecond
	s.MinQueryCount = 100
	s.PerformanceSampleCount = 100
	s.ServerTargetQPS = 100000
	s.OfflineExpectedQPS = 200000
	s.SingleStreamExpectedLatency = 20 * time.Microsecond
	s.MultiStreamExpectedLatency = 100 * time.Microsecond
	s.SampleIndexRNGSeed, s.ScheduleRNGSeed, s.AccuracyLogRNGSeed = 11, 12, 13
	if accuracy {
		s.Mode = AccuracyOnly
	}
	if edit != nil {
		edit(&s)
	}
	e, err := effectiveSettings(s, 100, 300)
	if err != nil {
		panic(err)
	}
	return e, loadableSets(&e, 300, e.PerformanceSampleCount)[0]
}

func indices(tab *sampleTable, n int) []int32 {
	got := make([]int32, n)
	for i := range got {
		got[i] = tab.idx(i)
	}
	return got
}

func TestGeneratorFollowsLoadGenRules(t *testing.T) {
	for _, c := range []struct {
		name     string
		sc       Scenario
		accuracy bool
		edit     func(*TestSettings)
	}{
		{"SingleStream", SingleStream, false, nil},
		{"SingleStreamConcat", SingleStream, false, func(s *TestSettings) { s.SampleConcatenatePermutation = true }},
		{"SingleStreamSame", SingleStream, false, func(s *TestSettings) { s.PerformanceIssueSame, s.PerformanceIssueSameIndex = true, 3 }},
		{"SingleStreamUnique", SingleStream, false, func(s *TestSettings) { s.PerformanceIssueUnique = true }},
		{"SingleStreamAccuracy", SingleStream, true, nil},
		{"MultiStream", MultiStream, false, func(s *TestSettings) { s.MultiStreamSamplesPerQuery = 8 }},
		{"MultiStreamAccuracy", MultiStream, true, func(s *TestSettings) { s.MultiStreamSamplesPerQuery = 8 }},
		{"Server", Server, false, nil},
		{"ServerConcat", Server, false, func(s *TestSettings) { s.SampleConcatenatePermutation = true }},
		{"ServerMinQueries", Server, false, func(s *TestSettings) { s.MinQueryCount = 30000 }},
		{"ServerAccuracy", Server, true, nil},
		{"Offline", Offline, false, nil},
		{"OfflineConcat", Offline, false, func(s *TestSettings) { s.SampleConcatenatePermutation = true }},
		{"OfflineSame", Offline, false, func(s *TestSettings) { s.PerformanceIssueSame = true }},
		{"OfflineAccuracy", Offline, true, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, ls := genSettings(c.sc, c.accuracy, c.edit)
			loaded := ls.set
			var s TestSettings = e.requested
			g, tab, qt := lazyPlan(t, &e, ls, c.accuracy, 40000, genBatch)
			n := g.nSamples
			idx := indices(tab, n)
			isLoaded := map[int32]bool{}
			for _, k := range loaded {
				isLoaded[int32(k)] = true
			}
			for i, k := range idx {
				require.True(t, isLoaded[k], "sample %d: index %d is not in the loaded set", i, k)
			}
			spq := g.spq

			// How many queries: accuracy mode and issue-unique issue each
			// loaded sample (MultiStream: each query start) once; Offline
			// issues one query; Server and the streams generate until both
			// the min duration (doubled for the streams, whose period is
			// the expected latency) and the min query count are covered.
			switch {
			case c.accuracy && c.sc == Offline:
				assert.Equal(t, 1, g.nq)
				assert.ElementsMatch(t, toInt32(loaded), idx, "every loaded sample once")
			case c.accuracy || s.PerformanceIssueUnique:
				stride := 1
				if c.sc == MultiStream {
					stride = spq
				}
				assert.Equal(t, (ls.end+stride-1)/stride, g.nq)
				assert.True(t, g.finished)
				if c.sc != MultiStream {
					assert.ElementsMatch(t, toInt32(loaded[:ls.end]), idx, "every loaded sample once")
				}
			case c.sc == Offline:
				assert.Equal(t, 1, g.nq)
				assert.Equal(t, int(e.SamplesPerQuery), spq)
				if s.SampleConcatenatePermutation {
					assert.Zero(t, spq%len(loaded), "rounded up to whole copies of the loaded set")
				}
				assert.Equal(t, spq, n)
			case c.sc == Server:
				gen := e.targetDur.Seconds()
				last := float64(qt.at(g.nq-1)) / 1e9
				assert.True(t, last >= gen-1e-9 && g.nq >= int(e.MinQueryCount), "query %d at %.6fs covers %.3fs and %d queries", g.nq, last, gen, e.MinQueryCount)
				prev := float64(qt.at(g.nq-2)) / 1e9
				assert.False(t, prev >= gen-1e-9 && g.nq-1 >= int(e.MinQueryCount) && !s.SampleConcatenatePermutation, "one query fewer would have done")
			default: // the streams never run out in performance mode
				assert.True(t, g.unbounded)
				assert.GreaterOrEqual(t, g.nq, 40000)
			}

			// Which samples.
			switch {
			case s.PerformanceIssueSame && !c.accuracy:
				for _, k := range idx {
					assert.Equal(t, int32(loaded[s.PerformanceIssueSameIndex]), k)
				}
			case c.sc == MultiStream:
				// A query is spq consecutive samples of the loaded set.
				pos := map[int32]int{}
				for i, k := range loaded {
					if _, ok := pos[int32(k)]; !ok {
						pos[int32(k)] = i
					}
				}
				for q := 0; q+spq <= len(idx); q += spq {
					p0 := pos[idx[q]]
					for j := 1; j < spq; j++ {
						assert.Equal(t, int32(loaded[(p0+j)%len(loaded)]), idx[q+j], "query %d sample %d", q/spq, j)
					}
				}
			case c.sc == Offline && !c.accuracy:
				// Whole copies of the loaded set, then a prefix of it; each
				// copy a permutation when concatenating.
				for start := 0; start < len(idx); start += len(loaded) {
					part := idx[start:min(start+len(loaded), len(idx))]
					if s.SampleConcatenatePermutation {
						assert.ElementsMatch(t, toInt32(loaded), part)
					} else {
						assert.Equal(t, toInt32(loaded[:len(part)]), part)
					}
				}
			case s.SampleConcatenatePermutation:
				// Equal issue: each run of len(loaded) draws is a permutation.
				for start := 0; start+len(loaded) <= len(idx); start += len(loaded) {
					assert.ElementsMatch(t, toInt32(loaded), idx[start:start+len(loaded)])
				}
			case !c.accuracy && !s.PerformanceIssueUnique:
				// Uniform draws over the loaded set: a chi-square test of
				// the counts (99 degrees of freedom; 99.9th percentile 148).
				counts := map[int32]int{}
				for _, k := range idx {
					counts[k]++
				}
				want := float64(len(idx)) / float64(len(loaded))
				chi := 0.0
				for _, k := range loaded {
					d := float64(counts[int32(k)]) - want
					chi += d * d / want
				}
				assert.Less(t, chi, 148.0, "%d draws over %d samples", len(idx), len(loaded))
			}

			// Batches of every size give the same stream.
			for _, batch := range []int{1, 7} {
				g2, tab2, _ := lazyPlan(t, &e, ls, c.accuracy, g.nq, batch)
				require.GreaterOrEqual(t, g2.nSamples, n)
				assert.Equal(t, idx, indices(tab2, n), "batch %d", batch)
			}
		})
	}
}

func toInt32(s []int) []int32 {
	out := make([]int32, len(s))
	for i, v := range s {
		out[i] = int32(v)
	}
	return out
}

func TestServerScheduleIsPoisson(t *testing.T) {
	// Arrivals at 100,000 QPS for 1 s: gaps independent and exponential
	// with mean 10 µs. Checked on one fixed seed: the mean, the coefficient
	// of variation (1 for an exponential), the Kolmogorov-Smirnov distance
	// to Exp(λ) (99% critical value 1.63/√n), and the lag-1 correlation of
	// the gaps (about ±3/√n).
	e, ls := genSettings(Server, false, func(s *TestSettings) { s.MinDuration = time.Second })
	g, _, qt := lazyPlan(t, &e, ls, false, math.MaxInt, genBatch)
	require.True(t, g.finished, "Server's generation is bounded")
	n := g.nq - 1
	require.Greater(t, n, 90000)
	assert.Zero(t, qt.at(0), "the first query at the start")
	gaps := make([]float64, n)
	sum, sum2 := 0.0, 0.0
	for i := range gaps {
		gaps[i] = float64(qt.at(i+1)-qt.at(i)) / 1e9
		require.GreaterOrEqual(t, gaps[i], 0.0, "the schedule never goes back")
		sum += gaps[i]
		sum2 += gaps[i] * gaps[i]
	}
	lambda := e.TargetQPS
	mean := sum / float64(n)
	sd := math.Sqrt(sum2/float64(n) - mean*mean)
	sqrtN := math.Sqrt(float64(n))
	assert.InDelta(t, 1/lambda, mean, 4/lambda/sqrtN, "mean gap")
	assert.InDelta(t, 1, sd/mean, 0.02, "coefficient of variation")
	cov := 0.0
	for i := 1; i < n; i++ {
		cov += (gaps[i] - mean) * (gaps[i-1] - mean)
	}
	assert.InDelta(t, 0, cov/float64(n-1)/(sd*sd), 3/sqrtN, "lag-1 correlation")
	slices.Sort(gaps)
	ks := 0.0
	for i, x := range gaps {
		f := 1 - math.Exp(-lambda*x)
		ks = max(ks, math.Abs(f-float64(i)/float64(n)), math.Abs(f-float64(i+1)/float64(n)))
	}
	assert.Less(t, ks, 1.63/sqrtN, "Kolmogorov-Smirnov distance to Exp(%g)", lambda)
}

func TestAccuracyLogPicksTheExpectedShare(t *testing.T) {
	// Each sample is picked with accuracy_log_probability, or with
	// sampling_target / expected samples (LoadGen: expected = target QPS ×
	// min duration × samples per query, at least the min query count ×
	// samples per query): a binomial count, checked within 4 σ.
	for _, c := range []struct {
		name string
		sc   Scenario
		edit func(*TestSettings)
		prob func(e *EffectiveSettings) float64
	}{
		{"probability", SingleStream, func(s *TestSettings) { s.AccuracyLogProbability = 0.1 },
			func(*EffectiveSettings) float64 { return 0.1 }},
		{"offline probability", Offline, func(s *TestSettings) { s.AccuracyLogProbability = 0.01 },
			func(*EffectiveSettings) float64 { return 0.01 }},
		{"sampling target", Server, func(s *TestSettings) { s.AccuracyLogSamplingTarget = 500 },
			func(e *EffectiveSettings) float64 {
				expected := max(e.TargetQPS*e.minDur.Seconds(), float64(e.MinQueryCount)) * float64(e.SamplesPerQuery)
				return 500 / expected
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e, ls := genSettings(c.sc, false, c.edit)
			g, tab, _ := lazyPlan(t, &e, ls, false, 20000, genBatch)
			require.NotNil(t, g.accRNG)
			n := g.nSamples
			picked := 0
			for i := 0; i < n; i++ {
				c := tab.chunks[i>>chunkShift]
				j := i & chunkMask
				if c.acc[j>>6]&(1<<(j&63)) != 0 {
					picked++
				}
			}
			p := c.prob(&e)
			sigma := math.Sqrt(float64(n) * p * (1 - p))
			assert.InDelta(t, p*float64(n), float64(picked), 4*sigma+1, "%d samples", n)
		})
	}
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
