package loadgen

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"github.com/gotrt/gotrt/runner/clock"
)

// MaxIssueThreads bounds ServerNumIssueQueryThreads: each issuing goroutine
// is cheap, but the count comes from users, and past a few dozen issuers
// the per-query checks that sum their counts cost more than they gain.
const MaxIssueThreads = 64

// issuers is how many goroutines issue a Server trial at e's target QPS:
// the fixed count, else one per ServerIssueQPSPerThread of the target (up
// to GOMAXPROCS), else one.
func (e *EffectiveSettings) issuers() int {
	if n := e.ServerNumIssueQueryThreads; n > 0 {
		return int(min(n, MaxIssueThreads))
	}
	per := e.ServerIssueQPSPerThread
	if !(per > 0) {
		return 1
	}
	limit := min(runtime.GOMAXPROCS(0), MaxIssueThreads)
	n := math.Ceil(e.TargetQPS / per)
	if !(n >= 1) {
		return 1
	}
	return int(min(n, float64(limit)))
}

// issuedMark is a sample's completion slot once an issuing goroutine of a
// multi-issuer trial has issued it and before it completes (0: never
// issued; a completion stores its time + 1, never negative).
const issuedMark = -1

// padded keeps one goroutine's counter on its own cache lines (two: the
// adjacent-line prefetcher pairs them), so issuers and completers on
// different cores do not pass one line back and forth for every query.
type padded struct {
	n atomic.Int64
	_ [120]byte
}

// stripe is one stripe of completions: those counted and those under way
// (the latter for end, which waits them out).
type stripe struct {
	done, inflight atomic.Int64
	_              [112]byte
}

// multiIssue is a Server trial's state while several goroutines issue, as
// LoadGen's server_num_issue_query_threads: goroutine k issues queries
// k, k+K, k+2K… at their scheduled times, and ends on its own share of
// max_query_count; max_async_queries and max_duration end them all.
//
// One goroutine tops out near 10M queries/s (null SUT, one core, mostly
// two clock readings a query); 0.8 of a large GPU's Offline rate for the
// built-in model is more. The single-issuer path stays as it was: the
// issued count bounds the IDs Complete accepts there. Here the queries are
// not issued in order, so each issuer marks a sample's slot before issuing
// it (issuedMark) and Complete accepts a completion only from the mark:
// a never-issued ID and a second completion are both told apart exactly,
// with no count shared by the issuers. Counts are kept per issuer and per
// stripe of completions and summed only where a total is needed (the end
// of issuing, max_async_queries, the stall watch).
type multiIssue struct {
	k      uint64 // issuers
	span   uint64 // queries generated: the IDs Complete may see
	issued []padded
	// done is striped by the first response's query modulo k: a null SUT
	// completing inside IssueQuery then counts on its own issuer's stripe.
	done []stripe
	// stop ends every issuer once one ends on max_async_queries or
	// max_duration: issuers going on with their strides would offer a
	// fraction of the target and reach the schedule's end, a thinned trial
	// judged as if whole (LoadGen's threads each stop on these checks
	// alike; its final query is the count issued, so such a trial fails
	// its duration there).
	stop atomic.Bool
}

func (m *multiIssue) issuedTotal() int64 {
	var n int64
	for i := range m.issued {
		n += m.issued[i].n.Load()
	}
	return n
}

func (m *multiIssue) doneTotal() int64 {
	var n int64
	for i := range m.done {
		n += m.done[i].done.Load()
	}
	return n
}

// busy reports whether a Complete call is under way.
func (m *multiIssue) busy() bool {
	for i := range m.done {
		if m.done[i].inflight.Load() != 0 {
			return true
		}
	}
	return false
}

// issuedTotal is how many samples the trial has issued so far.
func (t *trial) issuedTotal() int64 {
	if m := t.multi; m != nil {
		return m.issuedTotal()
	}
	return t.issued.Load()
}

// completedTotal is how many samples have completed so far.
func (t *trial) completedTotal() int64 {
	if m := t.multi; m != nil {
		return m.doneTotal()
	}
	return t.completed.Load()
}

// issuer is one issuing goroutine's own state.
type issuer struct {
	k       int
	samples []QuerySample
	queries int    // queries issued
	hi      int    // last query issued + 1
	maxQ    uint64 // its share of max_query_count
	end     string // why it ended early, LoadGen's words
}

func newMultiIssue(n, generated int) *multiIssue {
	return &multiIssue{k: uint64(n), span: uint64(generated), issued: make([]padded, n), done: make([]stripe, n)}
}

