package kernels

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// panel is the number of output columns a packed panel holds: one AVX-512
// register of int32 or float32.
const panel = 16

// MaxK is the largest k GemmU8S8 takes: within its value ranges no sum can
// overflow, neither int32 (k·127·127 < 2³¹) nor the 32-bit halves of the
// generic kernel's biased sums (k·127·255 < 2³²).
const MaxK = (1<<32 - 1) / (127 * 255)

// PackedS8 is a k×n int8 weight matrix packed for [GemmU8S8].
type PackedS8 struct {
	K, N int
	// data holds ceil(N/16) panels, each ceil(K/4) groups of 16 columns ×
	// 4 consecutive k values (64 bytes, one VPDPBUSD operand), zero padded.
	data []int8
	// generic is the generic kernel's layout, built on its first use.
	generic swarS8
}

// groups is the number of 4-deep k groups, the padded k divided by 4.
func (p *PackedS8) groups() int { return (p.K + 3) / 4 }

// PackS8 packs the row-major k×n matrix b, whose values must lie in
// [-127, 127]. It panics if k or n is negative, k exceeds [MaxK], or b holds
// fewer than k·n values.
func PackS8(k, n int, b []int8) *PackedS8 {
	checkPack(k, n, len(b))
	if k > MaxK {
		panic(fmt.Sprintf("kernels: k=%d exceeds MaxK=%d", k, MaxK))
	}
	p := &PackedS8{K: k, N: n}
	kg, np := p.groups(), (n+panel-1)/panel
	p.data = make([]int8, np*kg*64)
	for q := 0; q < k; q++ {
		for j := 0; j < n; j++ {
			p.data[(j/panel)*kg*64+(q/4)*64+(j%panel)*4+q%4] = b[q*n+j]
		}
	}
	return p
}

// at returns element (q, j) of the unpacked matrix.
func (p *PackedS8) at(q, j int) int8 {
	return p.data[(j/panel)*p.groups()*64+(q/4)*64+(j%panel)*4+q%4]
}

// PackedF32 is a k×n float32 weight matrix packed for [GemmF32].
type PackedF32 struct {
	K, N int
	// data holds ceil(N/16) panels of K rows × 16 columns, zero padded.
	data []float32
}

// PackF32 packs the row-major k×n matrix b. It panics if k or n is negative
// or b holds fewer than k·n values.
func PackF32(k, n int, b []float32) *PackedF32 {
	checkPack(k, n, len(b))
	p := &PackedF32{K: k, N: n}
	np := (n + panel - 1) / panel
	p.data = make([]float32, np*k*panel)
	for q := 0; q < k; q++ {
		for j := 0; j < n; j++ {
			p.data[(j/panel)*k*panel+q*panel+j%panel] = b[q*n+j]
		}
	}
	return p
}

func checkPack(k, n, have int) {
	if k < 0 || n < 0 {
		panic(fmt.Sprintf("kernels: negative shape %d×%d", k, n))
	}
	if have < k*n {
		panic(fmt.Sprintf("kernels: %d×%d matrix needs %d values, got %d", k, n, k*n, have))
	}
}

// GemmU8S8 computes c[i*ldc+j] = Σ_p a[i*lda+p] · b[p][j] for i < m, j < b.N,
// overwriting c. Activations must lie in [0, 127] and weights in [-127, 127],
// as symmetric INT8 quantisation after a ReLU gives, so that no SIMD pair sum
// saturates; then the result is exact on every path.
//
// It panics if m < 0, b is nil, lda < b.K, ldc < b.N, or a or c is too short
// for m rows (the last row needs only b.K or b.N values).
func GemmU8S8(m int, a []uint8, lda int, b *PackedS8, c []int32, ldc int) {
	if b == nil {
		panic("kernels: nil *PackedS8")
	}
	if !prologue(m, len(a), lda, b.K, c, ldc, b.N) {
		return
	}
	if path := Active(); path == Generic {
		gemmS8Generic(m, a, lda, b, c, ldc)
	} else {
		gemmS8SIMD(path, m, a, lda, b, c, ldc)
	}
}

