package sched

// Yields reports whether the executors yield between batches, for tests.
func (s *Scheduler) Yields() bool { return s.yield }
