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

// percentileAt indexes a sorted population as LoadGen does: sorted[n × p].
func percentileAt(sorted ordered, p float64) int64 {
	if sorted == nil || sorted.len() == 0 {
		return 0
	}
	i := int(float64(sorted.len()) * p)
	return sorted.at(min(i, sorted.len()-1))
}

func newLatStats(sorted ordered, targetP float64) latStats {
	s := latStats{targetP: targetP}
	if sorted == nil || sorted.len() == 0 {
		return s
	}
	n := sorted.len()
	s.n = n
	s.mean = sorted.sum() / int64(n)
	s.min, s.max = sorted.at(0), sorted.at(n-1)
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

// collect turns an ended trial's completion times into statistics. Each
// sample chunk's completion times become its latencies in place (the
// completed ones, compacted to the chunk's front) and are sorted there:
// the statistics read their order from these sorted runs, so the trial
// needs no second per-sample array.
func (t *trial) collect() *trialStats {
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
	var qlat []int64
	if scen == MultiStream {
		qlat = make([]int64, 0, st.queriesIssued)
	}
	chunks := t.tab.chunks
	// Issued queries are those below span: all of them with one issuer;
	// with several (multi), those each issued before it ended, the others
	// never marked.
	span, multi := st.queriesIssued, t.multi != nil
	if multi {
		span = t.issuedHi
	}
	nChunks := (max(st.samplesIssued, span) + chunkMask) >> chunkShift
	kept := make([]int, nChunks) // completed samples compacted to each chunk's front
	var lastDone, anyDone int64
	lastQ := span - 1
	for q := 0; q < span; q++ {
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
			ci := s >> chunkShift
			c := chunks[ci]
			d := atomic.LoadInt64(&c.done[s&chunkMask])
			if d == 0 && multi {
				continue // never issued: its issuer ended early
			}
			if d <= 0 {
				st.missing++
				qdone = false
				continue
			}
			done := d - 1
			anyDone = max(anyDone, done)
			// Samples are visited in order, so the write position is at
			// or before the one just read: nothing unread is overwritten.
			c.done[kept[ci]] = done - base
			kept[ci]++
			qmax = max(qmax, done)
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
	runs := make([][]int64, nChunks)
	for ci := range runs {
		runs[ci] = chunks[ci].done[:kept[ci]]
	}
	lat := newSortedRuns(runs)
	st.sampleCount = lat.len()
	st.samples = newLatStats(lat, t.e.TargetLatencyPercentile)
	st.maxLatency = st.samples.max
	var ql ordered
	if qlat != nil {
		slices.Sort(qlat)
		ql = sortedSlice(qlat)
		st.queries = newLatStats(ql, t.e.TargetLatencyPercentile)
	}
	st.finalDone = lastDone
	if st.queriesIssued > 0 {
		switch scen {
		case Server, SingleStream, MultiStream:
			v := t.qt.at(lastQ)
			if scen == Server {
				st.finalSched = v
			} else {
				st.finalIssued = v
			}
		}
	}
	if scen == Server {
		// Overlatency: strictly above the bound.
		st.overLatency = int64(countAbove(lat, int64(t.e.targetLat)))
	}
	st.judge(lat, ql)
	return st
}

// judge applies LoadGen's validity checks and gotrt's fault checks.
func (st *trialStats) judge(lat, qlat ordered) {
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

func at(sorted ordered, i int64) int64 {
	if sorted == nil || sorted.len() == 0 {
		return 0
	}
	return sorted.at(int(max(0, min(i, int64(sorted.len()-1)))))
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
