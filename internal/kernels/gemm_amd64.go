//go:build amd64 && !purego

package kernels

import "golang.org/x/sys/cpu"

//go:generate go run ./internal/gen

// CPU features, read once. x/sys/cpu already folds in whether the OS saves
// the AVX and AVX-512 register state.
var (
	hasAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	hasAVX512 = cpu.X86.HasAVX512F
	hasVNNI   = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VNNI
)

func archSupported(p Path) bool {
	switch p {
	case AVX2:
		return hasAVX2
	case AVX512:
		return hasAVX512 && hasAVX2 // INT8 falls back to AVX2 without VNNI
	}
	return false
}

func archFeatures(p Path) (int8, fp32 string) {
	switch p {
	case AVX2:
		return "avx2", "avx2fma"
	case AVX512:
		if hasVNNI {
			return "avx512vnni", "avx512f"
		}
		return "avx2", "avx512f"
	}
	return "generic", "generic"
}

// tailMask yields the AVX2 store masks of a partial panel: 16 int32 lanes
// starting at tailMask[16-cols] enable the first cols lanes.
var tailMask = [2 * panel]int32{-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}

// l2Bytes is the share of the L2 cache a block of a's rows may fill while it
// is reused across column blocks of b.
const l2Bytes = 192 << 10

// rowChunk returns how many rows of a to keep hot across the column blocks:
// all of them when b has a single block, else an L2-sized multiple of 24
// (every tile height divides 24).
func rowChunk(m, rowBytes, blocks int) int {
	if blocks <= 1 {
		return m
	}
	mc := l2Bytes / max(rowBytes, 1) / 24 * 24
	return max(mc, 24)
}

func gemmS8SIMD(path Path, m int, a []uint8, lda int, b *PackedS8, c []int32, ldc int) {
	k, n := b.K, b.N
	kg := b.groups()
	bs := kg * 64
	z := path == AVX512 && hasVNNI
	wmax, rows := 2, s8yRows[:]
	if z {
		wmax, rows = 4, s8zRows[:]
	}
	// Tiles read whole 4-byte groups of a, up to 3 bytes past a row's k;
	// those bytes meet zero padding in b, so they only need to lie inside a.
	// Rows from safe on stop before the last partial group and get it added
	// in Go.
	safe := m
	for safe > 0 && (safe-1)*lda+4*kg > len(a) {
		safe--
	}
	np := (n + panel - 1) / panel
	mc := rowChunk(m, k, (np+wmax-1)/wmax)
	for i0 := 0; i0 < m; i0 += mc {
		i1 := min(m, i0+mc)
		for p0 := 0; p0 < np; p0 += wmax {
			w := min(wmax, np-p0)
			lanes := min(n-p0*panel, w*panel) - (w-1)*panel
			mask := uint16(1<<lanes - 1)
			bp := &b.data[p0*bs]
			for i := i0; i < i1; {
				r := min(rows[w], i1-i)
				steps := kg
				if i < safe {
					r = min(r, safe-i)
				} else {
					steps = k / 4
				}
				ap, cp := &a[i*lda], &c[i*ldc+p0*panel]
				if z {
					s8zTile(r, w, ap, lda, steps, bp, bs, cp, ldc, mask)
				} else {
					s8yTile(r, w, ap, lda, steps, bp, bs, cp, ldc, &tailMask[panel-lanes])
				}
				if steps < kg {
					addTail(r, a[i*lda:], lda, b, c[i*ldc:], ldc, p0*panel, min(n, (p0+w)*panel))
				}
				i += r
			}
		}
	}
}

// addTail adds the last partial k group of r rows to columns j0..j1-1.
func addTail(r int, a []uint8, lda int, b *PackedS8, c []int32, ldc, j0, j1 int) {
	k := b.K
	for i := 0; i < r; i++ {
		for q := k &^ 3; q < k; q++ {
			av := int32(a[i*lda+q])
			for j := j0; j < j1; j++ {
				c[i*ldc+j] += av * int32(b.at(q, j))
			}
		}
	}
}

func gemmF32SIMD(path Path, m int, a []float32, lda int, b *PackedF32, c []float32, ldc int) {
	k, n := b.K, b.N
	bs := k * panel // floats between panels
	z := path == AVX512
	wmax, rows := 2, f32yRows[:]
	if z {
		wmax, rows = 4, f32zRows[:]
	}
	np := (n + panel - 1) / panel
	mc := rowChunk(m, 4*k, (np+wmax-1)/wmax)
	for i0 := 0; i0 < m; i0 += mc {
		i1 := min(m, i0+mc)
		for p0 := 0; p0 < np; p0 += wmax {
			w := min(wmax, np-p0)
			lanes := min(n-p0*panel, w*panel) - (w-1)*panel
			mask := uint16(1<<lanes - 1)
			bp := &b.data[p0*bs]
			for i := i0; i < i1; {
				r := min(rows[w], i1-i)
				ap, cp := &a[i*lda], &c[i*ldc+p0*panel]
				if z {
					f32zTile(r, w, ap, lda, k, bp, 4*bs, cp, ldc, mask)
				} else {
					f32yTile(r, w, ap, lda, k, bp, 4*bs, cp, ldc, &tailMask[panel-lanes])
				}
				i += r
			}
		}
	}
}
