package dataset_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/models/dataset"
)

// A 3-channel 2x2 image in CHW4: C padded to 4, bytes [1][H][W][4].
func TestLinearToCHW4(t *testing.T) {
	src := []byte{
		1, 2, 3, 4, // channel 0
		11, 12, 13, 14, // channel 1
		21, 22, 23, 24, // channel 2
	}
	dst := make([]byte, 16)
	require.NoError(t, dataset.LinearToVectorized(dst, src, []int{3, 2, 2}, 1, 4))
	assert.Equal(t, []byte{
		1, 11, 21, 0, 2, 12, 22, 0,
		3, 13, 23, 0, 4, 14, 24, 0,
	}, dst)
}

// CHW32 of 33 channels: two blocks of 32, the second padded; 2-byte elements
// move whole.
func TestLinearToCHW32(t *testing.T) {
	const c, hw = 33, 2
	src := make([]byte, c*hw*2)
	for ch := range c {
		for p := range hw {
			src[(ch*hw+p)*2] = byte(ch)
			src[(ch*hw+p)*2+1] = byte(p + 100)
		}
	}
	dst := make([]byte, 64*hw*2)
	require.NoError(t, dataset.LinearToVectorized(dst, src, []int{c, 1, hw}, 2, 32))
	at := func(ch, p int) []byte {
		o := (((ch/32)*hw+p)*32 + ch%32) * 2
		return dst[o : o+2]
	}
	for ch := range c {
		for p := range hw {
			assert.Equal(t, []byte{byte(ch), byte(p + 100)}, at(ch, p), "channel %d pixel %d", ch, p)
		}
	}
	for ch := c; ch < 64; ch++ {
		assert.Equal(t, []byte{0, 0}, at(ch, 0), "padding channel %d", ch)
	}
	assert.Error(t, dataset.LinearToVectorized(dst[:10], src, []int{c, 1, hw}, 2, 32))
}

func TestCanConvert(t *testing.T) {
	assert.True(t, dataset.CanConvert(catalog.Linear, catalog.CHW4))
	assert.True(t, dataset.CanConvert(catalog.Linear, catalog.CHW32))
	assert.True(t, dataset.CanConvert(catalog.CHW4, catalog.CHW4))
	assert.False(t, dataset.CanConvert(catalog.CHW4, catalog.Linear))
	assert.False(t, dataset.CanConvert(catalog.Linear, catalog.DHWC8))
}
