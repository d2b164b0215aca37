package kserve_test

import (
	"context"
	"encoding/binary"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/kserve"
	"github.com/gotrt/gotrt/runner/serve"
	"github.com/gotrt/gotrt/runner/sut"
)

// recorder is a completer that keeps each sample's answer.
type recorder struct {
	mu     sync.Mutex
	n      int
	got    map[uint64][]byte
	failed error
	done   chan struct{}
	once   sync.Once
}

func newRecorder(n int) *recorder {
	return &recorder{n: n, got: map[uint64][]byte{}, done: make(chan struct{})}
}

func (r *recorder) Complete(rs []sut.Response) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, x := range rs {
		r.got[x.ID] = append([]byte(nil), x.Data...)
	}
	if len(r.got) == r.n {
		r.once.Do(func() { close(r.done) })
	}
	return nil
}

func (r *recorder) Fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed == nil {
		r.failed = err
	}
	r.once.Do(func() { close(r.done) })
}

func (r *recorder) wait(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(30 * time.Second):
		t.Fatal("the query did not finish in 30 s")
	}
}

// scorerOpts are the options runner gives the client for the built-in
// model: one INT32 class id a sample.
func scorerOpts(o kserve.Options) kserve.Options {
	o.SampleBytes, o.OutputDatatype, o.OutputElements = builtin.InputSize, "INT32", 1
	return o
}

// checkClasses issues n samples and checks each answer is the fake's class
// of the sample, as the INT32 the scorer reads.
func checkClasses(t *testing.T, cl *kserve.Client, q device.SampleSource, n int) {
	t.Helper()
	r := newRecorder(n)
	qs := query(n, 0)
	cl.IssueQuery(qs, r)
	r.wait(t)
	require.NoError(t, r.failed)
	require.Len(t, r.got, n)
	for _, s := range qs {
		d := r.got[s.ID]
		require.Len(t, d, 4, "sample %d", s.ID)
		assert.Equal(t, fakeClass(q.SampleData(s.Index)), int32(binary.LittleEndian.Uint32(d)), "sample %d", s.ID)
	}
}

// Every output datatype a class can come in, answered in typed contents
// (KServe's default) or raw, over gRPC, HTTP JSON and HTTP binary, reaches
// the scorer as the INT32 class.
func TestForeignServerAnswersInEveryFormReachTheScorerAsInt32(t *testing.T) {
	q := qsl(t, 64)
	for _, dt := range []string{"INT32", "INT64", "INT8", "INT16", "UINT8", "UINT16", "UINT32", "UINT64"} {
		for _, tc := range []struct {
			description string
			raw, http   bool
			binary      bool
		}{
			{"grpc typed contents", false, false, false},
			{"grpc raw contents", true, false, false},
			{"http json", false, true, false},
			{"http binary", false, true, true},
		} {
			t.Run(dt+" "+tc.description, func(t *testing.T) {
				f := newFake(dt)
				f.raw, f.binary = tc.raw, tc.binary
				addr := ""
				if tc.http {
					addr = f.serveHTTP(t)
				} else {
					addr = f.serveGRPC(t)
				}
				cl, err := kserve.Dial(context.Background(), []string{addr}, q, scorerOpts(kserve.Options{HTTP: tc.http, MaxBatch: 16}))
				require.NoError(t, err)
				defer cl.Close()
				checkClasses(t, cl, q, 100)
				if tc.http {
					want := "kserve-v2-http-json"
					if tc.binary {
						want = "kserve-v2-http-binary"
						assert.Positive(t, f.binaryAnswers.Load(), "outputs came back binary")
					} else {
						assert.Positive(t, f.jsonInputAnswers.Load(), "inputs went as JSON once binary was refused")
					}
					assert.Equal(t, want, cl.Stats().Protocol)
				}
			})
		}
	}
}

