#!/usr/bin/env bash
# check.sh: every GPU check and benchmark of gotrt's built-in model, run ON
# the GPU host from the folder tools/gpu/build.sh filled (.gpu/: test
# binaries, gotrt, the exported weights and samples, torch_peer.py). The host
# needs the NVIDIA driver; Go is not needed; PyTorch for the peer.
#
#   OUT=/some/folder bash .gpu/check.sh     # default OUT: ./gpu-out
#
# Everything goes to $OUT/check.log; results to $OUT/*.json and
# $OUT/bench.txt (at most 8 files). Each step runs under `timeout`, capped by
# what is left of the whole budget (GPU_CHECK_BUDGET seconds, default 285),
# so the script ends inside 5 minutes whatever hangs.
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
log=$OUT/check.log
budget=${GPU_CHECK_BUDGET:-285}
deadline=$(($(date +%s) + budget))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTRT_TEST_GPU=1 # GPU tests fail, not skip, when the GPU is unusable

exec > >(tee -a "$log") 2>&1

# step NAME CAP CMD...: run CMD with a timeout of CAP seconds or what is left.
step() {
  local name=$1 cap=$2
  shift 2
  local left=$((deadline - $(date +%s) - 3))
  if [ "$left" -lt 5 ]; then
    echo "### $name: SKIPPED (budget spent)"
    return 0
  fi
  local t=$((cap < left ? cap : left))
  echo "### $name (timeout ${t}s) $(date -u +%T)"
  local s=$(date +%s%N) rc
  timeout -k 5 "$t" "$@"
  rc=$?
  echo "### $name: rc=$rc in $((($(date +%s%N) - s) / 1000000)) ms"
  [ "$rc" = 124 ] && echo "### $name: TIMED OUT"
  return 0
}

echo "gotrt GPU check, commit $(cat "$dir/commit" 2>/dev/null), $(date -u)"
step host 10 bash -c 'nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv; nproc; uname -r'
step version 10 "$dir/gotrt" version
step devices 20 "$dir/gotrt" devices

# Correctness first: the cuda layer, then the model's GPU tests (equality
# with the CPU INT8 classes on all 5000 held-out samples, lifecycles, errors).
step cuda-tests 60 "$dir/cuda.test" -test.v -test.count=1
step gpu-tests 100 "$dir/gpu.test" -test.v -test.count=1 -test.run .

# Speed: the H2D ceiling, then the kernel, the per-stage times and the
# executor end to end.
bench=$OUT/bench.txt
step copy-pinned 30 bash -c "'$dir/cuda.test' -test.run '^\$' -test.bench 'CopyPinned' -test.benchtime 0.3s | tee -a '$bench'"
step gpu-bench 110 bash -c "'$dir/gpu.test' -test.run '^\$' -test.bench 'Kernel|Stages|Executor' -test.benchtime 0.25s | tee -a '$bench'"

# gotrt itself: Offline performance (VALID needs the minimum duration) and
# accuracy, on the devices it picks by default (the GPU once wired).
step run-offline 60 "$dir/gotrt" run --progress off --duration 10s --out "$work/offline"
cp "$work/offline/result.json" "$OUT/result-offline.json" 2>/dev/null
cat "$work/offline/mlperf_log_summary.txt" 2>/dev/null | head -40
step run-accuracy 40 "$dir/gotrt" run --progress off --mode accuracy --out "$work/accuracy"
cp "$work/accuracy/result.json" "$OUT/result-accuracy.json" 2>/dev/null

# The PyTorch peer: same network, weights and samples.
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  step torch-peer 90 python3 "$dir/torch_peer.py" --data "$dir" --seconds 0.7 --json "$OUT/torch_peer.json"
  step torch-compile 60 python3 "$dir/torch_peer.py" --data "$dir" --seconds 0.7 --modes fp16 --batches 4096 \
    --compile max-autotune --no-accuracy --json "$OUT/torch_compile.json"
else
  echo "### torch-peer: SKIPPED (no PyTorch with CUDA)"
fi

echo "### summary"
grep -E '^(--- FAIL|FAIL|ok |PASS)' "$log" | sort | uniq -c
grep -E 'samples/s|MB/s' "$bench" 2>/dev/null | awk '{print $1, $3, $4, $5, $6, $7, $8, $9}' | head -80
echo "done in $((budget - (deadline - $(date +%s))))s of ${budget}s"
