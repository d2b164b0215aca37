package squad

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

// Options are the feature and post-processing settings of
// accuracy-squad.py. Start from [DefaultOptions]: a zero int field takes its
// default, but DoLowerCase false means a cased vocabulary.
type Options struct {
	MaxSeqLength    int // 384
	DocStride       int // 128
	MaxQueryLength  int // 64
	MaxAnswerLength int // 30
	NBest           int // 20
	DoLowerCase     bool
	// OutputDType is the logits' element type in the log (--output_dtype):
	// "float32" (the default when empty), "float16", "float64", "int8",
	// "int16", "int32" or "int64", little-endian.
	OutputDType string
	// OutputTransposed reads the logits as all start logits then all end
	// logits (--output_transposed) instead of (start, end) pairs.
	OutputTransposed bool
}

// DefaultOptions returns MLPerf's settings for BERT: 384, 128, 64, 30, 20,
// lower case, float32 pairs.
func DefaultOptions() Options {
	return Options{MaxSeqLength: 384, DocStride: 128, MaxQueryLength: 64, MaxAnswerLength: 30, NBest: 20, DoLowerCase: true, OutputDType: "float32"}
}

func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxSeqLength == 0 {
		o.MaxSeqLength = d.MaxSeqLength
	}
	if o.DocStride == 0 {
		o.DocStride = d.DocStride
	}
	if o.MaxQueryLength == 0 {
		o.MaxQueryLength = d.MaxQueryLength
	}
	if o.MaxAnswerLength == 0 {
		o.MaxAnswerLength = d.MaxAnswerLength
	}
	if o.NBest == 0 {
		o.NBest = d.NBest
	}
	if o.OutputDType == "" {
		o.OutputDType = d.OutputDType
	}
	return o
}

var dtypeSize = map[string]int{"float16": 2, "float32": 4, "float64": 8, "int8": 1, "int16": 2, "int32": 4, "int64": 8}

// Score scores a BERT accuracy log as accuracy-squad.py does: it rebuilds
// the features from the dev JSON with the WordPiece vocabulary, reads each
// record's data as (start, end) logits for the feature its qsl_idx names
// (padded to MaxSeqLength with -10000), picks each question's best span
// ([Predictions]), and evaluates the answers with evaluate-v1.1.py's
// metric ([Dataset.Evaluate]).
//
// A qsl_idx outside the features, data that is not whole pairs of the
// dtype, more positions than MaxSeqLength, or a NaN logit is an error naming
// the log entry. Features without a record are counted in
// [Result.MissingFeatures], not an error, since the script tolerates them.
func Score(records []mlperflog.Record, devJSON, vocabFile string, opt Options) (*Result, error) {
	d, preds, counts, err := predictions(records, devJSON, vocabFile, opt)
	if err != nil {
		return nil, err
	}
	res, err := d.Evaluate(preds)
	if err != nil {
		return nil, fmt.Errorf("squad dataset %s: %w", devJSON, err)
	}
	res.Features, res.MissingFeatures, res.Duplicates = counts.Features, counts.MissingFeatures, counts.Duplicates
	return res, nil
}

// Predictions returns the answer text for every question of the dev JSON
// from an accuracy log, as accuracy-squad.py writes its predictions.json.
// Errors are those of [Score].
func Predictions(records []mlperflog.Record, devJSON, vocabFile string, opt Options) (map[string]string, error) {
	_, preds, _, err := predictions(records, devJSON, vocabFile, opt)
	return preds, err
}

