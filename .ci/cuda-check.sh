#!/usr/bin/env bash
# Compile-check the `cuda` build against Debian's CUDA development files
# (third_party/cuda/fetch.sh: headers and link stubs in .cache/cuda, reused by
# later runs). A `cuda` binary cannot run here: gorgonia.org/cu's init exits
# without a GPU. So vet it, and build and link the test binary without running it.
# GOTRT_CUDA_SUITES picks the CUDA versions: "trixie" (12.4, default),
# "bookworm" (11.8), or both.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

for suite in ${GOTRT_CUDA_SUITES:-trixie}; do
  env_lines=$(third_party/cuda/fetch.sh --suite "$suite" --print-env)
  eval "$env_lines"
  echo "-- cuda build against $CUDA_INCLUDE"
  # go-nvml's generated cgo warns about NVML calls deprecated in 13.0.
  export CGO_CFLAGS="$CGO_CFLAGS -Wno-deprecated-declarations"
  go vet -tags cuda ./cuda/...
  bin=$(mktemp -d)/cuda.test
  go test -tags cuda -c -o "$bin" ./cuda/
  # Linked against the stub: the binary needs the driver's libcuda.so.1.
  readelf -d "$bin" | grep -q 'libcuda.so.1' || { echo "cuda.test does not link libcuda" >&2; exit 1; }
  rm -rf "$(dirname "$bin")"
  go build -tags cuda ./cuda/...
done
echo "cuda-check OK"
