#!/usr/bin/env bash
# Check the built-in model's committed PTX (models/builtin/gpu/kernels/
# builtin.ptx): regenerate it from builtin.cu with Debian's nvcc 12.4
# (third_party/cuda/fetch-nvcc.sh: an 87 MB download, about 30 s, reused by
# later runs from .cache/cuda-toolkit), require the same bytes, and have
# ptxas accept it for sm_75 (T4) and sm_90 (H100/H200). Then vet and compile
# the package's `cuda` build (its tests run only on a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
t0=$(date +%s)
eval "$(third_party/cuda/fetch-nvcc.sh --print-env)"
k=models/builtin/gpu/kernels
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bash "$k/gen.sh" --out "$tmp/builtin.ptx"
if ! cmp -s "$tmp/builtin.ptx" "$k/builtin.ptx"; then
  diff "$k/builtin.ptx" "$tmp/builtin.ptx" | head -20 >&2
  echo "ptx-check: $k/builtin.ptx is not what builtin.cu gives: run go generate ./models/builtin/gpu" >&2
  exit 1
fi
for sm in sm_75 sm_90; do
  "$PTXAS" -arch="$sm" -o "$tmp/builtin-$sm.cubin" "$k/builtin.ptx"
done
eval "$(third_party/cuda/fetch.sh --print-env)"
export CGO_CFLAGS="$CGO_CFLAGS -Wno-deprecated-declarations"
go vet -tags cuda ./models/builtin/gpu/...
go test -tags cuda -c -o "$tmp/gpu.test" ./models/builtin/gpu
echo "ptx-check OK ($(($(date +%s) - t0)) s)"
