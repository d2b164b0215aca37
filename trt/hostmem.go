package trt

import (
	"fmt"
	"math"
	"unsafe"
)

// goBytes copies n bytes at p (memory TensorRT owns, such as a serialized
// plan) into Go memory. Unlike C.GoBytes, whose length is a C int, it takes
// any size a Go slice can hold: plans of 2 GiB and more exist.
func goBytes(p unsafe.Pointer, n uint64) ([]byte, error) {
	if n == 0 {
		return []byte{}, nil
	}
	if p == nil {
		return nil, newError("IHostMemory::data", CodeFailed, fmt.Sprintf("null data for %d bytes", n))
	}
	if n > math.MaxInt {
		return nil, newError("IHostMemory::data", CodeOutOfMemory, fmt.Sprintf("%d bytes do not fit a go slice", n))
	}
	out := make([]byte, n)
	copy(out, unsafe.Slice((*byte)(p), n))
	return out, nil
}
