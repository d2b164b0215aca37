package kserve

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// This file turns an answer's output, in whichever form the server chose
// (raw_output_contents, or typed contents as KServe's Python server answers
// by default), into the little-endian bytes of the datatype the scorer
// reads.

// contentsBytes returns the little-endian bytes of n elements of datatype
// dt held in typed contents, as raw_output_contents would hold them: the
// field the protocol assigns to dt (UINT8, UINT16 and UINT32 in
// uint_contents, and so on), each element in dt's range. BYTES elements
// become Triton's raw form, a 4-byte length before each.
func contentsBytes(dt string, c *pb.InferTensorContents, n int) ([]byte, error) {
	size := pb.DatatypeSize(dt)
	count := func(got int) error {
		if got != n {
			return fmt.Errorf("%d %s elements in contents, the shape needs %d", got, dt, n)
		}
		return nil
	}
	var out []byte
	if size > 0 {
		out = make([]byte, 0, n*size)
	}
	switch dt {
	case "BOOL":
		v := c.GetBoolContents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		for _, b := range v {
			out = append(out, b2u8(b))
		}
	case "UINT8", "UINT16", "UINT32":
		v := c.GetUintContents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		hi := uint64(1)<<(8*size) - 1
		for i, x := range v {
			if uint64(x) > hi {
				return nil, fmt.Errorf("element %d: %d is not a %s", i, x, dt)
			}
			out = putUint(out, uint64(x), size)
		}
	case "UINT64":
		v := c.GetUint64Contents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		for _, x := range v {
			out = binary.LittleEndian.AppendUint64(out, x)
		}
	case "INT8", "INT16", "INT32":
		v := c.GetIntContents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		hi := int64(1)<<(8*size-1) - 1
		for i, x := range v {
			if int64(x) > hi || int64(x) < -hi-1 {
				return nil, fmt.Errorf("element %d: %d is not a %s", i, x, dt)
			}
			out = putUint(out, uint64(x), size)
		}
	case "INT64":
		v := c.GetInt64Contents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		for _, x := range v {
			out = binary.LittleEndian.AppendUint64(out, uint64(x))
		}
	case "FP32":
		v := c.GetFp32Contents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		for _, x := range v {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
		}
	case "FP64":
		v := c.GetFp64Contents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		for _, x := range v {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(x))
		}
	case "BYTES":
		v := c.GetBytesContents()
		if err := count(len(v)); err != nil {
			return nil, err
		}
		for _, x := range v {
			out = binary.LittleEndian.AppendUint32(out, uint32(len(x)))
			out = append(out, x...)
		}
	default:
		// FP16 and BF16 have no typed field: only raw contents carry them.
		return nil, fmt.Errorf("datatype %q has no typed contents field", dt)
	}
	return out, nil
}

func b2u8(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// putUint appends the low size bytes of v, little-endian.
func putUint(out []byte, v uint64, size int) []byte {
	for i := range size {
		out = append(out, byte(v>>(8*i)))
	}
	return out
}

// isInt says whether dt is an integer datatype (a class id can be one).
func isInt(dt string) bool {
	switch dt {
	case "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64":
		return true
	}
	return false
}

func isSigned(dt string) bool { return dt[0] == 'I' }

// errRange marks an element that does not fit the datatype the scorer reads.
var errRange = errors.New("out of range")

// convertInts rewrites n little-endian integers of datatype from as
// datatype to (both integer types), each checked to fit: a class id
// answered as INT64 becomes the INT32 the scorer reads. dst is reused when
// large enough.
func convertInts(dst, src []byte, from, to string) ([]byte, error) {
	fs, ts := pb.DatatypeSize(from), pb.DatatypeSize(to)
	n := len(src) / fs
	dst = dst[:0]
	var lo, hi int64 // the target's range, as int64 (uint64 handled apart)
	if isSigned(to) {
		hi = int64(1)<<(8*ts-1) - 1
		lo = -hi - 1
	} else if ts < 8 {
		hi = int64(1)<<(8*ts) - 1
	}
	for i := range n {
		b := src[i*fs : (i+1)*fs]
		var u uint64
		for k := fs - 1; k >= 0; k-- {
			u = u<<8 | uint64(b[k])
		}
		neg := false
		if isSigned(from) && fs < 8 && u&(1<<(8*fs-1)) != 0 {
			u |= ^uint64(0) << (8 * fs) // sign-extend
		}
		if isSigned(from) {
			neg = int64(u) < 0
		}
		ok := true
		switch {
		case !isSigned(to) && ts == 8: // UINT64
			ok = !neg
		case neg:
			ok = int64(u) >= lo
		default:
			// u is non-negative here; an unsigned 64-bit value above
			// MaxInt64 fits no narrower or signed type.
			ok = u <= uint64(math.MaxInt64) && int64(u) <= hi
		}
		if !ok {
			if neg {
				return nil, fmt.Errorf("element %d: %d does not fit %s: %w", i, int64(u), to, errRange)
			}
			return nil, fmt.Errorf("element %d: %d does not fit %s: %w", i, u, to, errRange)
		}
		dst = putUint(dst, u, ts)
	}
	return dst, nil
}
