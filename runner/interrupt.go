package runner

import (
	"context"

	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
)

// Stages a run can be interrupted in before its timed part; they name the
// stage in the interrupted run's reason and detail log.
const (
	stageStartup = "start-up"
	stageWarmup  = "warm-up"
	stageProbe   = "the Offline probe"
)

// interruptedRun is the report of a run whose context ended during stage,
// before the load generator's timed run: INVALID, "interrupted during
// <stage>", with logs that can be written as any run's. s, when the
// scheduler exists, names the SUT and adds its statistics (the warm-up).
func interruptedRun(stage string, s *sched.Scheduler, qsl loadgen.QuerySampleLibrary, ts loadgen.TestSettings, opts []loadgen.Option) (*loadgen.Report, error) {
	name := "gotrt-sched"
	if s != nil {
		name = s.Name()
	}
	rep, err := loadgen.Interrupted(stage, name, qsl, ts, opts...)
	if err != nil {
		return nil, err
	}
	if s != nil {
		st := s.Stats()
		rep.Result.Scheduler = &st
	}
	return rep, nil
}

// cancelled reports whether ctx has ended: the caller interrupted the run.
func cancelled(ctx context.Context) bool { return ctx.Err() != nil }
