#!/usr/bin/env bash
# Checks a folder that build.sh wrote: the variant libraries are different files, and each variant this CPU can run
# reports, through the loader, the kernel tier its name promises (v4 Avx512, v3 Avx2Fma, v2 Vector128, base Neon).
# A variant the CPU cannot run is named as not checked. Exits non-zero on the first mismatch.
# usage: src/RnnKernels.Native/check_build.sh DIR
set -euo pipefail
dir=$(realpath "${1:?usage: check_build.sh DIR}")
mapfile -t libraries < <(cd "$dir" && ls librnnkernels_*.so)
sums=$(cd "$dir" && sha256sum "${libraries[@]}" | awk '{print $1}' | sort | uniq -d)
if [ -n "$sums" ]; then
  echo "check_build: two variant libraries in $dir are the same file (a stale build was copied):" >&2
  (cd "$dir" && sha256sum "${libraries[@]}") >&2
  exit 1
fi

probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
cat >"$probe/tier.c" <<'C'
#include <stdio.h>
#include "rnnkernels.h"
int main(void) {
    const char *tier = rnnk_kernel_tier();
    printf("%s\n%s\n", tier, rnnk_last_error());
    return 0;
}
C
cc -std=c11 -O1 -I "$dir" "$probe/tier.c" -o "$probe/tier" -L "$dir" -lrnnkernels -Wl,-rpath,"$dir"

flags=$(grep -m1 -E '^(flags|Features)' /proc/cpuinfo || true)
has() { for flag in "$@"; do grep -qw "$flag" <<<"$flags" || return 1; done; }
for library in "${libraries[@]}"; do
  variant=${library#librnnkernels_}
  variant=${variant%.so}
  case "$variant" in
    v4) expected=Avx512; runs() { has avx512f avx512bw avx512cd avx512dq avx512vl avx2 fma bmi2; } ;;
    v3) expected=Avx2Fma; runs() { has avx2 fma bmi2; } ;;
    v2) expected=Vector128; runs() { true; } ;;
    base) expected=Neon; runs() { true; } ;;
    *) echo "check_build: unknown variant $library" >&2; exit 1 ;;
  esac
  if ! runs; then
    echo "check_build: $library not run (this CPU lacks its instruction set)"
    continue
  fi
  report=$(RNNK_NATIVE_VARIANT=$variant "$probe/tier")
  tier=$(head -n 1 <<<"$report")
  if [ "$tier" != "$expected" ]; then
    echo "check_build: $library reports kernel tier '$tier', but a $variant build must run $expected: $(tail -n +2 <<<"$report")" >&2
    exit 1
  fi
  echo "check_build: $library runs $tier"
done
