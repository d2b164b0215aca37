package sched

// Yields reports whether the executors yield between batches, for tests.
func (s *Scheduler) Yields() bool { return s.yield }

// InFlight is the batches each device has in flight and the batches being
// computed, for tests: both 0 once a run is over.
func (s *Scheduler) InFlight() (perDevice []int, computing int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.devs {
		perDevice = append(perDevice, d.inflight)
	}
	return perDevice, int(s.computing.Load())
}

// Lanes is how many lanes the scheduler counts live, for tests.
func (s *Scheduler) Lanes() int { return int(s.lanes.Load()) }
