#!/usr/bin/env bash
# check.sh: the GPU checks and benchmarks of gotrt's built-in model, run ON
# the GPU host from the folder tools/gpu/build.sh filled (.gpu/: test
# binaries, gotrt, the exported weights and samples, torch_peer.py). The host
# needs the NVIDIA driver; Go is not needed; PyTorch for the peer.
#
#   OUT=/some/folder bash .gpu/check.sh     # default OUT: ./gpu-out
#
# The most important figures come first, so that a visit cut short still
# answers them: (1) correctness and zero-allocation tests, (2) gotrt Offline
# on the GPU with its defaults and probe (VALID), (3) Server find-peak at a
# 15 ms p99 starting from the measured Offline rate, with its full-length
# confirmation, then a plain Server run at the peak, the Server/Offline
# ratio, and whether the load generator's issuers keep up with 0.8 of
# Offline on this host (the null SUT, several issuers and one), (4) accuracy, (5) streams × max batch ranked by BenchmarkExecutor,
# (6) the H2D ceiling, kernel and per-stage benchmarks, (7) the PyTorch
# peer, then (8) two short gotrt runs at other streams/max-batch if time is
# left. Each step runs under `timeout`, capped by what is left of the whole
# budget (GPU_CHECK_BUDGET seconds, default 290); a step that cannot get its
# minimum is skipped, so the script ends inside the budget whatever hangs.
#
# Without a GPU, the gotrt steps run on the CPU with any gotrt binary, which
# checks the script itself (tools/gpu/check_test.sh does):
#   GOTRT=./gotrt CHECK_STEPS='run-offline|find-peak|server-at-peak|issuer-ceiling|issuer-ceiling-one' \
#     OFFLINE_DURATION=2s SERVER_DURATION=2s bash tools/gpu/check.sh
# CHECK_STEPS is an extended regular expression matching whole step names.
#
# Files in $OUT (9 at most): check.log (everything), bench.txt (benchmark
# lines), result-offline.json, result-findpeak.json, result-server.json,
# result-accuracy.json, torch_peer.json, sweep.txt (gotrt runs ranked by
# config), ratio.txt (Offline, the confirmed Server peak, the ratio).
set -uo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
log=$OUT/check.log
bench=$OUT/bench.txt
budget=${GPU_CHECK_BUDGET:-290}
t_start=$(date +%s)
deadline=$((t_start + budget))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOTRT_TEST_GPU=1 # GPU tests fail, not skip, when the GPU is unusable
gotrt=${GOTRT:-$dir/gotrt}
steps=${CHECK_STEPS:-.*}
offline_dur=${OFFLINE_DURATION:-10s}
server_dur=${SERVER_DURATION:-5s}

exec > >(tee -a "$log") 2>&1

# step NAME CAP MIN CMD...: run CMD with a timeout of CAP seconds, or of what
# is left of the budget; skip it when less than MIN seconds are left. The
# first signal is SIGINT, so gotrt ends its run INVALID with its logs.
step() {
  local name=$1 cap=$2 need=$3
  shift 3
  if ! [[ $name =~ ^($steps)$ ]]; then
    echo "### $name: not asked for (CHECK_STEPS)"
    return 0
  fi
  local left=$((deadline - $(date +%s) - 2))
  if [ "$left" -lt "$need" ]; then
    echo "### $name: SKIPPED (${left}s left, needs ${need}s)"
    return 0
  fi
  local t=$((cap < left ? cap : left))
  echo "### $name (timeout ${t}s) at +$(($(date +%s) - t_start))s"
  local s rc
  s=$(date +%s%N)
  timeout -s INT -k 5 "$t" "$@"
  rc=$?
  echo "### $name: rc=$rc in $((($(date +%s%N) - s) / 1000000)) ms"
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo "### $name: TIMED OUT"; fi
  return 0
}

# keep SRC DST: copy a run's result.json out if the run wrote one.
keep() { if [ -f "$1" ]; then cp "$1" "$2"; else echo "### no $1"; fi; }

# summary DIR: the lines of a gotrt run that matter, from its summary file.
summary() {
  grep -E 'Scenario|Samples per second|Scheduled samples per second|Result is|satisfied|99.00 percentile|target_qps|target_latency' \
    "$1/mlperf_log_summary.txt" 2>/dev/null
}

