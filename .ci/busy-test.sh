#!/usr/bin/env bash
# Runs the tests on a busy machine: README's test command three times and the
# race detector on runner/ twice, while two busy loops load two cores, as a
# shared 2-core machine is. Done means it passes (issue 12). Too slow for
# every CI run (minutes); run it by hand after touching anything timed:
#
#	bash .ci/busy-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
export CGO_CFLAGS="${CGO_CFLAGS:--Wno-deprecated-declarations}"

pids=()
stop() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
trap stop EXIT INT TERM
for _ in 1 2; do
  (while :; do :; done) &
  pids+=($!)
done
echo "== busy loops: ${pids[*]} (load: $(cut -d' ' -f1-3 /proc/loadavg))"

# Both steps run even when the first fails, so one run reports both.
rc=0
echo "== go test -count=3 ./..."
go test -count=3 ./... || rc=1
echo "== go test -race -count=2 ./runner/..."
go test -race -count=2 ./runner/... || rc=1
if [ "$rc" -ne 0 ]; then
  echo "busy-test FAILED (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  exit 1
fi
echo "busy-test OK (load: $(cut -d' ' -f1-3 /proc/loadavg))"
