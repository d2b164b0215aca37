package kernels_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gotrt/gotrt/internal/kernels"
)

// benchShapes are im2col GEMMs of a small CNN on 32×32 images (batch 32:
// m = 32·1024 positions at full size, 32·256 after one 2×2 pool; k = 3·3·cin)
// and one mid-size square GEMM.
var benchShapes = []struct{ m, n, k int }{
	{32 * 1024, 16, 144},
	{32 * 1024, 32, 144},
	{32 * 256, 32, 288},
	{32 * 256, 64, 288},
	{256, 256, 256},
}

// plainU8S8 and plainF32 are the original loops the package started with,
// on unpacked b: the baseline the speed-ups are quoted against.
func plainU8S8(m, n, k int, a []uint8, b []int8, c []int32) {
	for i := 0; i < m; i++ {
		out := c[i*n : i*n+n]
		clear(out)
		for p, av := range a[i*k : i*k+k] {
			if av == 0 {
				continue
			}
			bv, x := b[p*n:p*n+n], int32(av)
			for j := range out {
				out[j] += x * int32(bv[j])
			}
		}
	}
}

func plainF32(m, n, k int, a, b, c []float32) {
	for i := 0; i < m; i++ {
		out := c[i*n : i*n+n]
		clear(out)
		for p, av := range a[i*k : i*k+k] {
			bv := b[p*n : p*n+n]
			for j := range out {
				out[j] += av * bv[j]
			}
		}
	}
}

// benchPaths names the paths benchmarked: "plain" is the original loop.
var benchPaths = []string{"plain", "generic", "avx2", "avx512"}

func setBenchPath(b *testing.B, name string) {
	for _, p := range []kernels.Path{kernels.Generic, kernels.AVX2, kernels.AVX512} {
		if p.String() == name {
			prev, err := kernels.SetPath(p)
			if err != nil {
				b.Skipf("path %v not supported here: %v", p, err)
			}
			b.Cleanup(func() { _, _ = kernels.SetPath(prev) })
		}
	}
}

// measure runs f in a b.Loop and reports GOPS (2·m·n·k per call, by the
// wall clock) and cpuGOPS (by the process's CPU time, which other jobs on a
// shared machine disturb less).
func measure(b *testing.B, m, n, k int, f func()) {
	b.ReportAllocs()
	cpu0, ok := cpuTime()
	for b.Loop() {
		f()
	}
	ops := 2 * float64(m) * float64(n) * float64(k) * float64(b.N)
	b.ReportMetric(ops/b.Elapsed().Seconds()/1e9, "GOPS")
	if cpu1, ok1 := cpuTime(); ok && ok1 && cpu1 > cpu0 {
		b.ReportMetric(ops/(cpu1-cpu0).Seconds()/1e9, "cpuGOPS")
	}
}

// BenchmarkGemmU8S8 reports single-threaded GOPS (2·m·n·k per call).
func BenchmarkGemmU8S8(b *testing.B) {
	for _, s := range benchShapes {
		r := rand.New(rand.NewPCG(1, 1))
		a, w := make([]uint8, s.m*s.k), make([]int8, s.k*s.n)
		for i := range a {
			a[i] = uint8(r.IntN(128))
		}
		for i := range w {
			w[i] = int8(r.IntN(255) - 127)
		}
		pb, c := kernels.PackS8(s.k, s.n, w), make([]int32, s.m*s.n)
		for _, path := range benchPaths {
			b.Run(fmt.Sprintf("%s/m=%d/n=%d/k=%d", path, s.m, s.n, s.k), func(b *testing.B) {
				setBenchPath(b, path)
				measure(b, s.m, s.n, s.k, func() {
					if path == "plain" {
						plainU8S8(s.m, s.n, s.k, a, w, c)
					} else {
						kernels.GemmU8S8(s.m, a, s.k, pb, c, s.n)
					}
				})
			})
		}
	}
}

// BenchmarkGemmF32 reports single-threaded GFLOPS (2·m·n·k per call) as GOPS.
func BenchmarkGemmF32(b *testing.B) {
	for _, s := range benchShapes {
		r := rand.New(rand.NewPCG(1, 1))
		a, w := make([]float32, s.m*s.k), make([]float32, s.k*s.n)
		for i := range a {
			a[i] = r.Float32()
		}
		for i := range w {
			w[i] = r.Float32() - 0.5
		}
		pb, c := kernels.PackF32(s.k, s.n, w), make([]float32, s.m*s.n)
		for _, path := range benchPaths {
			b.Run(fmt.Sprintf("%s/m=%d/n=%d/k=%d", path, s.m, s.n, s.k), func(b *testing.B) {
				setBenchPath(b, path)
				measure(b, s.m, s.n, s.k, func() {
					if path == "plain" {
						plainF32(s.m, s.n, s.k, a, w, c)
					} else {
						kernels.GemmF32(s.m, a, s.k, pb, c, s.n)
					}
				})
			})
		}
	}
}
