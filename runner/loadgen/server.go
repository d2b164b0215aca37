package loadgen

// issueServer sends one-sample queries at their Poisson-scheduled times. A
// sample's latency runs from its scheduled time, not from when it was
// issued, so an issue that runs late counts against the system, as in
// LoadGen. With coalescing on, every query whose time has passed goes in
// the same IssueQuery call. With more than one issuer (see issuers),
// runTrial sets up multi and several goroutines share the queries
// (issueServerMulti).
func (t *trial) issueServer(accuracy bool) {
	if t.multi != nil {
		t.issueServerMulti(accuracy)
		return
	}
	if cap(t.samples) < 1 {
		t.samples = make([]QuerySample, 1, 64)
	}
	t.ranOut = false
	coalesce := t.e.ServerCoalesceQueries
	for q := 0; t.have(q); {
		if t.abort.fired() {
			return
		}
		now := t.sleepUntil(t.qt.at(q))
		if t.abort.fired() {
			return
		}
		samples := t.samples[:1]
		samples[0] = QuerySample{ID: t.base + uint64(q), Index: int(t.tab.idx(q))}
		q++
		if coalesce {
			for t.have(q) && t.qt.at(q) <= now {
				samples = append(samples, QuerySample{ID: t.base + uint64(q), Index: int(t.tab.idx(q))})
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
