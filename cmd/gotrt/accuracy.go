package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/accuracy"
	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/runner"
)

type accuracyFlags struct {
	model, log, truth, vocab, dtype, predictions string
	format                                       string
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
without --partial: the score is printed with its coverage), 2 bad flags, 1 any other error (unreadable or malformed
files). A file that is not a regular file, or is larger than any file of its
kind, is exit 2. --format json (or --json) prints the score alone on stdout;
errors go to stderr.

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
	fl.BoolVar(&f.partial, "partial", false, "judge a log that covers only part of the data set on what it covers, as the scripts do; without it such a log exits 3 and names its coverage")
	addFormatFlags(cmd, &f.format, &f.asJSON, "text", "text or json (the score alone on stdout)")
	rootCmd.AddCommand(cmd)
}

func runAccuracy(w io.Writer, f accuracyFlags) error {
	format, err := parseFormat(f.format, f.asJSON, formatText, formatJSON)
	if err != nil {
		return fmt.Errorf("accuracy: %w", err)
	}
	f.asJSON = format == formatJSON
	known := strings.Join(append(catalog.IDs(), runner.BuiltinModel), ", ")
	switch {
	case f.model == "":
		return usageError{fmt.Errorf("accuracy: --model is required: one of %s", known)}
	case f.model != runner.BuiltinModel:
		if _, err := catalog.Lookup(f.model); err != nil {
			return usageError{fmt.Errorf("accuracy: --model %q: unknown model; known: %s", quote(f.model), known)}
		}
		if f.truth == "" {
			return usageError{fmt.Errorf("accuracy: --truth is required for %s (see gotrt accuracy --help for the file each model takes)", f.model)}
		}
	}
	if f.log == "" && f.predictions == "" {
		return usageError{errors.New("accuracy: --log is required")}
	}
	s, err := accuracy.Check(accuracy.Request{
		Model: f.model, Log: f.log, Truth: f.truth, Vocab: f.vocab, DType: f.dtype,
		Predictions: f.predictions, UseInvMap: f.useInvMap, RemoveEmpty48: f.removeEmpty48,
		LabelOffset: f.labelOffset, Partial: f.partial,
	})
	switch {
	case errors.Is(err, accuracy.ErrRequest):
		return usageError{fmt.Errorf("accuracy: %w", err)}
	case errors.Is(err, bounded.ErrNotRegular) || errors.Is(err, bounded.ErrTooLarge):
		// The wrong file named: a pipe, a device, a folder, or one far
		// larger than any file of its kind.
		return usageError{fmt.Errorf("accuracy: %w", err)}
	case errors.Is(err, accuracy.ErrPartial):
		// A verdict on part of the data set needs --partial: name the
		// coverage and exit as a FAIL does.
		return fmt.Errorf("accuracy: %w (pass --partial to judge it anyway): FAIL: %w", err, errInvalid)
	case err != nil:
		return err
	}
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
