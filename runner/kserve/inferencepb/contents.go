package inferencepb

import (
	"encoding/binary"
	"fmt"
	"math"
)

// ContentsBytes is shared by the client (answers in typed contents, as
// KServe's Python server sends by default) and the server (requests in
// typed contents): one reading of the protocol's typed fields.

// ContentsBytes returns the little-endian bytes of n elements of datatype
// dt held in typed contents, as raw_output_contents would hold them: the
// field the protocol assigns to dt (UINT8, UINT16 and UINT32 in
// uint_contents, and so on), each element in dt's range. BYTES elements
// become Triton's raw form, a 4-byte length before each.
func ContentsBytes(dt string, c *InferTensorContents, n int) ([]byte, error) {
	size := DatatypeSize(dt)
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
