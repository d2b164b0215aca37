package npy_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/models/npy"
)

// Example writes a 2×3 int32 array and reads it back in one read, the way a
// QSL loads a preprocessed tensor.
func Example() {
	dir, err := os.MkdirTemp("", "npy-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "x.npy")

	data := make([]byte, 0, 6*4)
	for v := range int32(6) {
		data = binary.NativeEndian.AppendUint32(data, uint32(v*10))
	}
	if err := npy.WriteFile(path, npy.Int32Type, []int{2, 3}, data); err != nil {
		fmt.Println(err)
		return
	}

	a, err := npy.Read(path, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.DType.SameType(npy.Int32Type), a.Shape, a.Len(), a.DataOffset%64)
	fmt.Println(int32(binary.NativeEndian.Uint32(a.Data[5*4:])))
	// Output:
	// true [2 3] 6 0
	// 50
}
