package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/models/accuracy"
	"github.com/gotrt/gotrt/models/accuracy/brats"
	"github.com/gotrt/gotrt/models/accuracy/coco"
	"github.com/gotrt/gotrt/models/accuracy/imagenet"
	"github.com/gotrt/gotrt/models/accuracy/squad"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/runner"
)

type accuracyFlags struct {
	model, log, truth, vocab, dtype, predictions string
	useInvMap, removeEmpty48, partial, asJSON    bool
	labelOffset                                  int
}

func init() {
	var f accuracyFlags
	cmd := &cobra.Command{
		Use:   "accuracy --model M --log mlperf_log_accuracy.json --truth PATH",
		Short: "Score an MLPerf accuracy log against the ground truth and say PASS or FAIL",
		Long: `Score mlperf_log_accuracy.json as MLPerf's accuracy scripts do and compare the
score with the benchmark's quality target. Exit status: 0 PASS, 3 FAIL (the
score is below the target, or the log leaves part of the data set unscored
without --partial), 2 bad flags, 1 any other error (unreadable or malformed
files). --json prints the score alone on stdout; errors go to stderr.

--truth is, by model:
  resnet50       ImageNet val_map.txt                     (--dtype float32|int32|int64, default float32)
  ssd-resnet34   COCO instances_val2017.json              (--use-inv-map, --remove-48-empty-images)
  bert-99[.9]    SQuAD dev-v1.1.json, with --vocab vocab.txt (--dtype float32 default), or
                 --predictions FILE (id → answer JSON) instead of --log
  3d-unet-99[.9] folder of preprocessed BraTS label volumes (--dtype float16 default)
  gotrt-builtin  none: the built-in data set carries its labels`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runAccuracy(cmd.OutOrStdout(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "benchmark id: resnet50, ssd-resnet34, bert-99, bert-99.9, 3d-unet-99, 3d-unet-99.9")
	fl.StringVar(&f.log, "log", "", "path to mlperf_log_accuracy.json")
	fl.StringVar(&f.truth, "truth", "", "ground truth: val_map.txt, COCO annotations JSON, SQuAD dev JSON or BraTS label folder")
	fl.StringVar(&f.vocab, "vocab", "", "BERT vocabulary file (bert)")
	fl.StringVar(&f.dtype, "dtype", "", "element type of the logged responses (default: the script's)")
	fl.StringVar(&f.predictions, "predictions", "", "SQuAD predictions JSON (question id → answer text) to score instead of a log (bert)")
	fl.BoolVar(&f.useInvMap, "use-inv-map", false, "map class indices through the annotation file's category list (ssd-resnet34)")
	fl.BoolVar(&f.removeEmpty48, "remove-48-empty-images", false, "index images without annotations out, as the script's flag (ssd-resnet34)")
	fl.IntVar(&f.labelOffset, "label-offset", 0, "added to the logged class before comparing (resnet50; the script applies none)")
	fl.BoolVar(&f.partial, "partial", false, "score a log that covers only part of the data set: some of val_map.txt's images (resnet50) or of the SQuAD features (bert); the scripts allow it, gotrt says FAIL without it")
	fl.BoolVar(&f.asJSON, "json", false, "print the score as JSON")
	rootCmd.AddCommand(cmd)
}

func runAccuracy(w io.Writer, f accuracyFlags) error {
	if f.model == runner.BuiltinModel {
		return builtinAccuracy(w, f)
	}
	if f.model == "" || f.truth == "" {
		return usageError{errors.New("accuracy: --model and --truth are required")}
	}
	e, err := catalog.Lookup(f.model)
	if err != nil {
		return usageError{err}
	}
	needLog := !(e.Model == "bert" && f.predictions != "")
	if needLog && f.log == "" {
		return usageError{errors.New("accuracy: --log is required")}
	}
	if err := checkModelFlags(e.Model, e.ID, f); err != nil {
		return usageError{err}
	}
	var value float64
	details := map[string]float64{}
	switch e.Model {
	case "resnet50":
		res, err := imagenet.ScoreFiles(f.log, f.truth, imagenet.Options{DType: f.dtype, LabelOffset: f.labelOffset})
		if err != nil {
			return err
		}
		labels, err := imagenet.ReadValMap(f.truth)
		if err != nil {
			return err
		}
		if res.Total < len(labels) && !f.partial {
			return fmt.Errorf("accuracy: %s covers %d of the %d images of %s (pass --partial to score it anyway): FAIL: %w", f.log, res.Total, len(labels), f.truth, errInvalid)
		}
		value = res.Accuracy
		details["good"], details["total"], details["dupes"] = float64(res.Good), float64(res.Total), float64(res.Dupes)
	case "ssd-resnet34":
		recs, err := accuracy.ReadLog(f.log)
		if err != nil {
			return err
		}
		res, err := coco.Score(recs, f.truth, coco.Options{UseInvMap: f.useInvMap, RemoveEmpty48: f.removeEmpty48})
		if err != nil {
			return fmt.Errorf("%s: %w", f.log, err)
		}
		value = res.MAP
		details["images"], details["detections"] = float64(res.Images), float64(res.Detections)
		details["duplicates"], details["no_results"] = float64(res.Duplicates), float64(res.NoResults)
		details["ap50"], details["ap75"] = res.Stats[1], res.Stats[2]
	case "bert":
		var res *squad.Result
		if f.predictions != "" {
			res, err = squad.EvaluatePredictions(f.truth, f.predictions)
		} else {
			if f.vocab == "" {
				return usageError{errors.New("accuracy: bert needs --vocab (or --predictions)")}
			}
			var recs []accuracy.Record
			recs, err = accuracy.ReadLog(f.log)
			if err == nil {
				opt := squad.DefaultOptions()
				if f.dtype != "" {
					opt.OutputDType = f.dtype
				}
				res, err = squad.Score(recs, f.truth, f.vocab, opt)
				if err != nil {
					err = fmt.Errorf("%s: %w", f.log, err)
				}
			}
		}
		if err != nil {
			return err
		}
		if f.predictions == "" && res.MissingFeatures > 0 && !f.partial {
			return fmt.Errorf("accuracy: %s has no record for %d of the %d features of %s (pass --partial to score it anyway): FAIL: %w", f.log, res.MissingFeatures, res.Features, f.truth, errInvalid)
		}
		value = res.F1
		details["exact_match"], details["questions"] = res.ExactMatch, float64(res.Questions)
		details["unanswered"] = float64(res.Unanswered)
		if f.predictions == "" {
			details["features"], details["missing_features"] = float64(res.Features), float64(res.MissingFeatures)
			details["duplicates"] = float64(res.Duplicates)
		}
	case "3d-unet":
		res, err := brats.ScoreLog(f.log, f.truth, brats.Options{DType: f.dtype})
		if err != nil {
			return err
		}
		value = res.Mean
		details["whole_tumor"], details["tumor_core"], details["enhancing_tumor"] = res.Regions[0], res.Regions[1], res.Regions[2]
		details["cases"] = float64(len(res.Cases))
	default:
		return fmt.Errorf("accuracy: no scorer for %s", e.ID)
	}
	if math.IsNaN(value) {
		return fmt.Errorf("accuracy: %s: score is not a number", e.ID)
	}
	s := accuracy.NewScore(e.ID, e.Quality.Metric, value, e.Quality.Target(), details)
	if f.asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("accuracy: print the score: %w", err)
		}
	} else {
		fmt.Fprintln(w, s.String())
	}
	if !s.Pass {
		return fmt.Errorf("accuracy: %s %s %.5g is below the target %.5g: FAIL: %w", e.ID, s.Metric, s.Value, s.Target, errInvalid)
	}
	return nil
}