// The checks before the run name each problem with its own error, before
// any sample is issued.
func TestForeignServerProblemsNamedBeforeTheRun(t *testing.T) {
	q := qsl(t, 1)
	ctx := context.Background()
	for _, tc := range []struct {
		description string
		fake        func(*fakeKServe)
		opt         kserve.Options
		http        bool
		want        error
		mentions    []string
	}{
		{"model not ready, grpc", func(f *fakeKServe) { f.notReady = true }, kserve.Options{}, false, kserve.ErrModelNotReady, []string{"not ready"}},
		{"model not ready, http", func(f *fakeKServe) { f.notReady = true }, kserve.Options{}, true, kserve.ErrModelNotReady, []string{"not ready"}},
		{"unknown model, grpc", nil, kserve.Options{Model: "resnet50"}, false, kserve.ErrUnknownModel, []string{"resnet50"}},
		{"unknown model, http", nil, kserve.Options{Model: "resnet50"}, true, kserve.ErrUnknownModel, []string{"resnet50"}},
		{"float output", func(f *fakeKServe) { f.outDT = "FP32" }, kserve.Options{}, false, kserve.ErrModelMismatch, []string{"output-0", "FP32"}},
		{"bool output", func(f *fakeKServe) { f.outDT = "BOOL" }, kserve.Options{}, true, kserve.ErrModelMismatch, []string{"output-0", "BOOL"}},
		{"twelve scores a sample", func(f *fakeKServe) { f.outDT, f.outShape = "INT32", []int64{-1, 12} }, kserve.Options{}, false, kserve.ErrModelMismatch, []string{"output-0", "12 elements"}},
		{"no streaming", nil, kserve.Options{Stream: true}, false, kserve.ErrStreamUnsupported, []string{"ModelStreamInfer", "stream=1"}},
		{"class past INT32", func(f *fakeKServe) { f.class = func([]byte) int64 { return 1 << 40 } }, kserve.Options{}, false, kserve.ErrModelMismatch, []string{"output-0", "does not fit INT32"}},
		{"input of another size", func(f *fakeKServe) { f.inShape = []int64{-1, 3, 224, 224} }, kserve.Options{}, true, kserve.ErrModelMismatch, []string{"input-0"}},
	} {
		t.Run(tc.description, func(t *testing.T) {
			f := newFake("INT64")
			if tc.fake != nil {
				tc.fake(f)
			}
			var addr string
			if tc.http {
				addr = f.serveHTTP(t)
			} else {
				addr = f.serveGRPC(t)
			}
			opt := scorerOpts(tc.opt)
			opt.HTTP = tc.http
			_, err := kserve.Dial(ctx, []string{addr}, q, opt)
			require.ErrorIs(t, err, tc.want)
			for _, m := range tc.mentions {
				assert.ErrorContains(t, err, m)
			}
		})
	}
}

// A model whose shape multiplies past int is no fixed size: refused before
// the run, never a negative buffer (a panic) when SampleBytes is not set
// to catch it.
func TestShapeOverflowIsRefused(t *testing.T) {
	q := qsl(t, 1)
	for _, tc := range []struct {
		description string
		fake        func(*fakeKServe)
		mentions    string
	}{
		{"input", func(f *fakeKServe) { f.inShape = []int64{-1, 3037000500, 3037000500} }, "input-0"},
		{"output", func(f *fakeKServe) { f.outShape = []int64{-1, 3037000500, 3037000500} }, "output-0"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			f := newFake("INT32")
			tc.fake(f)
			_, err := kserve.Dial(context.Background(), []string{f.serveGRPC(t)}, q, kserve.Options{})
			require.ErrorIs(t, err, kserve.ErrModelMismatch)
			assert.ErrorContains(t, err, tc.mentions)
			assert.ErrorContains(t, err, "no fixed size")
		})
	}
}

// A model with several outputs: the first is taken unless ?output= names
// another; a server that answers every output whatever was asked is read
// by name.
func TestOutputPickedByName(t *testing.T) {
	q := qsl(t, 64)
	for _, http := range []bool{false, true} {
		f := newFake("INT64")
		f.scores = true
		var addr string
		if http {
			addr = f.serveHTTP(t)
		} else {
			addr = f.serveGRPC(t)
		}
		_, err := kserve.Dial(context.Background(), []string{addr}, q, scorerOpts(kserve.Options{HTTP: http}))
		require.ErrorIs(t, err, kserve.ErrModelMismatch)
		assert.ErrorContains(t, err, "scores")
		_, err = kserve.Dial(context.Background(), []string{addr}, q, scorerOpts(kserve.Options{HTTP: http, Output: "logits"}))
		require.ErrorIs(t, err, kserve.ErrModelMismatch)
		assert.ErrorContains(t, err, `no output "logits" (it has scores, output-0)`)
		cl, err := kserve.Dial(context.Background(), []string{addr}, q, scorerOpts(kserve.Options{HTTP: http, Output: "output-0"}))
		require.NoError(t, err)
		checkClasses(t, cl, q, 50)
		require.NoError(t, cl.Close())
	}
}

