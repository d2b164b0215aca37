package imagenet_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/models/accuracy/imagenet"
)

// BenchmarkScoreFiles50000 scores a full-size log (50,000 int32 labels, as
// NVIDIA's harness logs them) from disk: JSON and hex decoding included.
func BenchmarkScoreFiles50000(b *testing.B) {
	dir := b.TempDir()
	var vm, lg strings.Builder
	lg.WriteString("[\n")
	for i := range 50000 {
		fmt.Fprintf(&vm, "ILSVRC2012_val_%08d.JPEG %d\n", i+1, i%1000)
		if i > 0 {
			lg.WriteString(",\n")
		}
		var d [4]byte
		binary.LittleEndian.PutUint32(d[:], uint32((i*7)%1000))
		fmt.Fprintf(&lg, `{"seq_id" : %d, "qsl_idx" : %d, "data" : "%X"}`, i, i, d[:])
	}
	lg.WriteString("\n]\n")
	valMap := filepath.Join(dir, "val_map.txt")
	logPath := filepath.Join(dir, "mlperf_log_accuracy.json")
	if err := os.WriteFile(valMap, []byte(vm.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(logPath, []byte(lg.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		res, err := imagenet.ScoreFiles(logPath, valMap, imagenet.Options{DType: "int32"})
		if err != nil || res.Total != 50000 {
			b.Fatal(err, res)
		}
	}
}
