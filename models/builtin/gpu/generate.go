package gpu

//go:generate bash kernels/gen.sh
