package imagenet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/internal/datamap"
)

// ErrBadResponse: a response cannot be read as a label of the dtype.
var ErrBadResponse = errors.New("bad response")

// Label is one line of val_map.txt.
type Label struct {
	Image string
	Class int
}

// ReadValMap reads val_map.txt ("<image> <class>" per line; further columns
// are ignored). A line without two columns or with a non-integer class is an
// error naming the file and line.
func ReadValMap(path string) ([]Label, error) {
	lines, err := datamap.Read(path, 2)
	if err != nil {
		return nil, fmt.Errorf("imagenet: %w", err)
	}
	return labels(path, lines)
}

// ParseValMap reads a val_map.txt from r as [ReadValMap] does; name names
// it in errors.
func ParseValMap(name string, r io.Reader) ([]Label, error) {
	lines, err := datamap.Parse(name, r, 2)
	if err != nil {
		return nil, fmt.Errorf("imagenet: %w", err)
	}
	return labels(name, lines)
}

func labels(path string, lines []datamap.Line) ([]Label, error) {
	out := make([]Label, len(lines))
	for i, l := range lines {
		c, err := strconv.Atoi(l.Cols[1])
		if err != nil {
			return nil, fmt.Errorf("imagenet: %s:%d: class %q is not an integer", path, l.N, bounded.Quote(l.Cols[1]))
		}
		out[i] = Label{Image: l.Cols[0], Class: c}
	}
	return out, nil
}

// Options are the script's flags that change the result.
type Options struct {
	// DType is the response element type: "float32" (the script's
	// default, used when empty), "int32" or "int64".
	DType string
	// LabelOffset is added to the logged class before comparing; the
	// script applies none (0). It must be within ±[MaxLabelOffset].
	LabelOffset int
}

// MaxLabelOffset bounds Options.LabelOffset: a class and its offset stay
// exact in a float32, far beyond any data set's class count.
const MaxLabelOffset = 1 << 24

// ErrBadOption is wrapped when an option is out of range.
var ErrBadOption = errors.New("bad option")

// Result is the outcome of scoring.
type Result struct {
	// Good is the number of correctly classified distinct samples.
	Good int
	// Total is the number of distinct samples in the log.
	Total int
	// Dupes is the number of entries ignored because their sample had
	// appeared before.
	Dupes int
	// Accuracy is 100 × Good / Total.
	Accuracy float64
}

// Score scores the records against the labels. Errors name the entry and
// its qsl_idx; ScoreFiles adds the file names.
func Score(records []mlperflog.Record, labels []Label, opt Options) (*Result, error) {
	size, read, err := reader(opt.DType)
	if err != nil {
		return nil, err
	}
	if opt.LabelOffset < -MaxLabelOffset || opt.LabelOffset > MaxLabelOffset {
		return nil, fmt.Errorf("imagenet: %w: label offset %d: want %d to %d", ErrBadOption, opt.LabelOffset, -MaxLabelOffset, MaxLabelOffset)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("imagenet: %w", mlperflog.ErrEmptyLog)
	}
	seen := make([]bool, len(labels))
	var res Result
	for i, r := range records {
		if r.QSLIdx < 0 || r.QSLIdx >= len(labels) {
			return nil, fmt.Errorf("imagenet: entry %d: qsl_idx %d: %w (val_map has %d images)", i, r.QSLIdx, mlperflog.ErrUnknownSample, len(labels))
		}
		if seen[r.QSLIdx] {
			res.Dupes++
			continue
		}
		seen[r.QSLIdx] = true
		if len(r.Data) < size || len(r.Data)%size != 0 {
			return nil, fmt.Errorf("imagenet: entry %d: qsl_idx %d: %w: %d bytes is not a whole number of %s", i, r.QSLIdx, ErrBadResponse, len(r.Data), dtypeName(opt.DType))
		}
		found, err := read(r.Data)
		if err != nil {
			return nil, fmt.Errorf("imagenet: entry %d: qsl_idx %d: %w: %w", i, r.QSLIdx, ErrBadResponse, err)
		}
		res.Total++
		if found+float64(opt.LabelOffset) == float64(labels[r.QSLIdx].Class) {
			res.Good++
		}
	}
	res.Accuracy = 100 * float64(res.Good) / float64(res.Total)
	return &res, nil
}

func dtypeName(d string) string {
	if d == "" {
		return "float32"
	}
	return d
}

// reader returns the element size and a function that reads the first
// element as the integer Python's int() makes of it (as a float64, which
// holds every int32 exactly and compares int64s correctly for any class
// number a label can have).
func reader(dtype string) (int, func([]byte) (float64, error), error) {
	switch dtypeName(dtype) {
	case "float32":
		return 4, func(b []byte) (float64, error) {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b))
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return 0, fmt.Errorf("label %v is not a number", v)
			}
			return math.Trunc(float64(v)), nil
		}, nil
	case "int32":
		return 4, func(b []byte) (float64, error) { return float64(int32(binary.LittleEndian.Uint32(b))), nil }, nil
	case "int64":
		return 8, func(b []byte) (float64, error) {
			v := int64(binary.LittleEndian.Uint64(b))
			if v > 1<<53 || v < -(1<<53) {
				// Beyond float64's exact range no label can match.
				return math.Inf(1), nil
			}
			return float64(v), nil
		}, nil
	}
	return 0, nil, fmt.Errorf("imagenet: dtype %q: want float32, int32 or int64", dtype)
}

// ScoreFiles reads the accuracy log and val_map.txt and scores them; errors
// name the files.
func ScoreFiles(logPath, valMap string, opt Options) (*Result, error) {
	labels, err := ReadValMap(valMap)
	if err != nil {
		return nil, err
	}
	recs, err := mlperflog.ReadLog(logPath)
	if err != nil {
		return nil, err
	}
	res, err := Score(recs, labels, opt)
	if err != nil {
		return nil, fmt.Errorf("%s (ground truth %s): %w", logPath, valMap, err)
	}
	return res, nil
}