// GemmF32 computes c = a·b for an m×k row-major a, overwriting c:
// c[i*ldc+j] = Σ_p a[i*lda+p] · b[p][j] for i < m, j < b.N.
//
// It panics if m < 0, b is nil, lda < b.K, ldc < b.N, or a or c is too short
// for m rows (the last row needs only b.K or b.N values).
func GemmF32(m int, a []float32, lda int, b *PackedF32, c []float32, ldc int) {
	if b == nil {
		panic("kernels: nil *PackedF32")
	}
	if !prologue(m, len(a), lda, b.K, c, ldc, b.N) {
		return
	}
	if path := Active(); path == Generic {
		gemmF32Generic(m, a, lda, b, c, ldc)
	} else {
		gemmF32SIMD(path, m, a, lda, b, c, ldc)
	}
}

func checkGemm(m, la, lda, k, lc, ldc, n int) {
	switch {
	case m < 0:
		panic(fmt.Sprintf("kernels: negative m=%d", m))
	case lda < k:
		panic(fmt.Sprintf("kernels: lda=%d < k=%d", lda, k))
	case ldc < n:
		panic(fmt.Sprintf("kernels: ldc=%d < n=%d", ldc, n))
	case m > 0 && la < (m-1)*lda+k:
		panic(fmt.Sprintf("kernels: a has %d values, %d rows of k=%d with lda=%d need %d", la, m, k, lda, (m-1)*lda+k))
	case m > 0 && lc < (m-1)*ldc+n:
		panic(fmt.Sprintf("kernels: c has %d values, %d rows of n=%d with ldc=%d need %d", lc, m, n, ldc, (m-1)*ldc+n))
	}
}

// prologue checks a GEMM's arguments (see checkGemm) and does the work of
// the shapes the kernels do not handle: nothing when m or n is 0, zeros when
// k is 0. It reports whether a kernel still has to run.
func prologue[T int32 | float32](m, la, lda, k int, c []T, ldc, n int) bool {
	checkGemm(m, la, lda, k, len(c), ldc, n)
	if m == 0 || n == 0 {
		return false
	}
	if k == 0 {
		for i := 0; i < m; i++ {
			clear(c[i*ldc : i*ldc+n])
		}
		return false
	}
	return true
}

// Path names an implementation of the kernels.
type Path uint32

const (
	// Generic is portable Go, available everywhere.
	Generic Path = iota
	// AVX2 uses 256-bit AVX2: VPMADDUBSW+VPMADDWD for INT8, FMA for FP32.
	AVX2
	// AVX512 uses 512-bit AVX-512: VPDPBUSD for INT8 when the CPU has
	// AVX-512 VNNI (else the AVX2 INT8 kernel), VFMADD231PS for FP32.
	AVX512
)

// String returns the path's name.
func (p Path) String() string {
	switch p {
	case Generic:
		return "generic"
	case AVX2:
		return "avx2"
	case AVX512:
		return "avx512"
	}
	return fmt.Sprintf("Path(%d)", uint32(p))
}

// ErrUnsupported reports a path the CPU or the build cannot run.
var ErrUnsupported = errors.New("kernels: path not supported on this CPU or build")

// active is the path in use; atomic so that SetPath never races with
// kernels running on other goroutines.
var active atomic.Uint32

func init() { active.Store(uint32(Best())) }

// Best returns the fastest path this CPU and build support.
func Best() Path {
	for p := AVX512; p > Generic; p-- {
		if Supported(p) {
			return p
		}
	}
	return Generic
}

// Supported reports whether this CPU and build can run path p.
func Supported(p Path) bool { return p == Generic || archSupported(p) }

// Active returns the path the kernels use now.
func Active() Path { return Path(active.Load()) }

// SetPath makes the kernels use path p from the next call on and returns the
// previous path. It returns ErrUnsupported, changing nothing, if p cannot run
// here. It is meant for tests and benchmarks; calls already running finish on
// the old path.
func SetPath(p Path) (Path, error) {
	if !Supported(p) {
		return Active(), fmt.Errorf("%w: %v", ErrUnsupported, p)
	}
	return Path(active.Swap(uint32(p))), nil
}

// Features names the instructions the active path uses for each precision,
// e.g. "int8=avx512vnni fp32=avx512f".
func Features() string {
	i8, f32 := archFeatures(Active())
	return "int8=" + i8 + " fp32=" + f32
}