# samplesPerJ FILE: samples/J and the GPU telemetry of a result.json (jq-free).
samplesPerJ() {
  python3 - "$1" <<'EOF' 2>/dev/null || grep -o '"samples_per_joule"[^,]*' "$1" 2>/dev/null
import json, sys
d = json.load(open(sys.argv[1]))
t = d.get("telemetry") or {}
for k, v in t.items():
    if "joule" in k or "energy" in k:
        print("telemetry", k, v)
for dev in t.get("devices", []):
    print("device", dev.get("id"), "ran", dev.get("ran"), "energy_j", dev.get("energy_j"), "samples/J", dev.get("samples_per_joule"),
          "util%", (dev.get("utilization_pct") or {}).get("mean"), "power_w", (dev.get("power_w") or {}).get("mean"),
          "sm_mhz", (dev.get("sm_clock_mhz") or {}).get("mean"))
print("throughput", d.get("throughput"), "valid", d.get("valid"), "reasons", d.get("reasons"))
EOF
}

# peakOf FILE: the confirmed find-peak QPS of a result.json, or nothing.
peakOf() {
  python3 "$dir/ratio.py" peak "$1" 2>/dev/null
}

# ratio OFFLINE FINDPEAK SERVER: the visit's Server/Offline ratio.
ratio() {
  python3 "$dir/ratio.py" ratio "$@" 2>&1
}

echo "gotrt GPU check, commit $(cat "$dir/commit" 2>/dev/null), $(date -u), budget ${budget}s"
step host 8 3 bash -c 'nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,power.limit --format=csv; nproc'
"$gotrt" version 2>&1 | head -2

# (1) Correctness: equality with the CPU INT8 classes on all 5000 held-out
# samples, lifecycles, errors, and Run allocating nothing; the cuda layer's
# launch (its allocation check).
step gpu-tests 45 10 "$dir/gpu.test" -test.v -test.count=1 -test.run .
step cuda-launch 20 5 "$dir/cuda.test" -test.v -test.count=1 -test.run 'TestLaunch'

# (2) gotrt Offline on the GPU with its defaults and probe: VALID needs the
# 10 s minimum duration (plus the probe and warm-up).
step run-offline 75 30 "$gotrt" run --progress off --duration "$offline_dur" --out "$work/offline"
summary "$work/offline"
keep "$work/offline/result.json" "$OUT/result-offline.json"
samplesPerJ "$OUT/result-offline.json"

# (3) Server find-peak at a 15 ms p99 bound: gotrt measures the Offline rate
# first and starts at 0.9 of it, widens by 10 % and bisects to 2 %; every
# trial, and the confirmation of the peak, lasts SERVER_DURATION (default
# 5s). A line per trial on stderr. Then a plain Server run at the confirmed
# peak, as a user would repeat it, and the ratio to step (2)'s Offline.
step find-peak 110 40 "$gotrt" run --progress off --scenario Server --mode find-peak --target-latency 15ms \
  --duration "$server_dur" --out "$work/findpeak"
summary "$work/findpeak"
keep "$work/findpeak/result.json" "$OUT/result-findpeak.json"
peak=$(peakOf "$OUT/result-findpeak.json")
if [ -n "$peak" ]; then
  step server-at-peak 30 12 "$gotrt" run --progress off --scenario Server --target-latency 15ms \
    --duration "$server_dur" --target-qps "$peak" --out "$work/server"
  summary "$work/server"
  keep "$work/server/result.json" "$OUT/result-server.json"
else
  echo "### server-at-peak: SKIPPED (no confirmed peak)"
