package accuracy_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy"
	"github.com/gotrt/gotrt/models/builtin"
)

// labelled labels the first n held-out samples of the built-in model with
// their true class (right) or a wrong one, as a run's log would.
func labelled(n int, right bool) ([]accuracy.Record, error) {
	m, err := builtin.Default()
	if err != nil {
		return nil, err
	}
	q, err := builtin.NewQSL(m.Seed(), n, n)
	if err != nil {
		return nil, err
	}
	recs := make([]accuracy.Record, n)
	for i := range n {
		l, err := q.Label(i)
		if err != nil {
			return nil, err
		}
		if !right {
			l = (l + 1) % builtin.NumClasses
		}
		recs[i] = accuracy.Record{SeqID: uint64(i), QSLIdx: i, Data: binary.LittleEndian.AppendUint32(nil, uint32(l))}
	}
	return recs, nil
}

func builtinRecords(t testing.TB, n int, right bool) []accuracy.Record {
	t.Helper()
	recs, err := labelled(n, right)
	require.NoError(t, err)
	return recs
}

func TestCheckBuiltinPartialNeedsPermission(t *testing.T) {
	recs := builtinRecords(t, 100, true)
	s, err := accuracy.Check(accuracy.Request{Model: accuracy.BuiltinModel, Records: recs})
	require.ErrorIs(t, err, accuracy.ErrPartial)
	assert.Contains(t, err.Error(), "covers 100 of the 5000 samples of the data set (top-1 1 on those)")
	assert.False(t, s.Judged, "a partial log gets no verdict")
	assert.False(t, s.Pass)
	assert.Equal(t, 1.0, s.Value, "the score is still measured")
	assert.Equal(t, "PARTIAL", s.Verdict())
	assert.Contains(t, s.String(), "covers 100 of 5000 samples")

	s, err = accuracy.Check(accuracy.Request{Model: accuracy.BuiltinModel, Records: recs, Partial: true})
	require.NoError(t, err)
	assert.True(t, s.Judged)
	assert.True(t, s.Pass)
	assert.Equal(t, 100, s.Covered)
	assert.Equal(t, 5000, s.Total)
}

func TestCheckBuiltinFullLog(t *testing.T) {
	s, err := accuracy.Check(accuracy.Request{Model: accuracy.BuiltinModel, Records: builtinRecords(t, builtin.TestCount, false)})
	require.NoError(t, err, "a FAIL is a verdict, not an error")
	assert.True(t, s.Judged)
	assert.False(t, s.Pass)
	assert.Equal(t, "FAIL", s.Verdict())
	assert.True(t, s.Complete())
}

func TestCheckReadsTheLogFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mlperf_log_accuracy.json")
	require.NoError(t, os.WriteFile(p, []byte(`[{"seq_id":0,"qsl_idx":0,"data":"zz"}]`), 0o644))
	_, err := accuracy.Check(accuracy.Request{Model: accuracy.BuiltinModel, Log: p})
	require.ErrorIs(t, err, accuracy.ErrMalformedLog)
	assert.Contains(t, err.Error(), p)
}

func TestCheckRequestErrors(t *testing.T) {
	for _, tc := range []struct {
		description string
		req         accuracy.Request
		want        string
	}{
		{"no model", accuracy.Request{Log: "l", Truth: "t"}, "a model is required"},
		{"no truth", accuracy.Request{Model: "resnet50", Log: "l"}, "resnet50 needs a ground truth"},
		{"unknown model without truth", accuracy.Request{Model: "foo", Log: "l"}, `unknown benchmark "foo" (known: resnet50,`},
		{"label offset at int64's max (overflowed and scored 0)", accuracy.Request{Model: "resnet50", Log: "l", Truth: "t", LabelOffset: math.MaxInt64}, "label-offset 9223372036854775807: want -16777216 to 16777216"},
		{"label offset at int64's min", accuracy.Request{Model: "resnet50", Log: "l", Truth: "t", LabelOffset: math.MinInt64}, "label-offset -9223372036854775808"},
		{"unknown model", accuracy.Request{Model: "resnet51", Log: "l", Truth: "t"}, "resnet51"},
		{"no log", accuracy.Request{Model: "resnet50", Truth: "t"}, "an accuracy log is required"},
		{"option for another model", accuracy.Request{Model: "resnet50", Log: "l", Truth: "t", Vocab: "v"}, "vocab does not apply to resnet50"},
		{"bad dtype", accuracy.Request{Model: "resnet50", Log: "l", Truth: "t", DType: "float16"}, `dtype "float16" for resnet50`},
		{"log and predictions", accuracy.Request{Model: "bert-99", Log: "l", Truth: "t", Predictions: "p"}, "not both"},
		{"truth for the built-in model", accuracy.Request{Model: accuracy.BuiltinModel, Log: "l", Truth: "t"}, "its labels are built in"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := accuracy.Check(tc.req)
			require.ErrorIs(t, err, accuracy.ErrRequest)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestScoreString(t *testing.T) {
	s := accuracy.NewScore("resnet50", "top-1 accuracy (%)", 76.0, 75.6954, map[string]float64{"good": 38, "total": 50})
	assert.True(t, s.Pass)
	assert.Equal(t, "resnet50: top-1 accuracy (%) = 76 (target 75.695): PASS, good=38, total=50", s.String())
	assert.False(t, accuracy.NewScore("x", "m", 1, 2, nil).Pass)
}

// Check scores a log the way `gotrt accuracy` does; here a log of the
// built-in model that covers 200 of its 5000 held-out samples, which gets a
// score but no verdict unless a partial log is allowed.
func ExampleCheck() {
	recs, err := labelled(200, true)
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := accuracy.Check(accuracy.Request{Model: accuracy.BuiltinModel, Records: recs})
	fmt.Println(s.Verdict(), s.Covered, s.Total, err != nil)
	s, err = accuracy.Check(accuracy.Request{Model: accuracy.BuiltinModel, Records: recs, Partial: true})
	fmt.Println(s.Verdict(), err)
	// Output:
	// PARTIAL 200 5000 true
	// PASS <nil>
}