// issueServerMulti issues a Server trial's queries from t.multi's
// goroutines. The whole schedule exists before the clock starts (runTrial
// generates it), so the issuers only read the trial's tables.
func (t *trial) issueServerMulti(accuracy bool) {
	m := t.multi
	n := int(m.k)
	t.ranOut = false // Server's schedule is its duration: it never runs out
	iss := make([]issuer, n)
	// The issuers start and end on the run's clock (a virtual clock must
	// neither move past an issuer not yet started nor wait on a goroutine
	// blocked outside it), and the last one out wakes this goroutine.
	var left atomic.Int64
	left.Store(int64(n))
	ended := clock.NewEvent(t.clk)
	for k := range iss {
		is := &iss[k]
		is.k = k
		is.samples = make([]QuerySample, 1, 64)
		// LoadGen's per-thread share of max_query_count.
		is.maxQ = t.e.MaxQueryCount / uint64(n)
		if uint64(k) < t.e.MaxQueryCount%uint64(n) {
			is.maxQ++
		}
		clock.Go(t.clk, func() {
			t.issueStride(is, n, accuracy)
			if left.Add(-1) == 0 {
				ended.Set()
			}
		})
	}
	for left.Load() > 0 {
		ended.Wait(clock.Never)
	}
	hi := 0
	for i := range iss {
		t.queriesIn += iss[i].queries
		hi = max(hi, iss[i].hi)
		if iss[i].end != "" {
			t.lastEnds = append(t.lastEnds, iss[i].end)
		}
	}
	t.issuedHi = hi
	// Past issuing, the totals are fixed: the rest of the trial (waiting
	// for completions, collecting) reads the one count as usual.
	t.issued.Store(m.issuedTotal())
}

// issueStride is one issuer's loop: issueServer over every stride-th query.
func (t *trial) issueStride(is *issuer, stride int, accuracy bool) {
	coalesce := t.e.ServerCoalesceQueries
	dir := *t.tab.dir.Load()
	count := &t.multi.issued[is.k].n
	nq := t.genQ
	stop := &t.multi.stop
	for q := is.k; q < nq; {
		if t.abort.fired() || stop.Load() {
			return
		}
		now := t.sleepUntil(t.qt.at(q))
		if t.abort.fired() || stop.Load() {
			return
		}
		samples := is.samples[:1]
		samples[0] = t.markIssued(dir, q)
		last := q
		q += stride
		if coalesce {
			for q < nq && t.qt.at(q) <= now {
				samples = append(samples, t.markIssued(dir, q))
				last = q
				q += stride
			}
			is.samples = samples[:0]
		}
		// Marked and counted before the call: a SUT may complete inside it.
		count.Add(int64(len(samples)))
		t.sut.IssueQuery(samples, t)
		is.queries += len(samples)
		is.hi = last + 1
		if t.endChecksStride(is, now, accuracy) {
			return
		}
	}
}

// markIssued marks query q's one sample issued and returns it.
func (t *trial) markIssued(dir []*sampleChunk, q int) QuerySample {
	id := uint64(q)
	atomic.StoreInt64(&dir[id>>chunkShift].done[id&chunkMask], issuedMark)
	return QuerySample{ID: t.base + id, Index: int(t.tab.idx(q))}
}

// endChecksStride is endChecks for one of several issuers, as LoadGen's
// issue threads: max_async_queries against the totals, max_query_count
// against the issuer's share, max_duration.
func (t *trial) endChecksStride(is *issuer, now int64, accuracy bool) bool {
	if accuracy {
		return false
	}
	e := t.e
	if e.MaxAsyncQueries != 0 {
		issued := t.multi.issuedTotal()
		out := issued - t.multi.doneTotal()
		if out > 0 && uint64(out) > e.MaxAsyncQueries {
			is.end = fmt.Sprintf("IssueQueryThread %d Ending early: Too many outstanding queries. issued %d outstanding %d", is.k, issued, out)
			t.multi.stop.Store(true)
			return true
		}
	}
	if e.MaxQueryCount != 0 && uint64(is.queries) >= is.maxQ {
		is.end = fmt.Sprintf("IssueQueryThread %d Ending early: Max query count reached. query_count %d", is.k, is.queries)
		return true
	}
	if e.maxDur != 0 && now > int64(e.maxDur) {
		is.end = fmt.Sprintf("IssueQueryThread %d Ending early: Max test duration reached. duration_ns %d", is.k, now)
		t.multi.stop.Store(true)
		return true
	}
	return false
}

// completeMulti is Complete while several goroutines issue: a completion
// is accepted from the issued mark only. Its calls count as under way on
// their stripe, not on the trial's one count the issuers would share.
func (t *trial) completeMulti(m *multiIssue, rs []Response, now int64) error {
	st := &m.done[0]
	if len(rs) > 0 {
		st = &m.done[(rs[0].ID-t.base)%m.k]
	}
	if !t.enter(&st.inflight) {
		return errEnded(len(rs))
	}
	defer st.inflight.Add(-1)
	var n int64
	var err error
	dir := *t.tab.dir.Load()
	for i := range rs {
		id := rs[i].ID - t.base
		if id >= m.span {
			err = t.bad(err, fmt.Errorf("%w: id %d", ErrUnknownSample, rs[i].ID))
			continue
		}
		c, j := dir[id>>chunkShift], id&chunkMask
		if !atomic.CompareAndSwapInt64(&c.done[j], issuedMark, now) {
			if atomic.LoadInt64(&c.done[j]) == 0 {
				err = t.bad(err, fmt.Errorf("%w: id %d (not issued)", ErrUnknownSample, rs[i].ID))
			} else {
				err = t.bad(err, fmt.Errorf("%w: id %d", ErrDuplicateCompletion, rs[i].ID))
			}
			continue
		}
		t.logAccuracy(c, j, id, rs[i].Data)
		n++
	}
	if n > 0 {
		st.done.Add(n)
		if t.waiting.Load() != 0 {
			t.wakeAt(m.doneTotal())
		}
	}
	return err
}
