#!/usr/bin/env bash
# Fuzzes each input reader for a few seconds (FUZZTIME, default 5s): the
# .npy header, the settings parser, the data-map and val_map readers, the
# COCO annotation reader and the accuracy log. Their seed corpora also run
# in `go test ./...`; a crasher found here is written under the package's
# testdata/fuzz/ and fails this script. Usage: bash .ci/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
export CGO_CFLAGS="${CGO_CFLAGS:--Wno-deprecated-declarations}"
t="${FUZZTIME:-5s}"
targets=(
  "./models/npy FuzzReadHeader"
  "./runner/loadgen FuzzLoadSettings"
  "./models/internal/datamap FuzzParse"
  "./models/accuracy/imagenet FuzzParseValMap"
  "./models/accuracy/coco FuzzParseAnnotations"
  "./models/accuracy/mlperflog FuzzDecodeLog"
)
for pt in "${targets[@]}"; do
  set -- $pt
  echo "== fuzz $2 ($1, $t)"
  # -parallel 2: the CI machine has 2 cores.
  go test -run '^$' -fuzz "^$2\$" -fuzztime "$t" -parallel 2 "$1"
done
