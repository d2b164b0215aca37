package kserve

import (
	"errors"
	"fmt"
	"math"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// This file turns an answer's output, in whichever form the server chose
// (raw_output_contents, or typed contents as KServe's Python server answers
// by default), into the little-endian bytes of the datatype the scorer
// reads.

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
