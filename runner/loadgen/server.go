package loadgen

// issueServer sends one-sample queries at their Poisson-scheduled times. A
// sample's latency runs from its scheduled time, not from when it was
// issued, so an issue that runs late counts against the system, as in
// LoadGen. With coalescing on, every query whose time has passed goes in
// the same IssueQuery call.
func (t *trial) issueServer(accuracy bool) {
	p := t.p
	if cap(t.samples) < 1 {
		t.samples = make([]QuerySample, 1, 64)
	}
	t.ranOut = false
	coalesce := t.e.ServerCoalesceQueries
	for q := 0; q < p.nQueries; {
		if t.abort.fired() {
			return
		}
		now := t.sleepUntil(p.sched[q])
		if t.abort.fired() {
			return
		}
		samples := t.samples[:1]
		samples[0] = QuerySample{ID: t.base + uint64(q), Index: int(p.idx[q])}
		q++
		if coalesce {
			for q < p.nQueries && p.sched[q] <= now {
				samples = append(samples, QuerySample{ID: t.base + uint64(q), Index: int(p.idx[q])})
				q++
			}
			t.samples = samples[:0]
		}
		t.issue(samples)
		t.queriesIn += len(samples) - 1
		if t.endChecks(q, now, accuracy) {
			return
		}
	}
}
