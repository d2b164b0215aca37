package brats_test

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy/brats"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/npy"
)

const plane = 224 * 224 * 160

// offset is the padded-volume offset of voxel (d, h, w) of a case of the
// given shape, computed from the script's pad_before = (p - r) // 2.
func offset(shape [3]int, d, h, w int) int {
	return ((d+(224-shape[0])/2)*224+h+(224-shape[1])/2)*160 + w + (160-shape[2])/2
}

// f16Response builds a float16 response whose argmax at each voxel of the
// cropped volume is pred[v] (score 1.0 for that class, 0 elsewhere).
func f16Response(shape [3]int, pred []int) []byte {
	b := make([]byte, 4*plane*2)
	v := 0
	for d := range shape[0] {
		for h := range shape[1] {
			for w := range shape[2] {
				binary.LittleEndian.PutUint16(b[2*(pred[v]*plane+offset(shape, d, h, w)):], 0x3c00)
				v++
			}
		}
	}
	return b
}

func writeTruth(t *testing.T, dir, name string, shape [3]int, labels []int8) {
	t.Helper()
	data := make([]byte, len(labels))
	for i, l := range labels {
		data[i] = byte(l)
	}
	require.NoError(t, npy.WriteFile(filepath.Join(dir, name+".npy"), npy.Int8Type, shape[:], data))
}

var s222 = [3]int{2, 2, 2}

// handFixture is three cases whose DICE are worked out by hand:
//
//	case "b0": whole 6/8, core 4/5, enhancing 2/4
//	case "a1": empty truth, one false-positive edema voxel: whole 0, core and enhancing undefined
//	case "c2": whole 1, core 1, enhancing 2/3
//
// nanmean: whole (0.75+0+1)/3 = 0.58333 → 0.5833, core (0.8+1)/2 = 0.9,
// enhancing (0.5+0.66667)/2 = 0.58333 → 0.5833; mean of the rounded
// values (0.5833+0.9+0.5833)/3.
func handFixture(t *testing.T) (string, []mlperflog.Record) {
	dir := t.TempDir()
	writeTruth(t, dir, "b0", s222, []int8{0, 1, 2, 3, 0, 0, 3, -1})
	writeTruth(t, dir, "a1", s222, make([]int8, 8))
	writeTruth(t, dir, "c2", s222, []int8{3, 3, 0, 0, 0, 0, 0, 0})
	// The list, not the file names' order, is the QSL order.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cases.txt"), []byte("b0\na1\nc2.npy\n"), 0o644))
	recs := []mlperflog.Record{
		{QSLIdx: 2, Data: f16Response(s222, []int{3, 2, 0, 0, 0, 0, 0, 0})},
		{QSLIdx: 0, Data: f16Response(s222, []int{0, 1, 3, 3, 1, 0, 0, 0})},
		{QSLIdx: 1, Data: f16Response(s222, []int{1, 0, 0, 0, 0, 0, 0, 0})},
	}
	return dir, recs
}

func TestScoreByHand(t *testing.T) {
	dir, recs := handFixture(t)
	res, err := brats.Score(recs, dir, brats.Options{})
	require.NoError(t, err)
	assert.Equal(t, [3]float64{0.5833, 0.9, 0.5833}, res.Regions)
	assert.InDelta(t, (0.5833+0.9+0.5833)/3, res.Mean, 1e-12)
	assert.InDelta(t, 1.75/3, res.Unrounded[0], 1e-12)
	require.Len(t, res.Cases, 3)
	assert.Equal(t, "b0", res.Cases[0].Name)
	assert.Equal(t, [3]float64{0.75, 0.8, 0.5}, res.Cases[0].Dice)
	assert.Equal(t, 0.0, res.Cases[1].Dice[0])
	assert.True(t, math.IsNaN(res.Cases[1].Dice[1]) && math.IsNaN(res.Cases[1].Dice[2]), "empty masks on both sides are undefined")
	assert.InDelta(t, 2.0/3, res.Cases[2].Dice[2], 1e-12)
}

func TestFloat32ScoresAreCastToHalfBeforeArgmax(t *testing.T) {
	dir := t.TempDir()
	shape := [3]int{1, 1, 2}
	writeTruth(t, dir, "case", shape, []int8{3, 2})
	b := make([]byte, 4*plane*4)
	put := func(c, v int, x float32) {
		binary.LittleEndian.PutUint32(b[4*(c*plane+offset(shape, 0, 0, v)):], math.Float32bits(x))
	}
	put(3, 0, 1)
	// 1.0002 and 1.0004 are distinct float32 values but the same float16
	// (1.0): the tie goes to the first, class 1, not class 2.
	put(1, 1, 1.0002)
	put(2, 1, 1.0004)
	res, err := brats.Score([]mlperflog.Record{{QSLIdx: 0, Data: b}}, dir, brats.Options{DType: "float32"})
	require.NoError(t, err)
	assert.Equal(t, 1.0, res.Cases[0].Dice[0])
	assert.InDelta(t, 2.0/3, res.Cases[0].Dice[1], 1e-12)
	assert.Equal(t, 1.0, res.Cases[0].Dice[2])
}

