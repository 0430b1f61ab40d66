#!/usr/bin/env bash
# Builds the C ABI into OUT (default artifacts/native): librnnkernels.so (the loader hosts link), the NativeAOT builds
# it chooses from (x86-64: librnnkernels_v4.so with AVX-512, _v3 with AVX2+FMA, _v2 the baseline; arm64: _base), and
# rnnkernels.h. Needs the .NET SDK, clang, lld and zlib1g-dev.
# Every build is checked before the script succeeds: the variants must be different files, and each variant this CPU
# can run must report the kernel tier it was built for (a build that silently runs a lower tier fails here).
# usage: src/RnnKernels.Native/build.sh [OUT]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=$(realpath -m "${1:-artifacts/native}")
mkdir -p "$out"
case "$(uname -m)" in
  x86_64) rid=linux-x64; variants="v4:x86-64-v4 v3:x86-64-v3 v2:x86-64-v2" ;;
  aarch64) rid=linux-arm64; variants="base:" ;;
  *) echo "build.sh: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
for variant in $variants; do
  name=${variant%%:*} isa=${variant#*:}
  # Each build gets its own intermediate and output folders. NativeAOT links into the output folder and skips the
  # link when the library there is newer than its inputs, so a shared output folder made a second run copy the last
  # variant's library under every name.
  dotnet publish src/RnnKernels.Native -c Release -r "$rid" -o "$out/publish-$name" \
    -p:IntermediateOutputPath="obj/aot-$name/" -p:OutputPath="bin/aot-$name/" ${isa:+-p:IlcInstructionSet=$isa} -nologo -v quiet
  cp "$out/publish-$name/RnnKernels.Native.so" "$out/librnnkernels_$name.so"
  rm -rf "$out/publish-$name"
done
clang -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -o "$out/librnnkernels.so" \
  src/RnnKernels.Native/loader/rnnkernels_loader.c -ldl -lpthread
cp src/RnnKernels.Native/rnnkernels.h "$out/"
src/RnnKernels.Native/check_build.sh "$out"
echo "built $out: $(cd "$out" && ls)"
