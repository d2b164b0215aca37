package accuracy

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gotrt/gotrt/models/accuracy/brats"
	"github.com/gotrt/gotrt/models/accuracy/coco"
	"github.com/gotrt/gotrt/models/accuracy/imagenet"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/accuracy/squad"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/catalog"
)

// BuiltinModel is the id the built-in model goes by in [Request.Model].
const BuiltinModel = "gotrt-builtin"

// Errors [Check] returns that callers branch on.
var (
	// ErrRequest: the request cannot be scored as asked (a missing file
	// name, an option that does not apply to the model, an unknown model).
	ErrRequest = errors.New("bad accuracy request")
	// ErrPartial: the log covers part of the data set and the request did
	// not allow it; the Score that comes with it has the value and the
	// coverage but no verdict.
	ErrPartial = errors.New("accuracy log covers part of the data set")
)

// Request says what to score, as the flags of `gotrt accuracy`.
type Request struct {
	// Model is a catalogue id (resnet50, ssd-resnet34, bert-99, bert-99.9,
	// 3d-unet-99, 3d-unet-99.9) or [BuiltinModel].
	Model string
	// Log is the path of mlperf_log_accuracy.json; Records, when not nil,
	// are scored instead (a run scoring its own log in memory).
	Log     string
	Records []Record
	// Truth is the ground truth: val_map.txt (resnet50), the COCO
	// instances file (ssd-resnet34), the SQuAD dev file (bert), the folder
	// of BraTS label volumes (3d-unet); the built-in model needs none.
	Truth string
	// Vocab is BERT's vocabulary file.
	Vocab string
	// DType is the element type of the logged responses; "" takes the
	// script's default.
	DType string
	// Predictions is a SQuAD predictions file (question id → answer) to
	// score instead of a log (bert).
	Predictions string
	// UseInvMap and RemoveEmpty48 are accuracy-coco.py's flags.
	UseInvMap, RemoveEmpty48 bool
	// LabelOffset is added to the logged class (resnet50).
	LabelOffset int
	// Partial allows a log that covers part of the data set and judges it
	// on what it covers, as MLPerf's scripts do. Without it such a log
	// gives [ErrPartial].
	Partial bool
}

// dtypes are the DType values each scorer reads (as its package documents
// them); the empty string takes the script's default.
var dtypes = map[string][]string{
	"resnet50": {"float32", "int32", "int64"},
	"bert":     {"float16", "float32", "float64", "int8", "int16", "int32", "int64"},
	"3d-unet":  {"float16", "float32", "float64", "int8", "int16", "int32", "int64"},
}

// Check scores an accuracy log against its benchmark's ground truth the way
// MLPerf's accuracy script for the model does, and judges the score against
// the benchmark's quality target. A score below the target is not an error:
// Score.Pass says it. Errors wrap [ErrRequest] (the request cannot be
// scored as asked), [ErrPartial] (the log covers part of the data set
// without Request.Partial; the returned Score is filled in, unjudged), or
// come from reading the files (naming them).
func Check(req Request) (Score, error) {
	if req.Model == BuiltinModel {
		return checkBuiltin(req)
	}
	if req.Model == "" {
		return Score{}, fmt.Errorf("%w: a model is required", ErrRequest)
	}
	e, err := catalog.Lookup(req.Model)
	if err != nil {
		return Score{}, fmt.Errorf("%w: %w", ErrRequest, err)
	}
	if req.Truth == "" {
		return Score{}, fmt.Errorf("%w: %s needs a ground truth", ErrRequest, e.ID)
	}
	needLog := !(e.Model == "bert" && req.Predictions != "")
	if needLog && req.Log == "" && req.Records == nil {
		return Score{}, fmt.Errorf("%w: an accuracy log is required", ErrRequest)
	}
	if err := checkOptions(e.Model, e.ID, req); err != nil {
		return Score{}, err
	}
	var (
		value          float64
		covered, total int
		details        = map[string]float64{}
	)
	switch e.Model {
	case "resnet50":
		labels, err := imagenet.ReadValMap(req.Truth)
		if err != nil {
			return Score{}, err
		}
		recs, err := records(req)
		if err != nil {
			return Score{}, err
		}
		res, err := imagenet.Score(recs, labels, imagenet.Options{DType: req.DType, LabelOffset: req.LabelOffset})
		if err != nil {
			return Score{}, fmt.Errorf("%s (ground truth %s): %w", logName(req), req.Truth, err)
		}
		value, covered, total = res.Accuracy, res.Total, len(labels)
		details["good"], details["total"], details["dupes"] = float64(res.Good), float64(res.Total), float64(res.Dupes)
	case "ssd-resnet34":
		recs, err := records(req)
		if err != nil {
			return Score{}, err
		}
		res, err := coco.Score(recs, req.Truth, coco.Options{UseInvMap: req.UseInvMap, RemoveEmpty48: req.RemoveEmpty48})
		if err != nil {
			return Score{}, fmt.Errorf("%s: %w", logName(req), err)
		}
		value, covered, total = res.MAP, res.Images, res.DataSet
		details["images"], details["detections"] = float64(res.Images), float64(res.Detections)
		details["duplicates"], details["no_results"] = float64(res.Duplicates), float64(res.NoResults)
		details["ap50"], details["ap75"] = res.Stats[1], res.Stats[2]
	case "bert":
		var res *squad.Result
		if req.Predictions != "" {
			if res, err = squad.EvaluatePredictions(req.Truth, req.Predictions); err != nil {
				return Score{}, err
			}
		} else {
			if req.Vocab == "" {
				return Score{}, fmt.Errorf("%w: bert needs a vocabulary file (or a predictions file)", ErrRequest)
			}
			recs, err := records(req)
			if err != nil {
				return Score{}, err
			}
			opt := squad.DefaultOptions()
			if req.DType != "" {
				opt.OutputDType = req.DType
			}
			if res, err = squad.Score(recs, req.Truth, req.Vocab, opt); err != nil {
				return Score{}, fmt.Errorf("%s: %w", logName(req), err)
			}
			covered, total = res.Features-res.MissingFeatures, res.Features
			details["features"], details["missing_features"] = float64(res.Features), float64(res.MissingFeatures)
			details["duplicates"] = float64(res.Duplicates)
		}
		value = res.F1
		details["exact_match"], details["questions"] = res.ExactMatch, float64(res.Questions)
		details["unanswered"] = float64(res.Unanswered)
	case "3d-unet":
		// BraTS demands every case once (brats.ErrCoverage): the script
		// cannot score a partial log either.
		var res *brats.Result
		if req.Records != nil {
			res, err = brats.Score(req.Records, req.Truth, brats.Options{DType: req.DType})
		} else {
			res, err = brats.ScoreLog(req.Log, req.Truth, brats.Options{DType: req.DType})
		}
		if err != nil {
			return Score{}, err
		}
		value, covered, total = res.Mean, len(res.Cases), len(res.Cases)
		details["whole_tumor"], details["tumor_core"], details["enhancing_tumor"] = res.Regions[0], res.Regions[1], res.Regions[2]
		details["cases"] = float64(len(res.Cases))
	default:
		return Score{}, fmt.Errorf("%w: no scorer for %s", ErrRequest, e.ID)
	}
	if math.IsNaN(value) {
		return Score{}, fmt.Errorf("accuracy: %s: score is not a number", e.ID)
	}
	s := NewScore(e.ID, e.Quality.Metric, value, e.Quality.Target(), details)
	return judge(s, covered, total, req)
}

