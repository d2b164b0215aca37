#!/usr/bin/env bash
# Check the `cuda,tensorrt` build against TensorRT headers, where they are.
#
#   TENSORRT_INC=/path/to/TensorRT/include bash .ci/trt-check.sh
#
# TensorRT's headers are in no registry CI reaches, so without TENSORRT_INC
# (a folder holding NvInfer.h) this says so and skips. With it, it:
#  1. compiles trt/shim.cc (g++ -Wall -Wextra -Werror, headers by -isystem)
#     and trt/dl.c, and checks that the shim needs no TensorRT or CUDA
#     symbol beyond the six factory functions dl.c forwards to the library
#     it dlopen()s;
#  2. vets and builds gotrt with -tags cuda,tensorrt and checks its NEEDED
#     entries: the C and C++ runtimes alone (no libnvinfer, no libcudart),
#     so the binary starts on any host;
#  3. runs the trt package's tests, whose load tests build stand-in libraries;
#  4. runs `gotrt version`, `devices` and `run --duration 2s` without a
#     TensorRT library (each must work, and say why TensorRT is missing) and
#     `inspect`, `build`, `run --engine` (each must stop with exit 2 and one
#     line naming the library and GOTRT_TENSORRT_LIB);
#  5. builds a STAND-IN libnvinfer.so.<major> (trt/testdata/standin: the
#     right soname and entry points, a version, no engine: a test tool, never
#     TensorRT) and runs the same commands with it on the loader's path and
#     through GOTRT_TENSORRT_LIB, and a stand-in of another major version,
#     which must be refused naming both versions.
# CUDA headers come from third_party/cuda/fetch.sh (as .ci/cuda-check.sh).
# Only a real TensorRT on a GPU can show that plans deserialize and run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

fail() { echo "trt-check: $*" >&2; exit 1; }

if [ -z "${TENSORRT_INC:-}" ] || [ ! -f "${TENSORRT_INC}/NvInfer.h" ]; then
  echo "trt-check: skipped: set TENSORRT_INC to a TensorRT include folder (with NvInfer.h) to check the tensorrt build"
  exit 0
fi
TRT=$(cd "$TENSORRT_INC" && pwd)

if [ -z "${CUDA_INCLUDE:-}" ]; then
  eval "$(third_party/cuda/fetch.sh --print-env)"
fi
CUDA=$CUDA_INCLUDE
[ -f "$CUDA/cuda.h" ] || fail "no cuda.h under $CUDA"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The headers' version, as the stand-in reports it.
read -r major minor patch < <(printf '#include <NvInferVersion.h>\nNV_TENSORRT_MAJOR NV_TENSORRT_MINOR NV_TENSORRT_PATCH\n' |
  gcc -E -P -isystem "$TRT" -x c - | tail -n 1)
echo "-- TensorRT $major.$minor.$patch headers: $TRT; CUDA headers: $CUDA"

echo "-- 1. the shim and the loader, -Wall -Wextra -Werror"
g++ -std=c++17 -Wall -Wextra -Werror -isystem "$TRT" -isystem "$CUDA" -c trt/shim.cc -o "$tmp/shim.o"
gcc -std=gnu11 -Wall -Wextra -Werror -isystem "$TRT" -c trt/dl.c -o "$tmp/dl.o"
forwarded='createInferBuilder_INTERNAL createInferRuntime_INTERNAL createNvOnnxParser_INTERNAL getInferLibVersion getPluginRegistry initLibNvInferPlugins'
# Every undefined symbol that is neither the C/C++ runtime's nor a
# forwarder would be a link-time dependency on TensorRT or CUDA.
extra=$(nm -u "$tmp/shim.o" | awk '{print $2}' | c++filt |
  grep -Ei 'nvinfer|nvonnx|cuda|cublas|cudnn|getInfer|getPlugin|initLib|create.*_INTERNAL' |
  grep -vxF -f <(tr ' ' '\n' <<<"$forwarded") || true)
[ -z "$extra" ] || fail "shim.o needs symbols no library provides at link time: $extra"
for f in $forwarded; do
  nm "$tmp/dl.o" | grep " T $f\$" >/dev/null || fail "dl.o does not define $f"
done
echo "shim.o needs only the forwarded entry points: $forwarded"

