package dataset

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRenderIsDeterministicAndIndependentOfRange(t *testing.T) {
	a := Generate(Seed, Test, 10, 20)
	b := Generate(Seed, Test, 0, 30)
	require.Equal(t, a.Images, b.Images[10*Pixels:])
	require.Equal(t, a.Labels, b.Labels[10:])
	c := Generate(Seed, Calibration, 10, 20)
	assert.NotEqual(t, a.Images, c.Images, "splits are disjoint streams")
	d := Generate(Seed+1, Test, 10, 20)
	assert.NotEqual(t, a.Images, d.Images, "the seed matters")
}

func TestLabelMatchesRender(t *testing.T) {
	s := Generate(Seed, Train, 0, 200)
	counts := make([]int, NumClasses)
	for i, l := range s.Labels {
		require.Equal(t, l, Label(Seed, Train, i))
		counts[l]++
	}
	for c, n := range counts {
		assert.Positive(t, n, "class %d appears", c)
	}
}

func TestEveryClassDrawsSomething(t *testing.T) {
	// The glyph must cover a good share of its box at every angle used.
	for c := range int32(NumClasses) {
		n := 0
		for v := -1.0; v <= 1; v += 0.05 {
			for u := -1.0; u <= 1; u += 0.05 {
				if inside(c, u, v, 0.2) {
					n++
				}
			}
		}
		assert.Greater(t, n, 200, "class %s", ClassNames[c])
	}
	assert.Equal(t, "test", Test.String())
}
