#!/usr/bin/env bash
# How long `scan --record` takes on a large inventory: the 10,000-package synthetic lockfile
# against 200,000 OSV records, of which about 1,800 name a package the lockfile resolves (all
# malware: the worst case, one incident opened per package). Then the same scan recorded again
# (steady state: every incident already open, nothing to plan), and `audit verify` over the
# resulting chains. SQLite always; PostgreSQL too when DATABASE_URL is set (one schema per run).
# Usage: bench/record-scan.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
work=bench/work
mkdir -p "$work"
cargo build --release -q
bin=target/release/ringfence
[ -f "$work/p10000/project/package-lock.json" ] || python3 bench/gen_synthetic.py "$work/p10000" --packages 10000 --records 200000

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -m); commit $(git rev-parse --short HEAD); $(date -u +%Y-%m-%d)"

# One imported database, copied for every run, so each first scan starts from the same state.
rm -f "$work/record-template.db"*
"$bin" --db "$work/record-template.db" db import "$work/p10000/osv-all.zip" --quiet
"$bin" --db "$work/record-template.db" audit verify --quiet >/dev/null

first=(); again=(); audit=()
for _ in $(seq "$runs"); do
  rm -f "$work/record.db"*
  cp "$work/record-template.db" "$work/record.db"
  first+=("$(ms "$bin" --db "$work/record.db" --actor bench scan "$work/p10000/project" --record --format json --quiet)")
  again+=("$(ms "$bin" --db "$work/record.db" --actor bench scan "$work/p10000/project" --record --format json --quiet)")
  audit+=("$(ms "$bin" --db "$work/record.db" audit verify --json)")
done
incidents=$("$bin" --db "$work/record.db" incident list --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
events=$("$bin" --db "$work/record.db" audit verify --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"])')
echo "SQLite: first scan --record (10,000 packages, opens $incidents incidents): median $(printf '%s\n' "${first[@]}" | median) ms over $runs runs"
echo "SQLite: the same scan recorded again (nothing new): median $(printf '%s\n' "${again[@]}" | median) ms"
echo "SQLite: audit verify of $events events: median $(printf '%s\n' "${audit[@]}" | median) ms"

if [ -n "${DATABASE_URL:-}" ]; then
  first=(); again=()
  for i in $(seq "$runs"); do
    schema="rf_bench_$$_$i"
    psql -q "$DATABASE_URL" -c "CREATE SCHEMA $schema" >/dev/null
    url="$DATABASE_URL?options=-csearch_path%3D$schema"
    "$bin" --db "$url" db import "$work/p10000/osv-all.zip" --quiet
    first+=("$(ms "$bin" --db "$url" --actor bench scan "$work/p10000/project" --record --format json --quiet)")
    again+=("$(ms "$bin" --db "$url" --actor bench scan "$work/p10000/project" --record --format json --quiet)")
    psql -q "$DATABASE_URL" -c "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1
  done
  echo "PostgreSQL: first scan --record: median $(printf '%s\n' "${first[@]}" | median) ms over $runs runs"
  echo "PostgreSQL: recorded again: median $(printf '%s\n' "${again[@]}" | median) ms"
fi
