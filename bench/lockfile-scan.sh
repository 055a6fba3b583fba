#!/usr/bin/env bash
# BENCHMARKS.md section 4: import 200,000 OSV records, then scan a 10,000-package lockfile,
# and the same scan at 2,500 and 5,000 packages to check that it is linear.
# Prints medians of several runs. Usage: bench/lockfile-scan.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
work=bench/work
mkdir -p "$work"
cargo build --release -q
bin=target/release/ringfence

for n in 2500 5000 10000; do
  [ -f "$work/p$n/project/package-lock.json" ] || python3 bench/gen_synthetic.py "$work/p$n" --packages "$n" --records $([ "$n" = 10000 ] && echo 200000 || echo 10)
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); commit $(git rev-parse --short HEAD); $(date -u +%Y-%m-%d)"

imports=()
for _ in $(seq "$runs"); do
  rm -f "$work/bench.db"*
  imports+=("$(ms "$bin" --db "$work/bench.db" db import "$work/p10000/osv-all.zip" --quiet)")
done
echo "import 200,000 records (zip) into a new SQLite db: median $(printf '%s\n' "${imports[@]}" | median) ms over $runs runs"

for n in 2500 5000 10000; do
  scans=()
  for _ in $(seq "$runs"); do
    scans+=("$(ms "$bin" --db "$work/bench.db" scan "$work/p$n/project" --format json --quiet)")
  done
  echo "scan $n-package package-lock.json against 200,000 records: median $(printf '%s\n' "${scans[@]}" | median) ms over $runs runs"
done
"$bin" --db "$work/bench.db" scan "$work/p10000/project" --format json --quiet | python3 -c 'import json,sys; d=json.load(sys.stdin); print("findings:", d["summary"]["findings"])'
