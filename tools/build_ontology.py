"""Regenerate src/dyad/ontology/data/cameo_events.tsv from the public CAMEO/PLOVER tables.

The facts (codes, official names, Goldstein values, the CAMEO->PLOVER map) come from the
reference tables in ../shared/data/cameo; this script merges them into one table in our own
layout. Run it only when those tables change:  python tools/build_ontology.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "cameo"
OUT = ROOT / "src" / "dyad" / "ontology" / "data" / "cameo_events.tsv"

# PLOVER has no category for public statements (CAMEO 01); appeals (02) are REQUEST in the
# current PLOVER manual, as are demands (10).
PLOVER_BY_ROOT_FALLBACK = {"01": "", "02": "REQUEST"}


def read_plover(path: Path) -> dict[str, str]:
    table: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or ":" not in line or line.startswith("~"):
            continue
        code, rest = line.split(":", 1)
        table.setdefault(code.strip(), rest.split(",")[0].strip())
    return table


def main() -> int:
    plover = read_plover(SHARED / "cameo2plover.txt")
    rows = []
    with open(SHARED / "event_codes.tsv", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh, delimiter="\t"):
            code = rec["code"]
            root = rec["root"]
            goldstein = rec["goldstein_gdelt"] or rec["goldstein_icews"]
            # most specific entry wins: 4-digit, then its 3-digit parent, then the root
            label = plover.get(code) or plover.get(code[:3]) or plover.get(root)
            if label is None:
                label = PLOVER_BY_ROOT_FALLBACK.get(root, "")
            rows.append((code, root, rec["quad_class"], goldstein, label, rec["name"]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        fh.write("# CAMEO event codes: official names and Goldstein values (GDELT scale), quad\n")
        fh.write(
            "# class and PLOVER type (CAMEO2PLOVER 2021 table). Built by tools/build_ontology.py\n"
        )
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["code", "root", "quad_class", "goldstein", "plover", "name"])
        w.writerows(rows)
    print(f"wrote {len(rows)} codes to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
