package dataset

import (
	"fmt"

	"github.com/gotrt/gotrt/models/catalog"
)

// VectorWidth is the number of channels a vectorized layout packs together
// (4 for CHW4, 32 for CHW32), 0 for a layout the QSL cannot convert to.
func VectorWidth(f catalog.Format) int {
	switch f {
	case catalog.CHW4:
		return 4
	case catalog.CHW32:
		return 32
	}
	return 0
}

// CanConvert reports whether the QSL converts samples stored in layout from
// to layout to as it loads them: the same layout, or linear to CHW4 or
// CHW32.
func CanConvert(from, to catalog.Format) bool {
	return from == to || (from == catalog.Linear && VectorWidth(to) > 0)
}

// LinearToVectorized writes one sample stored linearly (shape, channels
// first, elements of elem bytes) into dst in a channel-vectorized layout of
// width g, as TensorRT's CHW4 and CHW32 lay out memory: channels padded with
// zeros to a multiple of g, bytes ordered [C/g][rest...][g]. dst must hold
// the padded sample exactly; src the linear one.
func LinearToVectorized(dst, src []byte, shape []int, elem, g int) error {
	if len(shape) == 0 || elem <= 0 || g <= 0 {
		return fmt.Errorf("dataset: vectorize: shape %v, element size %d, width %d", shape, elem, g)
	}
	c := shape[0]
	rest := 1
	for _, d := range shape[1:] {
		rest *= d
	}
	cp := (c + g - 1) / g * g
	if len(src) != c*rest*elem || len(dst) != cp*rest*elem {
		return fmt.Errorf("dataset: vectorize shape %v by %d: %d bytes in, %d out, want %d and %d",
			shape, g, len(src), len(dst), c*rest*elem, cp*rest*elem)
	}
	clear(dst)
	for ch := range c {
		blk, lane := ch/g, ch%g
		in := src[ch*rest*elem : (ch+1)*rest*elem]
		for r := range rest {
			o := ((blk*rest+r)*g + lane) * elem
			copy(dst[o:o+elem], in[r*elem:(r+1)*elem])
		}
	}
	return nil
}
