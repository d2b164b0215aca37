package sched_test

import (
	"context"
	"fmt"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/sched"
	"github.com/gotrt/gotrt/runner/simdev"
)

// done counts completions; a load generator plays this part in a run.
type done struct {
	n   int
	all chan struct{}
}

func (d *done) Complete(r []loadgen.Response) error {
	if d.n -= len(r); d.n == 0 {
		close(d.all)
	}
	return nil
}

func (d *done) Fail(err error) { fmt.Println("failed:", err) }

// An Offline query of 1,000 samples on two simulated devices, on a virtual
// clock: simulated time, so the figures describe the model.
func Example() {
	c := clock.NewVirtual(0)
	defer c.Stop()
	p := simdev.T4ResNet50()
	devs := []sched.Device{simdev.New("sim0", p, c), simdev.New("sim1", p, c)}
	s, err := sched.New(devs, nil, sched.Config{MaxBatch: 256}, sched.WithClock(c))
	if err != nil {
		panic(err)
	}
	if err := s.Start(context.Background()); err != nil {
		panic(err)
	}
	q := make([]loadgen.QuerySample, 1000)
	for i := range q {
		q[i] = loadgen.QuerySample{ID: uint64(i + 1), Index: i}
	}
	d := &done{n: len(q), all: make(chan struct{})}
	s.IssueQuery(q, d)
	c.SleepUntil(clock.Never, d.all)
	if err := s.Close(); err != nil {
		panic(err)
	}
	st := s.Stats()
	var batches, samples uint64
	for _, dv := range st.Devices {
		batches += dv.Batches
		samples += dv.Samples
	}
	fmt.Printf("%d samples in %d batches, simulated=%v\n", samples, batches, st.Simulated)
	// Output: 1000 samples in 4 batches, simulated=true
}
