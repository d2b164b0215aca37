package loadgen

// issueSingleStream sends one-sample queries, each when the previous one has
// completed; a query's latency runs from its issue. Issuing ends when both
// the minimum query count and the minimum duration are met.
func (t *trial) issueSingleStream(accuracy bool) {
	t.issueStreams(accuracy)
}

// issueStreams is the SingleStream and MultiStream loop: queries of
// samples-per-query contiguous plan samples, one outstanding at a time.
func (t *trial) issueStreams(accuracy bool) {
	p := t.p
	spq := p.spq
	if cap(t.samples) < spq {
		t.samples = make([]QuerySample, spq)
	}
	samples := t.samples[:spq]
	t.issueNS = reuse(t.issueNS, p.nQueries)
	t.ranOut = !accuracy
	for q := 0; q < p.nQueries; q++ {
		if q > 0 && !t.waitCompleted(int64(q*spq)) {
			t.ranOut = false
			return
		}
		if t.abort.fired() {
			t.ranOut = false
			return
		}
		now := t.now()
		t.issueNS = append(t.issueNS, now)
		for j := range samples {
			s := q*spq + j
			samples[j] = QuerySample{ID: t.base + uint64(s), Index: int(p.idx[s])}
		}
		t.issue(samples)
		if t.endChecks(q+1, now, accuracy) {
			return
		}
	}
}
