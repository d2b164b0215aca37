package loadgen

// issueOffline sends the whole query as one IssueQuery call (in accuracy
// mode, one query per loaded set), scheduled at the trial start: an
// Offline sample's latency is its completion time from the start.
func (t *trial) issueOffline(accuracy bool) {
	if !t.have(0) {
		return
	}
	n := t.gen.nSamples
	if cap(t.samples) < n {
		t.samples = make([]QuerySample, n)
	}
	samples := t.samples[:n]
	for ci, c := range t.tab.chunks {
		part := samples[ci<<chunkShift : min(n, (ci+1)<<chunkShift)]
		id := t.base + uint64(ci<<chunkShift)
		for i := range part {
			part[i] = QuerySample{ID: id + uint64(i), Index: int(c.idx[i])}
		}
	}
	now := t.now()
	t.issueNS = now
	t.issue(samples)
	t.endChecks(1, now, accuracy)
}
