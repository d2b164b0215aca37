package mlperflog_test

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

// writeBenchLog writes a log of n entries of size response bytes each, as
// LoadGen writes it, and returns its path and size.
func writeBenchLog(b *testing.B, n, size int) (string, int64) {
	b.Helper()
	p := filepath.Join(b.TempDir(), "mlperf_log_accuracy.json")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 1))
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	enc := make([]byte, 2*size)
	hex.Encode(enc, data)
	fmt.Fprint(w, "[\n")
	for i := range n {
		if i > 0 {
			fmt.Fprint(w, ",\n")
		}
		fmt.Fprintf(w, `{ "seq_id" : %d, "qsl_idx" : %d, "data" : "`, i, i)
		w.Write(enc)
		fmt.Fprint(w, `" }`)
	}
	fmt.Fprint(w, "\n]\n")
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	return p, st.Size()
}

// BenchmarkScanLog reads ~256 MB logs: two 3D-UNet-sized responses (64 MB,
// 128 MB of hex each) and 40,000 BERT-sized ones (3 KB); MB/s is of the file.
func BenchmarkScanLog(b *testing.B) {
	for _, c := range []struct {
		name    string
		n, size int
	}{
		{"3d-unet", 2, 64 << 20},
		{"bert", 42000, 3072},
	} {
		b.Run(c.name, func(b *testing.B) {
			p, size := writeBenchLog(b, c.n, c.size)
			b.SetBytes(size)
			for b.Loop() {
				n := 0
				err := mlperflog.ScanLog(p, func(_ int, r mlperflog.Record) error {
					if len(r.Data) != c.size {
						return fmt.Errorf("entry %d: %d bytes", n, len(r.Data))
					}
					n++
					return nil
				})
				if err != nil || n != c.n {
					b.Fatal(n, err)
				}
			}
		})
	}
	// The encoding/json reader ScanLog replaced, for comparison.
	b.Run("3d-unet/encoding-json", func(b *testing.B) {
		p, size := writeBenchLog(b, 2, 64<<20)
		b.SetBytes(size)
		for b.Loop() {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			err = refDecode(p, bufio.NewReaderSize(f, 1<<20), func(int, mlperflog.Record) error { return nil })
			f.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
