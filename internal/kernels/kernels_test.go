package kernels_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/internal/kernels"
)

// refU8S8 is the plain triple loop on the unpacked row-major b.
func refU8S8(m, n, k int, a []uint8, lda int, b []int8, c []int32, ldc int) {
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s int32
			for p := 0; p < k; p++ {
				s += int32(a[i*lda+p]) * int32(b[p*n+j])
			}
			c[i*ldc+j] = s
		}
	}
}

// refF32 returns the float64 product and Σ|a·b| per element, the scale of
// the rounding error any float32 order of summation may make.
func refF32(m, n, k int, a []float32, lda int, b []float32) (want, mag []float64) {
	want, mag = make([]float64, m*n), make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			for p := 0; p < k; p++ {
				x := float64(a[i*lda+p]) * float64(b[p*n+j])
				want[i*n+j] += x
				mag[i*n+j] += math.Abs(x)
			}
		}
	}
	return want, mag
}

// eachPath runs f under every path, skipping those this CPU or build lacks,
// and restores the default path afterwards.
func eachPath(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, p := range []kernels.Path{kernels.Generic, kernels.AVX2, kernels.AVX512} {
		t.Run(p.String(), func(t *testing.T) {
			if !kernels.Supported(p) {
				t.Skipf("path %v not supported on this CPU/build (best: %v)", p, kernels.Best())
			}
			prev, err := kernels.SetPath(p)
			require.NoError(t, err)
			t.Cleanup(func() { _, _ = kernels.SetPath(prev) })
			t.Logf("features: %s", kernels.Features())
			f(t)
		})
	}
}

type shape struct{ m, n, k, lda, ldc int }

// shapes mixes random awkward sizes, strides wider than the rows, and the
// model's conv shapes (with m cut down to keep the test quick).
func shapes() []shape {
	r := rand.New(rand.NewPCG(1, 2))
	s := []shape{
		{1, 1, 1, 1, 1}, {1, 16, 4, 4, 16}, {24, 16, 144, 144, 16}, {25, 17, 5, 5, 17},
		{6, 64, 288, 288, 64}, {7, 65, 3, 3, 65}, {13, 33, 7, 9, 40}, {49, 48, 13, 13, 48},
		{300, 16, 144, 144, 16}, {300, 32, 144, 144, 32}, {200, 64, 288, 288, 64},
		{64, 256, 256, 256, 256}, {100, 80, 4099, 4099, 80}, // several column blocks and row chunks
	}
	for range 300 {
		m, n, k := 1+r.IntN(70), 1+r.IntN(70), 1+r.IntN(70)
		lda, ldc := k, n
		if r.IntN(3) == 0 {
			lda += r.IntN(5)
			ldc += r.IntN(5)
		}
		s = append(s, shape{m, n, k, lda, ldc})
	}
	return s
}

func TestGemmU8S8MatchesReference(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		for _, s := range shapes() {
			// Exact lengths, so that reading past the last row would fault
			// or be caught by the sentinel checks below.
			a := make([]uint8, (s.m-1)*s.lda+s.k)
			for i := range a {
				a[i] = uint8(r.IntN(128))
			}
			b := make([]int8, s.k*s.n)
			for i := range b {
				b[i] = int8(r.IntN(255) - 127)
			}
			want := make([]int32, (s.m-1)*s.ldc+s.n+3)
			got := make([]int32, len(want))
			for i := range got {
				got[i], want[i] = -7, -7 // gaps between rows must survive
			}
			refU8S8(s.m, s.n, s.k, a, s.lda, b, want, s.ldc)
			kernels.GemmU8S8(s.m, a, s.lda, kernels.PackS8(s.k, s.n, b), got[:len(got)-3], s.ldc)
			require.Equal(t, want, got, "shape %+v", s)
		}
	})
}

func TestGemmU8S8ExtremesDoNotSaturate(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		for _, k := range []int{1, 4, 7, 1024, 4093, kernels.MaxK} {
			const m, n = 3, 17
			a := make([]uint8, m*k)
			for i := range a {
				a[i] = 127
			}
			for _, bv := range []int8{127, -127} {
				b := make([]int8, k*n)
				for i := range b {
					b[i] = bv
				}
				c := make([]int32, m*n)
				kernels.GemmU8S8(m, a, k, kernels.PackS8(k, n, b), c, n)
				want := int32(k) * 127 * int32(bv)
				for i, v := range c {
					require.Equal(t, want, v, "k=%d b=%d element %d", k, bv, i)
				}
			}
		}
	})
}

func TestGemmF32WithinTolerance(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, s := range shapes() {
			a := make([]float32, (s.m-1)*s.lda+s.k)
			for i := range a {
				a[i] = float32(r.NormFloat64())
			}
			b := make([]float32, s.k*s.n)
			for i := range b {
				b[i] = float32(r.NormFloat64())
			}
			got := make([]float32, (s.m-1)*s.ldc+s.n+3)
			for i := range got {
				got[i] = -7
			}
			kernels.GemmF32(s.m, a, s.lda, kernels.PackF32(s.k, s.n, b), got[:len(got)-3], s.ldc)
			want, mag := refF32(s.m, s.n, s.k, a, s.lda, b)
			for i := 0; i < s.m; i++ {
				for j := 0; j < s.ldc && (i < s.m-1 || j < s.n); j++ {
					g := got[i*s.ldc+j]
					if j >= s.n {
						require.Equal(t, float32(-7), g, "gap (%d,%d) overwritten, shape %+v", i, j, s)
						continue
					}
					tol := float64(s.k) * 0x1p-23 * mag[i*s.n+j]
					require.InDelta(t, want[i*s.n+j], float64(g), tol+1e-30, "(%d,%d) shape %+v", i, j, s)
				}
			}
			require.Equal(t, []float32{-7, -7, -7}, got[len(got)-3:], "wrote past c, shape %+v", s)
		}
	})
}

