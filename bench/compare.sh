#!/usr/bin/env bash
# Runs `rnnk bench` and the PyTorch script (bench/pytorch_bench.py) on the same presets and prints the speed ratio.
# Each preset runs ours, PyTorch, ours, PyTorch, and the faster of each pair is kept, so a burst of load from a
# neighbour on a shared machine hits both sides alike. With more than one thread PyTorch is given its best split of
# the threads: intra-op (OpenMP) threads, OpenBLAS threads, or both (on 2 cores the BLAS threads win by far).
# usage: bench/compare.sh [threads] [seconds] [cell: rnn|lstm|gru]   (needs Debian's python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=${1:-1}
seconds=${2:-2}
cell=${3:-rnn}
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
pytorch() {
  local best="" line ms
  local configs=("$threads $threads")
  [ "$threads" -gt 1 ] && configs=("$threads 1" "1 $threads" "$threads $threads")
  for config in "${configs[@]}"; do
    read -r omp blas <<<"$config"
    line=$(OMP_NUM_THREADS=$omp MKL_NUM_THREADS=$omp OPENBLAS_NUM_THREADS=$blas \
      /usr/bin/python3 bench/pytorch_bench.py --preset "$1" --cell "$cell" --threads "$omp" --seconds "$seconds")
    line="$line omp_threads=$omp openblas_threads=$blas"
    ms=$(field ms_per_step <<<"$line")
    if [ -z "$best" ] || awk -v a="$ms" -v b="$(field ms_per_step <<<"$best")" 'BEGIN { exit !(a < b) }'; then best=$line; fi
  done
  printf '%s\n' "$best"
}
dotnet build src/RnnKernels.Cli -c Release -o artifacts/rnnk >/dev/null
rows=""
for preset in charrnn small-b1 mid-b16 large-b64 long-b8; do
  best_ours="" best_theirs="" alloc=""
  for round in 1 2; do
    ours=$(artifacts/rnnk/rnnk bench --preset "$preset" --cell "$cell" --threads "$threads" --seconds "$seconds")
    theirs=$(pytorch "$preset")
    printf '%s\n%s\n' "$ours" "$theirs"
    a=$(field ms_per_step <<<"$ours") b=$(field ms_per_step <<<"$theirs")
    alloc=$(field alloc_bytes_per_step <<<"$ours")
    best_ours=$(awk -v x="$a" -v y="${best_ours:-$a}" 'BEGIN { print (x < y ? x : y) }')
    best_theirs=$(awk -v x="$b" -v y="${best_theirs:-$b}" 'BEGIN { print (x < y ? x : y) }')
  done
  rows+=$(awk -v p="$preset" -v t="$threads" -v a="$best_ours" -v b="$best_theirs" -v m="$alloc" \
    'BEGIN { printf "| %s | %s | %s | %s | %.2fx | %s |", p, t, a, b, b / a, m }')$'\n'
done
printf '\ncell %s\n\n| preset | threads | rnnkernels ms/step | pytorch ms/step | speedup | rnnkernels alloc B/step |\n|---|---|---|---|---|---|\n%s' "$cell" "$rows"
