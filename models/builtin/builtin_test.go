package builtin_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"io"
	"math"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/builtin"
)

func defaultModel(t testing.TB) *builtin.Model {
	t.Helper()
	m, err := builtin.Default()
	require.NoError(t, err)
	return m
}

// loadedQSL returns a QSL of the first n held-out samples, all loaded.
func loadedQSL(t testing.TB, m *builtin.Model, n int) *builtin.QSL {
	t.Helper()
	q, err := builtin.NewQSL(m.Seed(), n, n)
	require.NoError(t, err)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	require.NoError(t, q.LoadSamplesToRAM(idx))
	return q
}

// classify runs every sample of q through an executor of precision p in
// batches of batch and returns the predicted classes.
func classify(t testing.TB, m *builtin.Model, p builtin.Precision, q *builtin.QSL, batch int) []int {
	t.Helper()
	e, err := m.NewExecutor(p, batch)
	require.NoError(t, err)
	defer e.Close()
	n := q.TotalSampleCount()
	out := make([]int, n)
	for start := 0; start < n; start += batch {
		k := min(batch, n-start)
		for s := range k {
			copy(e.Input(s), q.SampleData(start+s))
		}
		_, err := e.Run(context.Background(), k)
		require.NoError(t, err)
		for s := range k {
			out[start+s] = e.Class(s)
		}
	}
	return out
}

func top1(t testing.TB, q *builtin.QSL, pred []int) float64 {
	good := 0
	for i, p := range pred {
		l, err := q.Label(i)
		require.NoError(t, err)
		if int(l) == p {
			good++
		}
	}
	return float64(good) / float64(len(pred))
}

// TestHeldOutAccuracy is the quality gate: FP32 ≥ 95 % top-1 and INT8 ≥ 99 %
// of FP32 on the held-out split (a subset under -short).
func TestHeldOutAccuracy(t *testing.T) {
	m := defaultModel(t)
	n := builtin.TestCount
	if testing.Short() {
		n = 1000
	}
	q := loadedQSL(t, m, n)
	f32 := top1(t, q, classify(t, m, builtin.FP32, q, 64))
	i8 := top1(t, q, classify(t, m, builtin.INT8, q, 64))
	t.Logf("held-out top-1 over %d samples: FP32 %.4f, INT8 %.4f (stored FP32 %.4f, target %.4f)", n, f32, i8, m.FP32Top1(), m.Target())
	assert.GreaterOrEqual(t, f32, 0.95)
	assert.GreaterOrEqual(t, i8, 0.99*f32)
	assert.GreaterOrEqual(t, i8, m.Target())
	if n == builtin.TestCount {
		// The executor's FP32 path (kernels GEMM) agrees with the training
		// code's reference up to float rounding.
		assert.InDelta(t, m.FP32Top1(), f32, 0.002)
	}
}

func TestBatchSizeDoesNotChangeResults(t *testing.T) {
	m := defaultModel(t)
	q := loadedQSL(t, m, 50)
	for _, p := range []builtin.Precision{builtin.INT8, builtin.FP32} {
		one := classify(t, m, p, q, 1)
		many := classify(t, m, p, q, 16)
		assert.Equal(t, one, many, "%v", p)
	}
}

func TestClassifyMatchesExecutor(t *testing.T) {
	m := defaultModel(t)
	q := loadedQSL(t, m, 5)
	want := classify(t, m, builtin.INT8, q, 5)
	for i := range 5 {
		got, err := m.Classify(builtin.INT8, q.SampleData(i))
		require.NoError(t, err)
		assert.Equal(t, want[i], got)
	}
}

func TestClassifyFloat(t *testing.T) {
	m := defaultModel(t)
	q := loadedQSL(t, m, 8)
	want := classify(t, m, builtin.FP32, q, 8)
	for i := range 8 {
		img := make([]float32, builtin.InputSize)
		for j, p := range q.SampleData(i) {
			img[j] = float32(p) / 255
		}
		got, err := m.ClassifyFloat(img)
		require.NoError(t, err)
		assert.Equal(t, want[i], got)
	}
}

func TestBadInputIsAnError(t *testing.T) {
	m := defaultModel(t)
	nan := make([]float32, builtin.InputSize)
	nan[100] = float32(math.NaN())
	inf := make([]float32, builtin.InputSize)
	inf[5] = float32(math.Inf(-1))
	for _, tc := range []struct {
		description string
		run         func() error
	}{
		{"short image", func() error { _, err := m.Classify(builtin.INT8, make([]byte, 100)); return err }},
		{"long image", func() error { _, err := m.Classify(builtin.FP32, make([]byte, builtin.InputSize+1)); return err }},
		{"NaN pixel", func() error { _, err := m.ClassifyFloat(nan); return err }},
		{"Inf pixel", func() error { _, err := m.ClassifyFloat(inf); return err }},
		{"short float image", func() error { _, err := m.ClassifyFloat(nil); return err }},
	} {
		t.Run(tc.description, func(t *testing.T) {
			require.ErrorIs(t, tc.run(), builtin.ErrBadInput)
		})
	}
}

