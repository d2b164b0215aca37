package result

// Scheduler holds the scheduler's statistics of a run.
type Scheduler struct{}
