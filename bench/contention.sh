#!/usr/bin/env bash
# Two threads on a busy machine: runs `rnnk bench` with --threads 1 and --threads 2, alternated, while a busy loop
# (another process) occupies one core, and prints each pair and the ratio (time with 1 thread / time with 2; at least
# 0.98 means asking for two threads never made the step slower). Issue 25's case: mid-b16 and large-b64.
# usage: bench/contention.sh [ROUNDS] [RNNK]    (RNNK: the rnnk executable, default the Release build of src/RnnKernels.Cli)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
rnnk=${2:-src/RnnKernels.Cli/bin/Release/net10.0/rnnk}
[ -x "$rnnk" ] || dotnet build src/RnnKernels.Cli -c Release -nologo -v quiet
sh -c 'while :; do :; done' &
busy=$!
trap 'kill $busy' EXIT
step_ms() { "$rnnk" bench --preset "$1" --threads "$2" --seconds 3 | grep -oE 'ms_per_step=[0-9.]+' | cut -d= -f2; }
for preset in mid-b16 large-b64; do
  for round in $(seq "$rounds"); do
    one=$(step_ms "$preset" 1)
    two=$(step_ms "$preset" 2)
    awk -v p="$preset" -v r="$round" -v a="$one" -v b="$two" \
      'BEGIN { printf "contention preset=%s round=%d threads1_ms=%.3f threads2_ms=%.3f ratio=%.3f\n", p, r, a, b, a / b }'
  done
done
