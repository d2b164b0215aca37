package runner

import (
	"context"
	"time"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// Run runs cfg to completion, or until ctx is cancelled (the run then ends
// within a second, INVALID, with its logs intact). The report's Result is the
// whole of result.json, with the run's start time and, when other processes
// kept the host busy during the run, a warning saying so (in result.json's
// warnings and the logs' warnings).
func Run(ctx context.Context, cfg Config) (*loadgen.Report, error) {
	rep, err := run(ctx, cfg)
	if err == nil {
		noteHost(rep)
	}
	return rep, err
}

// noteHost adds the start time and, for a busy host, a warning to rep.
func noteHost(rep *loadgen.Report) {
	if rep == nil {
		return
	}
	if rep.Result.StartTime == "" && !rep.Start.IsZero() {
		rep.Result.StartTime = rep.Start.UTC().Format(time.RFC3339)
	}
	if t := rep.Result.Telemetry; t != nil {
		if msg, ok := t.Host.Noisy(); ok {
			rep.Result.Warnings = append(rep.Result.Warnings, msg)
			rep.AddWarning(msg)
		}
	}
}
