package sched

import (
	"slices"
	"time"

	"github.com/gotrt/gotrt/runner/result"
)

type devStats struct {
	batches, samples uint64
	busy             time.Duration
	queueWait        time.Duration // summed over samples
	stage, devWait   time.Duration // the rest: per batch × its samples
	h2d, compute     time.Duration
	d2h, completion  time.Duration
	warmBatches      uint64
	warmSamples      uint64
}

// Stats returns the run's statistics so far; after Close they are final.
func (s *Scheduler) Stats() result.Scheduler {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := result.Scheduler{
		Policy:           "fixed",
		FailedSamples:    s.failedSamples,
		RequeuedSamples:  s.requeued,
		Dropped:          s.dropped,
		CompletionErrors: s.completionErrors,
		Warmup:           result.SchedulerWarmup{DurationNS: int64(s.warmSpan), Sizes: slices.Clone(s.warmSizes)},
	}
	if s.adapt {
		r.Policy = "adaptive"
	}
	if s.haveFirst && s.last > s.first {
		r.SpanNS = int64(s.last - s.first)
	}
	for _, d := range s.devs {
		st := d.st
		sd := result.SchedulerDevice{
			ID: d.id, Kind: d.kind, Streams: d.streams, Concurrency: d.conc, MaxBatch: d.maxBatch,
			Batches: st.batches, Samples: st.samples, BusyNS: int64(st.busy), Lost: d.lost,
		}
		if d.kind == "simulated" {
			r.Simulated = true
		}
		if st.batches > 0 {
			sd.MeanBatch = float64(st.samples) / float64(st.batches)
		}
		if r.SpanNS > 0 {
			sd.Utilisation = float64(st.busy) / (float64(r.SpanNS) * float64(d.conc))
		}
		if st.samples > 0 {
			per := func(t time.Duration) int64 { return int64(t) / int64(st.samples) }
			sd.LatencyNS = result.StageLatency{
				QueueWait: per(st.queueWait), Stage: per(st.stage), DeviceWait: per(st.devWait),
				H2D: per(st.h2d), Compute: per(st.compute), D2H: per(st.d2h), Completion: per(st.completion),
			}
		}
		r.Devices = append(r.Devices, sd)
		r.Warmup.Batches += st.warmBatches
		r.Warmup.Samples += st.warmSamples
		if d.lostErr != nil {
			ld := result.LostDevice{ID: d.id, Error: d.lostErr.Error(), FailedSamples: d.failed, RequeuedSamples: d.requeued}
			if s.haveFirst {
				ld.AtNS = int64(d.lostAt - s.first)
			}
			r.Lost = append(r.Lost, ld)
		}
	}
	return r
}
