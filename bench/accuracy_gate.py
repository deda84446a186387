"""The CI accuracy gate: score the dev sets and fail when a metric drops below its floor.

Floors live in bench/accuracy_floors.json with the sha256 of each gold file; a gold file
whose hash changed fails the gate until its floors are pinned again on purpose.

    python bench/accuracy_gate.py            # check (CI)
    python bench/accuracy_gate.py --raise    # after an improvement: raise floors to today's
                                             # numbers (never lowers one)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FLOORS = REPO / "bench" / "accuracy_floors.json"
DEV = REPO.parent / "shared" / "data" / "dev"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", type=Path, default=DEV, help="folder of the gold files")
    parser.add_argument(
        "--raise",
        dest="raise_floors",
        action="store_true",
        help="raise floors to the numbers measured now (never lowers)",
    )
    args = parser.parse_args()

    from dyad.evaluate import evaluate
    from dyad.pipeline import Coder

    config = json.loads(FLOORS.read_text(encoding="utf-8"))
    tolerance = float(config["tolerance"])
    coder = Coder.load()
    failures: list[str] = []
    for name, spec in config["gold"].items():
        path = args.dev / name
        if not path.exists():
            failures.append(f"{name}: gold file missing at {path}")
            continue
        digest = sha256(path)
        if digest != spec["sha256"]:
            failures.append(
                f"{name}: sha256 {digest[:16]} differs from the pinned "
                f"{spec['sha256'][:16]}; re-pin its floors deliberately"
            )
            continue
        t0 = time.perf_counter()
        report = evaluate(path, spec["format"], coder.code_articles, classify=coder.sentence_class)
        secs = time.perf_counter() - t0
        print(f"{name} ({spec['format']}, {report.n} items, {secs:.0f}s)")
        for metric, floor in spec["floors"].items():
            value = report.metrics.get(metric)
            if value is None:
                failures.append(f"{name}: metric {metric!r} is not reported")
                continue
            status = "ok"
            if value < floor - tolerance:
                status = "DROP"
                failures.append(f"{name}: {metric} {value:.4f} < floor {floor:.4f}")
            elif value > floor and args.raise_floors:
                spec["floors"][metric] = round(value, 4)
                status = "raised"
            print(f"  {metric:<28} {value:.4f}  floor {floor:.4f}  {status}")
    if args.raise_floors and not failures:
        FLOORS.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        print(f"floors written to {FLOORS.relative_to(REPO)}")
    if failures:
        print("\naccuracy gate FAILED:")
        for f in failures:
            print(f"  - {f}")
        return 1
    print("\naccuracy gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
