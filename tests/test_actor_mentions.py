"""Team-written tricky actor mentions (tests/data/actor_mentions.yaml), one test per entry.

Each entry is a short news-style text, its date, a mention (an exact substring; the
``occurrence``-th one, default the first) and the code a careful CAMEO coder gives it. The
text is resolved with ``Coder.find_actors``; the mention checked is the tightest one whose
span covers the substring. A failure says what was found instead.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DATA = Path(__file__).parent / "data" / "actor_mentions.yaml"
_CODE = re.compile(r"^[A-Z0-9]{3}([A-Z0-9]{3})*$")


def _load() -> list[dict[str, Any]]:
    doc = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    return list(doc["mentions"])


CASES = _load()


def _span(case: dict[str, Any]) -> tuple[int, int]:
    text, mention = case["text"], case["mention"]
    # whole-word occurrences: "he" is not the end of "the"
    found = [m.start() for m in re.finditer(rf"(?<!\w){re.escape(mention)}(?!\w)", text)]
    n = int(case.get("occurrence", 1))
    if len(found) < n:
        raise AssertionError(f"{mention!r} does not occur that often in {text!r}")
    return found[n - 1], found[n - 1] + len(mention)


def _id(case: dict[str, Any]) -> str:
    n = case.get("occurrence", 1)
    return f"{case['mention']}{'#' + str(n) if n != 1 else ''}->{case['code']}@{case['date']}"


def test_the_file_is_well_formed():
    assert len(CASES) >= 220
    seen = set()
    for i, case in enumerate(CASES):
        where = f"entry {i} ({case.get('mention')!r})"
        assert set(case) <= {"text", "date", "mention", "code", "occurrence"}, where
        assert {"text", "date", "mention", "code"} <= set(case), where
        assert isinstance(case["date"], dt.date), where
        assert _CODE.match(case["code"]), where
        _span(case)  # the mention occurs (often enough) in the text
        key = (case["text"], case["mention"], case.get("occurrence", 1))
        assert key not in seen, f"{where} is listed twice"
        seen.add(key)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_mention(coder, case):
    text = case["text"]
    start, end = _span(case)
    mentions = coder.find_actors(text, case["date"])
    covering = [m for m in mentions if m.actor.start <= start and end <= m.actor.end]
    found = (
        "; ".join(f"{m.actor.text!r} [{m.actor.code}] ({m.how})" for m in mentions) or "no mentions"
    )
    assert covering, f"no mention covers {case['mention']!r} in {text!r}; found: {found}"
    best = min(covering, key=lambda m: m.actor.end - m.actor.start)
    assert best.actor.code == case["code"], (
        f"{case['mention']!r} in {text!r} ({case['date']}): expected {case['code']}, got "
        f"{best.actor.code} from {best.actor.text!r} ({best.how}); all: {found}"
    )