// TestGemmF32PathsAgree bounds the FMA rounding difference by the
// documented k·2⁻²³·Σ|a·b|.
func TestGemmF32PathsAgree(t *testing.T) {
	const m, n, k = 50, 40, 300
	r := rand.New(rand.NewPCG(7, 8))
	a, b := make([]float32, m*k), make([]float32, k*n)
	for i := range a {
		a[i] = float32(r.Float64())
	}
	for i := range b {
		b[i] = float32(r.Float64()*2 - 1)
	}
	pb := kernels.PackF32(k, n, b)
	run := func(p kernels.Path) []float32 {
		prev, err := kernels.SetPath(p)
		require.NoError(t, err)
		defer func() { _, _ = kernels.SetPath(prev) }()
		c := make([]float32, m*n)
		kernels.GemmF32(m, a, k, pb, c, n)
		return c
	}
	gen := run(kernels.Generic)
	_, mag := refF32(m, n, k, a, k, b)
	eachPath(t, func(t *testing.T) {
		got := run(kernels.Active())
		for i := range got {
			require.InDelta(t, gen[i], got[i], k*0x1p-23*mag[i], "element %d", i)
		}
	})
}

func TestKernelsZeroSizes(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		c := []int32{5, 5, 5, 5}
		kernels.GemmU8S8(2, nil, 0, kernels.PackS8(0, 2, nil), c, 2)
		assert.Equal(t, []int32{0, 0, 0, 0}, c, "k=0 gives zeros")
		kernels.GemmU8S8(0, nil, 3, kernels.PackS8(3, 2, make([]int8, 6)), nil, 2)
		f := []float32{5, 5}
		kernels.GemmF32(1, nil, 0, kernels.PackF32(0, 2, nil), f, 2)
		assert.Equal(t, []float32{0, 0}, f)
	})
}

func TestBadArgumentsPanicWithMessage(t *testing.T) {
	pb := kernels.PackS8(4, 3, make([]int8, 12))
	pf := kernels.PackF32(4, 3, make([]float32, 12))
	cases := map[string]func(){
		"short b":     func() { kernels.PackS8(4, 3, make([]int8, 11)) },
		"negative k":  func() { kernels.PackF32(-1, 3, nil) },
		"k too large": func() { kernels.PackS8(kernels.MaxK+1, 0, nil) },
		"nil packed":  func() { kernels.GemmU8S8(1, make([]uint8, 4), 4, nil, make([]int32, 3), 3) },
		"lda < k":     func() { kernels.GemmU8S8(1, make([]uint8, 4), 3, pb, make([]int32, 3), 3) },
		"short a":     func() { kernels.GemmU8S8(2, make([]uint8, 7), 4, pb, make([]int32, 6), 3) },
		"short c":     func() { kernels.GemmF32(2, make([]float32, 8), 4, pf, make([]float32, 5), 3) },
		"ldc < n":     func() { kernels.GemmF32(1, make([]float32, 4), 4, pf, make([]float32, 3), 2) },
		"negative m":  func() { kernels.GemmF32(-1, nil, 4, pf, nil, 3) },
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				assert.Regexp(t, "^kernels: ", msg)
			}()
			f()
			t.Error("no panic")
		})
	}
}

func TestSetPathRejectsUnsupported(t *testing.T) {
	before := kernels.Active()
	_, err := kernels.SetPath(kernels.Path(99))
	require.ErrorIs(t, err, kernels.ErrUnsupported)
	assert.Equal(t, before, kernels.Active())
	assert.Equal(t, "Path(99)", kernels.Path(99).String())

	prev, err := kernels.SetPath(kernels.Generic)
	require.NoError(t, err)
	defer func() { _, _ = kernels.SetPath(prev) }()
	assert.Equal(t, "int8=generic fp32=generic", kernels.Features())
}

func TestDefaultIsBestPath(t *testing.T) {
	assert.Equal(t, kernels.Best(), kernels.Active())
	assert.True(t, kernels.Supported(kernels.Generic))
	assert.Regexp(t, "^int8=[a-z0-9]+ fp32=[a-z0-9]+$", kernels.Features())
}

func TestGemmDoesNotAllocate(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		const m, n, k = 37, 40, 27 // k tail and column tail
		a, c := make([]uint8, m*k), make([]int32, m*n)
		pb := kernels.PackS8(k, n, make([]int8, k*n))
		af, cf := make([]float32, m*k), make([]float32, m*n)
		pf := kernels.PackF32(k, n, make([]float32, k*n))
		assert.Zero(t, testing.AllocsPerRun(10, func() { kernels.GemmU8S8(m, a, k, pb, c, n) }))
		assert.Zero(t, testing.AllocsPerRun(10, func() { kernels.GemmF32(m, af, k, pf, cf, n) }))
	})
}

func Example() {
	// A 2×3 activation matrix times a 3×2 weight matrix.
	a := []uint8{
		1, 2, 3,
		4, 5, 6,
	}
	b := kernels.PackS8(3, 2, []int8{
		1, -1,
		0, 2,
		-3, 127,
	})
	c := make([]int32, 4)
	kernels.GemmU8S8(2, a, 3, b, c, 2)
	fmt.Println(c)
	// Output: [-8 384 -14 768]
}
