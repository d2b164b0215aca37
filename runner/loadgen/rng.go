package loadgen

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// rng is the load generator's random source: PCG seeded from one LoadGen
// seed, with the few distributions LoadGen uses written out here so that a
// seed gives the same sequence on every Go version (math/rand/v2 only
// promises that for the generator itself). The sequences are gotrt's own:
// LoadGen's come from std::mt19937 and libstdc++'s distributions.
type rng struct{ src rand.PCG }

// pcgStream separates gotrt's streams from a plain PCG seeded with the same
// number; any fixed constant would do.
const pcgStream = 0x9e3779b97f4a7c15

func newRNG(seed uint64) *rng {
	r := &rng{}
	r.src.Seed(seed, pcgStream)
	return r
}

func (r *rng) uint64() uint64 { return r.src.Uint64() }

// intn returns a uniform int in [0, n), n > 0, by Lemire's method.
func (r *rng) intn(n int) int {
	bound := uint64(n)
	hi, lo := bits.Mul64(r.src.Uint64(), bound)
	if lo < bound {
		thresh := -bound % bound
		for lo < thresh {
			hi, lo = bits.Mul64(r.src.Uint64(), bound)
		}
	}
	return int(hi)
}

// float64 returns a uniform float64 in [0, 1).
func (r *rng) float64() float64 { return float64(r.src.Uint64()>>11) / (1 << 53) }

// exp returns an exponential variate with the given rate (mean 1/rate).
func (r *rng) exp(rate float64) float64 { return -math.Log1p(-r.float64()) / rate }

// shuffle permutes s in place (Fisher–Yates).
func shuffle[T any](r *rng, s []T) {
	for i := len(s) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		s[i], s[j] = s[j], s[i]
	}
}
