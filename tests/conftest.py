from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("DYAD_SHARED", REPO.parent / "shared"))
SHARED_DATA = SHARED / "data"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test with the reason."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the shared data folder is not on this machine)")
    return path


@pytest.fixture(scope="session")
def coder():
    import dyad

    return dyad.load()


@pytest.fixture(scope="session")
def nlp(coder):
    return coder.nlp


def code(coder, text: str, date: str = "2022-03-01"):
    return coder.code_text(text, date=date)


def triples(events) -> set[tuple[str | None, str, str | None]]:
    return {(e.source.code, e.event_code, e.target.code if e.target else None) for e in events}
