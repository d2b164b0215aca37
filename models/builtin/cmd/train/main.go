// Command train regenerates the built-in model's weights file: it trains the
// network on the built-in data set by single-threaded Adam from a seed,
// measures its FP32 top-1 on the held-out split, calibrates the INT8
// activation thresholds on the calibration split (entropy, as TensorRT's
// IInt8EntropyCalibrator2, over the non-zero values) and writes
// models/builtin/weights.bin.gz. The same flags give the same file bit for bit on the same GOARCH (and GOAMD64 level,
// since FMA fusion changes float rounding).
//
//	go run ./models/builtin/cmd/train
package main

import (
	"flag"
	"log"
	"os"

	"github.com/gotrt/gotrt/models/builtin/internal/trainer"
)

func main() {
	d := trainer.Default
	cfg := trainer.Config{}
	flag.Uint64Var(&cfg.Seed, "seed", d.Seed, "seed of the weights and the data set")
	flag.IntVar(&cfg.Steps, "steps", d.Steps, "Adam steps")
	flag.IntVar(&cfg.Batch, "batch", d.Batch, "samples per step")
	flag.Float64Var(&cfg.LR, "lr", d.LR, "peak learning rate")
	flag.IntVar(&cfg.CalibN, "calib", d.CalibN, "calibration samples")
	flag.IntVar(&cfg.TestN, "test", d.TestN, "held-out samples for the FP32 top-1")
	out := flag.String("out", "models/builtin/weights.bin.gz", "output file")
	flag.Parse()
	b, err := trainer.Build(cfg, log.Printf)
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("wrote %s (%d bytes)", *out, len(b))
}
