package loadgen

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
)

// abort ends a run early: closed once, with the reason set before.
type abort struct {
	once   sync.Once
	ch     chan struct{}
	flag   atomic.Bool
	reason string
	// interrupted: the run's context ended (see interrupt).
	interrupted bool
}

func newAbort() *abort { return &abort{ch: make(chan struct{})} }

func (a *abort) fire(reason string) {
	a.once.Do(func() {
		a.reason = reason
		a.flag.Store(true)
		close(a.ch)
	})
}

// Reason is only read after the flag is seen set.
func (a *abort) fired() bool { return a.flag.Load() }

// trial is one issue of a plan to the SUT (LoadGen's IssueQueries): the
// per-sample completion state and the Completer the SUT reports to. A
// sample's ID is base + its position in the plan.
type trial struct {
	e      *EffectiveSettings
	sut    SystemUnderTest
	clk    clock.Clock
	abort  *abort
	accAll bool
	accLog bool // some samples are picked for the accuracy log

	base  uint64
	start time.Duration // clock time the trial started

	// gen makes the queries a batch at a time; genQ counts those made.
	// tab holds per-sample state (completion time, QSL index, accuracy-log
	// pick) and qt per-query times: the Server schedule (ns from start),
	// or each stream query's issue time.
	gen  *generator
	genQ int
	tab  *sampleTable
	qt   *chunkList

	issueNS   int64 // Offline: the query's issue time (ns from start)
	issued    atomic.Int64
	completed atomic.Int64
	// multi is set for a Server trial issued by several goroutines
	// (EffectiveSettings.issuers above 1: a fixed count or one per
	// ServerIssueQPSPerThread of the target); see multi.go.
	multi    *multiIssue
	ended    atomic.Bool
	inflight atomic.Int64 // Complete calls under way

	waiting atomic.Int32
	waitFor atomic.Int64
	// wake is set by Complete (and on abort) for waitCompleted: an event
	// of the run's clock, so that a virtual clock knows the issuer waits
	// for completions and does not hold time while it does.
	wake      *clock.Event
	watchOnce sync.Once
	watchStop chan struct{}

	errMu     sync.Mutex
	badCount  int
	firstBad  []error
	failErr   error
	accMu     sync.Mutex
	accRecs   []accRecord
	samples   []QuerySample
	lastEnd   string   // why issuing ended early, LoadGen's words
	lastEnds  []string // the same, per issuer that ended early (multi)
	issuedHi  int      // multi: the last query issued + 1
	capMsg    string   // issuing ran into the memory budget's cap
	ranOut    bool
	queriesIn int // queries issued
}

type accRecord struct {
	seq  uint64
	idx  int32
	data []byte
}

var _ Completer = (*trial)(nil)

func (t *trial) now() int64 { return int64(t.clk.Now() - t.start) }

// Complete records completions; see [Completer]. It takes one clock reading
// per call and one CAS per response, and takes a lock only to copy response
// bytes the accuracy log keeps.
func (t *trial) Complete(rs []Response) error {
	now := t.now() + 1
	if m := t.multi; m != nil {
		return t.completeMulti(m, rs, now)
	}
	if !t.enter(&t.inflight) {
		return errEnded(len(rs))
	}
	defer t.inflight.Add(-1)
	var n int64
	var err error
	// The issued count first, then the directory: it covers every issued
	// sample (see sampleTable).
	issued := uint64(t.issued.Load())
	dir := *t.tab.dir.Load()
	for i := range rs {
		id := rs[i].ID - t.base
		if id >= issued {
			err = t.bad(err, fmt.Errorf("%w: id %d", ErrUnknownSample, rs[i].ID))
			continue
		}
		c, j := dir[id>>chunkShift], id&chunkMask
		if !atomic.CompareAndSwapInt64(&c.done[j], 0, now) {
			err = t.bad(err, fmt.Errorf("%w: id %d", ErrDuplicateCompletion, rs[i].ID))
			continue
		}
		t.logAccuracy(c, j, id, rs[i].Data)
		n++
	}
	if n > 0 {
		c := t.completed.Add(n)
		if t.waiting.Load() != 0 {
			t.wakeAt(c)
		}
	}
	return err
}

// enter counts a Complete call under way on calls (end waits out those it
// counted), refusing it once the issue has ended; the caller leaves with
// calls.Add(-1). Small enough to inline on the per-call path.
func (t *trial) enter(calls *atomic.Int64) bool {
	calls.Add(1)
	if t.ended.Load() {
		calls.Add(-1)
		return false
	}
	return true
}

// errEnded is Complete's error for responses after the issue ended.
func errEnded(responses int) error {
	return fmt.Errorf("%w: %d responses arrived after the issue ended", ErrRunEnded, responses)
}

// logAccuracy keeps an accepted response's bytes when the accuracy log
// wants its sample.
func (t *trial) logAccuracy(c *sampleChunk, j, id uint64, data []byte) {
	if t.accAll || (t.accLog && c.acc[j>>6]&(1<<(j&63)) != 0) {
		t.keep(id, c.idx[j], data)
	}
}

