package brats

import "math"

// halfToFloat maps every float16 bit pattern to its float32 value.
var halfToFloat = func() []float32 {
	t := make([]float32, 1<<16)
	for i := range t {
		t[i] = halfBitsToFloat(uint16(i))
	}
	return t
}()

func halfBitsToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := int(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0:
		v := float32(man) / (1 << 24) // subnormal: man × 2^-24
		if sign != 0 {
			return -v
		}
		return v
	}
	return math.Float32frombits(sign | uint32(exp-15+127)<<23 | man<<13)
}

// float64ToHalf rounds x to the nearest float16 (ties to even), as numpy's
// astype(np.float16) does from any type: overflow goes to infinity, NaN
// stays NaN.
func float64ToHalf(x float64) uint16 {
	var sign uint16
	if math.Signbit(x) {
		sign = 0x8000
		x = -x
	}
	switch {
	case math.IsNaN(x):
		return 0x7e00
	case x >= 65520: // half of the way from 65504 to 2^16 rounds up
		return sign | 0x7c00
	case x == 0:
		return sign
	}
	// Scale so the float16 unit in the last place is 1, round to even.
	e := math.Ilogb(x)
	if e < -14 {
		e = -14 // subnormal range: ulp 2^-24
	}
	ulp := math.Ldexp(1, e-10)
	m := math.RoundToEven(x / ulp) // 1024 ≤ m ≤ 2048 for normals
	if m >= 2048 {
		m /= 2
		e++
	}
	if e == -14 && m < 1024 {
		return sign | uint16(m) // subnormal
	}
	return sign | uint16(e+15)<<10 | (uint16(m) - 1024)
}
