"""Filters over events and mentions, compiled to parameterised SQL (never string-pasted).

Every user value reaches DuckDB as a ``?`` parameter; only fixed column names and fixed
SQL fragments are written into the query text. The HTTP server passes user input through
these filters, so keep it that way.

Filters (all optional, combined with AND; a list value means "any of"):

=================  ==================================================================
actor              source OR target matches (see actor values below)
source, target     the source / target actor matches
both_directions    with source and target: also the reverse dyad (target -> source)
code               CAMEO event code prefix: "19" = every code under root 19, "190", "0311"
root               CAMEO root code, exactly ("19" or 19)
quad               quad class 1-4
plover             PLOVER type ("ASSAULT"), case-insensitive
start, end         inclusive date range: YYYY, YYYY-MM or YYYY-MM-DD (or a date)
place              location: an upper-case code matches location_country, else the
                   location name contains the text (case-insensitive)
text               the evidence sentence contains the text (case-insensitive)
article            an article's content hash (article_id) or the input's own id
min_mentions       events only: num_mentions >= N
min_confidence     confidence >= x
=================  ==================================================================

Actor values: an upper-case code of 3+ letters/digits is a code prefix ("RUS" matches RUS,
RUSGOV, RUSMIL ...; "RUSGOV" matches RUSGOV and RUSGOVxxx); anything else is a name,
matched case-insensitively inside the actor's text in the evidence ("Putin"). Force one
reading with "code:" or "name:" ("name:NATO").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from dyad.errors import UsageError

FILTER_KEYS = (
    "actor",
    "source",
    "target",
    "both_directions",
    "code",
    "root",
    "quad",
    "plover",
    "start",
    "end",
    "place",
    "text",
    "article",
    "min_mentions",
    "min_confidence",
)

_CODE = re.compile(r"[A-Z0-9]{3,}")


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | int | float | dt.date):
        return [value]
    if isinstance(value, Iterable):
        return [v for v in value if v is not None and v != ""]
    return [value]


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def parse_bound(value: Any, *, end: bool, what: str) -> dt.date:
    """YYYY, YYYY-MM or YYYY-MM-DD (or a date): the first day of it, or with end=True the last."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}", text):
            y = int(text)
            return dt.date(y, 12, 31) if end else dt.date(y, 1, 1)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if m:
            y, mo = int(m[1]), int(m[2])
            last = calendar.monthrange(y, mo)[1]
            return dt.date(y, mo, last if end else 1)
        if re.fullmatch(r"\d{8}", text):
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise UsageError(
            f"{what} {value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)"
        ) from None


def actor_is_code(value: str) -> tuple[bool, str]:
    if value.startswith("code:"):
        return True, value[5:].strip().upper()
    if value.startswith("name:"):
        return False, value[5:].strip()
    return bool(_CODE.fullmatch(value)), value


