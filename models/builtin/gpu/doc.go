// Package gpu runs the built-in model (models/builtin) in INT8 on NVIDIA
// GPUs with CUDA kernels of its own, so every NVIDIA host runs gotrt's whole
// GPU data path with nothing but the driver: no CUDA runtime, no NVRTC, no
// TensorRT.
//
// # Kernels
//
// kernels/builtin.cu holds one fused kernel per batch. Each thread block
// takes groups of S samples in turn (a persistent grid of resident blocks)
// and runs the three conv blocks and the FC layer of a group with every
// activation in shared memory; the conv weights and requantisation constants
// are copied into shared memory once per block, the FC weights are read
// through the read-only cache. The convolutions are dp4a (four int8 MACs per
// instruction, sm_61 and later) on HWC tensors: a 32-bit word holds four
// input channels of one tap, a thread computes a 2×2 pooling window for 8
// (block 1: 16) output channels, and the threads of a warp share their
// channel group so that weight loads are broadcasts. dp4a was chosen over
// tensor-core MMA for the first version because it keeps the CPU path's
// layout and is exact by construction; the benchmarks say whether the
// kernel or the copies bound a batch.
//
// The arithmetic is the CPU INT8 executor's: int32 sums (exact, so the
// order does not matter), 2×2 max-pool of the sums, then float32
// requantisation with each multiplication and addition rounded on its own
// (no FMA), and the FC logits likewise; so the classes equal the CPU INT8
// executor's bit for bit (tested on all 5000 held-out samples). Variants
// run 2, 4 or 8 samples per block (builtin_int8_s2, _s4, _s8); [Open] picks
// the one that keeps the most samples resident for the GPU's shared memory
// (8 on H100/H200, 4 on A100, 2 on T4 and L4).
//
// The kernels are compiled ahead of time to PTX for compute_75 (T4 to H200;
// the driver JIT-compiles it, and needs to be 550 or newer for PTX ISA 8.4)
// by `go generate` with Debian's nvcc 12.4 (third_party/cuda/fetch-nvcc.sh),
// committed as kernels/builtin.ptx and embedded. .ci/ptx-check.sh checks that
// the committed PTX is what the source gives and that ptxas accepts it for
// sm_75 and sm_90. kernels/emu.cc runs the kernel's body on the CPU, a thread
// per CUDA thread, so CI checks its indexing and arithmetic without a GPU.
//
// # Devices and executors
//
// A [Device] is one GPU or MIG instance: [Open] retains its primary
// context, loads the kernels and uploads the parameters once. It offers
// [DefaultStreams] executors ([WithStreams]); each [Executor] owns a CUDA
// stream, pinned staging buffers (Input), device buffers and events. Run
// copies the batch in, launches the kernel, copies the classes out (Output:
// int32 little-endian, as the CPU executor's) and waits on an event, and
// allocates nothing. With [WithGraphs] (the default) each batch size is
// captured once into a CUDA graph (copies and kernel) and relaunched as one
// call; the batch's GPU time is then reported as Compute, without graphs
// the events split it into H2D, Compute and D2H.
//
// # Errors
//
// Every resource has one owner and an idempotent Close; a Device refuses to
// close while its executors are open (gpuerr.ErrInUse). A failed CUDA call
// gives an error wrapping [ErrCUDA] that names the device; a batch size out
// of range wraps [ErrBatch]. Without the `cuda` build tag, or without a
// usable GPU, Open fails with an error matching gpuerr.ErrNotSupported that
// says why.
package gpu
