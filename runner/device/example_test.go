package device_test

import (
	"context"
	"fmt"

	"github.com/gotrt/gotrt/runner/device"
)

// negate is a toy device whose executors invert each input byte: enough to
// show the seam a GPU stream, the built-in CPU model or a remote server
// implements.
type negate struct{}

func (negate) ID() string { return "neg0" }

func (negate) NewExecutor(stream, maxBatch int) (device.Executor, error) {
	return &negateExec{in: make([]byte, maxBatch), out: make([]byte, maxBatch)}, nil
}

type negateExec struct{ in, out []byte }

func (e *negateExec) MaxBatch() int          { return len(e.in) }
func (e *negateExec) Input(slot int) []byte  { return e.in[slot : slot+1] }
func (e *negateExec) Output(slot int) []byte { return e.out[slot : slot+1] }
func (e *negateExec) Close() error           { return nil }

func (e *negateExec) Run(ctx context.Context, n int) (device.Timing, error) {
	if n < 1 || n > len(e.in) {
		return device.Timing{}, fmt.Errorf("negate: batch of %d, want 1 to %d", n, len(e.in))
	}
	for i := range n {
		e.out[i] = ^e.in[i]
	}
	return device.Timing{}, nil
}

// A scheduler stages a batch into Input, runs it and reads Output, on one
// goroutine per executor.
func Example() {
	var d device.Device = negate{}
	x, err := d.NewExecutor(0, 4)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer x.Close()
	for i, b := range []byte{0x00, 0x0f, 0xff} {
		copy(x.Input(i), []byte{b})
	}
	if _, err := x.Run(context.Background(), 3); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %#x %#x %#x\n", d.ID(), x.Output(0), x.Output(1), x.Output(2))
	_, err = x.Run(context.Background(), 5)
	fmt.Println(err)
	// Output:
	// neg0: 0xff 0xf0 0x00
	// negate: batch of 5, want 1 to 4
}
