#!/usr/bin/env bash
# gen.sh: compile builtin.cu to builtin.ptx (PTX for compute_75, JIT-compiled
# by the driver for T4 through H200) with Debian's nvcc 12.4 from
# third_party/cuda/fetch-nvcc.sh's cache (fetched if missing).
# Run by `go generate ./models/builtin/gpu`; `--out FILE` writes elsewhere
# (.ci/ptx-check.sh compares that with the committed builtin.ptx).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
out=$here/builtin.ptx
if [ "${1:-}" = --out ]; then out=$2; fi
eval "$("$repo/third_party/cuda/fetch-nvcc.sh" --print-env)"
# -Xptxas is irrelevant for -ptx; -O3 is the host optimisation, the device
# code is optimised by cicc at its default (-O3).
"$NVCC" -ptx -arch=compute_75 -std=c++17 -o "$out" "$here/builtin.cu"