fi
ratio "$OUT/result-offline.json" "$OUT/result-findpeak.json" "$OUT/result-server.json" | tee "$OUT/ratio.txt"
# Can the load generator's issuers keep up with 0.8 of the Offline rate on
# this host? The null SUT at that QPS, with the issuers the runner picks
# (one per 5M queries/s, up to GOMAXPROCS) and with one goroutine as
# LoadGen's default: VALID says yes.
q80=$(python3 "$dir/ratio.py" qps 0.8 "$OUT/result-offline.json" 2>/dev/null)
if [ -n "$q80" ]; then
  step issuer-ceiling 15 8 "$gotrt" run --progress off --sut null --scenario Server --target-latency 15ms \
    --duration 3s --target-qps "$q80" --out "$work/null"
  echo "issuers at $q80 QPS (0.8 of Offline): $(grep -oE 'Result is : [A-Z]+' "$work/null/mlperf_log_summary.txt" 2>/dev/null) ($(grep -oE 'Issuing from [0-9]+ goroutines' "$work/null/mlperf_log_detail.txt" 2>/dev/null || echo one goroutine))" | tee -a "$OUT/ratio.txt"
  step issuer-ceiling-one 15 8 "$gotrt" run --progress off --sut null --scenario Server --target-latency 15ms \
    --duration 3s --target-qps "$q80" --issue-threads 1 --out "$work/null1"
  echo "one issuer at $q80 QPS: $(grep -oE 'Result is : [A-Z]+' "$work/null1/mlperf_log_summary.txt" 2>/dev/null)" | tee -a "$OUT/ratio.txt"
fi

# (4) Accuracy on the GPU: top-1 must be the CPU INT8 figure, 0.9808.
step run-accuracy 20 8 "$gotrt" run --progress off --mode accuracy --out "$work/accuracy"
keep "$work/accuracy/result.json" "$OUT/result-accuracy.json"

# (5) Streams × batch, end to end through the executors as the scheduler
# drives them (staging copies included); a fixed count of batches per case.
step exec-rank 35 15 bash -c "'$dir/gpu.test' -test.run '^\$' -test.benchtime 300x \
  -test.bench 'Executor/graphs=true/streams=(4|8|12|16)/batch=(2048|4096|8192)\$' | tee -a '$bench'"
step exec-graphs-off 12 6 bash -c "'$dir/gpu.test' -test.run '^\$' -test.benchtime 300x \
  -test.bench 'Executor/graphs=false/streams=(8|16)/batch=(4096)\$' | tee -a '$bench'"

# (6) The H2D ceiling (64 MiB), the kernel alone (Open's variant), the
# per-stage times of one stream.
step copy-pinned 10 4 bash -c "'$dir/cuda.test' -test.run '^\$' -test.bench 'CopyPinned/.*/65536KiB' -test.benchtime 100x | tee -a '$bench'"
step kernel 15 5 bash -c "'$dir/gpu.test' -test.run '^\$' -test.bench 'Kernel/spb=0/batch=(1024|4096|16384)\$' -test.benchtime 100x | tee -a '$bench'"
step stages 15 5 bash -c "'$dir/gpu.test' -test.run '^\$' -test.bench 'Stages/batch=(1024|4096|16384)\$' -test.benchtime 200x | tee -a '$bench'"

# (7) The PyTorch peer: same network, weights and samples; eager FP16 at
# batch 16384 and torch.compile(max-autotune) FP16 at 4096 (~45 s to compile).
if python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  step torch-peer 80 55 python3 "$dir/torch_peer.py" --data "$dir" --seconds 0.7 --modes fp16 --batches 16384 \
    --compile max-autotune --compile-batches 4096 --no-accuracy --json "$OUT/torch_peer.json"
else
  echo "### torch-peer: SKIPPED (no PyTorch with CUDA)"
fi

# (8) If time is left: gotrt itself at other configs (3 s: they may be
# INVALID for duration; they only rank configs).
for cfg in "16 8192" "4 2048"; do
  set -- $cfg
  step "sweep streams=$1 max-batch=$2" 14 12 "$gotrt" run --progress off --duration 3s \
    --streams "$1" --max-batch "$2" --out "$work/sweep-$1-$2"
  f=$work/sweep-$1-$2/mlperf_log_summary.txt
  [ -f "$f" ] && echo "streams=$1 max-batch=$2 $(grep -E 'Samples per second|Result is' "$f" | tr '\n' ' ')" | tee -a "$OUT/sweep.txt"
done

echo "### summary"
grep -E '^(--- FAIL|FAIL|ok |PASS)' "$log" | sort | uniq -c
grep -E 'Samples per second|Result is|top-1|best end to end' "$log" | grep -v '^ ' | head -20
cat "$OUT/ratio.txt" 2>/dev/null
grep -E 'samples/s|MB/s|h2d-us' "$bench" 2>/dev/null | awk '{$2=""; print}' | head -40
echo "done in $(($(date +%s) - t_start))s of ${budget}s"
