// Package kernels holds the CPU matrix kernels of the built-in model: INT8
// (uint8 activations × int8 weights, int32 accumulation) and FP32 GEMM, with
// SIMD paths where the CPU has them and a portable Go fallback that gives the
// same INT8 results bit for bit.
//
// Weights are packed once ([PackS8], [PackF32]) into the layout the kernel
// wants; activations are plain row-major matrices. Kernels are single
// threaded and allocate nothing: callers run them from several goroutines on
// disjoint outputs to use several cores.
package kernels

// PackedS8 is a k×n int8 weight matrix packed for [GemmU8S8].
type PackedS8 struct {
	K, N int
	data []int8 // layout private to the kernels
}

// PackS8 packs the row-major k×n matrix b.
func PackS8(k, n int, b []int8) *PackedS8 {
	p := &PackedS8{K: k, N: n, data: make([]int8, k*n)}
	copy(p.data, b[:k*n])
	return p
}

// GemmU8S8 computes c[i*ldc+j] = Σ_p a[i*lda+p] · b[p][j] for i < m, j < b.N,
// overwriting c. Activations must lie in [0, 127] and weights in [-127, 127],
// as symmetric INT8 quantisation after a ReLU gives, so that no SIMD pair sum
// saturates.
func GemmU8S8(m int, a []uint8, lda int, b *PackedS8, c []int32, ldc int) {
	k, n := b.K, b.N
	for i := 0; i < m; i++ {
		row := a[i*lda : i*lda+k]
		out := c[i*ldc : i*ldc+n]
		for j := range out {
			out[j] = 0
		}
		for p, av := range row {
			if av == 0 {
				continue
			}
			bv := b.data[p*n : p*n+n]
			x := int32(av)
			for j := range out {
				out[j] += x * int32(bv[j])
			}
		}
	}
}

// PackedF32 is a k×n float32 weight matrix packed for [GemmF32].
type PackedF32 struct {
	K, N int
	data []float32
}

// PackF32 packs the row-major k×n matrix b.
func PackF32(k, n int, b []float32) *PackedF32 {
	p := &PackedF32{K: k, N: n, data: make([]float32, k*n)}
	copy(p.data, b[:k*n])
	return p
}

// GemmF32 computes c = a·b for an m×k row-major a, overwriting c.
func GemmF32(m int, a []float32, lda int, b *PackedF32, c []float32, ldc int) {
	k, n := b.K, b.N
	for i := 0; i < m; i++ {
		out := c[i*ldc : i*ldc+n]
		for j := range out {
			out[j] = 0
		}
		for p := 0; p < k; p++ {
			av := a[i*lda+p]
			bv := b.data[p*n : p*n+n]
			for j := range out {
				out[j] += av * bv[j]
			}
		}
	}
}
