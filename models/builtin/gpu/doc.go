// Package gpu runs the built-in model (models/builtin) in INT8 on NVIDIA
// GPUs with CUDA kernels of its own.
package gpu
