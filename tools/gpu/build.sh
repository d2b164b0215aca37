#!/usr/bin/env bash
# build.sh: prepare the GPU check on a build machine (this one: Go, no GPU).
# It cross-compiles, for linux/amd64 with -tags cuda against Debian's CUDA
# 12.4 headers (third_party/cuda/fetch.sh), the test binaries of ./cuda and
# ./models/builtin/gpu and the gotrt binary, exports the built-in model's
# weights and held-out samples for the PyTorch peer, and copies check.sh and
# torch_peer.py beside them, all into the git-ignored .gpu/ folder. Take
# .gpu/ to the GPU host (it needs the NVIDIA driver alone; PyTorch for the
# peer) and run `bash .gpu/check.sh` there, with OUT set to where its log
# and results go.
#
#   tools/gpu/build.sh            # then: carry .gpu, run  bash .gpu/check.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
export PATH="/usr/local/go/bin:$PATH"

eval "$(third_party/cuda/fetch.sh --print-env)"
# go-nvml's generated cgo warns about NVML calls deprecated in 13.0.
export CGO_CFLAGS="$CGO_CFLAGS -Wno-deprecated-declarations"
export GOOS=linux GOARCH=amd64 CGO_ENABLED=1

out=$repo/.gpu
rm -rf "$out"
mkdir -p "$out"
t0=$(date +%s)
# -s -w: no symbol tables, so that the folder stays well under the 64 MiB a
# device run carries.
ld=(-ldflags "-s -w")
go test -tags cuda -c "${ld[@]}" -o "$out/cuda.test" ./cuda
go test -tags cuda -c "${ld[@]}" -o "$out/gpu.test" ./models/builtin/gpu
go build -tags cuda "${ld[@]}" -o "$out/gotrt" ./cmd/gotrt
go run ./models/builtin/gpu/cmd/gpuexport -out "$out"
cp "$here/check.sh" "$here/ratio.py" "$here/torch_peer.py" "$out/"
git rev-parse --short HEAD >"$out/commit" 2>/dev/null || true
for b in cuda.test gpu.test gotrt; do
  echo "build.sh: $b needs: $(readelf -d "$out/$b" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')"
done
echo "build.sh: $(du -sh "$out" | cut -f1) in $out ($(($(date +%s) - t0)) s): $(ls "$out" | tr '\n' ' ')"
