package loadgen

// issueOffline sends the whole plan as one query (or, in accuracy mode,
// one query per loaded set), scheduled at the trial start: an Offline
// sample's latency is its completion time from the start.
func (t *trial) issueOffline(accuracy bool) {
	n := t.p.nSamples()
	if cap(t.samples) < n {
		t.samples = make([]QuerySample, n)
	}
	samples := t.samples[:n]
	for i, idx := range t.p.idx {
		samples[i] = QuerySample{ID: t.base + uint64(i), Index: int(idx)}
	}
	now := t.now()
	t.issueNS = append(t.issueNS[:0], now)
	t.issue(samples)
	t.endChecks(1, now, accuracy)
}
