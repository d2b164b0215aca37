package runner_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/kserve"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/serve"
)

// servers starts n gotrt serve instances of the built-in model on loopback
// and returns the --sut value naming them.
func servers(t *testing.T, n int) string { return serversOver(t, n, false) }

// serversOver is servers over gRPC, or HTTP/REST when http is set.
func serversOver(t *testing.T, n int, http bool) string {
	t.Helper()
	m, err := builtin.Default()
	require.NoError(t, err)
	var addrs []string
	for range n {
		devs, err := builtin.SplitCPU(1, m, builtin.INT8)
		require.NoError(t, err)
		cfg := serve.Config{HTTP: serve.Off, Metrics: serve.Off, GRPC: "127.0.0.1:0"}
		if http {
			cfg.HTTP, cfg.GRPC = "127.0.0.1:0", serve.Off
		}
		cfg.Sched.MaxBatch, cfg.Sched.Streams = 64, devs[0].Streams()
		srv, err := serve.New(serve.BuiltinModel(devs), cfg)
		require.NoError(t, err)
		require.NoError(t, srv.Start())
		t.Cleanup(func() { assert.NoError(t, srv.Shutdown(context.Background())) })
		if http {
			addrs = append(addrs, srv.Addr("http"))
		} else {
			addrs = append(addrs, srv.Addr("grpc"))
		}
	}
	if http {
		return kserve.SchemeHTTP + strings.Join(addrs, ",")
	}
	return kserve.Scheme + strings.Join(addrs, ",")
}

func TestRunRemoteAgainstOneAndThreeServers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built-in model for seconds; skipped with -short (the race run)")
	}
	for _, tc := range []struct {
		description string
		n           int
		http        bool
		query       string
	}{
		{"one server, unary", 1, false, ""},
		{"three servers, streaming", 3, false, "?stream=1"},
		{"two servers, HTTP/REST", 2, true, ""},
	} {
		t.Run(tc.description, func(t *testing.T) {
			sutURL := serversOver(t, tc.n, tc.http) + tc.query
			// An expected QPS ten times what loopback reaches on any
			// machine sizes the one query (30000 samples) to outlast the
			// minimum duration (100k QPS with 300 ms did not: gotrt serve
			// answers over 100k samples/s on a quiet 2-core VM).
			// HTTP runs at JSON's speed or binary's, 20x apart, as the
			// server offers: the Offline probe sizes its query.
			conf := &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.*.min_duration = 30\n*.Offline.target_qps = 1000000\n")}
			rep, err := runner.Run(context.Background(), runner.Config{SUT: sutURL, UserConf: conf, NoProbe: !tc.http, TelemetryInterval: -1})
			require.NoError(t, err)
			r := rep.Result
			assert.True(t, r.Valid, "reasons: %v", r.Reasons)
			assert.Zero(t, r.Extra["missing_samples"], "every sample accounted for")
			require.NotNil(t, r.Remote)
			require.Len(t, r.Remote.Endpoints, tc.n)
			var served uint64
			for _, e := range r.Remote.Endpoints {
				assert.Positive(t, e.Samples, "%s took a share", e.Address)
				assert.False(t, e.Lost)
				served += e.Samples
			}
			assert.Equal(t, uint64(r.Extra["sample_count"].(int)), served, "the endpoints answered each sample of the timed run once")
			assert.Equal(t, tc.query != "", r.Remote.Stream)
			assert.Equal(t, tc.http, strings.HasPrefix(r.Remote.Protocol, "kserve-v2-http"), r.Remote.Protocol)
		})
	}
}

func TestRunRemoteAccuracyMatchesInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built-in model over the data set twice; skipped with -short (the race run)")
	}
	local, err := runner.Run(context.Background(), runner.Config{Mode: loadgen.AccuracyOnly, TelemetryInterval: -1})
	require.NoError(t, err)
	require.NotNil(t, local.Result.Accuracy)
	for _, http := range []bool{false, true} {
		remote, err := runner.Run(context.Background(), runner.Config{Mode: loadgen.AccuracyOnly, SUT: serversOver(t, 3, http), TelemetryInterval: -1})
		require.NoError(t, err)
		require.NotNil(t, remote.Result.Accuracy)
		assert.Equal(t, local.Result.Accuracy.Value, remote.Result.Accuracy.Value, "the same top-1 as in-process (http %v)", http)
		assert.True(t, remote.Result.Accuracy.Passed())
	}
}

func TestRunRemoteNamesTheProblemBeforeTheRun(t *testing.T) {
	_, err := runner.Run(context.Background(), runner.Config{SUT: "kserve://127.0.0.1:1", TelemetryInterval: -1})
	assert.ErrorIs(t, err, kserve.ErrUnreachable)
	_, err = runner.Run(context.Background(), runner.Config{SUT: "kserve+http://127.0.0.1:1", TelemetryInterval: -1})
	assert.ErrorIs(t, err, kserve.ErrUnreachable)
	_, err = runner.Run(context.Background(), runner.Config{SUT: "kserve://no-such-host.invalid", TelemetryInterval: -1})
	assert.ErrorIs(t, err, runner.ErrConfig, "a host name that does not exist is the user's to fix")
	assert.ErrorIs(t, err, kserve.ErrNoHost)
	_, err = runner.Run(context.Background(), runner.Config{SUT: "kserve://a:1/x", TelemetryInterval: -1})
	assert.ErrorIs(t, err, runner.ErrConfig)
	_, err = runner.Run(context.Background(), runner.Config{SUT: "kserve://127.0.0.1:1", Model: "resnet50", TelemetryInterval: -1})
	assert.ErrorIs(t, err, runner.ErrConfig)
}