func predictions(records []mlperflog.Record, devJSON, vocabFile string, opt Options) (*Dataset, map[string]string, *Result, error) {
	if opt.MaxSeqLength < 0 || opt.DocStride < 0 || opt.MaxQueryLength < 0 || opt.MaxAnswerLength < 0 || opt.NBest < 0 {
		return nil, nil, nil, fmt.Errorf("squad options must not be negative: %+v", opt)
	}
	opt = opt.withDefaults()
	size, ok := dtypeSize[opt.OutputDType]
	if !ok {
		return nil, nil, nil, fmt.Errorf("unknown output dtype %q", opt.OutputDType)
	}
	if len(records) == 0 {
		return nil, nil, nil, fmt.Errorf("accuracy log has no records")
	}
	d, err := LoadDataset(devJSON)
	if err != nil {
		return nil, nil, nil, err
	}
	vocab, err := LoadVocab(vocabFile)
	if err != nil {
		return nil, nil, nil, err
	}
	examples := d.Examples()
	feats, err := Features(examples, &Tokenizer{Vocab: vocab, LowerCase: opt.DoLowerCase}, opt)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("squad dataset %s: %w", devJSON, err)
	}

	counts := &Result{Features: len(feats)}
	logits := make([]*Logits, len(feats))
	for n, r := range records {
		if r.QSLIdx < 0 || r.QSLIdx >= len(feats) {
			return nil, nil, nil, fmt.Errorf("log entry %d: qsl_idx %d outside the %d features of %s", n, r.QSLIdx, len(feats), devJSON)
		}
		l, err := decodeLogits(r.Data, size, opt)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("log entry %d (qsl_idx %d): %w", n, r.QSLIdx, err)
		}
		if logits[r.QSLIdx] != nil {
			counts.Duplicates++
		}
		logits[r.QSLIdx] = l // the last record wins (a dict keyed by unique_id)
	}
	for _, l := range logits {
		if l == nil {
			counts.MissingFeatures++
		}
	}

	byExample := make([][]int, len(examples))
	for fi, f := range feats {
		byExample[f.ExampleIndex] = append(byExample[f.ExampleIndex], fi)
	}
	preds := make(map[string]string, len(examples))
	var fs []Feature
	var ls []*Logits
	for ei, ex := range examples {
		fs, ls = fs[:0], ls[:0]
		for _, fi := range byExample[ei] {
			fs = append(fs, feats[fi])
			ls = append(ls, logits[fi])
		}
		preds[ex.ID] = Predict(ex, fs, ls, opt) // a repeated id keeps the last
	}
	return d, preds, counts, nil
}

// decodeLogits is load_loadgen_log for one record.
func decodeLogits(data []byte, size int, opt Options) (*Logits, error) {
	if len(data)%(2*size) != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of %s (start, end) pairs", len(data), opt.OutputDType)
	}
	n := len(data) / (2 * size)
	if n > opt.MaxSeqLength {
		return nil, fmt.Errorf("%d positions, more than the sequence length %d", n, opt.MaxSeqLength)
	}
	l := &Logits{Start: make([]float64, opt.MaxSeqLength), End: make([]float64, opt.MaxSeqLength)}
	for i := range l.Start {
		l.Start[i], l.End[i] = -10000, -10000
	}
	for i := 0; i < 2*n; i++ {
		v := decodeOne(data[i*size:], opt.OutputDType)
		if math.IsNaN(v) {
			return nil, fmt.Errorf("logit %d is NaN", i)
		}
		// Pairs: row i/2, column i%2. Transposed: row i%n, column i/n.
		row, col := i/2, i%2
		if opt.OutputTransposed {
			row, col = i%n, i/n
		}
		if col == 0 {
			l.Start[row] = v
		} else {
			l.End[row] = v
		}
	}
	return l, nil
}

func decodeOne(b []byte, dtype string) float64 {
	switch dtype {
	case "float16":
		return halfToFloat(binary.LittleEndian.Uint16(b))
	case "float32":
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case "float64":
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	case "int8":
		return float64(int8(b[0]))
	case "int16":
		return float64(int16(binary.LittleEndian.Uint16(b)))
	case "int32":
		return float64(int32(binary.LittleEndian.Uint32(b)))
	default: // int64
		return float64(int64(binary.LittleEndian.Uint64(b)))
	}
}

// halfToFloat converts an IEEE 754 binary16 value.
func halfToFloat(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1F
	frac := float64(h & 0x3FF)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1F:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1024+frac, exp-25)
}
