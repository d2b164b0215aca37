package loadgen

import (
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
)

// reportPercentiles are the percentiles LoadGen reports besides the target.
var reportPercentiles = [...]float64{0.50, 0.90, 0.95, 0.97, 0.99, 0.999}

// latStats are statistics of one latency population, from an exact sort.
type latStats struct {
	n       int
	min     int64
	max     int64
	mean    int64
	pcts    [len(reportPercentiles)]int64
	target  int64 // at the target percentile
	targetP float64
}

// percentileAt indexes a sorted slice as LoadGen does: sorted[n × p].
func percentileAt(sorted []int64, p float64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)) * p)
	return sorted[min(i, len(sorted)-1)]
}

func newLatStats(sorted []int64, targetP float64) latStats {
	s := latStats{n: len(sorted), targetP: targetP}
	if len(sorted) == 0 {
		return s
	}
	var sum int64
	for _, v := range sorted {
		sum += v
	}
	s.mean = sum / int64(len(sorted))
	s.min, s.max = sorted[0], sorted[len(sorted)-1]
	for i, p := range reportPercentiles {
		s.pcts[i] = percentileAt(sorted, p)
	}
	s.target = percentileAt(sorted, targetP)
	return s
}

// trialStats is the outcome of one trial: LoadGen's PerformanceResult and
// PerformanceSummary with its validity checks, plus gotrt's fault checks.
type trialStats struct {
	e        *EffectiveSettings
	accuracy bool

	queriesIssued int
	samplesIssued int
	sampleCount   int // completed samples
	missing       int

	samples latStats
	queries latStats // MultiStream per-query latency

	maxLatency  int64 // ns
	finalSched  int64 // ns from start, Server
	finalIssued int64 // ns from start, SingleStream/MultiStream
	finalDone   int64 // ns from start: the last issued query's completion

	overLatency int64 // Server: samples over the target latency

	ranOut      bool
	endMsg      string
	abortReason string
	capMsg      string // generation ended at the memory budget
	failErr     error
	badCount    int
	badFirst    []error

	generatedQueries int
	generatedSPQ     int
	generatedDur     int64
	loaded           []int

	// validity
	minDurationMet bool
	minQueriesMet  bool
	perfMet        bool
	earlyMet       bool
	valid          bool
	perfRec        string
	durRec         string
	earlyRec       string
	earlySS        int64 // early-stopping estimate at the target percentile
	earlyMS        int64 // SingleStream: at the 99th; MultiStream: target
	reasons        []string
}

// collect turns an ended trial's completion times into statistics. lat is
// scratch space reused between trials.
func (t *trial) collect(lat []int64) (*trialStats, []int64) {
	g := t.gen
	// A SUT may still call Fail after the trial ended.
	t.errMu.Lock()
	defer t.errMu.Unlock()
	st := &trialStats{
		e:                t.e,
		queriesIssued:    t.queriesIn,
		samplesIssued:    int(t.issued.Load()),
		ranOut:           t.ranOut,
		endMsg:           t.lastEnd,
		capMsg:           t.capMsg,
		failErr:          t.failErr,
		badCount:         t.badCount,
		badFirst:         t.firstBad,
		generatedQueries: g.nq,
		generatedSPQ:     g.spq,
		generatedDur:     int64(g.duration()),
		accuracy:         t.accAll,
	}
	if t.abort.fired() {
		st.abortReason = t.abort.reason
	}
	scen := t.e.Scenario
	spq := g.spq
	lat = reuse(lat, st.samplesIssued)
	var qlat []int64
	if scen == MultiStream {
		qlat = make([]int64, 0, st.queriesIssued)
	}
	chunks := t.tab.chunks
	var lastDone, anyDone int64
	lastQ := st.queriesIssued - 1
	for q := 0; q < st.queriesIssued; q++ {
		var base int64
		first, last := q*spq, (q+1)*spq
		switch scen {
		case Server:
			base = t.qt.at(q)
			first, last = q, q+1
		case Offline:
			base = t.issueNS
			first, last = 0, st.samplesIssued
		default:
			base = t.qt.at(q)
		}
		qmax, qdone := int64(0), true
		for s := first; s < last; s++ {
			d := atomic.LoadInt64(&chunks[s>>chunkShift].done[s&chunkMask])
			if d == 0 {
				st.missing++
				qdone = false
				continue
			}
			c := d - 1
			anyDone = max(anyDone, c)
			l := c - base
			lat = append(lat, l)
			qmax = max(qmax, c)
		}
		if qdone && qlat != nil {
			qlat = append(qlat, qmax-base)
		}
		if q == lastQ {
			lastDone = qmax
			if !qdone {
				lastDone = anyDone
			}
		}
		if scen == Offline {
			break
		}
	}
	st.sampleCount = len(lat)
	slices.Sort(lat)
	st.samples = newLatStats(lat, t.e.TargetLatencyPercentile)
	st.maxLatency = st.samples.max
	if qlat != nil {
		slices.Sort(qlat)
		st.queries = newLatStats(qlat, t.e.TargetLatencyPercentile)
	}
	st.finalDone = lastDone
	if st.queriesIssued > 0 {
		switch scen {
		case Server, SingleStream, MultiStream:
			v := t.qt.at(st.queriesIssued - 1)
			if scen == Server {
				st.finalSched = v
			} else {
				st.finalIssued = v
			}
		}
	}
	if scen == Server {
		// Overlatency: strictly above the bound, from the sorted latencies.
		limit := int64(t.e.targetLat) + 1
		i, _ := slices.BinarySearch(lat, limit)
		st.overLatency = int64(len(lat) - i)
	}
	st.judge(lat, qlat)
	return st, lat
}

