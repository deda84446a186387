"""dyad: news text in, CAMEO/PLOVER political event data out.

    >>> import dyad
    >>> coder = dyad.load()
    >>> events = coder.code_text("Russian troops attacked Ukrainian positions.", date="2022-03-07")

Nothing heavy happens at import time; the spaCy model loads on the first `load()`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dyad.errors import DyadError, Rejection
from dyad.records import Actor, Article, Event, Location, Trigger

__version__ = "0.1.0"

if TYPE_CHECKING:
    from dyad.pipeline import Coder
    from dyad.store import Store

__all__ = [
    "Actor",
    "Article",
    "Coder",
    "DyadError",
    "Event",
    "Location",
    "Rejection",
    "Store",
    "Trigger",
    "__version__",
    "load",
]


def load(model: str | None = None, **options: Any) -> Coder:
    """Build a Coder: the spaCy pipeline plus dyad's lexicons, loaded once per process."""
    from dyad.pipeline import Coder

    return Coder.load(model=model, **options)


def __getattr__(name: str) -> Any:
    if name == "Coder":
        from dyad.pipeline import Coder

        return Coder
    if name == "Store":
        from dyad.store import Store

        return Store
    raise AttributeError(name)
