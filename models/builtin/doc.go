// Package builtin is gotrt's embedded default model: a small convolutional
// classifier of the project's own rendered shapes and glyphs (twelve classes,
// 32×32 grayscale), trained by the project's own Go code and quantised to
// INT8 after training as TensorRT does it, run on the CPU through the same
// scheduler seam as a GPU engine.
//
// # Model
//
// Three blocks of conv3×3 (pad 1) → ReLU → maxpool 2×2 with 16, 32 and 64
// channels, then a fully connected layer to 12 logits. Every layer is im2col
// followed by one GEMM of the kernels package; bias, ReLU, pooling and
// requantisation are fused into one pass over the GEMM output. The FP32
// weights are embedded (weights.bin.gz, regenerated bit for bit by
// `go run ./models/builtin/cmd/train`), with the FP32 held-out top-1 and the
// INT8 calibration thresholds.
//
// # INT8
//
// Weights: symmetric, per output channel (scale = max|w|/127). Activations:
// symmetric, per tensor, post-ReLU in [0, 127], thresholds chosen on the
// calibration split by entropy (KL divergence between the 2048-bin histogram
// and its 128-level quantisation), as TensorRT's IInt8EntropyCalibrator2,
// with one change: exact zeros are left out of the histogram. ReLU outputs
// are mostly zeros, which any scale represents exactly; counted, they drive
// the threshold down to a third of what the class-deciding activations need
// (top-1 falls from 98 % to 84 %). Accumulation is int32; between layers the int32
// sums are requantised with per-channel float multipliers that fold the input,
// weight and output scales. Max pooling commutes with the (monotone)
// requantisation, so it runs on the int32 sums and only a quarter of the
// values are requantised.
//
// # Devices and executors
//
// A [Device] is a share of the CPU's cores; it offers one stream per core and
// opens an [Executor] per stream. An executor owns its staging buffers and
// scratch, computes a batch single-threaded on the calling goroutine and
// allocates nothing per batch. [SplitCPU] divides the machine into N equal
// devices (`--devices cpu:N`). Input(slot) takes one sample's 32×32 uint8
// pixels; Output(slot) is the predicted class as int32 little-endian.
//
// # Errors
//
// Bad input gives an error, never a panic: [ErrCorruptWeights] for a damaged
// weights file, [ErrBadInput] for an input of the wrong size or with NaN/Inf,
// [ErrBatch] for a batch size outside [1, MaxBatch], [ErrClosed] after Close.
package builtin
