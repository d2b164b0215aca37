package npy_test

import (
	"bytes"
	"testing"

	"github.com/gotrt/gotrt/models/npy"
)

// FuzzReadHeader feeds arbitrary bytes to the .npy header reader: it parses
// or errors, never panics, keeps its errors short, and what it accepts has
// a shape whose size does not overflow. The seeds run as an ordinary test.
func FuzzReadHeader(f *testing.F) {
	for _, s := range []string{
		"\x93NUMPY\x01\x00\x46\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 224, 224), }          \n",
		"\x93NUMPY\x01\x00\x36\x00{'descr': '|i1', 'fortran_order': True, 'shape': (), }  \n",
		"\x93NUMPY\x02\x00\x36\x00\x00\x00{'descr': '>u8', 'fortran_order': False, 'shape': (0,), }\n",
		"\x93NUMPY\x03\x00\x38\x00\x00\x00{'descr': '<c16', 'fortran_order': False, 'shape': (2, 2), }\n",
		"\x93NUMPY\x01\x00\x40\x00{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807, 2), }\n",
		"\x93NUMPY\x01\x00\x10\x00{'descr': 'O'}",
		"\x93NUMPY\x09\x00",
		"\x93NUMP",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := npy.ReadHeader(bytes.NewReader(b))
		if err != nil {
			if len(err.Error()) > 1000 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
			return
		}
		if h.Len() < 0 || h.DataSize() < 0 || h.DataOffset < 10 {
			t.Fatalf("accepted header with len %d, data size %d, offset %d", h.Len(), h.DataSize(), h.DataOffset)
		}
	})
}
