#!/usr/bin/env bash
# check_test.sh: check tools/gpu/check.sh without a GPU. It checks the
# script's syntax, then runs its gotrt steps (Offline, Server find-peak,
# the plain Server run at the peak, the ratio, the issuers' ceiling) on this machine's CPU with a
# gotrt built here, short, and checks that they wrote what the GPU visit
# reads: result files and one ratio line.
#
#   bash tools/gpu/check_test.sh        # about a minute on 2 cores
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bash -n "$here/check.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g -Wno-deprecated-declarations}"
(cd "$repo" && go build -o "$tmp/gotrt" ./cmd/gotrt)
OUT=$tmp/out GOTRT=$tmp/gotrt CHECK_STEPS='run-offline|find-peak|server-at-peak|issuer-ceiling|issuer-ceiling-one' \
  OFFLINE_DURATION=2s SERVER_DURATION=2s GPU_CHECK_BUDGET=200 bash "$here/check.sh" >"$tmp/log" 2>&1 || true
fail=0
for f in check.log result-offline.json result-findpeak.json ratio.txt; do
  [ -s "$tmp/out/$f" ] || { echo "check_test: no $f"; fail=1; }
done
grep -q '^offline .* | server/offline ' "$tmp/out/ratio.txt" || { echo "check_test: no ratio line"; fail=1; }
grep -q '^issuers at .* QPS (0.8 of Offline): Result is : ' "$tmp/out/ratio.txt" || { echo "check_test: no issuers line"; fail=1; }
grep -q '^one issuer at .* QPS: Result is : ' "$tmp/out/ratio.txt" || { echo "check_test: no one-issuer line"; fail=1; }
grep -q '### gpu-tests: not asked for' "$tmp/log" || { echo "check_test: CHECK_STEPS did not filter"; fail=1; }
cat "$tmp/out/ratio.txt" 2>/dev/null
if [ "$fail" != 0 ]; then
  tail -40 "$tmp/log"
  exit 1
fi
echo "check_test: ok"
