#!/usr/bin/env bash
# Fuzzes each input reader for a few seconds (FUZZTIME, default 20000x: a
# count of executions, a few seconds each here): the
# .npy header, the settings parser, the data-map and val_map readers, the
# COCO annotation reader, the accuracy log and gotrt run's flags. Their seed corpora also run
# in `go test ./...`; a crasher found here is written under the package's
# testdata/fuzz/ and fails this script. Usage: bash .ci/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
export CGO_CFLAGS="${CGO_CFLAGS:--Wno-deprecated-declarations}"
# A count, not a duration: with a duration, go1.26's fuzz coordinator can
# report "context deadline exceeded" as a failure at the deadline on a busy
# machine, with no failing input (golang/go#75804, fixed in go1.27); CI hit
# it. A count has no deadline to race.
t="${FUZZTIME:-20000x}"
targets=(
  "./models/npy FuzzReadHeader"
  "./runner/loadgen FuzzLoadSettings"
  "./models/internal/datamap FuzzParse"
  "./models/accuracy/imagenet FuzzParseValMap"
  "./models/accuracy/coco FuzzParseAnnotations"
  "./models/accuracy/mlperflog FuzzDecodeLog"
  "./cmd/gotrt FuzzRunFlags"
  "./runner/serve FuzzHTTPRequest"
  "./runner/serve FuzzJSONElements"
  "./runner/loadgen FuzzParseMemoryBudget"
  "./runner/kserve FuzzDecodeAnswer"
)
for pt in "${targets[@]}"; do
  set -- $pt
  echo "== fuzz $2 ($1, $t)"
  # -parallel 2: the CI machine has 2 cores.
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$t" -parallel 2 "$1"
done
