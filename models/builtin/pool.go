package builtin

// poolRequant and poolBiasReLU are the fused epilogues of the conv layers.
// They run on SIMD where the CPU has it (pool_amd64.s; not with the purego
// tag, as in the kernels package) for channel counts that are multiples of
// 8, and on the portable loops below otherwise; both give the same bits
// (tested).

// poolRequant is poolRequantGo, on SIMD where available.
func poolRequant(acc []int32, side, c int, mult, qbias []float32, out []uint8, stride int) {
	if !useSIMD || c%8 != 0 {
		poolRequantGo(acc, side, c, mult, qbias, out, stride)
		return
	}
	h := side / 2
	_, _ = mult[c-1], qbias[c-1]
	for y := range h {
		top := acc[2*y*side*c:][:2*side*c]
		o := out[y*stride*c:][:h*c]
		poolRequantRow(&top[0], &top[side*c], c, h, &mult[0], &qbias[0], &o[0])
	}
}

// poolBiasReLU is poolBiasReLUGo, on SIMD where available.
func poolBiasReLU(acc []float32, side, c int, bias []float32, out []float32, stride int) {
	if !useSIMD || c%8 != 0 {
		poolBiasReLUGo(acc, side, c, bias, out, stride)
		return
	}
	h := side / 2
	_ = bias[c-1]
	for y := range h {
		top := acc[2*y*side*c:][:2*side*c]
		o := out[y*stride*c:][:h*c]
		poolBiasReLURow(&top[0], &top[side*c], c, h, &bias[0], &o[0])
	}
}

// poolRequant max-pools the side×side×c int32 sums 2×2 and requantises the
// result to [0, 127]: q = clamp(round(acc·mult + qbias)). Pooling first is
// exact because the requantisation (ReLU included) is monotone per channel
// (mult > 0). Output row y starts at out[y·stride·c]. The clamping is done on
// integers, which compile to conditional moves: branches on the sign of
// post-ReLU values mispredict half the time.
func poolRequantGo(acc []int32, side, c int, mult, qbias []float32, out []uint8, stride int) {
	h := side / 2
	mult, qbias = mult[:c], qbias[:c]
	for y := range h {
		for x := range h {
			i := ((2*y)*side + 2*x) * c
			j := i + side*c
			a0, a1 := acc[i:i+c], acc[i+c:i+2*c]
			b0, b1 := acc[j:j+c], acc[j+c:j+2*c]
			o := out[(y*stride+x)*c:][:c]
			for ch := range o {
				m := max(a0[ch], a1[ch], b0[ch], b1[ch])
				// Sums stay far below 2²⁴, so float32 holds them exactly and
				// v stays far inside int32.
				// The explicit float32 conversion forbids FMA fusion, so this
				// rounds as the SIMD path does.
				q := int32(float32(float32(m)*mult[ch]) + qbias[ch] + 0.5)
				o[ch] = uint8(min(max(q, 0), 127))
			}
		}
	}
}

// poolBiasReLU max-pools the side×side×c sums 2×2, adds the bias and applies
// ReLU (pooling first is exact: bias and ReLU are monotone per channel).
func poolBiasReLUGo(acc []float32, side, c int, bias []float32, out []float32, stride int) {
	h := side / 2
	bias = bias[:c]
	for y := range h {
		for x := range h {
			i := ((2*y)*side + 2*x) * c
			j := i + side*c
			a0, a1 := acc[i:i+c], acc[i+c:i+2*c]
			b0, b1 := acc[j:j+c], acc[j+c:j+2*c]
			o := out[(y*stride+x)*c:][:c]
			for ch := range o {
				v := max(a0[ch], a1[ch], b0[ch], b1[ch]) + bias[ch]
				o[ch] = max(v, 0)
			}
		}
	}
}