// judge applies LoadGen's validity checks and gotrt's fault checks.
func (st *trialStats) judge(lat, qlat []int64) {
	e := st.e
	pct1 := strconv.FormatFloat(e.TargetLatencyPercentile*100, 'f', 1, 64)
	minDur := int64(e.minDur)
	switch e.Scenario {
	case Offline:
		st.minDurationMet = st.maxLatency >= minDur
		st.durRec = "Increase expected QPS so the loadgen pre-generates a larger (coalesced) query."
	case Server:
		st.minDurationMet = st.finalSched >= minDur
		st.durRec = "Increase the target QPS so the loadgen pre-generates more queries."
	default:
		st.minDurationMet = st.finalIssued >= minDur
		st.durRec = "Decrease the expected latency so the loadgen pre-generates more queries."
	}
	st.minQueriesMet = uint64(st.queriesIssued) >= e.MinQueryCount && uint64(st.sampleCount) >= e.MinSampleCount
	st.perfMet = true
	if e.Scenario == Server && st.samples.target > int64(e.targetLat) {
		st.perfMet = false
		st.perfRec = "Reduce target QPS to improve latency."
	}
	st.earlyMet = true
	n := int64(st.queriesIssued)
	switch e.Scenario {
	case SingleStream:
		t, need, ok := earlyStopStreams(n, e.TargetLatencyPercentile)
		if !ok {
			st.earlyMet = false
			st.earlyRec = fmt.Sprintf(" * Only processed %d queries.\n * Need to process at least %d queries for early stopping.", n, need)
			break
		}
		st.earlySS = at(lat, n-t)
		st.earlyRec = fmt.Sprintf(" * Processed at least %d queries (%d).\n * Would discard %d highest latency queries.\n * Early stopping %sth percentile estimate: %d",
			need, n, t-1, pct1, st.earlySS)
		t99, need99, ok := earlyStopStreams(n, 0.99)
		if !ok {
			st.earlyRec += fmt.Sprintf("\n * Not enough queries processed for 99.0th percentile\n early stopping estimate (would need to process at\n least %d total queries).", need99)
		} else {
			st.earlyMS = at(lat, n-t99)
			st.earlyRec += fmt.Sprintf("\n * Early stopping 99.0th percentile estimate: %d", st.earlyMS)
		}
	case MultiStream:
		t, need, ok := earlyStopStreams(n, e.TargetLatencyPercentile)
		if !ok {
			st.earlyMet = false
			st.earlyRec = fmt.Sprintf(" * Only processed %d queries.\n * Need to process at least %d queries for early stopping.", n, need)
			break
		}
		st.earlyMS = at(qlat, n-t)
		st.earlyRec = fmt.Sprintf(" * Processed at least %d queries (%d).\n * Would discard %d highest latency queries.\n * Early stopping %sth percentile estimate: %d",
			need, n, t-1, pct1, st.earlyMS)
	case Server:
		h := minPassing(st.overLatency, e.TargetLatencyPercentile)
		if n >= h+st.overLatency {
			st.earlyRec = " * Run successful."
		} else {
			st.earlyMet = false
			st.earlyRec = fmt.Sprintf(" * Run unsuccessful.\n * Processed %d queries.\n * Would need to run at least %d more queries,\n with the run being successful if every additional\n query were under latency.",
				n, h+st.overLatency-n)
		}
	}
	if !e.EarlyStopping {
		st.earlyMet = true
	}

	var r []string
	// An interrupted run is INVALID for that alone: what it did not reach
	// says nothing of the settings, so no advice to raise the QPS.
	if !st.accuracy && !interruptedReason(st.abortReason) {
		if !st.perfMet {
			r = append(r, fmt.Sprintf("performance constraints not met: %sth percentile latency %d ns is over the target latency %d ns; %s",
				strconv.FormatFloat(e.TargetLatencyPercentile*100, 'f', 2, 64), st.samples.target, int64(e.targetLat), st.perfRec))
		}
		if !st.minDurationMet {
			r = append(r, fmt.Sprintf("min duration not met (%v): %s", e.minDur, st.durRec))
		}
		if !st.minQueriesMet {
			r = append(r, fmt.Sprintf("min queries not met: %d queries and %d samples of at least %d and %d; the test exited early, before enough queries were issued",
				st.queriesIssued, st.sampleCount, e.MinQueryCount, e.MinSampleCount))
		}
		if !st.earlyMet {
			r = append(r, "early stopping not met:"+oneLine(st.earlyRec))
		}
	}
	if st.capMsg != "" {
		r = append(r, st.capMsg)
	}
	if st.abortReason != "" {
		r = append(r, st.abortReason)
	}
	if st.missing > 0 {
		r = append(r, fmt.Sprintf("%d of %d issued samples never completed", st.missing, st.samplesIssued))
	}
	if st.badCount > 0 {
		r = append(r, fmt.Sprintf("%d completions of unknown or already completed samples (first: %v)", st.badCount, st.badFirst[0]))
	}
	st.reasons = r
	st.valid = len(r) == 0
}

func at(sorted []int64, i int64) int64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[max(0, min(i, int64(len(sorted)-1)))]
}

func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c == '\n' {
			b[i] = ' '
		}
	}
	return string(b)
}
