package accuracy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy"
)

func writeLog(t *testing.T, s string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(p, []byte(s), 0o644))
	return p
}

func TestReadLog(t *testing.T) {
	p := writeLog(t, `[
{"seq_id" : 7, "qsl_idx" : 3, "data" : "0A0b"},
{"seq_id" : 8, "qsl_idx" : 0, "data" : ""},
{"qsl_idx" : 3, "data" : "01 02\n03"}
]`)
	recs, err := accuracy.ReadLog(p)
	require.NoError(t, err)
	require.Len(t, recs, 3)
	assert.Equal(t, accuracy.Record{SeqID: 7, QSLIdx: 3, Data: []byte{0x0a, 0x0b}}, recs[0])
	assert.Equal(t, accuracy.Record{SeqID: 8, QSLIdx: 0, Data: []byte{}}, recs[1])
	assert.Equal(t, []byte{1, 2, 3}, recs[2].Data, "whitespace between bytes, as bytes.fromhex allows")
}

func TestReadLogErrors(t *testing.T) {
	tests := []struct {
		description, content, wantIn string
	}{
		{"odd hex", `[{"seq_id":0,"qsl_idx":1,"data":"abc"}]`, "entry 0"},
		{"non-hex", `[{"seq_id":0,"qsl_idx":1,"data":"00"},{"seq_id":1,"qsl_idx":2,"data":"zz"}]`, "entry 1: malformed accuracy log: qsl_idx 2"},
		{"space inside a byte", `[{"seq_id":0,"qsl_idx":1,"data":"0 a"}]`, "entry 0"},
		{"missing data", `[{"seq_id":0,"qsl_idx":1}]`, "entry 0"},
		{"missing qsl_idx", `[{"seq_id":0,"data":"00"}]`, "entry 0"},
		{"negative qsl_idx", `[{"seq_id":0,"qsl_idx":-1,"data":"00"}]`, "negative qsl_idx"},
		{"float qsl_idx", `[{"seq_id":0,"qsl_idx":1.5,"data":"00"}]`, "entry 0"},
		{"not an array", `{"seq_id":0}`, "not a JSON array"},
		{"truncated", `[{"seq_id":0,"qsl_idx":1,"data":"00"}`, "unterminated"},
		{"trailing garbage", `[] []`, "after the array"},
		{"empty file", ``, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			p := writeLog(t, tc.content)
			_, err := accuracy.ReadLog(p)
			require.ErrorIs(t, err, accuracy.ErrMalformedLog)
			assert.Contains(t, err.Error(), p)
			assert.Contains(t, err.Error(), tc.wantIn)
		})
	}
	_, err := accuracy.ReadLog(filepath.Join(t.TempDir(), "none.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

func TestScanLogStopsOnCallbackError(t *testing.T) {
	p := writeLog(t, `[{"seq_id":0,"qsl_idx":1,"data":"00"},{"seq_id":1,"qsl_idx":2,"data":"00"}]`)
	stop := fmt.Errorf("stop")
	n := 0
	err := accuracy.ScanLog(p, func(int, accuracy.Record) error { n++; return stop })
	require.ErrorIs(t, err, stop)
	assert.Equal(t, 1, n)
}

func TestFromHexMatchesFastPath(t *testing.T) {
	b, err := accuracy.FromHex(strings.Repeat("fF", 1000))
	require.NoError(t, err)
	assert.Len(t, b, 1000)
	assert.Equal(t, byte(0xff), b[999])
}

func TestScore(t *testing.T) {
	s := accuracy.NewScore("resnet50", "top-1 accuracy (%)", 76.0, 75.6954, map[string]float64{"good": 38, "total": 50})
	assert.True(t, s.Pass)
	assert.Equal(t, "resnet50: top-1 accuracy (%) = 76 (target 75.695): PASS, good=38, total=50", s.String())
	assert.False(t, accuracy.NewScore("x", "m", 1, 2, nil).Pass)
}

func ExampleReadLog() {
	dir, _ := os.MkdirTemp("", "acc")
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "mlperf_log_accuracy.json")
	_ = os.WriteFile(p, []byte(`[{"seq_id": 0, "qsl_idx": 42, "data": "41000000"}]`), 0o644)
	recs, err := accuracy.ReadLog(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(recs[0].QSLIdx, recs[0].Data)
	// Output: 42 [65 0 0 0]
}
