#!/usr/bin/env bash
# fetch-nvcc.sh: put Debian trixie's nvcc (CUDA 12.4) into a cache folder,
# enough to compile CUDA C to PTX and to check PTX with ptxas, without
# installing anything system-wide. See README.md beside this file.
#
#   third_party/cuda/fetch-nvcc.sh [--cache DIR] [--print-env]
#
# It takes nvcc, cicc, ptxas and libdevice from trixie's non-free
# `nvidia-cuda-toolkit` (an 87 MB download), and the CUDA headers nvcc
# includes from third_party/cuda/fetch.sh's cache (fetched by it if missing).
# The result lands in $CACHE/12.4/{bin,nvvm/libdevice}; a second run with the
# same cache reuses it and downloads nothing. nvcc needs a host gcc (12 or 13)
# on PATH for preprocessing, even when it emits PTX alone.
#
# As fetch.sh, the extra apt sources live only in a temporary, private apt
# configuration removed on exit: the machine's apt state is never touched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

cache=${GOTRT_CUDA_TOOLKIT_CACHE:-$repo/.cache/cuda-toolkit}
print_env=0
suite=trixie
version=12.4
packages=(nvidia-cuda-toolkit)

die() { echo "fetch-nvcc.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --cache) [ $# -ge 2 ] || die "--cache needs a value"; cache=$2; shift 2 ;;
    --cache=*) cache=${1#*=}; shift ;;
    --print-env) print_env=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

[ "$(dpkg --print-architecture)" = amd64 ] || die "Debian's nvcc packages are amd64 only"

# The headers: fetch.sh's cache (its own download, reused when present).
hdr_env=$("$here/fetch.sh" --suite "$suite" --print-env) || die "fetch.sh failed"
CUDA_INCLUDE=$(printf '%s\n' "$hdr_env" | sed -n 's/^export CUDA_INCLUDE=//p')
[ -f "$CUDA_INCLUDE/cuda_runtime.h" ] || die "no cuda_runtime.h in $CUDA_INCLUDE"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
dest=$cache/$version
stamp=$dest/.complete

# nvcc reads bin/nvcc.profile beside itself: the paths of cicc, libdevice and
# the headers, so no system path is ever consulted.
write_profile() {
  cat >"$1/bin/nvcc.profile" <<EOF
TOP = \$(_HERE_)/..
NVVMIR_LIBRARY_DIR = \$(TOP)/nvvm/libdevice
PATH += \$(_HERE_):
INCLUDES += "-I$CUDA_INCLUDE" \$(_SPACE_)
EOF
}

emit() {
  if [ "$print_env" = 1 ]; then
    echo "export NVCC=$dest/bin/nvcc"
    echo "export PTXAS=$dest/bin/ptxas"
    echo "export CUDA_INCLUDE=$CUDA_INCLUDE"
  else
    echo "CUDA $version nvcc: $dest/bin/nvcc"
    echo "CUDA $version ptxas: $dest/bin/ptxas"
  fi
}

if [ -f "$stamp" ] && [ -x "$dest/bin/nvcc" ] && [ -x "$dest/bin/ptxas" ]; then
  # The headers' folder may have moved: keep the profile pointing at it.
  write_profile "$dest"
  echo "fetch-nvcc.sh: reusing $dest ($(tr '\n' ' ' <"$stamp"))" >&2
  emit
  exit 0
fi

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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gotrt-nvcc.XXXXXX")
cleanup() { rm -rf "$tmp" "$dest.partial"; }
trap cleanup EXIT

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
echo "fetch-nvcc.sh: downloading ${packages[*]} from $suite (CUDA $version)" >&2
apt-get "${apt_opts[@]}" update >&2
(cd "$tmp/debs" && apt-get "${apt_opts[@]}" download "${packages[@]}" >&2)

# Keep the compiler drivers and their data (about 160 MB unpacked), not the
# sanitizer, profiler or disassembler.
rm -rf "$dest.partial"
mkdir -p "$dest.partial/x" "$dest.partial/bin" "$dest.partial/nvvm" "$dest.partial/doc"
for deb in "$tmp"/debs/*.deb; do
  dpkg-deb --fsys-tarfile "$deb" |
    tar -x -C "$dest.partial/x" --wildcards --no-wildcards-match-slash \
      './usr/bin/ptxas' './usr/bin/cudafe++' './usr/bin/fatbinary' './usr/bin/bin2c' \
      './usr/lib/nvidia-cuda-toolkit/bin/nvcc' './usr/lib/nvidia-cuda-toolkit/bin/cicc' \
      './usr/lib/nvidia-cuda-toolkit/bin/crt' './usr/lib/nvidia-cuda-toolkit/libdevice' \
      './usr/share/doc/*/copyright'
  echo "$(dpkg-deb -f "$deb" Package)=$(dpkg-deb -f "$deb" Version)" >>"$dest.partial/packages"
done
x=$dest.partial/x
mv "$x"/usr/bin/* "$dest.partial/bin/"
mv "$x"/usr/lib/nvidia-cuda-toolkit/bin/* "$dest.partial/bin/"
mv "$x/usr/lib/nvidia-cuda-toolkit/libdevice" "$dest.partial/nvvm/libdevice"
cp -r "$x/usr/share/doc/." "$dest.partial/doc/" 2>/dev/null || true
rm -rf "$x"
for f in nvcc cicc ptxas cudafe++ fatbinary; do
  [ -x "$dest.partial/bin/$f" ] || die "$f missing from the downloaded packages"
done
[ -f "$dest.partial/nvvm/libdevice/libdevice.10.bc" ] || die "libdevice missing from the downloaded packages"
write_profile "$dest.partial"
mv "$dest.partial/packages" "$dest.partial/.complete"
rm -rf "$dest"
mv "$dest.partial" "$dest"
emit
