package builtin_test

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/gotrt/gotrt/models/builtin"
)

// Example classifies the first held-out samples on an INT8 executor of the
// first CPU device, as one stream of the scheduler would.
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
	idx := []int{0, 1, 2, 3, 4, 5}
	if err := q.LoadSamplesToRAM(idx); err != nil {
		fmt.Println(err)
		return
	}
	devs, err := builtin.SplitCores(2, 1, m, builtin.INT8)
	if err != nil {
		fmt.Println(err)
		return
	}
	e, err := devs[0].NewExecutor(0, len(idx))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer e.Close()
	for slot, i := range idx {
		copy(e.Input(slot), q.SampleData(i))
	}
	if _, err := e.Run(context.Background(), len(idx)); err != nil {
		fmt.Println(err)
		return
	}
	for slot, i := range idx {
		label, _ := q.Label(i)
		fmt.Printf("sample %d: predicted %s, true %s\n", i,
			builtin.ClassName(int(int32(binary.LittleEndian.Uint32(e.Output(slot))))), builtin.ClassName(int(label)))
	}
	fmt.Println(devs[0].ID(), "streams:", devs[0].Streams())
	// Output:
	// sample 0: predicted outline-triangle, true outline-triangle
	// sample 1: predicted T, true T
	// sample 2: predicted plus, true plus
	// sample 3: predicted outline-triangle, true outline-triangle
	// sample 4: predicted frame, true frame
	// sample 5: predicted square, true square
	// cpu0 streams: 2
}