// dtypes are the --dtype values each scorer reads (as its package documents
// them); the empty string takes the script's default.
var dtypes = map[string][]string{
	"resnet50": {"float32", "int32", "int64"},
	"bert":     {"float16", "float32", "float64", "int8", "int16", "int32", "int64"},
	"3d-unet":  {"float16", "float32", "float64", "int8", "int16", "int32", "int64"},
}

// checkModelFlags refuses flags that do not apply to the model, so that none
// is silently ignored, and --dtype values the scorer cannot read.
func checkModelFlags(model, id string, f accuracyFlags) error {
	for _, c := range []struct {
		set    bool
		flag   string
		models []string
	}{
		{f.predictions != "", "--predictions", []string{"bert"}},
		{f.vocab != "", "--vocab", []string{"bert"}},
		{f.useInvMap, "--use-inv-map", []string{"ssd-resnet34"}},
		{f.removeEmpty48, "--remove-48-empty-images", []string{"ssd-resnet34"}},
		{f.labelOffset != 0, "--label-offset", []string{"resnet50"}},
		{f.partial, "--partial", []string{"resnet50", "bert"}},
		{f.dtype != "", "--dtype", []string{"resnet50", "bert", "3d-unet"}},
	} {
		if c.set && !slices.Contains(c.models, model) {
			return fmt.Errorf("accuracy: %s does not apply to %s", c.flag, id)
		}
	}
	if f.predictions != "" {
		switch {
		case f.log != "":
			return errors.New("accuracy: give --log or --predictions, not both")
		case f.dtype != "" || f.partial:
			return errors.New("accuracy: --dtype and --partial apply to --log, not --predictions")
		}
	}
	if f.dtype != "" && !slices.Contains(dtypes[model], f.dtype) {
		return fmt.Errorf("accuracy: --dtype %q for %s: want one of %s", f.dtype, id, strings.Join(dtypes[model], ", "))
	}
	return nil
}

// builtinAccuracy scores a log of the built-in model against its true labels.
func builtinAccuracy(w io.Writer, f accuracyFlags) error {
	if f.log == "" {
		return usageError{errors.New("accuracy: --log is required")}
	}
	if f.truth != "" || f.vocab != "" || f.dtype != "" || f.predictions != "" || f.useInvMap || f.removeEmpty48 || f.partial || f.labelOffset != 0 {
		return usageError{fmt.Errorf("accuracy: %s takes only --log (and --json): its labels are built in", runner.BuiltinModel)}
	}
	recs, err := accuracy.ReadLog(f.log)
	if err != nil {
		return err
	}
	m, err := builtin.Default()
	if err != nil {
		return err
	}
	sc, err := m.ScoreAccuracy(recs)
	if err != nil {
		return fmt.Errorf("accuracy: %s: %w", f.log, err)
	}
	a := sc.Accuracy
	s := accuracy.NewScore(runner.BuiltinModel, a.Metric, a.Value, a.Target,
		map[string]float64{"good": float64(sc.Good), "total": float64(sc.Total)})
	if f.asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return fmt.Errorf("accuracy: print the score: %w", err)
		}
	} else {
		fmt.Fprintln(w, s.String())
	}
	if !s.Pass {
		return fmt.Errorf("accuracy: %s %s %.5g is below the target %.5g: FAIL: %w", s.Model, s.Metric, s.Value, s.Target, errInvalid)
	}
	return nil
}
