#!/usr/bin/env bash
# fetch.sh: put Debian's CUDA development headers and link stubs into a cache
# folder, enough to compile gotrt's `cuda` build (it needs cuda.h; libcuda.so.1
# is dlopened at run time) and link the `tensorrt` shim, without a GPU and
# without installing anything system-wide. See README.md beside this file.
#
#   third_party/cuda/fetch.sh [--suite trixie|bookworm] [--cache DIR] [--print-env]
#
# trixie gives CUDA 12.4 (nvidia-cuda-dev + libcu++-dev), bookworm CUDA 11.8.
# The result lands in $CACHE/<version>/{include,lib/stubs}; a second run with
# the same cache reuses it and downloads nothing.
#
# The extra apt sources (non-free, and trixie) live only in a temporary apt
# configuration (own sources list, own package lists, own cache) that this
# script removes on exit: the machine's apt state is never touched, so nothing
# on it can be upgraded from those sources. The archive's address is read from
# the machine's own apt sources (or $GOTRT_DEBIAN_MIRROR).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

suite=${GOTRT_CUDA_SUITE:-trixie}
cache=${GOTRT_CUDA_CACHE:-$repo/.cache/cuda}
print_env=0

die() { echo "fetch.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --suite) [ $# -ge 2 ] || die "--suite needs a value"; suite=$2; shift 2 ;;
    --suite=*) suite=${1#*=}; shift ;;
    --cache) [ $# -ge 2 ] || die "--cache needs a value"; cache=$2; shift 2 ;;
    --cache=*) cache=${1#*=}; shift ;;
    --print-env) print_env=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

case $suite in
  trixie)   version=12.4; packages=(nvidia-cuda-dev libcu++-dev) ;;
  bookworm) version=11.8; packages=(nvidia-cuda-dev) ;;
  *) die "unknown suite $suite: use trixie (CUDA 12.4) or bookworm (CUDA 11.8)" ;;
esac

arch=$(dpkg --print-architecture)
case $arch in
  amd64) triplet=x86_64-linux-gnu ;;
  arm64) triplet=aarch64-linux-gnu ;;
  *) die "architecture $arch has no CUDA packages in Debian" ;;
esac

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
dest=$cache/$version
stamp=$dest/.complete

emit() {
  if [ "$print_env" = 1 ]; then
    echo "export CUDA_INCLUDE=$dest/include"
    echo "export CUDA_STUBS=$dest/lib/stubs"
    echo "export CGO_CFLAGS=\"-O2 -g -I$dest/include\""
    echo "export CGO_LDFLAGS=\"-L$dest/lib/stubs\""
  else
    echo "CUDA $version headers: $dest/include"
    echo "CUDA $version link stubs: $dest/lib/stubs"
  fi
}

if [ -f "$stamp" ] && [ -f "$dest/include/cuda.h" ] && [ -f "$dest/lib/stubs/libcuda.so" ]; then
  echo "fetch.sh: reusing $dest ($(tr '\n' ' ' <"$stamp"))" >&2
  emit
  exit 0
fi

# The archive the machine already uses, so that no host is named here.
mirror=${GOTRT_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$( (cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true) |
    awk 'tolower($1)=="uris:" && $2 !~ /security/ {print $2; exit}')
fi
if [ -z "$mirror" ]; then
  mirror=$( (cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true) |
    awk '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { if ($i !~ /security/) { print $i; exit } } }')
fi
[ -n "$mirror" ] || die "no Debian archive found in /etc/apt; set GOTRT_DEBIAN_MIRROR"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -f "$keyring" ] || die "missing $keyring (apt-get install debian-archive-keyring)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gotrt-cuda.XXXXXX")
cleanup() { rm -rf "$tmp" "$dest.partial"; }
trap cleanup EXIT

# A private apt configuration: its own sources, lists and cache, so the
# machine's apt never sees these sources.
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/parts" "$tmp/prefs" "$tmp/debs"
echo "deb [signed-by=$keyring] $mirror $suite main non-free" >"$tmp/sources.list"
apt_opts=(
  -o "Dir::Etc::sourcelist=$tmp/sources.list"
  -o "Dir::Etc::sourceparts=$tmp/parts"
  -o "Dir::Etc::preferencesparts=$tmp/prefs"
  -o "Dir::State::Lists=$tmp/lists"
  -o "Dir::Cache=$tmp/cache"
  -o "APT::Sandbox::User=root"
  -o "Acquire::Languages=none"
  -o "Debug::NoLocking=1"
  -qq
)
echo "fetch.sh: downloading ${packages[*]} from $suite (CUDA $version)" >&2
apt-get "${apt_opts[@]}" update >&2
(cd "$tmp/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >&2)

# Keep only what compiling and linking needs (headers, link stubs) and the
# licence texts; the shared libraries would be ~2 GB more.
rm -rf "$dest.partial"
mkdir -p "$dest.partial/x" "$dest.partial/lib" "$dest.partial/doc"
for deb in "$tmp"/debs/*.deb; do
  dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$dest.partial/x" --wildcards --no-wildcards-match-slash \
      './usr/include' "./usr/lib/$triplet/stubs" './usr/share/doc/*/copyright' 2>/dev/null ||
    # tar exits 2 when a package lacks one of the members (libcu++-dev has no stubs).
    [ "${PIPESTATUS[1]}" -eq 2 ]
  echo "$(dpkg-deb -f "$deb" Package)=$(dpkg-deb -f "$deb" Version)" >>"$dest.partial/packages"
done
mv "$dest.partial/x/usr/include" "$dest.partial/include"
mv "$dest.partial/x/usr/lib/$triplet/stubs" "$dest.partial/lib/stubs"
cp -r "$dest.partial/x/usr/share/doc/." "$dest.partial/doc/" 2>/dev/null || true
rm -rf "$dest.partial/x"
[ -f "$dest.partial/include/cuda.h" ] || die "cuda.h missing from the downloaded packages"
[ -f "$dest.partial/lib/stubs/libcuda.so" ] || die "libcuda.so stub missing from the downloaded packages"
mv "$dest.partial/packages" "$dest.partial/.complete"
rm -rf "$dest"
mv "$dest.partial" "$dest"
emit
