"""The lexicon's own example sentences (written by the team with each pattern file).

Each example names the event a careful coder would code; the shipped lexicon must code
(almost) all of them exactly. The threshold leaves room for known parser errors, listed
on failure so they can be read.
"""

from pathlib import Path

import pytest
import yaml

EXAMPLES = sorted((Path(__file__).parent / "data" / "verb_examples").glob("*.yaml"))
MIN_EXACT = 0.85


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]


def _hit(events, ex):
    return any(
        e.event_code == str(ex["code"])
        and e.source.code == ex.get("source")
        and (e.target.code if e.target else None) == ex.get("target")
        for e in events
    )


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_are_coded(coder, path):
    examples = _load(path)
    misses = []
    for ex in examples:
        events = coder.code_text(ex["text"], date=str(ex.get("date") or "2020-01-01"))
        if not _hit(events, ex):
            got = [
                (e.source.code, e.event_code, e.target.code if e.target else None) for e in events
            ]
            misses.append(
                f"{ex['text']!r}: want {ex.get('source')} {ex['code']} "
                f"{ex.get('target')}, got {got}"
            )
    rate = 1 - len(misses) / len(examples)
    assert rate >= MIN_EXACT, f"{rate:.2%} exact; misses:\n" + "\n".join(misses)


def test_every_root_has_examples():
    roots = {str(ex["code"])[:2] for p in EXAMPLES for ex in _load(p)}
    assert roots == {f"{r:02d}" for r in range(1, 21)}
