// Package trainer is the whole recipe of the built-in model's weights file:
// training, the FP32 held-out top-1 and the INT8 entropy calibration. The
// train command and the reproducibility test both call [Build].
package trainer

import (
	"bytes"
	"fmt"
	"math"
	"time"

	"github.com/gotrt/gotrt/models/builtin/internal/calib"
	"github.com/gotrt/gotrt/models/builtin/internal/dataset"
	"github.com/gotrt/gotrt/models/builtin/internal/nn"
	"github.com/gotrt/gotrt/models/builtin/internal/wfile"
)

// Default is the configuration of the committed weights.
var Default = Config{Seed: dataset.Seed, Steps: 4000, Batch: 16, LR: 3e-3, CalibN: dataset.CalibrationCount, TestN: dataset.TestCount}

// Config is a training run's settings; the weights file is a pure function
// of it.
type Config struct {
	Seed          uint64
	Steps, Batch  int
	LR            float64
	CalibN, TestN int
}

// Build trains, measures and calibrates the model and returns the weights
// file's bytes. logf, if not nil, receives progress lines.
func Build(cfg Config, logf func(format string, args ...any)) ([]byte, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	seed, steps, batch, lr, calibN, testN := cfg.Seed, cfg.Steps, cfg.Batch, cfg.LR, cfg.CalibN, cfg.TestN
	if steps < 1 || batch < 1 || calibN < 1 || testN < 1 || !(lr > 0) {
		return nil, fmt.Errorf("bad training config %+v", cfg)
	}
	start := time.Now()
	net := nn.New(nn.DefaultArch, seed)
	nn.Train(net, nn.TrainConfig{
		Steps: steps, Batch: batch, LR: lr,
		Sample: func(i int, img []byte) int32 { return dataset.Render(seed, dataset.Train, i, img) },
		Progress: func(step int, loss, acc float64) {
			if step%250 == 0 || step == steps {
				logf("step %d: loss %.4f, train acc %.4f (%s)", step, loss, acc, time.Since(start).Round(time.Second))
			}
		},
	})
	f := nn.NewForward(net)
	img := make([]byte, dataset.Pixels)
	// Calibration: the largest value of each tensor first, then histograms.
	maxes := [4]float64{1, 0, 0, 0}
	for i := range calibN {
		dataset.Render(seed, dataset.Calibration, i, img)
		act := f.Run(img)
		for l := 1; l < 4; l++ {
			for _, v := range act.In[l] {
				maxes[l] = math.Max(maxes[l], float64(v))
			}
		}
	}
	var hs [4]*calib.Histogram
	for l := 1; l < 4; l++ {
		hs[l] = calib.NewHistogram(maxes[l])
		hs[l].SkipZeros = true
	}
	for i := range calibN {
		dataset.Render(seed, dataset.Calibration, i, img)
		act := f.Run(img)
		for l := 1; l < 4; l++ {
			hs[l].Add(act.In[l])
		}
	}
	th := [4]float32{1}
	for l := 1; l < 4; l++ {
		t, err := hs[l].EntropyThreshold()
		if err != nil {
			return nil, fmt.Errorf("calibrate layer %d: %w", l, err)
		}
		th[l] = float32(t)
		logf("layer %d input: max %.3f, entropy threshold %.3f", l, maxes[l], t)
	}
	correct := 0
	for i := range testN {
		label := dataset.Render(seed, dataset.Test, i, img)
		if nn.Argmax(f.Run(img).Out) == int(label) {
			correct++
		}
	}
	top1 := float64(correct) / float64(testN)
	logf("held-out FP32 top-1 %.4f (%d/%d), total %s", top1, correct, testN, time.Since(start).Round(time.Second))
	var buf bytes.Buffer
	err := wfile.Encode(&buf, &wfile.File{
		Arch: net.Arch, Seed: seed, Steps: uint32(steps), Batch: uint32(batch), LR: lr,
		TestTop1: top1, TestCount: uint32(testN), Thresholds: th, Params: net.Params(),
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
