#!/usr/bin/env bash
# Redaction throughput next to a plain copy, measured in the same run: builds
# sbx-bench-redact in the build tree (default build/, or $SBX_BUILD_DIR) and runs it.
# Arguments go to the binary: --mib N (corpus size, default 64), --chunk BYTES (default 65536),
# --rounds N (default 5). "/ memcpy" and "/ pipe" are the redacting throughput divided by the
# plain copy's; the target is >= 0.5 against the pipe with 100 secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${SBX_BUILD_DIR:-build}
if [ ! -f "$build_dir/build.ninja" ] && [ ! -f "$build_dir/Makefile" ]; then
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" --target sbx-bench-redact >/dev/null
echo "sbx redaction bench, $(date -u '+%Y-%m-%d %H:%M UTC'), nproc=$(nproc), $(uname -r)"
exec "$build_dir/bench/sbx-bench-redact" "$@"
