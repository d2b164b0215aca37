package atomicfile_test

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/internal/atomicfile"
)

func Example() {
	dir, _ := os.MkdirTemp("", "atomicfile")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "result.json")
	err := atomicfile.Write(p, func(w io.Writer) error {
		_, err := io.WriteString(w, `{"valid": true}`+"\n")
		return err
	})
	b, _ := os.ReadFile(p)
	fmt.Print(string(b), err)
	// Output:
	// {"valid": true}
	// <nil>
}