func TestCoverageAndBadInput(t *testing.T) {
	dir, recs := handFixture(t)
	tests := []struct {
		description string
		recs        []mlperflog.Record
		opt         brats.Options
		want        error
		wantIn      string
	}{
		{"missing case", recs[:2], brats.Options{}, brats.ErrCoverage, "2 entries for 3 cases"},
		{"duplicate", []mlperflog.Record{recs[0], recs[1], recs[1]}, brats.Options{}, brats.ErrCoverage, "qsl_idx 0 (b0)"},
		{"unknown sample", []mlperflog.Record{recs[0], recs[1], {QSLIdx: 3, Data: recs[2].Data}}, brats.Options{}, mlperflog.ErrUnknownSample, "qsl_idx 3"},
		{"short response", []mlperflog.Record{recs[0], recs[1], {QSLIdx: 1, Data: recs[2].Data[:100]}}, brats.Options{}, brats.ErrBadResponse, "qsl_idx 1 (a1)"},
		{"dtype changes the size", recs, brats.Options{DType: "float32"}, brats.ErrBadResponse, "want 128450560"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			_, err := brats.Score(tc.recs, dir, tc.opt)
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.wantIn)
		})
	}
	_, err := brats.Score(recs, dir, brats.Options{DType: "uint8"})
	require.ErrorContains(t, err, "uint8")

	writeTruth(t, dir, "a1", s222, []int8{0, 0, 0, 4, 0, 0, 0, 0})
	_, err = brats.Score(recs, dir, brats.Options{})
	require.ErrorIs(t, err, brats.ErrBadTruth)
	assert.Contains(t, err.Error(), filepath.Join(dir, "a1.npy"))
	assert.Contains(t, err.Error(), "voxel 3")

	require.NoError(t, npy.WriteFile(filepath.Join(dir, "a1.npy"), npy.Int8Type, []int{225, 1, 1}, make([]byte, 225)))
	_, err = brats.Score(recs, dir, brats.Options{})
	require.ErrorIs(t, err, brats.ErrBadTruth)
}

func TestUndefinedRegion(t *testing.T) {
	dir := t.TempDir()
	writeTruth(t, dir, "x", s222, make([]int8, 8))
	_, err := brats.Score([]mlperflog.Record{{QSLIdx: 0, Data: f16Response(s222, make([]int, 8))}}, dir, brats.Options{})
	require.ErrorIs(t, err, brats.ErrUndefined)
}

func TestScoreLogStreamsTheSame(t *testing.T) {
	// One case: a log line is 128 MB of hex.
	dir := t.TempDir()
	writeTruth(t, dir, "b0", s222, []int8{0, 1, 2, 3, 0, 0, 3, -1})
	recs := []mlperflog.Record{{QSLIdx: 0, Data: f16Response(s222, []int{0, 1, 3, 3, 1, 0, 0, 0})}}
	var b strings.Builder
	b.WriteString("[")
	for i, r := range recs {
		if i > 0 {
			b.WriteString(",\n")
		}
		fmt.Fprintf(&b, `{"seq_id" : %d, "qsl_idx" : %d, "data" : "%s"}`, i, r.QSLIdx, strings.ToUpper(hex.EncodeToString(r.Data)))
	}
	b.WriteString("]")
	logPath := filepath.Join(t.TempDir(), "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(logPath, []byte(b.String()), 0o644))
	want, err := brats.Score(recs, dir, brats.Options{})
	require.NoError(t, err)
	got, err := brats.ScoreLog(logPath, dir, brats.Options{Parallel: 1})
	require.NoError(t, err)
	assert.Equal(t, want.Regions, got.Regions)
	assert.Equal(t, want.Mean, got.Mean)
}

func TestOpenTruthSortsWithoutList(t *testing.T) {
	dir := t.TempDir()
	writeTruth(t, dir, "b", s222, make([]int8, 8))
	writeTruth(t, dir, "a", s222, make([]int8, 8))
	tr, err := brats.OpenTruth(dir)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, tr.Cases)
	_, err = brats.OpenTruth(t.TempDir())
	require.ErrorIs(t, err, brats.ErrBadTruth)
}

func ExampleScore() {
	dir, _ := os.MkdirTemp("", "brats")
	defer os.RemoveAll(dir)
	// One 1×1×2 case: an enhancing voxel and an edema voxel.
	_ = npy.WriteFile(filepath.Join(dir, "BraTS19_case.npy"), npy.Int8Type, []int{1, 1, 2}, []byte{3, 1})
	// The network's float16 scores, 4×224×224×160; the case sits at the
	// centre of the padded volume. Predict enhancing for both voxels.
	resp := make([]byte, 4*224*224*160*2)
	for w := range 2 {
		v := (111*224+111)*160 + 79 + w
		binary.LittleEndian.PutUint16(resp[2*(3*224*224*160+v):], 0x3c00) // 1.0 for class 3
	}
	res, err := brats.Score([]mlperflog.Record{{QSLIdx: 0, Data: resp}}, dir, brats.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("whole %.4f, core %.4f, enhancing %.4f, mean %.5f\n", res.Regions[0], res.Regions[1], res.Regions[2], res.Mean)
	// Output: whole 1.0000, core 0.6667, enhancing 0.6667, mean 0.77780
}
