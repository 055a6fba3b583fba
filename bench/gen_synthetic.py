#!/usr/bin/env python3
"""Generates the synthetic inputs of BENCHMARKS.md section 4 (lockfile scan):

- <out>/project/package-lock.json: a v3 lockfile of N packages (default 10,000) with a
  dependency graph (100 direct dependencies, each package depending on up to 4 others, some
  nested node_modules copies), and a package.json beside it;
- <out>/osv-all.zip: R OSV records (default 200,000) in the layout of an OSV ecosystem export,
  about 1% of them naming packages in the lockfile (half by version list, half by SEMVER range).

Deterministic for a given seed. Usage: gen_synthetic.py OUT [--packages N] [--records R]
"""
import argparse
import json
import os
import random
import zipfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--packages", type=int, default=10_000)
    ap.add_argument("--records", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(os.path.join(args.out, "project"), exist_ok=True)

    names = [f"@synth/pkg-{i}" if i % 10 == 0 else f"synth-pkg-{i}" for i in range(args.packages)]
    versions = [f"{rng.randint(0, 9)}.{rng.randint(0, 30)}.{rng.randint(0, 40)}" for _ in names]
    deps = {}
    for i in range(args.packages):
        # depend on later packages only: a DAG, like real trees
        k = rng.randint(0, 4)
        cands = [rng.randint(i + 1, args.packages - 1) for _ in range(k)] if i < args.packages - 1 else []
        deps[i] = sorted(set(cands))
    direct = list(range(100))
    packages = {
        "": {
            "name": "synthetic-project",
            "version": "1.0.0",
            "dependencies": {names[i]: "^" + versions[i] for i in direct},
        }
    }
    for i, name in enumerate(names):
        entry = {
            "version": versions[i],
            "integrity": "sha512-" + "A" * 86 + "==",
            "license": "MIT",
        }
        if deps[i]:
            entry["dependencies"] = {names[j]: "^" + versions[j] for j in deps[i]}
        if i >= 100 and i % 7 == 0:
            entry["dev"] = True
        packages["node_modules/" + name] = entry
    lock = {"name": "synthetic-project", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    with open(os.path.join(args.out, "project", "package-lock.json"), "w") as f:
        json.dump(lock, f, indent=2)
    with open(os.path.join(args.out, "project", "package.json"), "w") as f:
        json.dump({"name": "synthetic-project", "version": "1.0.0", "dependencies": packages[""]["dependencies"]}, f, indent=2)

    hits = 0
    with zipfile.ZipFile(os.path.join(args.out, "osv-all.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for r in range(args.records):
            rid = f"MAL-2099-{r}"
            if r % 100 == 0:
                i = rng.randrange(args.packages)
                name = names[i]
                hits += 1
                if r % 200 == 0:
                    affected = {"package": {"ecosystem": "npm", "name": name}, "versions": [versions[i]]}
                else:
                    affected = {"package": {"ecosystem": "npm", "name": name},
                                "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "99.0.0"}]}]}
            else:
                name = f"unrelated-{r}"
                affected = {"package": {"ecosystem": "npm", "name": name},
                            "versions": [f"{rng.randint(0, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}"]}
            rec = {
                "schema_version": "1.5.0",
                "id": rid,
                "modified": "2099-01-01T00:00:00Z",
                "published": "2099-01-01T00:00:00Z",
                "summary": f"Malicious code in {name} (npm)",
                "details": "Synthetic record for benchmarking.",
                "affected": [affected],
                "database_specific": {"malicious-packages-origins": [{"source": "synthetic"}]},
            }
            z.writestr(rid + ".json", json.dumps(rec))
    print(f"{args.packages} packages, {args.records} records ({hits} naming lockfile packages) in {args.out}")


if __name__ == "__main__":
    main()
