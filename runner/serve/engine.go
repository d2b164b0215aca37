package serve

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/sut"
)

// job is one accepted inference request: n samples in flight in the
// scheduler, whose outputs land in out. Its fields after n are under
// engine.mu until done is called.
type job struct {
	n     int
	out   []byte
	left  int
	err   error
	start time.Time
	// done is called once, from the goroutine that completed the last
	// sample (or failed the job), never under engine.mu.
	done func(*job)
	// For the transports: the request id and a channel or stream to answer.
	id    string
	ready chan struct{}
}

// engine turns requests into scheduler samples. Each in-flight sample holds
// a slot: the slot's index is both the sample's QSL index (the scheduler
// stages its bytes through SampleData) and its response id. A slot's bytes
// alias the request's own input buffer, so the only copy of the input is
// the scheduler's, into the executor's staging slot.
type engine struct {
	m       *Model
	inSize  int
	outSize int
	s       *sched.Scheduler
	sem     *semaphore.Weighted // free slots; all-or-nothing per request

	mu     sync.Mutex
	free   []int32
	data   [][]byte
	owner  []*job
	pos    []int32
	failed error
	closed bool

	// Counters for metrics and the statistics extension.
	stats   reqStats
	pending atomic.Int64 // requests with samples in the scheduler
}

func newEngine(m *Model, s *sched.Scheduler, slots int) *engine {
	e := &engine{m: m, inSize: m.Input.Bytes(), outSize: m.Output.Bytes(), s: s,
		sem: semaphore.NewWeighted(int64(slots)), free: make([]int32, slots),
		data: make([][]byte, slots), owner: make([]*job, slots), pos: make([]int32, slots)}
	for i := range e.free {
		e.free[i] = int32(slots - 1 - i)
	}
	return e
}

// SampleData gives the scheduler the bytes of slot index; it does not
// allocate or lock. The slot was filled under e.mu before the sample was
// issued, and the scheduler's own lock orders the issue before this read;
// the slot is cleared only by Complete, which the same worker calls after.
func (e *engine) SampleData(index int) []byte { return e.data[index] }

// submit issues the n samples of in (n × inSize bytes) as job j and returns
// once they are queued; j.done is called when all are answered or the job
// fails. in must not change until then. It waits for free slots until ctx
// ends.
func (e *engine) submit(ctx context.Context, j *job, n int, in []byte) error {
	if len(in) != n*e.inSize {
		return badRequest("input %s: %d bytes for %d samples of %d bytes", e.m.Input.Name, len(in), n, e.inSize)
	}
	if err := e.sem.Acquire(ctx, int64(n)); err != nil {
		return fmt.Errorf("%w: waiting for room in the queue: %w", ErrUnavailable, err)
	}
	j.n, j.left = n, n
	j.out = make([]byte, n*e.outSize)
	// The scheduler copies the samples into its queue: room on the stack
	// for a usual request.
	var small [64]sut.QuerySample
	qs := small[:0]
	if n > len(small) {
		qs = make([]sut.QuerySample, 0, n)
	}
	qs = qs[:n]
	e.mu.Lock()
	if e.failed != nil || e.closed {
		err := e.failed
		e.mu.Unlock()
		e.sem.Release(int64(n))
		if err == nil {
			return fmt.Errorf("%w: server is shutting down", ErrUnavailable)
		}
		return fmt.Errorf("%w: devices failed: %w", ErrInternal, err)
	}
	for k := range n {
		s := e.free[len(e.free)-1]
		e.free = e.free[:len(e.free)-1]
		e.data[s] = in[k*e.inSize : (k+1)*e.inSize : (k+1)*e.inSize]
		e.owner[s], e.pos[s] = j, int32(k)
		qs[k] = sut.QuerySample{ID: uint64(s), Index: int(s)}
	}
	e.mu.Unlock()
	e.pending.Add(1)
	e.s.IssueQuery(qs, e)
	return nil
}

// Complete receives the scheduler's answers: each fills its job's output
// and frees its slot; a job whose last sample came back is done.
func (e *engine) Complete(rs []sut.Response) error {
	var done []*job
	var bad error
	e.mu.Lock()
	freed := 0
	for _, r := range rs {
		s := int(r.ID)
		if r.ID >= uint64(len(e.owner)) || e.owner[s] == nil {
			// A late answer after a failure freed the slot: ignored.
			bad = fmt.Errorf("serve: answer for free slot %d", r.ID)
			continue
		}
		j := e.owner[s]
		copy(j.out[int(e.pos[s])*e.outSize:], r.Data)
		e.owner[s], e.data[s] = nil, nil
		e.free = append(e.free, int32(s))
		freed++
		if j.left--; j.left == 0 {
			done = append(done, j)
		}
	}
	e.mu.Unlock()
	e.sem.Release(int64(freed))
	for _, j := range done {
		e.pending.Add(-1)
		j.done(j)
	}
	return bad
}

// Fail is the scheduler saying it cannot go on (a device failed): every job
// in flight fails, and the server stops taking requests.
func (e *engine) Fail(err error) {
	e.mu.Lock()
	if e.failed == nil {
		e.failed = err
	}
	e.mu.Unlock()
	e.abort(fmt.Errorf("%w: devices failed: %w", ErrInternal, err))
}

// abort fails every job in flight with err and frees their slots.
func (e *engine) abort(err error) {
	var jobs []*job
	e.mu.Lock()
	seen := map[*job]bool{}
	freed := 0
	for s, j := range e.owner {
		if j == nil {
			continue
		}
		e.owner[s], e.data[s] = nil, nil
		e.free = append(e.free, int32(s))
		freed++
		if !seen[j] {
			seen[j] = true
			j.err = err
			jobs = append(jobs, j)
		}
	}
	e.mu.Unlock()
	e.sem.Release(int64(freed))
	for _, j := range jobs {
		e.pending.Add(-1)
		j.done(j)
	}
}

// healthy says whether the devices are running.
func (e *engine) healthy() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failed == nil && !e.closed
}

// close refuses new jobs from now on.
func (e *engine) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
}

// record counts a finished request for metrics and statistics.
func (e *engine) record(j *job, err error) {
	now := time.Now()
	d := uint64(max(now.Sub(j.start), 0))
	st := &e.stats
	st.mu.Lock()
	defer st.mu.Unlock()
	if err != nil {
		st.fail.Count++
		st.fail.Ns += d
		return
	}
	st.success.Count++
	st.success.Ns += d
	st.inferCount += uint64(j.n)
	st.lastInfer = now
}

var _ sut.Completer = (*engine)(nil)
