package loadgen

// issueSingleStream sends one-sample queries, each when the previous one has
// completed; a query's latency runs from its issue. Issuing ends when both
// the minimum query count and the minimum duration are met.
func (t *trial) issueSingleStream(accuracy bool) {
	t.issueStreams(accuracy)
}

// issueStreams is the SingleStream and MultiStream loop: queries of
// samples-per-query contiguous samples, one outstanding at a time. In
// performance mode the generator never runs out: issuing goes on until
// endChecks stops it.
func (t *trial) issueStreams(accuracy bool) {
	spq := t.gen.spq
	if cap(t.samples) < spq {
		t.samples = make([]QuerySample, spq)
	}
	samples := t.samples[:spq]
	t.ranOut = !accuracy
	for q := 0; t.have(q); q++ {
		if q > 0 && !t.waitCompleted(int64(q*spq)) {
			t.ranOut = false
			return
		}
		if t.abort.fired() {
			t.ranOut = false
			return
		}
		now := t.now()
		t.qt.push(now)
		s := q * spq
		for j := range samples {
			samples[j] = QuerySample{ID: t.base + uint64(s+j), Index: int(t.tab.idx(s + j))}
		}
		t.issue(samples)
		if t.endChecks(q+1, now, accuracy) {
			return
		}
	}
}