// wakeAt wakes waitCompleted once completed samples reach its target.
func (t *trial) wakeAt(completed int64) {
	if completed >= t.waitFor.Load() && t.waiting.CompareAndSwap(1, 0) {
		t.wake.Set()
	}
}

func (t *trial) bad(prev, err error) error {
	t.errMu.Lock()
	t.badCount++
	if len(t.firstBad) < 8 {
		t.firstBad = append(t.firstBad, err)
	}
	t.errMu.Unlock()
	if prev != nil {
		return prev
	}
	return err
}

func (t *trial) keep(id uint64, idx int32, data []byte) {
	t.accMu.Lock()
	t.accRecs = append(t.accRecs, accRecord{seq: t.base + id, idx: idx, data: append([]byte(nil), data...)})
	t.accMu.Unlock()
}

// Fail implements [Completer]: the run ends INVALID with err as a reason.
func (t *trial) Fail(err error) {
	if err == nil {
		err = errors.New("sut failed")
	}
	t.errMu.Lock()
	if t.failErr == nil {
		t.failErr = err
	}
	t.errMu.Unlock()
	if isInterrupt(err) {
		// The SUT stopped because the run's context ended.
		t.abort.interrupt(err)
		return
	}
	t.abort.fire(fmt.Sprintf("the SUT failed: %v", err))
}

// waitCompleted blocks until target samples have completed or the run is
// aborted, and reports which. A SUT that completes inside IssueQuery never
// makes it block; otherwise it spins a little, then waits on the clock's
// event until Complete sets it (one wake-up per wait, never per sample).
func (t *trial) waitCompleted(target int64) bool {
	for i := 0; i < 64; i++ {
		if t.completedTotal() >= target {
			return true
		}
		if t.abort.fired() {
			return false
		}
		runtime.Gosched()
	}
	t.watchOnce.Do(t.watchAbort)
	for {
		t.waitFor.Store(target)
		t.waiting.Store(1)
		if t.completedTotal() >= target {
			t.waiting.Store(0)
			return true
		}
		if t.abort.fired() {
			t.waiting.Store(0)
			return t.completedTotal() >= target
		}
		t.wake.Wait(clock.Never)
		if t.completedTotal() >= target {
			return true
		}
	}
}

// watchAbort sets wake when the run is aborted, until the trial ends: an
// event has no done channel to select on.
func (t *trial) watchAbort() {
	t.watchStop = make(chan struct{})
	go func() {
		select {
		case <-t.abort.ch:
			t.wake.Set()
		case <-t.watchStop:
		}
	}()
}

// sleepUntil waits for the scheduled time due (ns from start) through the
// clock, or until the run is aborted, and returns the time it woke.
func (t *trial) sleepUntil(due int64) int64 {
	now := t.now()
	if now >= due {
		return now
	}
	t.clk.SleepUntil(t.start+time.Duration(due), t.abort.ch)
	return t.now()
}

// end stops accepting completions and waits out Complete calls under way,
// after which the trial's arrays are stable and may be read or reused.
func (t *trial) end() {
	t.watchOnce.Do(func() {})
	if t.watchStop != nil {
		close(t.watchStop)
	}
	t.ended.Store(true)
	for t.inflight.Load() != 0 || (t.multi != nil && t.multi.busy()) {
		runtime.Gosched()
	}
}

// have reports whether query q has been generated, generating the next
// batch when it is due; false once the generation has ended.
func (t *trial) have(q int) bool {
	if q < t.genQ {
		return true
	}
	return t.generate(q)
}

func (t *trial) generate(q int) bool {
	for q >= t.genQ {
		k := t.gen.more(genBatch, t.tab, t.qt)
		if k == 0 {
			return false
		}
		t.genQ += k
	}
	return true
}

// issue sends one query. issued is raised first so that a SUT completing
// inside IssueQuery finds its IDs known.
func (t *trial) issue(samples []QuerySample) {
	t.issued.Add(int64(len(samples)))
	t.sut.IssueQuery(samples, t)
	t.queriesIn++
}

// endChecks applies LoadGen's early-end rules after a query; it reports
// whether issuing stops, recording why.
func (t *trial) endChecks(queries int, now int64, accuracy bool) bool {
	if accuracy {
		return false
	}
	e := t.e
	if e.Scenario == Server {
		if e.MaxAsyncQueries != 0 {
			out := int64(t.issued.Load()) - t.completed.Load()
			if uint64(out) > e.MaxAsyncQueries {
				t.lastEnd = fmt.Sprintf("Ending early: Too many outstanding queries. issued %d outstanding %d", queries, out)
				return true
			}
		}
	} else if uint64(queries) >= e.MinQueryCount && now >= int64(e.targetDur) {
		t.ranOut = false
		return true
	}
	if e.MaxQueryCount != 0 && uint64(queries) >= e.MaxQueryCount {
		t.ranOut = false
		t.lastEnd = fmt.Sprintf("Ending early: Max query count reached. query_count %d", queries)
		return true
	}
	if e.maxDur != 0 && now > int64(e.maxDur) {
		t.ranOut = false
		t.lastEnd = fmt.Sprintf("Ending early: Max test duration reached. duration_ns %d", now)
		return true
	}
	return false
}
