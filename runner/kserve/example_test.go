package kserve_test

import (
	"context"
	"fmt"
	"sync"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/kserve"
	"github.com/gotrt/gotrt/runner/serve"
	"github.com/gotrt/gotrt/runner/sut"
)

// done is a completer that counts answers; Complete comes from several
// goroutines.
type done struct {
	mu   sync.Mutex
	n    int
	over chan struct{}
}

func (d *done) Complete(rs []sut.Response) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n += len(rs); d.n == 8 {
		close(d.over)
	}
	return nil
}
func (d *done) Fail(err error) { panic(err) }

// Drive a gotrt serve on loopback as a system under test: one query of
// eight samples of the built-in QSL.
func Example() {
	m, _ := builtin.Default()
	devs, _ := builtin.SplitCPU(1, m, builtin.INT8)
	srv, _ := serve.New(serve.BuiltinModel(devs), serve.Config{HTTP: serve.Off, Metrics: serve.Off, GRPC: "127.0.0.1:0"})
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Shutdown(context.Background())

	q, _ := builtin.DefaultQSL(m)
	_ = q.LoadSamplesToRAM([]int{0, 1, 2, 3, 4, 5, 6, 7})
	addrs, opt, _ := kserve.ParseURL("kserve://" + srv.Addr("grpc") + "?batch=4")
	opt.SampleBytes = builtin.InputSize
	cl, err := kserve.Dial(context.Background(), addrs, q, opt)
	if err != nil {
		panic(err)
	}
	defer cl.Close()

	d := &done{over: make(chan struct{})}
	qs := make([]sut.QuerySample, 8)
	for i := range qs {
		qs[i] = sut.QuerySample{ID: uint64(i), Index: i}
	}
	cl.IssueQuery(qs, d)
	<-d.over
	st := cl.Stats()
	fmt.Println(d.n, "answers;", st.Endpoints[0].Samples, "samples in", st.Endpoints[0].Requests, "requests of at most", st.MaxBatch)
	// Output:
	// 8 answers; 8 samples in 2 requests of at most 4
}
