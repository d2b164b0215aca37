package serve

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gotrt/gotrt/runner/device"
	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// batchStats counts the model's executions per batch size, for the
// statistics extension's batch_stats. Executions before counting is set
// (the scheduler's warm-up) are not counted.
type batchStats struct {
	counting atomic.Bool
	mu       sync.Mutex
	sizes    map[int]*batchStat
}

type batchStat struct {
	count                uint64
	input, infer, output time.Duration
}

func (b *batchStats) record(n int, in, infer, out time.Duration) {
	if !b.counting.Load() {
		return
	}
	b.mu.Lock()
	s := b.sizes[n]
	if s == nil {
		if b.sizes == nil {
			b.sizes = map[int]*batchStat{}
		}
		s = &batchStat{}
		b.sizes[n] = s
	}
	s.count++
	s.input += in
	s.infer += infer
	s.output += out
	b.mu.Unlock()
}

// timedDevice wraps a model's device so that each batch's times are
// recorded by batch size. It keeps what the scheduler asks of a device
// beyond [device.Device]: its kind and concurrency.
type timedDevice struct {
	device.Device
	st *batchStats
}

// Kind is the wrapped device's kind, "" when it has none.
func (d timedDevice) Kind() string {
	if k, ok := d.Device.(interface{ Kind() string }); ok {
		return k.Kind()
	}
	return ""
}

// Concurrency is the wrapped device's concurrency, 1 when it says none.
func (d timedDevice) Concurrency() int {
	if c, ok := d.Device.(device.Concurrent); ok {
		return c.Concurrency()
	}
	return 1
}

// NewExecutor opens the wrapped device's executor and times its batches.
func (d timedDevice) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	e, err := d.Device.NewExecutor(stream, maxBatch)
	if err != nil {
		return nil, err
	}
	return timedExec{e, d.st}, nil
}

type timedExec struct {
	device.Executor
	st *batchStats
}

// Run runs the batch and records its times: the host-to-device copy as
// compute input, the device's compute (the whole call when the executor
// reports no split, as a CPU device does) as compute infer, the
// device-to-host copy as compute output.
func (e timedExec) Run(ctx context.Context, n int) (device.Timing, error) {
	t0 := time.Now()
	tm, err := e.Executor.Run(ctx, n)
	if err != nil {
		return tm, err
	}
	infer := tm.Compute
	if tm.H2D+tm.Compute+tm.D2H == 0 {
		infer = time.Since(t0)
	}
	e.st.record(n, tm.H2D, infer, tm.D2H)
	return tm, nil
}

var (
	_ device.Device     = timedDevice{}
	_ device.Concurrent = timedDevice{}
)

// reqStats are the request counters of the statistics extension.
type reqStats struct {
	mu         sync.Mutex
	success    counted
	fail       counted
	lastInfer  time.Time
	inferCount uint64
}

// counted is a count and a total duration.
type counted struct{ Count, Ns uint64 }

func dur(count uint64, ns time.Duration) *pb.StatisticDuration {
	return &pb.StatisticDuration{Count: count, Ns: uint64(max(ns, 0))}
}

// ModelStatistics are the served model's cumulative statistics, as the
// statistics extension gives them. success and fail count requests and
// sum their time in the server (from the request read to its answer
// ready); inference_count counts samples and execution_count batches
// (after warm-up). queue and compute input / infer / output are each
// request's mean over its samples of the scheduler's per-sample times
// (queue wait; staging and host-to-device copy; waiting for and running
// the device; device-to-host copy and completion), computed from the
// scheduler's sums: exact when every request has the same batch size.
// batch_stats count each batch size's executions, with the executor's own
// times (a CPU executor's whole run is compute infer).
func (srv *Server) ModelStatistics() *pb.ModelStatistics {
	m := &srv.m
	rs := &srv.e.stats
	rs.mu.Lock()
	ms := &pb.ModelStatistics{Name: m.Name, Version: m.version(), InferenceCount: rs.inferCount,
		InferenceStats: &pb.InferStatistics{
			Success: dur(rs.success.Count, time.Duration(rs.success.Ns)),
			Fail:    dur(rs.fail.Count, time.Duration(rs.fail.Ns)),
		}}
	if !rs.lastInfer.IsZero() {
		ms.LastInference = uint64(rs.lastInfer.UnixMilli())
	}
	rs.mu.Unlock()
	var samples uint64
	var queue, input, infer, output float64
	for _, d := range srv.s.Stats().Devices {
		samples += d.Samples
		n, l := float64(d.Samples), d.LatencyNS
		queue += float64(l.QueueWait) * n
		input += float64(l.Stage+l.H2D) * n
		infer += float64(l.DeviceWait+l.Compute) * n
		output += float64(l.D2H+l.Completion) * n
	}
	reqs := ms.InferenceStats.Success.Count
	per := func(sum float64) *pb.StatisticDuration {
		if samples == 0 {
			return dur(reqs, 0)
		}
		return dur(reqs, time.Duration(sum*float64(reqs)/float64(samples)))
	}
	is := ms.InferenceStats
	is.Queue, is.ComputeInput, is.ComputeInfer, is.ComputeOutput = per(queue), per(input), per(infer), per(output)
	is.CacheHit, is.CacheMiss = dur(0, 0), dur(0, 0)
	bs := &srv.batches
	bs.mu.Lock()
	for n, s := range bs.sizes {
		ms.BatchStats = append(ms.BatchStats, &pb.InferBatchStatistics{BatchSize: uint64(n),
			ComputeInput: dur(s.count, s.input), ComputeInfer: dur(s.count, s.infer), ComputeOutput: dur(s.count, s.output)})
		// From the same record as batch_stats, so the two always agree
		// (the scheduler's device counters may lag an answer just sent).
		ms.ExecutionCount += s.count
	}
	bs.mu.Unlock()
	slices.SortFunc(ms.BatchStats, func(a, b *pb.InferBatchStatistics) int { return cmp.Compare(a.GetBatchSize(), b.GetBatchSize()) })
	return ms
}