func TestExecutorBatchLimits(t *testing.T) {
	m := defaultModel(t)
	_, err := m.NewExecutor(builtin.INT8, 0)
	require.ErrorIs(t, err, builtin.ErrBatch)
	_, err = m.NewExecutor(builtin.INT8, builtin.MaxBatchLimit+1)
	require.ErrorIs(t, err, builtin.ErrBatch)
	e, err := m.NewExecutor(builtin.INT8, 4)
	require.NoError(t, err)
	assert.Equal(t, 4, e.MaxBatch())
	assert.Len(t, e.Input(3), builtin.InputSize)
	assert.Len(t, e.Output(3), builtin.OutputSize)
	assert.Nil(t, e.Input(4))
	assert.Nil(t, e.Input(-1))
	assert.Nil(t, e.Output(4))
	_, err = e.Run(context.Background(), 5)
	require.ErrorIs(t, err, builtin.ErrBatch)
	_, err = e.Run(context.Background(), 0)
	require.ErrorIs(t, err, builtin.ErrBatch)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.Run(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, e.Close())
	require.NoError(t, e.Close())
	_, err = e.Run(context.Background(), 1)
	require.ErrorIs(t, err, builtin.ErrClosed)
	assert.Nil(t, e.Input(0))
}

func TestRunAllocatesNothing(t *testing.T) {
	m := defaultModel(t)
	q := loadedQSL(t, m, 8)
	for _, p := range []builtin.Precision{builtin.INT8, builtin.FP32} {
		e, err := m.NewExecutor(p, 8)
		require.NoError(t, err)
		for s := range 8 {
			copy(e.Input(s), q.SampleData(s))
		}
		ctx := context.Background()
		allocs := testing.AllocsPerRun(3, func() {
			if _, err := e.Run(ctx, 8); err != nil {
				t.Fatal(err)
			}
		})
		assert.Zero(t, allocs, "%v", p)
		require.NoError(t, e.Close())
	}
}

func TestCorruptWeightsAreAnError(t *testing.T) {
	good, err := os.ReadFile("weights.bin.gz")
	require.NoError(t, err)
	raw := gunzip(t, good)
	flipped := bytes.Clone(raw)
	flipped[len(flipped)/2] ^= 0x40
	badMagic := bytes.Clone(raw)
	badMagic[0] = 'X'
	for _, tc := range []struct {
		description string
		data        []byte
	}{
		{"empty", nil},
		{"not gzip", []byte("hello, weights")},
		{"truncated gzip", good[:len(good)/2]},
		{"flipped parameter bit", gzipBytes(t, flipped)},
		{"bad magic", gzipBytes(t, badMagic)},
		{"truncated content", gzipBytes(t, raw[:len(raw)-9])},
		{"header only", gzipBytes(t, raw[:20])},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := builtin.Load(tc.data)
			require.ErrorIs(t, err, builtin.ErrCorruptWeights)
		})
	}
	_, err = builtin.Load(good)
	require.NoError(t, err)
}

func gunzip(t *testing.T, b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	return raw
}

func gzipBytes(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestSplitCores(t *testing.T) {
	m := defaultModel(t)
	for _, tc := range []struct {
		description    string
		total, n       int
		wantPerDevice  int
		wantErrMessage string
	}{
		{description: "one device", total: 2, n: 1, wantPerDevice: 2},
		{description: "even split", total: 16, n: 4, wantPerDevice: 4},
		{description: "uneven split leaves cores idle", total: 7, n: 2, wantPerDevice: 3},
		{description: "more devices than cores", total: 2, n: 3, wantErrMessage: "want 1 to 2 devices"},
		{description: "zero devices", total: 2, n: 0, wantErrMessage: "want 1 to 2 devices"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			devs, err := builtin.SplitCores(tc.total, tc.n, m, builtin.INT8)
			if tc.wantErrMessage != "" {
				require.ErrorContains(t, err, tc.wantErrMessage)
				return
			}
			require.NoError(t, err)
			require.Len(t, devs, tc.n)
			for i, d := range devs {
				assert.Equal(t, "cpu"+string(rune('0'+i)), d.ID())
				assert.Equal(t, tc.wantPerDevice, d.Streams())
				assert.Equal(t, "cpu", d.Info().Kind)
			}
		})
	}
	devs, err := builtin.SplitCPU(1, m, builtin.FP32)
	require.NoError(t, err)
	d := devs[0]
	_, err = d.NewExecutor(d.Streams(), 8)
	require.ErrorContains(t, err, "stream")
	_, err = d.NewExecutor(0, 0)
	require.ErrorIs(t, err, builtin.ErrBatch)
	e, err := d.NewExecutor(0, 8)
	require.NoError(t, err)
	assert.Equal(t, 8, e.MaxBatch())
	require.NoError(t, e.Close())
}

