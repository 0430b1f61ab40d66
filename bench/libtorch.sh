#!/usr/bin/env bash
# Training step against libtorch 2.10 (the official PyTorch build, MKL + oneDNN, through TorchSharp-cpu), side by side
# with `rnnk bench`: for each cell and preset, ours, libtorch, ours, libtorch, the faster of each pair kept, then the
# ratio (libtorch time / ours). Our side runs on the Avx512 tier where the CPU has it and on Avx2Fma
# (DOTNET_EnableAVX512=0). libtorch 2.10's native libraries need libstdc++ from GCC 13 (GLIBCXX_3.4.32), which Debian 12
# lacks: the peer runs in a Debian 13 root (made here with debootstrap when it is missing) with the .NET install, the
# NuGet cache and this repository bind-mounted, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 and OMP/MKL threads set.
# usage: bench/libtorch.sh [threads] [seconds] [cells...]      (root: LIBTORCH_ROOT, default /var/tmp/rnnk-trixie)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
seconds=${2:-2}
shift $(( $# > 2 ? 2 : $# ))
cells=("${@:-lstm gru rnn}")
read -r -a cells <<<"${cells[*]}"
root=${LIBTORCH_ROOT:-/var/tmp/rnnk-trixie}
repo=$PWD
dotnet_dir=$(dirname "$(readlink -f "$(command -v dotnet)")")
nuget=${NUGET_PACKAGES:-$HOME/.nuget/packages}

if [ ! -x "$root/bin/bash" ]; then
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap >/dev/null
  debootstrap --variant=minbase trixie "$root" http://deb.debian.org/debian >/dev/null
fi
dotnet build bench/RnnKernels.TorchSharpBench -c Release -nologo -v quiet >/dev/null
dotnet build src/RnnKernels.Cli -c Release -nologo -v quiet >/dev/null

mounts=()
bind() { mkdir -p "$root$2"; mount --bind "$1" "$root$2"; mounts+=("$root$2"); }
cleanup() { for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do umount "${mounts[i]}" || true; done; }
trap cleanup EXIT
mkdir -p "$root/proc" && mount -t proc proc "$root/proc" && mounts+=("$root/proc")
bind /dev /dev
bind "$dotnet_dir" /opt/dotnet
bind "$nuget" /root/.nuget/packages
bind "$repo" /repo

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
ours() { env "${@:3}" src/RnnKernels.Cli/bin/Release/net10.0/rnnk bench --preset "$1" --cell "$2" --threads "$threads" --seconds "$seconds" | field ms_per_step; }
libtorch() {
  chroot "$root" env HOME=/root DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads" \
    /opt/dotnet/dotnet /repo/bench/RnnKernels.TorchSharpBench/bin/Release/net10.0/RnnKernels.TorchSharpBench.dll train "$1" "$2" "$threads" "$seconds"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

tiers=("Avx2Fma DOTNET_EnableAVX512=0")
grep -qw avx512f /proc/cpuinfo && tiers=("Avx512 DOTNET_EnableAVX512=1" "${tiers[@]}")
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs) model $(grep -m1 '^model' /proc/cpuinfo | cut -d: -f2 | xargs), threads=$threads"
for cell in "${cells[@]}"; do
  for preset in charrnn small-b1 mid-b16 large-b64 long-b8; do
    for tier in "${tiers[@]}"; do
      read -r name variable <<<"$tier"
      a=$(ours "$preset" "$cell" "$variable"); line=$(libtorch "$preset" "$cell"); b=$(field ms_per_step <<<"$line")
      a=$(min "$a" "$(ours "$preset" "$cell" "$variable")"); b=$(min "$b" "$(libtorch "$preset" "$cell" | field ms_per_step)")
      awk -v c="$cell" -v p="$preset" -v t="$name" -v a="$a" -v b="$b" -v v="$(field torch <<<"$line")" \
        'BEGIN { printf "libtorch cell=%s preset=%s tier=%s ours_ms=%.4f libtorch_ms=%.4f ratio=%.2f torch=%s\n", c, p, t, a, b, b / a, v }'
    done
  done
done