echo "-- 2. the cuda,tensorrt build links no TensorRT or CUDA library"
export CGO_CFLAGS="-O2 -g -Wno-deprecated-declarations -isystem $TRT -isystem $CUDA"
export CGO_CXXFLAGS="-O2 -g -isystem $TRT -isystem $CUDA"
go vet -tags cuda,tensorrt ./trt/ ./cuda/ ./cmd/gotrt/
go build -tags cuda,tensorrt -o "$tmp/gotrt" ./cmd/gotrt
go test -tags cuda,tensorrt -c -o "$tmp/trt.test" ./trt/
for bin in gotrt trt.test; do
  needed=$(readelf -d "$tmp/$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
  echo "$bin NEEDED: $(echo $needed)"
  for lib in $needed; do
    case $lib in
      libc.so.*|libstdc++.so.*|libgcc_s.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*.so.*) ;;
      *) fail "$bin needs $lib at load time: only the C and C++ runtimes may be linked" ;;
    esac
  done
done

# Where TensorRT is installed, the "without a library" checks do not apply.
trt_here=0
if command -v ldconfig >/dev/null && ldconfig -p | grep "libnvinfer\.so\.$major " >/dev/null; then
  trt_here=1
fi

echo "-- 3. the trt package's tests (stand-in libraries for the load paths)"
(cd trt && TENSORRT_INC="$TRT" CUDA_INCLUDE="$CUDA" "$tmp/trt.test" -test.count=1 >"$tmp/trt.out" 2>&1) || { cat "$tmp/trt.out" >&2; fail "trt tests failed"; }
echo "trt tests pass"

g="$tmp/gotrt"
out=$tmp/run
touch "$tmp/x.plan" "$tmp/x.onnx"
mkdir -p "$tmp/data"

# Commands write to files that grep reads afterwards: grep -q on a pipe may
# exit before the writer is done, which SIGPIPE and pipefail turn into a
# failure.

# expect_exit2 CMD...: exit 2 and one line on stderr naming $want.
expect_exit2() {
  local rc=0
  "$@" >"$tmp/o" 2>"$tmp/e" || rc=$?
  [ "$rc" = 2 ] || { cat "$tmp/e" >&2; fail "$*: exit $rc, want 2"; }
  [ "$(wc -l <"$tmp/e")" -eq 1 ] || { cat "$tmp/e" >&2; fail "$*: want one line on stderr"; }
  grep -q -- "$want" "$tmp/e" || { cat "$tmp/e" >&2; fail "$*: stderr does not say $want"; }
  echo "  $(basename "$1") ${*:2}: exit 2: $(cat "$tmp/e")"
}

# common_runs: version, devices and the built-in model work.
common_runs() {
  "$g" version >"$tmp/version" || fail "gotrt version failed"
  cat "$tmp/version"
  grep -q "^tensorrt: $1" "$tmp/version" || fail "gotrt version: want 'tensorrt: $1'"
  "$g" version --json >"$tmp/version.json" || fail "gotrt version --json failed"
  grep -q '"tags": "cuda,tensorrt"' "$tmp/version.json" || fail "gotrt version --json lacks the tags"
  "$g" devices >"$tmp/devices.out" 2>"$tmp/devices.err" || { cat "$tmp/devices.err" >&2; fail "gotrt devices failed"; }
  grep -q "^gotrt: $2" "$tmp/devices.err" || { cat "$tmp/devices.err" >&2; fail "gotrt devices: no '$2' line"; }
  grep "^gotrt: tensorrt" "$tmp/devices.err"
  rm -rf "$out"
  "$g" run --duration 2s --out "$out" --progress off >"$tmp/run.out" 2>"$tmp/run.err" ||
    { cat "$tmp/run.err" >&2; fail "gotrt run --duration 2s failed"; }
  test -s "$out/result.json" || fail "gotrt run wrote no result.json"
  echo "  run --duration 2s: $(grep -m1 -i 'result is' "$tmp/run.out" || tail -n 1 "$tmp/run.out")"
}

if [ "$trt_here" = 1 ]; then
  echo "-- 4. a TensorRT $major library is installed here: skipping the checks without one"