func TestQSL(t *testing.T) {
	m := defaultModel(t)
	_, err := builtin.NewQSL(m.Seed(), builtin.TestCount+1, 10)
	require.Error(t, err)
	_, err = builtin.NewQSL(m.Seed(), 10, 11)
	require.Error(t, err)
	q, err := builtin.DefaultQSL(m)
	require.NoError(t, err)
	assert.Equal(t, builtin.TestCount, q.TotalSampleCount())
	assert.Equal(t, builtin.PerformanceCount, q.PerformanceSampleCount())
	require.ErrorContains(t, q.LoadSamplesToRAM([]int{1, builtin.TestCount}), "out of range")
	require.NoError(t, q.LoadSamplesToRAM([]int{7, 3000, 42}))
	before, err := q.Label(3000)
	require.NoError(t, err)
	img := bytes.Clone(q.SampleData(3000))
	assert.NotEqual(t, make([]byte, builtin.InputSize), img, "a loaded sample is rendered")
	require.NoError(t, q.UnloadSamplesFromRAM([]int{3000}))
	after, err := q.Label(3000)
	require.NoError(t, err)
	assert.Equal(t, before, after, "labels do not depend on loading")
	require.NoError(t, q.LoadSamplesToRAM([]int{3000}))
	assert.Equal(t, img, q.SampleData(3000), "samples are reproducible")
	assert.Nil(t, q.SampleData(-1))
	_, err = q.Label(builtin.TestCount)
	require.Error(t, err)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = q.SampleData(42) }))
}

func TestScoreAccuracy(t *testing.T) {
	m := defaultModel(t)
	q, err := builtin.DefaultQSL(m)
	require.NoError(t, err)
	rec := func(idx int, class int32) mlperflog.Record {
		d := make([]byte, 4)
		binary.LittleEndian.PutUint32(d, uint32(class))
		return mlperflog.Record{QSLIdx: idx, Data: d}
	}
	var right, wrong []mlperflog.Record
	for i := range 200 {
		l, err := q.Label(i)
		require.NoError(t, err)
		right = append(right, rec(i, l))
		if i%10 == 0 {
			l = (l + 1) % builtin.NumClasses
		}
		wrong = append(wrong, rec(i, l))
	}
	s, err := m.ScoreAccuracy(right)
	require.NoError(t, err)
	assert.Equal(t, 200, s.Good)
	assert.True(t, s.Accuracy.Passed())
	assert.Equal(t, "top-1", s.Accuracy.Metric)
	assert.InDelta(t, 0.99*m.FP32Top1(), s.Accuracy.Target, 1e-12)
	assert.Contains(t, s.String(), "PASS")

	s, err = m.ScoreAccuracy(wrong)
	require.NoError(t, err)
	assert.Equal(t, 180, s.Good)
	assert.InDelta(t, 0.9, s.Accuracy.Value, 1e-12)
	assert.False(t, s.Accuracy.Passed())
	assert.Contains(t, s.String(), "FAIL")

	// A sample logged twice counts once, by its first record.
	s, err = builtin.ScoreAccuracy(append(right[:1:1], wrong[0], right[1]))
	require.NoError(t, err)
	assert.Equal(t, 2, s.Total)
	assert.Equal(t, 2, s.Good)

	_, err = m.ScoreAccuracy(nil)
	require.Error(t, err)
	_, err = m.ScoreAccuracy([]mlperflog.Record{{QSLIdx: 1, Data: []byte{1, 2}}})
	require.ErrorIs(t, err, builtin.ErrBadInput)
	_, err = m.ScoreAccuracy([]mlperflog.Record{rec(builtin.TestCount, 1)})
	require.ErrorIs(t, err, builtin.ErrBadInput)
}

func TestParsePrecision(t *testing.T) {
	p, err := builtin.ParsePrecision("fp32")
	require.NoError(t, err)
	assert.Equal(t, builtin.FP32, p)
	p, err = builtin.ParsePrecision("int8")
	require.NoError(t, err)
	assert.Equal(t, "int8", p.String())
	_, err = builtin.ParsePrecision("fp16")
	require.Error(t, err)
}

// TestQSLLoadWithRepeatedIndices loads a list that names samples many times,
// as a performance set drawn with replacement could: each sample is rendered
// once, by one worker (the race detector checks that), and comes out right.
func TestQSLLoadWithRepeatedIndices(t *testing.T) {
	m := defaultModel(t)
	want := loadedQSL(t, m, 8)
	q, err := builtin.NewQSL(m.Seed(), 8, 8)
	require.NoError(t, err)
	idx := make([]int, 1024)
	for i := range idx {
		idx[i] = i / 128 // runs of one index, so that every worker meets each
	}
	require.NoError(t, q.LoadSamplesToRAM(idx))
	for i := range 8 {
		assert.Equal(t, want.SampleData(i), q.SampleData(i), "sample %d", i)
	}
}
