#!/usr/bin/env bash
# Runs every libFuzzer target of BUILD_DIR for SECONDS seconds each, from a
# scratch copy of its committed corpus (so the corpus is not polluted).
# Crash artefacts land in BUILD_DIR/fuzz-artifacts. Fails loudly on any
# finding. Usage: scripts/fuzz-smoke.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?usage: fuzz-smoke.sh BUILD_DIR SECONDS}
seconds=${2:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
found=0
failed=()
mkdir -p "$build/fuzz-artifacts"
for bin in "$build"/fuzz/fuzz_*; do
  [ -x "$bin" ] || continue
  found=1
  target=${bin##*/fuzz_}
  scratch="$build/fuzz-scratch/$target"
  rm -rf "$scratch" && mkdir -p "$scratch"
  if [ -d "$top/fuzz/corpus/$target" ]; then
    cp -r "$top/fuzz/corpus/$target/." "$scratch/"
  fi
  echo "fuzz-smoke: $target for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
       -artifact_prefix="$build/fuzz-artifacts/$target-" -print_final_stats=1 \
       "$scratch" >"$build/fuzz-$target.log" 2>&1; then
    echo "fuzz-smoke: FAILED: $target (see $build/fuzz-$target.log)" >&2
    tail -40 "$build/fuzz-$target.log" >&2
    failed+=("$target")
  else
    grep -E 'stat::number_of_executed_units|cov:' "$build/fuzz-$target.log" | tail -2 || true
  fi
done
if [ "$found" -eq 0 ]; then
  echo "fuzz-smoke: no fuzz targets in $build/fuzz" >&2
  exit 1
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-smoke: all targets clean"
