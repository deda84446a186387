"""CAMEO event codes, quad classes, Goldstein values and PLOVER types (facts of the standards)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True, slots=True)
class EventType:
    code: str
    root: str
    quad_class: int
    goldstein: float
    plover: str | None
    name: str


@cache
def event_types() -> dict[str, EventType]:
    """Every CAMEO event code (roots, 3- and 4-digit codes) by code."""
    text = resources.files("dyad.ontology").joinpath("data/cameo_events.tsv").read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    table: dict[str, EventType] = {}
    for rec in csv.DictReader(lines, delimiter="\t"):
        table[rec["code"]] = EventType(
            code=rec["code"],
            root=rec["root"],
            quad_class=int(rec["quad_class"]),
            goldstein=float(rec["goldstein"]),
            plover=rec["plover"] or None,
            name=rec["name"],
        )
    return table


def event_type(code: str) -> EventType:
    """The EventType of a CAMEO code; KeyError names the code when it is not CAMEO."""
    try:
        return event_types()[code]
    except KeyError:
        raise KeyError(f"not a CAMEO event code: {code!r}") from None


def is_event_code(code: str) -> bool:
    return code in event_types()


def quad_of_root(root: str) -> int:
    """Quad class of a CAMEO root: 01-05 verbal coop, 06-08 material coop, 09-13, 14-20."""
    n = int(root)
    if 1 <= n <= 5:
        return 1
    if 6 <= n <= 8:
        return 2
    if 9 <= n <= 13:
        return 3
    if 14 <= n <= 20:
        return 4
    raise ValueError(f"not a CAMEO root: {root!r}")


def penta_class(root: str) -> int:
    """The Phoenix 'penta class' of a CAMEO root, used by sentence-level gold data such as
    ConfliBERT's: 0 statement and appeal (01-02), 1 verbal cooperation (03-05), 2 material
    cooperation (06-08), 3 verbal conflict (09-13 and 16, reducing relations), 4 material
    conflict (14, 15, 17-20). The event record's quad_class stays CAMEO's (16 is material
    there, 01-02 verbal cooperation)."""
    n = int(root)
    if n in (1, 2):
        return 0
    if n == 16:
        return 3
    return quad_of_root(root)


def root_name(root: str) -> str:
    return event_type(root).name