// A class id that stops fitting mid-run fails the run naming the output,
// rather than reaching the scorer truncated.
func TestClassOutOfRangeMidRunFailsTheRun(t *testing.T) {
	q := qsl(t, 64)
	f := newFake("INT64")
	addr := f.serveGRPC(t)
	cl, err := kserve.Dial(context.Background(), []string{addr}, q, scorerOpts(kserve.Options{}))
	require.NoError(t, err)
	defer cl.Close()
	f.class = func([]byte) int64 { return -1 << 35 }
	r := newRecorder(10)
	cl.IssueQuery(query(10, 0), r)
	r.wait(t)
	require.ErrorIs(t, r.failed, kserve.ErrRequest)
	assert.ErrorContains(t, r.failed, "output-0")
	assert.ErrorContains(t, r.failed, "does not fit INT32")
}

// A URL of the wrong scheme for the port names the right one; a host that
// does not resolve says so.
func TestWrongSchemeAndUnresolvableHostAreNamed(t *testing.T) {
	q := qsl(t, 1)
	ctx := context.Background()
	httpAddr := newFake("INT32").serveHTTP(t)
	_, err := kserve.Dial(ctx, []string{httpAddr}, q, kserve.Options{DialTimeout: 3 * time.Second})
	require.ErrorIs(t, err, kserve.ErrProtocol)
	assert.ErrorContains(t, err, "HTTP/1.1")
	assert.ErrorContains(t, err, "kserve+http://"+httpAddr)

	srv := server(t, nil) // gotrt serve: gRPC
	_, err = kserve.Dial(ctx, []string{srv.Addr("grpc")}, q, kserve.Options{HTTP: true, DialTimeout: 3 * time.Second})
	require.ErrorIs(t, err, kserve.ErrProtocol)
	assert.ErrorContains(t, err, "kserve://"+srv.Addr("grpc"))

	addrs, opt, err := kserve.ParseURL("kserve://no-such-host.invalid:8001")
	require.NoError(t, err)
	opt.DialTimeout = 3 * time.Second
	_, err = kserve.Dial(ctx, addrs, q, opt)
	require.ErrorIs(t, err, kserve.ErrUnreachable)
	require.ErrorIs(t, err, kserve.ErrNoHost)
	assert.ErrorContains(t, err, "does not resolve")
	assert.NotContains(t, err.Error(), "no children to pick from")
}

// An HTTP answer larger than the model's output can make is refused after
// reading no more than its bound, and fails the run before it starts.
func TestHTTPAnswerIsBounded(t *testing.T) {
	f := newFake("INT32")
	f.huge = true
	addr := f.serveHTTP(t)
	_, err := kserve.Dial(context.Background(), []string{addr}, qsl(t, 1), scorerOpts(kserve.Options{HTTP: true}))
	require.ErrorIs(t, err, kserve.ErrUnreachable)
	assert.ErrorContains(t, err, "this request may take")
}

// HTTP connections are kept and reused: as many as request slots, not one
// a request.
func TestHTTPReusesConnections(t *testing.T) {
	q := qsl(t, 64)
	f := newFake("INT64")
	f.binary = true
	addr := f.serveHTTP(t)
	cl, err := kserve.Dial(context.Background(), []string{addr}, q, scorerOpts(kserve.Options{HTTP: true, MaxBatch: 2, Concurrency: 2}))
	require.NoError(t, err)
	defer cl.Close()
	checkClasses(t, cl, q, 400)
	assert.GreaterOrEqual(t, f.requests.Load(), int64(200))
	assert.LessOrEqual(t, f.conns.Load(), int64(4), "connections opened for %d requests", f.requests.Load())
}