// judge records the coverage and withholds the verdict from a partial log
// the request did not allow.
func judge(s Score, covered, total int, req Request) (Score, error) {
	s.Covered, s.Total = covered, total
	if s.Complete() || req.Partial {
		return s, nil
	}
	s.Pass, s.Judged = false, false
	return s, fmt.Errorf("%s covers %d of the %d samples of the data set (%s %.5g on those): %w", logName(req), covered, total, s.Metric, s.Value, ErrPartial)
}

// checkBuiltin scores a log of the built-in model against its true labels.
func checkBuiltin(req Request) (Score, error) {
	if req.Log == "" && req.Records == nil {
		return Score{}, fmt.Errorf("%w: an accuracy log is required", ErrRequest)
	}
	if req.Truth != "" || req.Vocab != "" || req.DType != "" || req.Predictions != "" || req.UseInvMap || req.RemoveEmpty48 || req.LabelOffset != 0 {
		return Score{}, fmt.Errorf("%w: %s takes only a log: its labels are built in", ErrRequest, BuiltinModel)
	}
	recs, err := records(req)
	if err != nil {
		return Score{}, err
	}
	m, err := builtin.Default()
	if err != nil {
		return Score{}, err
	}
	sc, err := m.ScoreAccuracy(recs)
	if err != nil {
		return Score{}, fmt.Errorf("accuracy: %s: %w", logName(req), err)
	}
	a := sc.Accuracy
	s := NewScore(BuiltinModel, a.Metric, a.Value, a.Target,
		map[string]float64{"good": float64(sc.Good), "total": float64(sc.Total)})
	return judge(s, sc.Total, sc.Accuracy.Total, req)
}

// checkOptions refuses options that do not apply to the model, so that none
// is silently ignored, and DType values the scorer cannot read.
func checkOptions(model, id string, req Request) error {
	for _, c := range []struct {
		set    bool
		option string
		models []string
	}{
		{req.Predictions != "", "predictions", []string{"bert"}},
		{req.Vocab != "", "vocab", []string{"bert"}},
		{req.UseInvMap, "use-inv-map", []string{"ssd-resnet34"}},
		{req.RemoveEmpty48, "remove-48-empty-images", []string{"ssd-resnet34"}},
		{req.LabelOffset != 0, "label-offset", []string{"resnet50"}},
		{req.DType != "", "dtype", []string{"resnet50", "bert", "3d-unet"}},
	} {
		if c.set && !slices.Contains(c.models, model) {
			return fmt.Errorf("%w: %s does not apply to %s", ErrRequest, c.option, id)
		}
	}
	if req.Predictions != "" {
		switch {
		case req.Log != "" || req.Records != nil:
			return fmt.Errorf("%w: give a log or a predictions file, not both", ErrRequest)
		case req.DType != "" || req.Partial:
			return fmt.Errorf("%w: dtype and partial apply to a log, not to a predictions file", ErrRequest)
		}
	}
	if req.LabelOffset < -imagenet.MaxLabelOffset || req.LabelOffset > imagenet.MaxLabelOffset {
		// A huge offset overflowed the comparison and scored 0 (issue 19).
		return fmt.Errorf("%w: label-offset %d: want %d to %d", ErrRequest, req.LabelOffset, -imagenet.MaxLabelOffset, imagenet.MaxLabelOffset)
	}
	if req.DType != "" && !slices.Contains(dtypes[model], req.DType) {
		return fmt.Errorf("%w: dtype %q for %s: want one of %s", ErrRequest, req.DType, id, strings.Join(dtypes[model], ", "))
	}
	return nil
}

func records(req Request) ([]Record, error) {
	if req.Records != nil {
		return req.Records, nil
	}
	return mlperflog.ReadLog(req.Log)
}

func logName(req Request) string {
	if req.Log != "" {
		return req.Log
	}
	return "the accuracy log"
}
