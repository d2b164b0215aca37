package builtin_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gotrt/gotrt/internal/kernels"
	"github.com/gotrt/gotrt/models/builtin"
)

// gemmShapes are the model's GEMMs for one sample (conv) and a batch of 64
// (FC): M×K·K×N.
var gemmShapes = []struct {
	name    string
	m, k, n int
}{
	{"conv1", 32 * 32, 9, 16},
	{"conv2", 16 * 16, 144, 32},
	{"conv3", 8 * 8, 288, 64},
	{"fc", 64, 1024, 12},
}

// BenchmarkGemm reports the kernels' GOPS on one core (2 ops per
// multiply-add) at the model's shapes.
func BenchmarkGemm(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, s := range gemmShapes {
		ops := 2 * float64(s.m*s.k*s.n)
		b.Run("int8/"+s.name, func(b *testing.B) {
			a := make([]uint8, s.m*s.k)
			w := make([]int8, s.k*s.n)
			for i := range a {
				a[i] = uint8(r.IntN(128))
			}
			for i := range w {
				w[i] = int8(r.IntN(255) - 127)
			}
			p := kernels.PackS8(s.k, s.n, w)
			c := make([]int32, s.m*s.n)
			b.ReportAllocs()
			for b.Loop() {
				kernels.GemmU8S8(s.m, a, s.k, p, c, s.n)
			}
			b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
		})
		b.Run("fp32/"+s.name, func(b *testing.B) {
			a := make([]float32, s.m*s.k)
			w := make([]float32, s.k*s.n)
			for i := range a {
				a[i] = r.Float32()
			}
			for i := range w {
				w[i] = r.Float32() - 0.5
			}
			p := kernels.PackF32(s.k, s.n, w)
			c := make([]float32, s.m*s.n)
			b.ReportAllocs()
			for b.Loop() {
				kernels.GemmF32(s.m, a, s.k, p, c, s.n)
			}
			b.ReportMetric(ops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
		})
	}
}

// BenchmarkModel reports the model's samples/s on one core in each
// precision (batches of 64 held-out samples) and, in int8-vs-fp32, both
// measured in alternation with their ratio as the int8/fp32 metric.
func BenchmarkModel(b *testing.B) {
	const batch = 64
	m := defaultModel(b)
	q := loadedQSL(b, m, batch)
	open := func(p builtin.Precision) *builtin.Executor {
		e, err := m.NewExecutor(p, batch)
		if err != nil {
			b.Fatal(err)
		}
		for s := range batch {
			copy(e.Input(s), q.SampleData(s))
		}
		return e
	}
	ctx := context.Background()
	for _, p := range []builtin.Precision{builtin.INT8, builtin.FP32} {
		b.Run(p.String(), func(b *testing.B) {
			e := open(p)
			defer e.Close()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Run(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
	b.Run("int8-vs-fp32", func(b *testing.B) {
		i8, f32 := open(builtin.INT8), open(builtin.FP32)
		defer i8.Close()
		defer f32.Close()
		var ti, tf time.Duration
		for b.Loop() {
			t, err := i8.Run(ctx, batch)
			if err != nil {
				b.Fatal(err)
			}
			ti += t.Compute
			t, err = f32.Run(ctx, batch)
			if err != nil {
				b.Fatal(err)
			}
			tf += t.Compute
		}
		n := float64(batch * b.N)
		b.ReportMetric(n/ti.Seconds(), "int8-samples/s")
		b.ReportMetric(n/tf.Seconds(), "fp32-samples/s")
		b.ReportMetric(tf.Seconds()/ti.Seconds(), "int8/fp32")
	})
}

// BenchmarkBatchSize shows the samples/s of small and large batches.
func BenchmarkBatchSize(b *testing.B) {
	m := defaultModel(b)
	q := loadedQSL(b, m, 256)
	for _, batch := range []int{1, 8, 256} {
		for _, p := range []builtin.Precision{builtin.INT8, builtin.FP32} {
			b.Run(fmt.Sprintf("%v/batch=%d", p, batch), func(b *testing.B) {
				e, err := m.NewExecutor(p, batch)
				if err != nil {
					b.Fatal(err)
				}
				defer e.Close()
				for s := range batch {
					copy(e.Input(s), q.SampleData(s))
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.Run(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(batch*b.N)/b.Elapsed().Seconds(), "samples/s")
			})
		}
	}
}