// gotrt serve over HTTP/REST (JSON tensors, or binary when it offers them):
// every sample answered once, with the class the model gives in-process.
func TestHTTPAgainstGotrtServe(t *testing.T) {
	m, err := builtin.Default()
	require.NoError(t, err)
	devs, err := builtin.SplitCPU(1, m, builtin.INT8)
	require.NoError(t, err)
	cfg := serve.Config{HTTP: "127.0.0.1:0", Metrics: serve.Off, GRPC: serve.Off}
	cfg.Sched.MaxBatch, cfg.Sched.NoWarmup = 64, true
	srv, err := serve.New(serve.BuiltinModel(devs), cfg)
	require.NoError(t, err)
	require.NoError(t, srv.Start())
	defer srv.Close()
	q := qsl(t, 64)
	addrs, opt, err := kserve.ParseURL(kserve.SchemeHTTP + srv.Addr("http") + "?batch=16")
	require.NoError(t, err)
	cl, err := kserve.Dial(context.Background(), addrs, q, scorerOpts(opt))
	require.NoError(t, err)
	defer cl.Close()
	r := newRecorder(200)
	qs := query(200, 0)
	cl.IssueQuery(qs, r)
	r.wait(t)
	require.NoError(t, r.failed)
	for _, s := range qs {
		want, err := m.Classify(builtin.INT8, q.SampleData(s.Index))
		require.NoError(t, err)
		assert.Equal(t, int32(want), int32(binary.LittleEndian.Uint32(r.got[s.ID])), "sample %d", s.ID)
	}
	st := cl.Stats()
	assert.True(t, strings.HasPrefix(st.Protocol, "kserve-v2-http"), st.Protocol)
	assert.Equal(t, uint64(200), st.Endpoints[0].Samples)
	assert.True(t, strings.HasPrefix(cl.Name(), kserve.SchemeHTTP))
}

// Under the default policy (--on-device-error fail), an endpoint lost
// mid-run fails the run with ErrEndpointLost naming it, even with another
// endpoint left.
func TestAnEndpointLostFailsTheRunByDefault(t *testing.T) {
	healthy := server(t, nil)
	st := &stall{in: make(chan struct{}, 1)}
	dying := server(t, func(d device.Device) device.Device { st.Device = d; return st })
	cl, err := kserve.Dial(context.Background(), []string{dying.Addr("grpc"), healthy.Addr("grpc")}, qsl(t, 64), kserve.Options{MaxBatch: 16})
	require.NoError(t, err)
	defer cl.Close()
	st.mu.Lock()
	st.stalled = true
	st.mu.Unlock()
	c := newCounter(2000)
	cl.IssueQuery(query(2000, 0), c)
	select {
	case <-st.in:
	case <-c.done:
		t.Skip("the healthy server finished every sample before the other stalled (a loaded machine)")
	}
	require.NoError(t, dying.Close())
	<-c.done
	require.ErrorIs(t, c.failed, kserve.ErrEndpointLost)
	assert.ErrorContains(t, c.failed, dying.Addr("grpc"))
	_, twice := c.completions()
	assert.Zero(t, twice)
	s := cl.Stats()
	assert.True(t, s.Endpoints[0].Lost)
	assert.Positive(t, s.Endpoints[0].LostAtNS)
}

func TestParseURLSchemes(t *testing.T) {
	addrs, opt, err := kserve.ParseURL("kserve+http://a,b:9000?binary=0&batch=8")
	require.NoError(t, err)
	assert.Equal(t, []string{"a:8000", "b:9000"}, addrs)
	assert.True(t, opt.HTTP)
	assert.True(t, opt.JSON)
	_, opt, err = kserve.ParseURL("kserve://a?output=class")
	require.NoError(t, err)
	assert.Equal(t, "class", opt.Output)
	addrs, opt, err = kserve.ParseURL("kserve+grpc://a")
	require.NoError(t, err)
	assert.Equal(t, []string{"a:8001"}, addrs)
	assert.False(t, opt.HTTP)
	for _, bad := range []string{"kserve+http://a?stream=1", "kserve://a?binary=1", "kserve+https://a", "kserve://" + strings.Repeat("x", 10000) + "?q=1"} {
		_, _, err := kserve.ParseURL(bad)
		require.ErrorIs(t, err, kserve.ErrURL, bad)
		assert.Less(t, len(err.Error()), 800, "a long value is quoted short")
	}
	assert.True(t, kserve.IsURL("kserve+http://a"))
	assert.False(t, kserve.IsURL("http://a"))
}
