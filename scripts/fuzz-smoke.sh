#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# fuzz-smoke.sh — a short, bounded run of every libFuzzer target of a
# CXM_FUZZ=ON build (STYLE.md §4.12). Each fuzz_<target> runs for SECONDS
# seconds on a scratch copy of fuzz/corpus/<target>/, so the committed
# corpus is never changed; crash, leak, timeout and OOM artefacts land in
# BUILD_DIR/fuzz-artifacts/. Any finding, a missing target binary or a
# corpus without its target fails the run with a nonzero exit.
#
# Usage: scripts/fuzz-smoke.sh BUILD_DIR SECONDS
# FUZZ_MAX_LEN (default 4096) caps the size of generated inputs: libFuzzer
# would otherwise take the largest seed (the CSV corpus holds a 70 KB one)
# as the limit and run three times slower. Longer seeds are still replayed
# in full by ctest, and fuzz_csv crosses the 64 KiB read chunk by itself.
set -euo pipefail

usage() {
  echo "usage: $0 BUILD_DIR SECONDS" >&2
  exit 2
}
[ $# -eq 2 ] || usage
build=$1
seconds=$2
max_len=${FUZZ_MAX_LEN:-4096}
case $seconds in
  '' | *[!0-9]* | 0) echo "fuzz-smoke: SECONDS must be a positive integer" >&2
                     usage ;;
esac
case $max_len in
  '' | *[!0-9]* | 0) echo "fuzz-smoke: FUZZ_MAX_LEN must be a positive" \
                          "integer" >&2
                     exit 2 ;;
esac
[ -d "$build" ] || { echo "fuzz-smoke: no build directory $build" >&2; exit 2; }
build=$(cd "$build" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"

targets=()
failed=()
for bin in "$build"/fuzz/fuzz_*; do
  if [ ! -f "$bin" ] || [ ! -x "$bin" ]; then
    continue
  fi
  targets+=("${bin##*/fuzz_}")
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz-smoke: FAILED: no fuzz targets in $build/fuzz" \
       "(configure with -DCXM_FUZZ=ON -DCMAKE_C_COMPILER=clang)" >&2
  exit 1
fi
# A committed corpus whose target was not built means a stale build.
for dir in "$top"/fuzz/corpus/*/; do
  t=$(basename "$dir")
  if [ ! -x "$build/fuzz/fuzz_$t" ]; then
    echo "fuzz-smoke: FAILED: fuzz/corpus/$t has no $build/fuzz/fuzz_$t" >&2
    failed+=("$t")
  fi
done

for t in "${targets[@]}"; do
  bin=$build/fuzz/fuzz_$t
  scratch=$build/fuzz-scratch/$t
  log=$build/fuzz-$t.log
  rm -rf "$scratch"
  mkdir -p "$scratch"
  if [ -d "$top/fuzz/corpus/$t" ]; then
    cp -R "$top/fuzz/corpus/$t/." "$scratch/"
  else
    echo "fuzz-smoke: warning: no committed corpus fuzz/corpus/$t" >&2
  fi
  before=$(find "$artifacts" -name "$t-*" -type f | wc -l)
  echo "fuzz-smoke: $t for ${seconds}s"
  status=0
  "$bin" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 \
         -max_len="$max_len" -artifact_prefix="$artifacts/$t-" \
         -print_final_stats=1 "$scratch" >"$log" 2>&1 || status=$?
  after=$(find "$artifacts" -name "$t-*" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ "$after" -gt "$before" ]; then
    echo "fuzz-smoke: FAILED: $t (exit $status); log $log" >&2
    tail -n 40 "$log" >&2
    echo "fuzz-smoke: artefacts in $artifacts; replay one with" \
         "$build/fuzz/replay_$t FILE" >&2
    failed+=("$t")
    continue
  fi
  # The last status line ("#N DONE cov: ... ft: ... corp: ... exec/s: ...")
  # and the totals.
  grep -E '^#[0-9]+' "$log" | tail -n 1 | sed "s/^/fuzz-smoke: $t: /" || true
  grep -E 'stat::(number_of_executed_units|peak_rss_mb)' "$log" |
    sed "s/^/fuzz-smoke: $t: /" || true
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz-smoke: FAILED: ${#failed[@]} target(s): ${failed[*]}" >&2
  exit 1
fi
echo "fuzz-smoke: all ${#targets[@]} targets clean (${seconds}s each)"
