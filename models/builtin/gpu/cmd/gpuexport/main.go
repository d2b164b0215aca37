// Command gpuexport writes the built-in model's weights and held-out samples
// for tools/gpu/torch_peer.py, the PyTorch peer benchmark, so that it runs
// the same network on the same data:
//
//	go run ./models/builtin/gpu/cmd/gpuexport -out .gpu
//
// It writes builtin-weights.json (the architecture, the FP32 weights and
// biases with K ordered (ky, kx, cin) over HWC inputs, the INT8 parameters
// as the CPU executor uses them, and the FP32 and INT8 held-out top-1) and
// builtin-samples.u8 (the held-out samples, 1024 bytes each) with their
// labels and the CPU INT8 classes in the JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/models/builtin"
)

type export struct {
	C1, C2, C3, Classes int
	Side                int
	// W and B are the FP32 layers: W[i] is K×N row-major.
	W, B [4][]float32
	// Int8 is the CPU executor's INT8 network.
	Int8 builtin.Int8Params
	// Samples is the number of samples in builtin-samples.u8.
	Samples int
	Labels  []int32
	// CPUInt8 are the CPU INT8 executor's classes of the samples.
	CPUInt8  []int32
	FP32Top1 float64
	Int8Top1 float64
}

func main() {
	out := flag.String("out", ".gpu", "folder to write into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gpuexport:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	m, err := builtin.Default()
	if err != nil {
		return err
	}
	p := m.Int8()
	x := export{C1: p.C1, C2: p.C2, C3: p.C3, Classes: p.Classes, Side: builtin.Side, Int8: p, FP32Top1: m.FP32Top1()}
	x.W, x.B = m.FP32Params()
	n := builtin.TestCount
	q, err := builtin.NewQSL(m.Seed(), n, n)
	if err != nil {
		return err
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if err := q.LoadSamplesToRAM(idx); err != nil {
		return err
	}
	e, err := m.NewExecutor(builtin.INT8, builtin.MaxBatchLimit)
	if err != nil {
		return err
	}
	defer e.Close()
	pixels := make([]byte, 0, n*builtin.InputSize)
	x.Samples = n
	x.Labels = make([]int32, n)
	x.CPUInt8 = make([]int32, n)
	good := 0
	for start := 0; start < n; start += e.MaxBatch() {
		k := min(e.MaxBatch(), n-start)
		for s := range k {
			copy(e.Input(s), q.SampleData(start+s))
			pixels = append(pixels, q.SampleData(start+s)...)
		}
		if _, err := e.Run(context.Background(), k); err != nil {
			return err
		}
		for s := range k {
			i := start + s
			x.CPUInt8[i] = int32(e.Class(s))
			if x.Labels[i], err = q.Label(i); err != nil {
				return err
			}
			if x.Labels[i] == x.CPUInt8[i] {
				good++
			}
		}
	}
	x.Int8Top1 = float64(good) / float64(n)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	js, err := json.Marshal(x)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "builtin-weights.json"), js, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "builtin-samples.u8"), pixels, 0o644)
}
