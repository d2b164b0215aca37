#!/usr/bin/env bash
# Check the `cuda` build against Debian's CUDA headers
# (third_party/cuda/fetch.sh: headers in .cache/cuda, reused by later runs).
#
# The cuda package dlopens libcuda.so.1 at run time, so a `cuda` binary must
# link no libcuda and must start on this GPU-less machine. This script vets
# the build, builds the cuda test binary and gotrt with -tags cuda, checks
# that neither needs libcuda.so.1, runs the test binary (the GPU tests skip
# with the reason; TestAvailable checks that reason), once more with the link
# stub posing as libcuda.so.1 (every entry point must resolve) and with
# cuda/testdata/fakecuda, a simulator of the driver, in its place (the GPU
# tests must pass, none skipped), and runs
# `gotrt devices`, which must exit 0, say in one line why there is no GPU,
# and list the CPU alone.
# GOTRT_CUDA_SUITES picks the CUDA versions: "trixie" (12.4, default),
# "bookworm" (11.8), or both.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

fail() { echo "cuda-check: $*" >&2; exit 1; }

# Where a driver is installed the no-GPU checks do not apply.
gpu_here=0
if [ -e /dev/nvidiactl ] || { command -v ldconfig >/dev/null && ldconfig -p | grep -q 'libcuda\.so\.1'; }; then
  gpu_here=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for suite in ${GOTRT_CUDA_SUITES:-trixie}; do
  env_lines=$(third_party/cuda/fetch.sh --suite "$suite" --print-env)
  eval "$env_lines"
  echo "-- cuda build against $CUDA_INCLUDE"
  # go-nvml's generated cgo warns about NVML calls deprecated in 13.0.
  export CGO_CFLAGS="$CGO_CFLAGS -Wno-deprecated-declarations"
  go vet -tags cuda ./cuda/...
  go build -tags cuda ./...
  go test -tags cuda -c -o "$tmp/cuda.test" ./cuda/
  go build -tags cuda -o "$tmp/gotrt" ./cmd/gotrt

  for bin in cuda.test gotrt; do
    if readelf -d "$tmp/$bin" | grep -q 'NEEDED.*libcuda'; then
      fail "$bin needs libcuda at load time; the cuda package must dlopen it"
    fi
  done

  if [ "$gpu_here" = 1 ]; then
    echo "-- an NVIDIA driver is installed here: skipping the no-GPU start checks"
    continue
  fi

  # Starts without libcuda.so.1; GPU tests skip, the rest pass.
  (cd cuda && "$tmp/cuda.test" -test.count=1 >"$tmp/test.out" 2>&1) ||
    { cat "$tmp/test.out" >&2; fail "cuda.test failed without a GPU"; }
  (cd cuda && "$tmp/cuda.test" -test.run '^TestAvailable$' -test.v 2>&1) | grep 'cuda.Available:' ||
    fail "TestAvailable logged no reason"
  # With the link stub posing as the driver (it exports the driver's entry
  # points, and its cuInit fails), every name the binding resolves must be
  # found and cuInit's failure must be the reason. Only here: a real run
  # must never load the stub.
  mkdir -p "$tmp/stub"
  ln -s "$CUDA_STUBS/libcuda.so" "$tmp/stub/libcuda.so.1"
  (cd cuda && LD_LIBRARY_PATH="$tmp/stub" "$tmp/cuda.test" -test.run '^TestAvailable$' -test.v 2>&1) |
    grep 'cuda.Available: no usable CUDA device: cuInit: CUDA_ERROR_STUB_LIBRARY' ||
    fail "with the stub as libcuda.so.1: want every entry point resolved and cuInit's error as the reason"
  # The GPU tests against fakecuda, a simulator of the driver API (a test
  # tool: host memory, work on the calling thread, one known kernel), so the
  # binding's logic runs on every change. GOTRT_TEST_GPU=1: none may skip.
  mkdir -p "$tmp/fake"
  gcc -std=gnu11 -Wall -Wextra -Werror -shared -fPIC -O1 -I"$CUDA_INCLUDE" \
    -o "$tmp/fake/libcuda.so.1" cuda/testdata/fakecuda/libcuda.c
  (cd cuda && GOTRT_TEST_GPU=1 LD_LIBRARY_PATH="$tmp/fake" "$tmp/cuda.test" -test.count=1 >"$tmp/fake.out" 2>&1) ||
    { cat "$tmp/fake.out" >&2; fail "cuda tests against the fakecuda simulator failed"; }
  echo "cuda tests pass against the fakecuda simulator"

  # gotrt -tags cuda starts, says why in one line, and lists the CPU alone.
  "$tmp/gotrt" devices >"$tmp/devices.out" 2>"$tmp/devices.err" ||
    { cat "$tmp/devices.err" >&2; fail "gotrt devices failed without a GPU"; }
  cat "$tmp/devices.err" "$tmp/devices.out"
  [ "$(wc -l <"$tmp/devices.err")" -eq 1 ] || fail "gotrt devices: want one line of reason on stderr"
  grep -q '^gotrt: .*CPU' "$tmp/devices.err" || fail "gotrt devices: the reason does not say it uses the CPU"
  [ "$(wc -l <"$tmp/devices.out")" -eq 2 ] && awk 'NR==2 {exit !($3=="cpu")}' "$tmp/devices.out" ||
    fail "gotrt devices: want the CPU alone"
done
echo "cuda-check OK"
