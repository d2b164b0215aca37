package npy

import (
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/internal/atomicfile"
)

// WriteHeader writes a .npy header for h (DType, Shape, FortranOrder) as
// NumPy does: the dictionary padded with spaces and a newline so that the
// data starts on a 64-byte boundary. h.Major picks the format version;
// 0 picks 1.0, or 2.0 when the header does not fit 1.0's 16-bit length.
func WriteHeader(w io.Writer, h Header) error {
	var sb strings.Builder
	sb.WriteString("{'descr': '")
	sb.WriteString(h.DType.String())
	sb.WriteString("', 'fortran_order': ")
	if h.FortranOrder {
		sb.WriteString("True")
	} else {
		sb.WriteString("False")
	}
	sb.WriteString(", 'shape': (")
	for i, d := range h.Shape {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(strconv.Itoa(d))
	}
	if len(h.Shape) == 1 {
		sb.WriteString(",")
	}
	sb.WriteString("), }")
	dict := sb.String()
	major := h.Major
	if major == 0 {
		major = 1
		if len(dict)+11 > 65535 {
			major = 2
		}
	}
	pre := 10
	if major > 1 {
		pre = 12
	}
	total := pre + len(dict) + 1
	pad := (64 - total%64) % 64
	hlen := len(dict) + pad + 1
	out := make([]byte, 0, pre+hlen)
	out = append(out, magic...)
	out = append(out, major, h.Minor)
	switch major {
	case 1:
		if hlen > 65535 {
			return fmt.Errorf("npy: header of %d bytes does not fit format 1.0", hlen)
		}
		out = binary.LittleEndian.AppendUint16(out, uint16(hlen))
	case 2, 3:
		out = binary.LittleEndian.AppendUint32(out, uint32(hlen))
	default:
		return fmt.Errorf("npy: cannot write format version %d.%d", major, h.Minor)
	}
	out = append(out, dict...)
	out = append(out, strings.Repeat(" ", pad)...)
	out = append(out, '\n')
	_, err := w.Write(out)
	return err
}

// WriteFile writes data as a C-order .npy file (format 1.0) of the given
// dtype and shape; len(data) must match them.
func WriteFile(path string, dt DType, shape []int, data []byte) error {
	h := Header{DType: dt, Shape: shape}
	if int64(len(data)) != h.DataSize() {
		return fmt.Errorf("npy: %s: %d data bytes for shape %v of %s (want %d)", path, len(data), shape, dt, h.DataSize())
	}
	// Whole or not at all, never through a link (internal/atomicfile).
	err := atomicfile.Write(path, func(w io.Writer) error {
		if err := WriteHeader(w, h); err != nil {
			return err
		}
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	return nil
}
