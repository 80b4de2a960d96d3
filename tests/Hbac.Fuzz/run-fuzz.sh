#!/usr/bin/env bash
# Fuzz one reader (or model loading) with AFL++ through SharpFuzz.
#   tests/Hbac.Fuzz/run-fuzz.sh <target> <seconds>
# targets: spectrogram-parquet eeg-parquet edf npy csv onnx
# Needs afl++ (apt-get install -y afl++) and the SharpFuzz.CommandLine tool 2.3.0 (installed here when missing).
# Work goes to $HBAC_FUZZ_WORK (default .fuzz/ at the repository root, ignored by git): the instrumented
# build, the seeds and AFL's findings/<target>/default/{crashes,hangs,queue}. Each input that crashes,
# hangs or allocates past the heap limit must be copied to tests/Hbac.Eeg.Tests/Hardening/FuzzCorpus/<target>/
# (or tests/Hbac.Onnx.Tests/FuzzCorpus/ for onnx) once fixed, where a test replays it.
set -euo pipefail
target=${1:?usage: run-fuzz.sh <target> <seconds>}
seconds=${2:?usage: run-fuzz.sh <target> <seconds>}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${HBAC_FUZZ_WORK:-$root/.fuzz}
build=$work/build
mkdir -p "$work"

command -v afl-fuzz >/dev/null || { echo "afl-fuzz not found: apt-get install -y afl++" >&2; exit 1; }
export PATH="$PATH:$HOME/.dotnet/tools"
command -v sharpfuzz >/dev/null || dotnet tool install --global SharpFuzz.CommandLine --version 2.3.0

# Instrument a fresh Release build once per source change: the project's readers and the libraries they
# drive (Parquet.Net and its codecs; protobuf for ONNX). ONNX Runtime is native and not instrumented.
stamp=$(cd "$root" && git rev-parse HEAD 2>/dev/null || echo none)$(cd "$root" && git status --porcelain src tests/Hbac.Fuzz | sha1sum | cut -c1-8)
# Instrumented code writes AFL's shared coverage map, so it only runs under afl-fuzz: a plain copy of the
# same build writes the seeds.
plain=$work/plain
if [ ! -f "$build/.instrumented-$stamp" ]; then
  rm -rf "$build" "$plain"
  dotnet publish "$here/Hbac.Fuzz.csproj" -c Release -o "$build" --nologo -v q
  cp -r "$build" "$plain"
  for dll in Hbac.Eeg.dll Parquet.dll Snappier.dll Hbac.Onnx.dll Google.Protobuf.dll; do
    sharpfuzz "$build/$dll" >/dev/null
  done
  touch "$build/.instrumented-$stamp"
fi

seeds=$work/seeds/$target
rm -rf "$seeds"
dotnet "$plain/hbac-fuzz.dll" "$target" --seeds "$seeds"

# dotnet itself is not instrumented (the managed code is): skip AFL's binary check. A heap limit turns an
# allocation without bound into an OutOfMemoryException, which AFL records as a crash.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export DOTNET_GCHeapHardLimit=${HBAC_FUZZ_HEAP_LIMIT:-0x20000000}
export DOTNET_TieredPGO=0
mkdir -p "$work/findings"
afl-fuzz -i "$seeds" -o "$work/findings/$target" -m none -t 10000 -V "$seconds" -- dotnet "$build/hbac-fuzz.dll" "$target"
stats=$work/findings/$target/default/fuzzer_stats
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats"
