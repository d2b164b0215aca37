package mlperflog

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gotrt/gotrt/internal/bounded"
)

// One entry's data is bounded (issue 19): past maxResponse the scan stops
// with an error naming the entry, whether the string is sized up front
// (buffered or looked ahead) or grown as it is read.
func TestOneEntryDataIsBounded(t *testing.T) {
	defer func(m int) { maxResponse = m }(maxResponse)
	maxResponse = 1000
	for _, n := range []int{1001, 3000, 10 << 20} {
		p := filepath.Join(t.TempDir(), "mlperf_log_accuracy.json")
		log := `[{"seq_id": 0, "qsl_idx": 0, "data": "00"}, {"seq_id": 1, "qsl_idx": 1, "data": "` + strings.Repeat("ab", n) + `"}]`
		if err := os.WriteFile(p, []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadLog(p)
		if !errors.Is(err, bounded.ErrTooLarge) || !errors.Is(err, ErrMalformedLog) || !strings.Contains(err.Error(), "entry 1") {
			t.Fatalf("%d bytes: got %v", n, err)
		}
		err = DecodeLog("log", strings.NewReader(log), func(int, Record) error { return nil })
		if !errors.Is(err, bounded.ErrTooLarge) {
			t.Fatalf("%d bytes, streamed: got %v", n, err)
		}
	}
	maxResponse = 2000
	p := filepath.Join(t.TempDir(), "ok.json")
	if err := os.WriteFile(p, []byte(`[{"seq_id": 0, "qsl_idx": 0, "data": "`+strings.Repeat("ab", 2000)+`"}]`), 0o644); err != nil {
		t.Fatal(err)
	}
	recs, err := ReadLog(p)
	if err != nil || len(recs) != 1 || len(recs[0].Data) != 2000 {
		t.Fatalf("at the bound: %v", err)
	}
}
