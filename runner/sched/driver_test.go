package sched_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/simdev"
)

// samples is a test SampleSource: sample i's bytes hold i, and the
// simulated executor echoes them, so a response shows which sample it
// answers.
type samples [][]byte

func newSamples(n int) samples {
	s := make(samples, n)
	for i := range s {
		s[i] = binary.LittleEndian.AppendUint64(nil, uint64(i))
	}
	return s
}

func (s samples) SampleData(i int) []byte { return s[i] }

// recorder is a test Completer: the test driver of the scheduler (the load
// generator's role), recording when each sample completes.
type recorder struct {
	clk      clock.Clock
	mu       sync.Mutex
	issued   map[uint64]time.Duration
	index    map[uint64]int
	done     map[uint64]time.Duration
	calls    int
	dups     int
	unknown  int
	badData  int
	want     int
	all      chan struct{}
	failErr  error
	failed   chan struct{}
	failOnce sync.Once
}

func newRecorder(c clock.Clock, want int) *recorder {
	return &recorder{
		clk: c, want: want,
		issued: make(map[uint64]time.Duration, want), index: make(map[uint64]int, want),
		done: make(map[uint64]time.Duration, want),
		all:  make(chan struct{}), failed: make(chan struct{}),
	}
}

func (r *recorder) issue(ids []loadgen.QuerySample, at time.Duration) {
	r.mu.Lock()
	for _, q := range ids {
		r.issued[q.ID] = at
		r.index[q.ID] = q.Index
	}
	r.mu.Unlock()
}

func (r *recorder) Complete(resp []loadgen.Response) error {
	now := r.clk.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	var err error
	for _, x := range resp {
		idx, ok := r.index[x.ID]
		switch {
		case !ok:
			r.unknown++
			err = errUnknown
			continue
		case r.isDone(x.ID):
			r.dups++
			err = errDup
			continue
		}
		if len(x.Data) < 8 || binary.LittleEndian.Uint64(x.Data) != uint64(idx) {
			r.badData++
		}
		r.done[x.ID] = now
	}
	if len(r.done) == r.want {
		close(r.all)
	}
	return err
}

func (r *recorder) isDone(id uint64) bool { _, ok := r.done[id]; return ok }

func (r *recorder) Fail(err error) {
	r.failOnce.Do(func() {
		r.mu.Lock()
		r.failErr = err
		r.mu.Unlock()
		close(r.failed)
	})
}

// latencies returns every completed sample's latency, sorted.
func (r *recorder) latencies() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := make([]time.Duration, 0, len(r.done))
	for id, t := range r.done {
		l = append(l, t-r.issued[id])
	}
	slices.Sort(l)
	return l
}

func (r *recorder) lastDone() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	var m time.Duration
	for _, t := range r.done {
		m = max(m, t)
	}
	return m
}

// simDevices returns n simulated devices of profile p on clock c.
func simDevices(c clock.Clock, n int, p simdev.Profile, opts ...simdev.Option) []sched.Device {
	ds := make([]sched.Device, n)
	for i := range ds {
		ds[i] = simdev.New(fmt.Sprintf("sim%d", i), p, c, opts...)
	}
	return ds
}

// offline issues one query of n samples at the clock's current time and
// waits until all complete or the run fails; it returns samples/s.
func offline(s *sched.Scheduler, c clock.Clock, rec *recorder, n, perfCount int) (float64, error) {
	q := make([]loadgen.QuerySample, n)
	for i := range q {
		q[i] = loadgen.QuerySample{ID: uint64(i) + 1, Index: i % perfCount}
	}
	t0 := c.Now()
	rec.issue(q, t0)
	s.IssueQuery(q, rec)
	// Sleeping on the clock (not on a bare channel) keeps a virtual clock
	// informed that this goroutine waits.
	c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
	select {
	case <-rec.failed:
		return 0, rec.failErr
	default:
	}
	return float64(n) / (rec.lastDone() - t0).Seconds(), nil
}

func orDone(a, b <-chan struct{}) <-chan struct{} {
	out := make(chan struct{})
	go func() {
		select {
		case <-a:
		case <-b:
		}
		close(out)
	}()
	return out
}

// serverTrial is the test driver's Server scenario: n single-sample queries
// with Poisson arrivals at qps (seeded), then the latencies of all. It is
// the load generator's schedule and latency bookkeeping, kept small.
func serverTrial(s *sched.Scheduler, c clock.Clock, rec *recorder, n, perfCount int, qps float64, seed uint64) (lat []time.Duration, span time.Duration, err error) {
	return serverTrialTick(s, c, rec, n, perfCount, qps, seed, 0)
}

// serverTrialTick is serverTrial with the issuer waking once per tick and
// issuing every query due by then, one call each (latency still counts from
// each query's scheduled time): at millions of queries a second a virtual
// clock step per query would take minutes.
func serverTrialTick(s *sched.Scheduler, c clock.Clock, rec *recorder, n, perfCount int, qps float64, seed uint64, tick time.Duration) (lat []time.Duration, span time.Duration, err error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	q := make([]loadgen.QuerySample, 1)
	t0 := c.Now()
	t := t0
	var woke time.Duration
	for i := range n {
		t += time.Duration(rng.ExpFloat64() / qps * 1e9)
		if t > woke {
			woke = t
			if tick > 0 {
				woke = (t + tick - 1) / tick * tick
			}
			c.SleepUntil(woke, nil)
		}
		q[0] = loadgen.QuerySample{ID: uint64(i) + 1, Index: i % perfCount}
		rec.issue(q, t)
		s.IssueQuery(q, rec)
	}
	c.SleepUntil(clock.Never, orDone(rec.all, rec.failed))
	select {
	case <-rec.failed:
		return nil, 0, rec.failErr
	default:
	}
	return rec.latencies(), t - t0, nil
}

// percentile is LoadGen's: the exact sorted sample at ceil(p·n)-1.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(0, i)]
}

var (
	errUnknown = errors.New("unknown sample id")
	errDup     = errors.New("duplicate completion")
)
