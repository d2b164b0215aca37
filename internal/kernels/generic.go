package kernels

import "sync"

// swarBias makes weights non-negative for the SWAR generic kernel:
// a·(b+128) ≥ 0, so two 32-bit sums can share one uint64 without borrows.
const swarBias = 128

// swarS8 is the layout of the generic INT8 kernel: per 16-column panel and
// per k, 8 words each holding two biased weights of adjacent columns, one
// per 32-bit half. One 64-bit multiply-add then does two MACs, and the
// halves cannot carry into each other while k·127·255 < 2³² (see MaxK).
type swarS8 struct {
	once sync.Once
	w    []uint64
}

func (p *PackedS8) swar() []uint64 {
	p.generic.once.Do(func() {
		np := (p.N + panel - 1) / panel
		w := make([]uint64, np*p.K*panel/2)
		for j0 := 0; j0 < np*panel; j0 += panel {
			for q := 0; q < p.K; q++ {
				for t := 0; t < panel/2; t++ {
					lo, hi := p.biased(q, j0+2*t), p.biased(q, j0+2*t+1)
					w[(j0/panel*p.K+q)*panel/2+t] = lo | hi<<32
				}
			}
		}
		p.generic.w = w
	})
	return p.generic.w
}

// biased returns b[q][j]+128, or 0 for padding columns, which therefore
// need no bias correction either: their outputs are never stored.
func (p *PackedS8) biased(q, j int) uint64 {
	if j >= p.N {
		return 0
	}
	return uint64(int64(p.at(q, j)) + swarBias)
}

// gemmS8Generic is the portable INT8 kernel: SWAR on uint64, eight
// accumulators in registers per 16-column panel. Integer sums make it exact
// like the SIMD paths.
func gemmS8Generic(m int, a []uint8, lda int, b *PackedS8, c []int32, ldc int) {
	k, n := b.K, b.N
	w := b.swar()
	stride := k * panel / 2
	for i := 0; i < m; i++ {
		row := a[i*lda : i*lda+k]
		var sum uint64
		for _, av := range row {
			sum += uint64(av)
		}
		bias := int64(sum) * swarBias
		out := c[i*ldc : i*ldc+n]
		for p := 0; p*panel < n; p++ {
			pw := w[p*stride : (p+1)*stride]
			var s0, s1, s2, s3, s4, s5, s6, s7 uint64
			for q, av := range row {
				x := uint64(av)
				ws := (*[panel / 2]uint64)(pw[q*panel/2:])
				s0 += x * ws[0]
				s1 += x * ws[1]
				s2 += x * ws[2]
				s3 += x * ws[3]
				s4 += x * ws[4]
				s5 += x * ws[5]
				s6 += x * ws[6]
				s7 += x * ws[7]
			}
			var acc [panel]int32
			for t, s := range [panel / 2]uint64{s0, s1, s2, s3, s4, s5, s6, s7} {
				acc[2*t] = int32(int64(uint32(s)) - bias)
				acc[2*t+1] = int32(int64(s>>32) - bias)
			}
			copy(out[p*panel:], acc[:])
		}
	}
}

// gemmF32Generic is the portable FP32 kernel: four accumulators in
// registers per quarter panel (more would spill). Each sum runs over p in
// order from zero, as the plain loop does.
func gemmF32Generic(m int, a []float32, lda int, b *PackedF32, c []float32, ldc int) {
	k, n := b.K, b.N
	stride := k * panel
	for i := 0; i < m; i++ {
		row := a[i*lda : i*lda+k]
		out := c[i*ldc : i*ldc+n]
		for j0 := 0; j0 < n; j0 += 4 {
			pb := b.data[j0/panel*stride+j0%panel:]
			pb = pb[:len(row)*panel-j0%panel]
			var s0, s1, s2, s3 float32
			for q, av := range row {
				ws := pb[q*panel : q*panel+4]
				s0 += av * ws[0]
				s1 += av * ws[1]
				s2 += av * ws[2]
				s3 += av * ws[3]
			}
			copy(out[j0:], []float32{s0, s1, s2, s3})
		}
	}
}
