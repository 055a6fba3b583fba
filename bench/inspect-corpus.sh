#!/usr/bin/env bash
# BENCHMARKS.md sections 1-3: deep inspection of the 1,000-package benign corpus, side by side
# with the gzip floor and GuardDog 3.2.0 in the same run, plus recall on the malware sets.
#
#   bench/inspect-corpus.sh [RUNS] [GUARDDOG_COUNT]
#
# RUNS (default 3): timed runs of the gzip floor and of ringfence (medians printed).
# GUARDDOG_COUNT (default 1000): how many corpus packages GuardDog scans (0 skips it); its
# time for the whole corpus is extrapolated when fewer. GuardDog is installed from PyPI into
# bench/work/guarddog-venv on first use.
# The corpus comes from the team's fetch-corpus script ($RINGFENCE_CORPUS or its default dir).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
gd_count="${2:-1000}"
work=bench/work
mkdir -p "$work"
corpus="${RINGFENCE_CORPUS:-$HOME/.cache/ringfence-corpus/npm-top-1000}"
if ! ls "$corpus"/*.tgz >/dev/null 2>&1; then
  fetch=../shared/bin/fetch-corpus
  [ -x "$fetch" ] || { echo "no corpus in $corpus and no fetch-corpus script" >&2; exit 2; }
  corpus=$("$fetch" "$corpus" | tail -n1)
fi
cargo build --release -q -p ringfence
bin=$PWD/target/release/ringfence

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD); $(date -u +%Y-%m-%dT%H:%MZ)"
echo "corpus: $(ls "$corpus"/*.tgz | wc -l) tarballs, $(du -sh "$corpus" | cut -f1)"

floor=(); rf=()
for _ in $(seq "$runs"); do
  floor+=("$(ms sh -c "cat '$corpus'/*.tgz | gzip -dc > /dev/null")")
  rf+=("$(ms "$bin" inspect "$corpus"/*.tgz --format json --quiet --fail-on never)")
done
f=$(printf '%s\n' "${floor[@]}" | median); r=$(printf '%s\n' "${rf[@]}" | median)
echo "gzip floor (one core): median $f ms; ringfence inspect (all cores, cold result cache): median $r ms; ratio $(awk -v r="$r" -v f="$f" 'BEGIN {printf "%.2f", r/f}')x"

/usr/bin/time -f "%M" -o "$work/rss.txt" "$bin" inspect "$corpus"/*.tgz --format json --quiet --fail-on never > "$work/corpus.json" 2>/dev/null || true
echo "peak RSS: $(( $(cat "$work/rss.txt") / 1024 )) MB"
"$bin" inspect "$corpus"/*.tgz --format json --quiet --fail-on never > "$work/corpus2.json" 2>/dev/null || true
cmp -s "$work/corpus.json" "$work/corpus2.json" && echo "deterministic: two runs gave identical JSON" || echo "NOT deterministic: two runs differ"
python3 - "$work/corpus.json" <<'PY'
import json, sys
from collections import Counter
d = json.load(open(sys.argv[1]))
c = Counter(p["verdict"] for p in d["packages"])
print(f"verdicts on the corpus: {c['malicious']} malicious, {c['suspicious']} suspicious, {c['ok']} ok, {len(d['errors'])} unreadable")
for p in d["packages"]:
    if p["verdict"] != "ok":
        why = []
        for a in p["alerts"]:
            if a["id"] in p["decided_by"]:
                e = a["evidence"][0] if a["evidence"] else {}
                why.append(f"{a['id']} at {e.get('file')}:{e.get('line')} ({e.get('detail') or e.get('snippet')})")
        print(f"  {p['verdict']}: {p['name']}@{p['version']}: " + "; ".join(why))
PY

for set in malicious controls; do
  "$bin" inspect ../shared/fixtures/malware-npm/$set/*.tgz --format json --quiet --fail-on never > "$work/$set.json" 2>/dev/null || true
  python3 - "$work/$set.json" "$set" <<'PY'
import json, sys
from collections import Counter
d = json.load(open(sys.argv[1]))
c = Counter(p["verdict"] for p in d["packages"])
print(f"malware-npm/{sys.argv[2]} ({len(d['packages'])}): {c['malicious']} malicious, {c['suspicious']} suspicious, {c['ok']} ok")
for p in d["packages"]:
    if (sys.argv[2] == "malicious") != (p["verdict"] != "ok"):
        print(f"  miss: {p['name']}@{p['version']} {p['verdict']} {p['decided_by']}")
PY
done

if [ "$gd_count" -gt 0 ]; then
  venv=$work/guarddog-venv
  [ -x "$venv/bin/guarddog" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q guarddog==3.2.0; }
  all=("$corpus"/*.tgz)
  files=$(printf '%s\n' "${all[@]:0:$gd_count}")
  s=$(date +%s%N)
  : > "$work/guarddog.jsonl"
  for t in $files; do
    "$venv/bin/guarddog" npm scan "$t" --output-format json 2>/dev/null | tr -d '\n' >> "$work/guarddog.jsonl" || true
    echo >> "$work/guarddog.jsonl"
  done
  e=$(date +%s%N)
  n=$(echo "$files" | wc -l)
  total=$(( (e - s) / 1000000 ))
  echo "GuardDog 3.2.0, one package after another: $total ms for $n packages ($(( total / n )) ms each; whole corpus about $(( total * 1000 / n / 1000 )) s)"
  python3 - "$work/guarddog.jsonl" <<'PY'
import json, sys
threat = suspicious = high = 0
for line in open(sys.argv[1]):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    if any(v for k, v in d.get("results", {}).items() if k.startswith("threat-")):
        threat += 1
    label = (d.get("risk_score") or {}).get("label", "")
    if label in ("suspicious", "high_risk"):
        suspicious += 1
    if label == "high_risk":
        high += 1
print(f"GuardDog flagged: any threat-* rule {threat}, risk suspicious or high_risk {suspicious}, high_risk {high}")
PY
fi
