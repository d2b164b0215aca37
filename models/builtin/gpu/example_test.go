//go:build cuda

package gpu_test

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/builtin/gpu"
)

// Example classifies the first held-out samples on GPU 0, as one stream of
// the scheduler would. It needs a GPU, so it is compiled but not run.
func Example() {
	m, err := builtin.Default()
	if err != nil {
		fmt.Println(err)
		return
	}
	q, err := builtin.DefaultQSL(m)
	if err != nil {
		fmt.Println(err)
		return
	}
	idx := []int{0, 1, 2, 3}
	if err := q.LoadSamplesToRAM(idx); err != nil {
		fmt.Println(err)
		return
	}
	d, err := gpu.Open(0, "gpu0", m)
	if err != nil {
		fmt.Println(err) // no GPU here: says why
		return
	}
	defer d.Close()
	e, err := d.NewExecutor(0, len(idx))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	for slot, i := range idx {
		copy(e.Input(slot), q.SampleData(i))
	}
	t, err := e.Run(context.Background(), len(idx))
	if err != nil {
		fmt.Println(err)
		return
	}
	for slot, i := range idx {
		label, _ := q.Label(i)
		class := int32(binary.LittleEndian.Uint32(e.Output(slot)))
		fmt.Printf("sample %d: class %d (label %d)\n", i, class, label)
	}
	fmt.Println("gpu time:", t.H2D+t.Compute+t.D2H)
}
