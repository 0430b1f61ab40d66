#!/usr/bin/env bash
# Runs `rnnk bench` and the PyTorch script on the same presets in one go and prints the speed ratio per preset.
# usage: bench/compare.sh [threads] [seconds]     (needs Debian's python3-torch: apt-get install python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
seconds=${2:-2}
export OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads
dotnet build src/RnnKernels.Cli -c Release -o artifacts/rnnk >/dev/null
ours=$(artifacts/rnnk/rnnk bench --preset all --threads "$threads" --seconds "$seconds")
theirs=$(/usr/bin/python3 bench/pytorch_bench.py --preset all --threads "$threads" --seconds "$seconds")
printf '%s\n%s\n\n' "$ours" "$theirs"
printf '| preset | threads | rnnkernels ms/step | pytorch ms/step | speedup | rnnkernels alloc B/step |\n|---|---|---|---|---|---|\n'
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
for preset in charrnn small-b1 mid-b16 large-b64 long-b8; do
  a=$(grep "preset=$preset " <<<"$ours" | field ms_per_step)
  b=$(grep "preset=$preset " <<<"$theirs" | field ms_per_step)
  alloc=$(grep "preset=$preset " <<<"$ours" | field alloc_bytes_per_step)
  awk -v p="$preset" -v t="$threads" -v a="$a" -v b="$b" -v m="$alloc" 'BEGIN { printf "| %s | %s | %s | %s | %.2fx | %s |\n", p, t, a, b, b / a, m }'
done
