package runner

import (
	"context"
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/kserve"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
)

// isRemote says whether a Config.SUT names remote servers.
func isRemote(sut string) bool { return kserve.IsURL(sut) }

// runRemote runs the load generator against KServe v2 servers named by
// cfg.SUT ("kserve://HOST:PORT[,HOST:PORT…][?stream=1&batch=N&concurrency=N]"
// for gRPC, "kserve+http://HOST:PORT[,…]" for HTTP/REST), fed from the same
// QSL as a local run, so accuracy mode scores the same way. The endpoints
// are checked (live, model ready, tensors fit the samples and the scorer,
// streaming answered when asked, one request of one sample read back)
// before the run starts. An endpoint lost mid-run follows
// cfg.Sched.OnFault (--on-device-error) as a local device does.
func runRemote(ctx context.Context, cfg Config, ts loadgen.TestSettings, opts []loadgen.Option) (*loadgen.Report, error) {
	if cfg.model() != BuiltinModel {
		return nil, fmt.Errorf("%w: sut %s: remote runs take the built-in model's samples; model %s is not supported remotely yet", ErrConfig, cfg.SUT, cfg.model())
	}
	addrs, kopt, err := kserve.ParseURL(cfg.SUT)
	if err != nil {
		return nil, fmt.Errorf("%w: sut: %w", ErrConfig, err)
	}
	m, err := builtin.Default()
	if err != nil {
		return nil, err
	}
	qsl, err := builtin.DefaultQSL(m)
	if err != nil {
		return nil, err
	}
	kopt.Model, kopt.SampleBytes = BuiltinModel, builtin.InputSize
	// The scorer reads one INT32 class id a sample (builtin.OutputSize).
	kopt.OutputDatatype, kopt.OutputElements = "INT32", 1
	kopt.ContinueOnLoss = cfg.Sched.OnFault == sched.Continue
	cl, err := kserve.Dial(ctx, addrs, qsl, kopt)
	if errors.Is(err, kserve.ErrProtocol) || errors.Is(err, kserve.ErrNoHost) {
		// The --sut value is wrong (scheme or host name): the user's to fix.
		return nil, fmt.Errorf("%w: sut: %w", ErrConfig, err)
	}
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	var probeQPS float64
	if ts.Scenario == loadgen.Offline && ts.Mode == loadgen.PerformanceOnly && !cfg.NoProbe {
		if probeQPS, err = probe(ctx, cl, qsl, ts); err != nil {
			return nil, err
		}
		if q := probeQPS * 1.5; q > ts.OfflineExpectedQPS {
			ts.OfflineExpectedQPS = capExpected(q, ts.MinDuration)
		}
		ts.OfflineExpectedQPS = fitBudget(cfg, ts, qsl)
		cl.ResetStats()
	}
	rep, err := loadgen.Run(ctx, cl, qsl, ts, opts...)
	if err != nil {
		return nil, err
	}
	st := cl.Stats()
	rep.Result.Remote = &st
	reportLostEndpoints(rep, st, kopt.ContinueOnLoss)
	if probeQPS > 0 {
		if rep.Result.Extra == nil {
			rep.Result.Extra = map[string]any{}
		}
		rep.Result.Extra["offline_probe_samples_per_second"] = probeQPS
	}
	if ts.Mode == loadgen.AccuracyOnly {
		if err := scoreAccuracy(rep); err != nil {
			return nil, err
		}
	}
	return rep, cl.Close()
}
