package imagenet_test

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy/imagenet"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

func f32(v float32) []byte { return binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)) }
func i32(v int32) []byte   { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }
func i64(v int64) []byte   { return binary.LittleEndian.AppendUint64(nil, uint64(v)) }

var labels = []imagenet.Label{{"a", 0}, {"b", 1}, {"c", 2}, {"d", 3}, {"e", 999}}

func TestScoreByHand(t *testing.T) {
	recs := []mlperflog.Record{
		{QSLIdx: 0, Data: f32(-0.5)},                     // int(-0.5) == 0: correct
		{QSLIdx: 1, Data: f32(7)},                        // wrong
		{QSLIdx: 0, Data: f32(5)},                        // dupe, ignored (first wins)
		{QSLIdx: 3, Data: append(f32(3.9), f32(100)...)}, // only the first element counts: 3
		{QSLIdx: 4, Data: f32(999)},                      // correct
		{QSLIdx: 4, Data: []byte{1}},                     // dupe: its bad data is never read
	}
	res, err := imagenet.Score(recs, labels, imagenet.Options{})
	require.NoError(t, err)
	// Distinct samples 0, 1, 3, 4; correct 0, 3, 4; sample 2 is not in the
	// log and does not count.
	assert.Equal(t, imagenet.Result{Good: 3, Total: 4, Dupes: 2, Accuracy: 75}, *res)
}

func TestDTypesAndOffset(t *testing.T) {
	res, err := imagenet.Score([]mlperflog.Record{{QSLIdx: 2, Data: i32(2)}, {QSLIdx: 4, Data: i32(1000)}}, labels, imagenet.Options{DType: "int32"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Good)
	res, err = imagenet.Score([]mlperflog.Record{{QSLIdx: 2, Data: i32(2)}, {QSLIdx: 4, Data: i32(1000)}}, labels, imagenet.Options{DType: "int32", LabelOffset: -1})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Good, "a 1001-class index shifted down by one")
	assert.Equal(t, 50.0, res.Accuracy)
	res, err = imagenet.Score([]mlperflog.Record{{QSLIdx: 4, Data: i64(999)}, {QSLIdx: 1, Data: i64(1 << 62)}}, labels, imagenet.Options{DType: "int64"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Good)
}

func TestErrors(t *testing.T) {
	tests := []struct {
		description string
		recs        []mlperflog.Record
		opt         imagenet.Options
		want        error
		wantIn      string
	}{
		{"unknown sample", []mlperflog.Record{{QSLIdx: 0, Data: f32(0)}, {QSLIdx: 5, Data: f32(0)}}, imagenet.Options{}, mlperflog.ErrUnknownSample, "entry 1: qsl_idx 5"},
		{"short response", []mlperflog.Record{{QSLIdx: 1, Data: []byte{1, 2}}}, imagenet.Options{}, imagenet.ErrBadResponse, "qsl_idx 1"},
		{"partial element", []mlperflog.Record{{QSLIdx: 1, Data: make([]byte, 6)}}, imagenet.Options{DType: "int32"}, imagenet.ErrBadResponse, "6 bytes"},
		{"int64 needs 8 bytes", []mlperflog.Record{{QSLIdx: 1, Data: i32(1)}}, imagenet.Options{DType: "int64"}, imagenet.ErrBadResponse, "int64"},
		{"nan", []mlperflog.Record{{QSLIdx: 1, Data: f32(float32(math.NaN()))}}, imagenet.Options{}, imagenet.ErrBadResponse, "not a number"},
		{"empty log", nil, imagenet.Options{}, mlperflog.ErrEmptyLog, "no entries"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			_, err := imagenet.Score(tc.recs, labels, tc.opt)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.wantIn)
		})
	}
	_, err := imagenet.Score([]mlperflog.Record{{QSLIdx: 1, Data: f32(1)}}, labels, imagenet.Options{DType: "uint8"})
	require.ErrorContains(t, err, "uint8")
}

// reference is a second, independent reading of accuracy-imagenet.py's
// loop over decoded JSON maps, used to cross-check Score on random logs.
func reference(entries []map[string]any, labels []imagenet.Label) (good, total int) {
	seen := map[int]bool{}
	for _, e := range entries {
		idx := e["qsl_idx"].(int)
		if seen[idx] {
			continue
		}
		seen[idx] = true
		raw, _ := hex.DecodeString(e["data"].(string))
		v := int(math.Float32frombits(binary.LittleEndian.Uint32(raw)))
		if v == labels[idx].Class {
			good++
		}
	}
	return good, len(seen)
}

func TestScoreFilesAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	var vm strings.Builder
	var lbl []imagenet.Label
	for i := range 500 {
		c := rng.IntN(1000)
		lbl = append(lbl, imagenet.Label{Image: fmt.Sprintf("ILSVRC2012_val_%08d.JPEG", i+1), Class: c})
		fmt.Fprintf(&vm, "ILSVRC2012_val_%08d.JPEG %d\n", i+1, c)
	}
	valMap := filepath.Join(dir, "val_map.txt")
	require.NoError(t, os.WriteFile(valMap, []byte(vm.String()), 0o644))
	var entries []map[string]any
	var js strings.Builder
	js.WriteString("[\n")
	for k := range 700 {
		idx := rng.IntN(500)
		v := float32(lbl[idx].Class)
		if rng.IntN(4) == 0 {
			v = float32(rng.IntN(1000))
		}
		v += float32(rng.IntN(10)) / 10 // a fraction int() drops
		h := hex.EncodeToString(f32(v))
		entries = append(entries, map[string]any{"qsl_idx": idx, "data": h})
		if k > 0 {
			js.WriteString(",\n")
		}
		fmt.Fprintf(&js, `{"seq_id" : %d, "qsl_idx" : %d, "data" : "%s"}`, k, idx, strings.ToUpper(h))
	}
	js.WriteString("\n]\n")
	logPath := filepath.Join(dir, "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(logPath, []byte(js.String()), 0o644))

	res, err := imagenet.ScoreFiles(logPath, valMap, imagenet.Options{DType: "float32"})
	require.NoError(t, err)
	good, total := reference(entries, lbl)
	assert.Equal(t, good, res.Good)
	assert.Equal(t, total, res.Total)
	assert.Equal(t, 700-total, res.Dupes)
}

func TestReadValMapErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "val_map.txt")
	require.NoError(t, os.WriteFile(p, []byte("a.JPEG 1\n\nb.JPEG 2\n"), 0o644))
	_, err := imagenet.ReadValMap(p)
	require.ErrorContains(t, err, p+":2")
	require.NoError(t, os.WriteFile(p, []byte("a.JPEG one\n"), 0o644))
	_, err = imagenet.ReadValMap(p)
	require.ErrorContains(t, err, p+":1")
}

func ExampleScore() {
	labels := []imagenet.Label{{"ILSVRC2012_val_00000001.JPEG", 65}, {"ILSVRC2012_val_00000002.JPEG", 970}}
	recs := []mlperflog.Record{
		{QSLIdx: 0, Data: []byte{65, 0, 0, 0}}, // int32 65
		{QSLIdx: 1, Data: []byte{1, 0, 0, 0}},  // int32 1
	}
	res, err := imagenet.Score(recs, labels, imagenet.Options{DType: "int32"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accuracy=%.3f%%, good=%d, total=%d\n", res.Accuracy, res.Good, res.Total)
	// Output: accuracy=50.000%, good=1, total=2
}