class Where:
    """Collects SQL conditions and their parameters, in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, sql: str, *params: Any) -> None:
        self.parts.append(sql)
        self.params.extend(params)

    def any_of(self, pieces: list[tuple[str, list[Any]]]) -> None:
        if not pieces:
            return
        self.parts.append("(" + " OR ".join(p for p, _ in pieces) + ")")
        for _, ps in pieces:
            self.params.extend(ps)

    def sql(self) -> str:
        return " AND ".join(self.parts) if self.parts else "TRUE"


def _actor_pieces(
    side: str, values: list[Any], alias: str, kind: str
) -> list[tuple[str, list[Any]]]:
    pieces: list[tuple[str, list[Any]]] = []
    for raw in values:
        is_code, v = actor_is_code(str(raw).strip())
        if not v:
            raise UsageError(f"empty {side} actor")
        if is_code:
            pieces.append((f"starts_with({alias}.{side}_code, ?)", [v]))
        elif kind == "events":
            pieces.append(
                (
                    "EXISTS (SELECT 1 FROM event_mentions fm WHERE fm.event_key = "
                    f"{alias}.event_key AND fm.{side}_text ILIKE ? ESCAPE '\\')",
                    [_like(v)],
                )
            )
        else:
            pieces.append((f"{alias}.{side}_text ILIKE ? ESCAPE '\\'", [_like(v)]))
    return pieces


def _side_sql(side: str, values: list[Any], alias: str, kind: str) -> tuple[str, list[Any]]:
    pieces = _actor_pieces(side, values, alias, kind)
    params: list[Any] = []
    for _, ps in pieces:
        params.extend(ps)
    return "(" + " OR ".join(p for p, _ in pieces) + ")", params


def compile_filters(
    filters: dict[str, Any], *, kind: str = "events", alias: str = "e"
) -> tuple[str, list[Any]]:
    """(where_sql, params) for ``kind`` "events" (aggregated) or "mentions"."""
    unknown = set(filters) - set(FILTER_KEYS)
    if unknown:
        raise UsageError(
            f"unknown filter {', '.join(sorted(unknown))}; use {', '.join(FILTER_KEYS)}"
        )
    w = Where()
    a = alias

    actors = _values(filters.get("actor"))
    if actors:
        w.any_of(
            _actor_pieces("source", actors, a, kind) + _actor_pieces("target", actors, a, kind)
        )

    sources = _values(filters.get("source"))
    targets = _values(filters.get("target"))
    if sources or targets:
        forward: list[tuple[str, list[Any]]] = []
        reverse: list[tuple[str, list[Any]]] = []
        if sources:
            forward.append(_side_sql("source", sources, a, kind))
            reverse.append(_side_sql("target", sources, a, kind))
        if targets:
            forward.append(_side_sql("target", targets, a, kind))
            reverse.append(_side_sql("source", targets, a, kind))

        def conj(ps: list[tuple[str, list[Any]]]) -> tuple[str, list[Any]]:
            params: list[Any] = []
            for _, p in ps:
                params.extend(p)
            return "(" + " AND ".join(s for s, _ in ps) + ")", params

        if filters.get("both_directions"):
            w.any_of([conj(forward), conj(reverse)])
        else:
            w.any_of([conj(forward)])

    codes = [str(c).strip() for c in _values(filters.get("code"))]
    for c in codes:
        if not c.isdigit():
            raise UsageError(f"event code {c!r} is not a CAMEO code (digits, e.g. 19 or 190)")
    w.any_of([(f"starts_with({a}.event_code, ?)", [c]) for c in codes])

    roots = []
    for r in _values(filters.get("root")):
        text = str(r).strip()
        if not text.isdigit() or not 1 <= int(text) <= 20:
            raise UsageError(f"root {r!r} is not a CAMEO root (01-20)")
        roots.append(f"{int(text):02d}")
    if roots:
        w.add(f"{a}.root_code IN ({', '.join('?' for _ in roots)})", *roots)

    quads = []
    for q in _values(filters.get("quad")):
        try:
            qi = int(q)
        except (TypeError, ValueError):
            qi = 0
        if not 1 <= qi <= 4:
            raise UsageError(f"quad class {q!r} is not 1-4")
        quads.append(qi)
    if quads:
        w.add(f"{a}.quad_class IN ({', '.join('?' for _ in quads)})", *quads)

    plovers = [str(p).strip().upper() for p in _values(filters.get("plover"))]
    if plovers:
        w.add(f"upper({a}.plover) IN ({', '.join('?' for _ in plovers)})", *plovers)

    if filters.get("start") not in (None, ""):
        w.add(f"{a}.date >= ?", parse_bound(filters["start"], end=False, what="start"))
    if filters.get("end") not in (None, ""):
        w.add(f"{a}.date <= ?", parse_bound(filters["end"], end=True, what="end"))

    places: list[tuple[str, list[Any]]] = []
    for p in _values(filters.get("place")):
        is_code, v = actor_is_code(str(p).strip())
        if is_code:
            places.append((f"{a}.location_country = ?", [v]))
        else:
            places.append((f"{a}.location_name ILIKE ? ESCAPE '\\'", [_like(v)]))
    w.any_of(places)

    texts = [str(t) for t in _values(filters.get("text"))]
    for t in texts:
        if kind == "events":
            w.add(
                "EXISTS (SELECT 1 FROM event_mentions fm WHERE fm.event_key = "
                f"{a}.event_key AND fm.sentence ILIKE ? ESCAPE '\\')",
                _like(t),
            )
        else:
            w.add(f"{a}.sentence ILIKE ? ESCAPE '\\'", _like(t))

    arts = [str(x) for x in _values(filters.get("article"))]
    if arts:
        marks = ", ".join("?" for _ in arts)
        if kind == "events":
            w.add(
                "EXISTS (SELECT 1 FROM event_mentions fm WHERE fm.event_key = "
                f"{a}.event_key AND (fm.article_id IN ({marks}) OR fm.external_id IN ({marks})))",
                *arts,
                *arts,
            )
        else:
            w.add(f"({a}.article_id IN ({marks}) OR {a}.external_id IN ({marks}))", *arts, *arts)

    if filters.get("min_mentions") not in (None, ""):
        if kind != "events":
            raise UsageError("min_mentions applies to events, not to mentions")
        w.add(f"{a}.num_mentions >= ?", _int(filters["min_mentions"], "min_mentions"))
    if filters.get("min_confidence") not in (None, ""):
        try:
            mc = float(filters["min_confidence"])
        except (TypeError, ValueError):
            raise UsageError(
                f"min_confidence {filters['min_confidence']!r} is not a number"
            ) from None
        w.add(f"{a}.confidence >= ?", mc)
    return w.sql(), w.params


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UsageError(f"{what} {value!r} is not a whole number") from None