else
  echo "-- 4. without a TensorRT library"
  unset GOTRT_TENSORRT_LIB
  common_runs "headers $major.$minor.$patch, library not loaded: tensorrt: cannot load libnvinfer.so.$major" \
    "tensorrt: cannot load libnvinfer.so.$major"
  want="GOTRT_TENSORRT_LIB"
  expect_exit2 "$g" inspect "$tmp/x.plan"
  expect_exit2 "$g" build --onnx "$tmp/x.onnx" --out "$tmp/y.plan"
  expect_exit2 "$g" run --model resnet50 --engine "$tmp/x.plan" --data "$tmp/data" --out "$out" --progress off
  want="plan $tmp/missing.plan: no such file"
  expect_exit2 "$g" inspect "$tmp/missing.plan"
fi

echo "-- 5. with a STAND-IN libnvinfer.so.$major (a test tool, not TensorRT)"
standin() { # dir major minor patch
  mkdir -p "$1"
  for lib in libnvinfer libnvinfer_plugin libnvonnxparser; do
    gcc -std=gnu11 -Wall -Wextra -Werror -shared -fPIC -O1 \
      -DSTANDIN_MAJOR="$2" -DSTANDIN_MINOR="$3" -DSTANDIN_PATCH="$4" \
      -Wl,-soname,"$lib.so.$major" -o "$1/$lib.so.$major" trt/testdata/standin/libnvinfer_standin.c
  done
}
standin "$tmp/standin" "$major" "$minor" "$patch"
readelf -d "$tmp/standin/libnvinfer.so.$major" | grep "SONAME.*\[libnvinfer.so.$major\]" >/dev/null || fail "stand-in soname"
lib_line="headers $major.$minor.$patch, library $major.$minor.$patch ($tmp/standin/libnvinfer.so.$major)"
(
  export LD_LIBRARY_PATH="$tmp/standin${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  common_runs "$lib_line" "tensorrt $major.$minor.$patch ($tmp/standin/libnvinfer.so.$major"
  grep -q "^tensorrt plugins: $tmp/standin/libnvinfer_plugin.so.$major" "$tmp/version" || fail "version: no plugin library line"
  if [ ! -e /dev/nvidiactl ]; then
    # TensorRT loads; the GPU is what is missing. (The stand-in's null
    # runtime and builder are the trt tests' to check.)
    want="build: needs a usable GPU"
    expect_exit2 "$g" build --onnx "$tmp/x.onnx" --out "$tmp/y.plan"
    want="inspect: needs a usable GPU"
    expect_exit2 "$g" inspect "$tmp/x.plan"
  else
    # The stand-in creates no runtime: inspect fails as TensorRT would (1).
    rc=0; "$g" inspect "$tmp/x.plan" 2>"$tmp/e" || rc=$?
    [ "$rc" = 1 ] && grep "createInferRuntime" "$tmp/e" >/dev/null || { cat "$tmp/e" >&2; fail "inspect with the stand-in: exit $rc"; }
    echo "  inspect with the stand-in: exit 1: $(cat "$tmp/e")"
  fi
)
# The folder and the file forms of GOTRT_TENSORRT_LIB.
for v in "$tmp/standin" "$tmp/standin/libnvinfer.so.$major"; do
  GOTRT_TENSORRT_LIB=$v "$g" version >"$tmp/version" || fail "GOTRT_TENSORRT_LIB=$v: gotrt version failed"
  grep -qF "tensorrt: $lib_line" "$tmp/version" || { cat "$tmp/version" >&2; fail "GOTRT_TENSORRT_LIB=$v: library not loaded"; }
done
echo "  GOTRT_TENSORRT_LIB as a folder and as a file: loaded"
# Another major version is refused, naming both.
other=$((major - 1))
standin "$tmp/other" "$other" 6 1
want="is TensorRT $other.6.1 but this gotrt was built with TensorRT $major.$minor.$patch headers"
GOTRT_TENSORRT_LIB="$tmp/other" "$g" version >"$tmp/version" || fail "gotrt version failed"
grep -qF "$want" "$tmp/version" || { cat "$tmp/version" >&2; fail "a TensorRT $other stand-in was not refused"; }
GOTRT_TENSORRT_LIB="$tmp/other" expect_exit2 "$g" inspect "$tmp/x.plan"
echo "trt-check OK"