// stallAfter is a test device that runs its first batches, then holds the
// next one until its context ends: a server on it stalls mid-run.
type stallAfter struct {
	device.Device
	left    atomic.Int64
	stalled chan struct{}
	once    sync.Once
}

type stallAfterExec struct {
	device.Executor
	d *stallAfter
}

func (d *stallAfter) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	e, err := d.Device.NewExecutor(stream, maxBatch)
	return &stallAfterExec{Executor: e, d: d}, err
}

func (e *stallAfterExec) Run(ctx context.Context, n int) (device.Timing, error) {
	if e.d.left.Add(-1) < 0 {
		e.d.once.Do(func() { close(e.d.stalled) })
		<-ctx.Done()
		return device.Timing{}, ctx.Err()
	}
	return e.Executor.Run(ctx, n)
}

// dyingRun runs Offline against two gotrt serve instances, the first of
// which stalls after twenty batches and is then killed, under the
// --on-device-error policy given. It reports false when the run ended
// before the stall (nothing to check).
func dyingRun(t *testing.T, policy string) (*loadgen.Report, string, bool) {
	t.Helper()
	m, err := builtin.Default()
	require.NoError(t, err)
	healthy := servers(t, 1)
	devs, err := builtin.SplitCPU(1, m, builtin.INT8)
	require.NoError(t, err)
	st := &stallAfter{Device: devs[0], stalled: make(chan struct{})}
	st.left.Store(20) // warm-up is off: the check, then timed batches, then it stalls
	model := serve.BuiltinModel(devs)
	model.Devices[0] = st
	cfg := serve.Config{HTTP: serve.Off, Metrics: serve.Off, GRPC: "127.0.0.1:0"}
	cfg.Sched.MaxBatch, cfg.Sched.NoWarmup = 64, true
	dying, err := serve.New(model, cfg)
	require.NoError(t, err)
	require.NoError(t, dying.Start())
	killed := make(chan bool, 1)
	finished := make(chan struct{})
	go func() {
		select {
		case <-st.stalled:
			_ = dying.Close() // the server dies with requests in flight
			killed <- true
		case <-finished:
			_ = dying.Close()
			killed <- false
		}
	}()
	conf := &loadgen.ConfigFile{Name: "user.conf", Data: []byte("*.*.min_duration = 300\n*.Offline.target_qps = 100000\n")}
	rc := runner.Config{SUT: servers0(dying) + "," + strings.TrimPrefix(healthy, kserve.Scheme),
		UserConf: conf, NoProbe: true, TelemetryInterval: -1}
	rc.Sched.OnFault, err = runner.ParseDeviceErrorPolicy(policy)
	require.NoError(t, err)
	rep, err := runner.Run(context.Background(), rc)
	close(finished)
	require.NoError(t, err, "a lost server is a result, not an error")
	return rep, dying.Addr("grpc"), <-killed
}

// A server lost mid-run follows --on-device-error as a local device does:
// under continue the run finishes, every sample answered once, INVALID,
// with the endpoint, when and the samples sent again in the warnings and
// result.json.
func TestRunRemoteServerLostUnderContinue(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built-in model for seconds; skipped with -short (the race run)")
	}
	rep, dead, killed := dyingRun(t, "continue")
	require.True(t, killed, "the dying server stalled and died mid-run")
	r := rep.Result
	assert.False(t, r.Valid, "not a clean VALID on two servers")
	assert.Contains(t, strings.Join(r.Reasons, "\n"), dead+" lost during the run")
	assert.Zero(t, r.Extra["missing_samples"], "no sample lost")
	require.NotNil(t, r.Remote)
	require.Len(t, r.Remote.Endpoints, 2)
	e := r.Remote.Endpoints[0]
	assert.True(t, e.Lost, "%+v", e)
	assert.Positive(t, e.LostAtNS)
	assert.NotEmpty(t, e.Error)
	assert.Positive(t, r.Remote.Requeued, "the dead server's samples went to the other")
	assert.Equal(t, uint64(r.Extra["sample_count"].(int)), e.Samples+r.Remote.Endpoints[1].Samples,
		"each sample answered once")
	require.NotEmpty(t, r.Warnings)
	assert.Contains(t, strings.Join(r.Warnings, "\n"), "endpoint "+dead+" lost")
	assert.Contains(t, strings.Join(r.Warnings, "\n"), "sent again")
	sum, _ := writeLogs(t, rep)
	assert.Contains(t, sum, "Result is : INVALID")
	assert.Contains(t, sum, "endpoint "+dead+" lost")
}

// Under fail (the default), the run ends INVALID on the lost server, its
// reason naming it; no sample is completed twice.
func TestRunRemoteServerLostUnderFail(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the built-in model for seconds; skipped with -short (the race run)")
	}
	rep, dead, killed := dyingRun(t, "fail")
	require.True(t, killed, "the dying server stalled and died mid-run")
	r := rep.Result
	assert.False(t, r.Valid)
	reasons := strings.Join(r.Reasons, "\n")
	assert.Contains(t, reasons, "endpoint lost")
	assert.Contains(t, reasons, dead)
	require.NotNil(t, r.Remote)
	assert.True(t, r.Remote.Endpoints[0].Lost)
	done, missing := samples(t, rep)
	assert.Equal(t, int(rep.Effective.SamplesPerQuery), done+missing)
	// Answers in flight when the run failed still arrive (the endpoints
	// count them; the load generator no longer does): none may be a second
	// completion of a sample.
	assert.NotContains(t, reasons, "already completed", "none answered twice")
	assert.Contains(t, strings.Join(r.Warnings, "\n"), "endpoint "+dead+" lost")
	assert.Contains(t, strings.Join(r.Warnings, "\n"), "in flight")
}

func servers0(s *serve.Server) string { return kserve.Scheme + s.Addr("grpc") }
