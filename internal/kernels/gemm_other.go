//go:build !amd64 || purego

package kernels

func archSupported(Path) bool { return false }

func archFeatures(Path) (int8, fp32 string) { return "generic", "generic" }

// The SIMD entry points are never reached here: Supported admits only
// Generic. They fall back to it all the same.

func gemmS8SIMD(_ Path, m int, a []uint8, lda int, b *PackedS8, c []int32, ldc int) {
	gemmS8Generic(m, a, lda, b, c, ldc)
}

func gemmF32SIMD(_ Path, m int, a []float32, lda int, b *PackedF32, c []float32, ldc int) {
	gemmF32Generic(m, a, lda, b, c, ldc)
}
