package loadgen_test

import (
	"sync"
	"time"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// The SUT simulators below are test tools on a virtual clock: their service
// times are simulated, so a test that uses them asserts what the load
// generator decided, the same on a loaded machine as on an idle one.

// virtualDelaySUTSim completes each query exactly delay of simulated time
// after it was issued, from its own goroutine, with the sample index as
// response bytes.
type virtualDelaySUTSim struct {
	c     *clock.Virtual
	delay time.Duration
	wg    sync.WaitGroup
}

func (s *virtualDelaySUTSim) Name() string  { return "virtualDelaySUTSim" }
func (s *virtualDelaySUTSim) FlushQueries() {}
func (s *virtualDelaySUTSim) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	rs := make([]loadgen.Response, len(samples))
	for i, q := range samples {
		rs[i] = loadgen.Response{ID: q.ID, Data: []byte{byte(q.Index >> 8), byte(q.Index)}}
	}
	due := s.c.Now() + s.delay
	s.wg.Add(1)
	// Started with clock.Go: time stands still until it sleeps.
	clock.Go(s.c, func() {
		defer s.wg.Done()
		s.c.SleepUntil(due, nil)
		if err := c.Complete(rs); err != nil {
			c.Fail(err)
		}
	})
}

// virtualCapacitySUTSim is one worker that serves queued samples at a fixed
// cost of simulated time per sample, so it sustains exactly 1/cost
// samples/s. When stallTrial is set, the worker stalls once for stall at the
// fifth query of that trial (counted from 1; a new Completer is a new
// trial): a noisy spell of a shared machine, on demand.
type virtualCapacitySUTSim struct {
	c          *clock.Virtual
	cost       time.Duration
	stallTrial int
	stallAll   bool // stall every trial from stallTrial on, not only that one
	stall      time.Duration

	mu      sync.Mutex
	queue   []loadgen.Response
	comp    loadgen.Completer
	trials  int
	queries int
	stallQ  bool
	stopped bool
	ev      *clock.Event
	done    chan struct{}
}

func newVirtualCapacitySUTSim(c *clock.Virtual, cost time.Duration) *virtualCapacitySUTSim {
	s := &virtualCapacitySUTSim{c: c, cost: cost, ev: clock.NewEvent(c), done: make(chan struct{})}
	clock.Go(c, s.work)
	return s
}

func (s *virtualCapacitySUTSim) Name() string  { return "virtualCapacitySUTSim" }
func (s *virtualCapacitySUTSim) FlushQueries() {}

func (s *virtualCapacitySUTSim) Close() {
	s.mu.Lock()
	s.stopped = true
	s.mu.Unlock()
	s.ev.Set()
	// On the clock: a batch under way must be let finish.
	s.c.SleepUntil(clock.Never, s.done)
}

func (s *virtualCapacitySUTSim) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	s.mu.Lock()
	if c != s.comp {
		s.comp, s.trials, s.queries = c, s.trials+1, 0
	}
	s.queries++
	if s.queries == 5 && (s.trials == s.stallTrial || (s.stallAll && s.stallTrial > 0 && s.trials > s.stallTrial)) {
		s.stallQ = true
	}
	for _, q := range samples {
		s.queue = append(s.queue, loadgen.Response{ID: q.ID})
	}
	s.mu.Unlock()
	s.ev.Set()
}

func (s *virtualCapacitySUTSim) work() {
	defer close(s.done)
	for {
		s.mu.Lock()
		batch, c, stall, stopped := s.queue, s.comp, s.stallQ, s.stopped
		s.queue, s.stallQ = nil, false
		s.mu.Unlock()
		if stopped {
			return
		}
		if len(batch) == 0 {
			s.ev.Wait(clock.Never)
			continue
		}
		d := time.Duration(len(batch)) * s.cost
		if stall {
			d += s.stall
		}
		s.c.SleepUntil(s.c.Now()+d, nil)
		_ = c.Complete(batch)
	}
}
