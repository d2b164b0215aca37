#!/usr/bin/env bash
# gen.sh: regenerate the Go code of the KServe v2 / Triton inference protocol
# from runner/kserve/proto/grpc_service.proto and model_config.proto.
#
#   runner/kserve/inferencepb/gen.sh        (or: go generate ./runner/kserve/inferencepb)
#
# protoc is the one on PATH when there is one (Debian's protobuf-compiler);
# else it comes from Debian's protobuf-compiler package, fetched with
# `apt-get download` and unpacked with `dpkg -x` into the git-ignored
# .cache/protoc (nothing is installed system-wide; a second run reuses it).
# The plugins are Go programs at pinned versions: protoc-gen-go at the
# google.golang.org/protobuf version of go.mod, protoc-gen-go-grpc at
# $GRPC_GEN_VERSION, built into the same cache.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${GOTRT_PROTOC_CACHE:-$repo/.cache/protoc}
GRPC_GEN_VERSION=${GRPC_GEN_VERSION:-v1.6.2}

die() { echo "gen.sh: $*" >&2; exit 1; }

mkdir -p "$cache/deb" "$cache/root" "$cache/bin"
if command -v protoc >/dev/null; then
  protoc=$(command -v protoc)
elif [ ! -x "$cache/root/usr/bin/protoc" ]; then
  command -v apt-get >/dev/null || die "needs apt-get (Debian) to fetch protobuf-compiler"
  (cd "$cache/deb" && apt-get download protobuf-compiler libprotoc32 libprotobuf32) ||
    die "apt-get download failed (run apt-get update first?)"
  for f in "$cache"/deb/*.deb; do dpkg -x "$f" "$cache/root"; done
fi
if [ -z "${protoc:-}" ]; then
  export LD_LIBRARY_PATH="$cache/root/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  protoc="$cache/root/usr/bin/protoc"
fi
"$protoc" --version

# protoc-gen-go at the version go.mod pins; protoc-gen-go-grpc at its own.
(cd "$repo" && go build -o "$cache/bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go)
GOBIN="$cache/bin" GOFLAGS=-mod=mod go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@$GRPC_GEN_VERSION"

cd "$repo"
"$protoc" \
  --plugin=protoc-gen-go="$cache/bin/protoc-gen-go" \
  --plugin=protoc-gen-go-grpc="$cache/bin/protoc-gen-go-grpc" \
  -I runner/kserve/proto \
  --go_out=runner/kserve/inferencepb --go_opt=paths=source_relative \
  --go-grpc_out=runner/kserve/inferencepb --go-grpc_opt=paths=source_relative \
  grpc_service.proto model_config.proto
echo "gen.sh: wrote runner/kserve/inferencepb/grpc_service.pb.go, grpc_service_grpc.pb.go and model_config.pb.go"
