"""The record types: Article in, Event out. Event.as_dict() is the public JSONL contract.

Field names follow ../DESIGN.md and never change between branches: an absent target or
location is ``None``, never a missing key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Article:
    """One input document. ``date`` anchors event dates; ``id`` echoes the input's id."""

    id: str
    text: str
    date: dt.date | None = None
    url: str | None = None
    source: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    """An actor mention: its text, CAMEO code and character offsets into the article."""

    text: str
    code: str | None
    country: str | None
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "code": self.code,
            "country": self.country,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class Trigger:
    text: str
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Location:
    name: str
    country: str | None
    lat: float | None
    lon: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "country": self.country, "lat": self.lat, "lon": self.lon}


@dataclass(frozen=True, slots=True)
class Event:
    """One coded event with the sentence that proves it."""

    event_id: str
    article_id: str
    sentence_index: int
    sentence: str
    date: str | None
    event_code: str
    root_code: str
    quad_class: int
    goldstein: float
    plover: str | None
    source: Actor
    target: Actor | None
    trigger: Trigger
    location: Location | None
    confidence: float
    rule: str
    # Not part of the JSONL contract: why the coder kept this event (for --explain).
    notes: tuple[str, ...] = field(default=(), compare=False)
    # Not part of the contract either: how deep the trigger sits below the sentence root
    # (0 = the main verb), to tell a sentence's main event from embedded ones.
    depth: int = field(default=0, compare=False)
    # The article's tone (GDELT's AvgTone scale), stored with each mention by the store.
    tone: float | None = field(default=None, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "article_id": self.article_id,
            "sentence_index": self.sentence_index,
            "sentence": self.sentence,
            "date": self.date,
            "event_code": self.event_code,
            "root_code": self.root_code,
            "quad_class": self.quad_class,
            "goldstein": self.goldstein,
            "plover": self.plover,
            "source": self.source.as_dict(),
            "target": self.target.as_dict() if self.target else None,
            "trigger": self.trigger.as_dict(),
            "location": self.location.as_dict() if self.location else None,
            "confidence": self.confidence,
            "rule": self.rule,
        }


EVENT_FIELDS: tuple[str, ...] = (
    "event_id",
    "article_id",
    "sentence_index",
    "sentence",
    "date",
    "event_code",
    "root_code",
    "quad_class",
    "goldstein",
    "plover",
    "source",
    "target",
    "trigger",
    "location",
    "confidence",
    "rule",
)


def make_event_id(
    article_id: str,
    sentence_index: int,
    trigger_start: int,
    code: str,
    source_code: str | None,
    target_code: str | None,
    source_start: int,
    target_start: int | None,
) -> str:
    """A stable id: the same article coded twice gives the same event ids."""
    key = "\x1f".join(
        str(x)
        for x in (
            article_id,
            sentence_index,
            trigger_start,
            code,
            source_code,
            target_code,
            source_start,
            target_start,
        )
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def flat_row(event: Event) -> dict[str, Any]:
    """A flat row for CSV/Parquet/DuckDB: nested actors become prefixed columns."""
    row: dict[str, Any] = {
        k: getattr(event, k)
        for k in EVENT_FIELDS
        if k not in ("source", "target", "trigger", "location")
    }
    for side in ("source", "target"):
        actor: Actor | None = getattr(event, side)
        for key in ("text", "code", "country", "start", "end"):
            row[f"{side}_{key}"] = getattr(actor, key) if actor else None
    row["trigger_text"] = event.trigger.text
    row["trigger_start"] = event.trigger.start
    row["trigger_end"] = event.trigger.end
    loc = event.location
    row["location_name"] = loc.name if loc else None
    row["location_country"] = loc.country if loc else None
    row["location_lat"] = loc.lat if loc else None
    row["location_lon"] = loc.lon if loc else None
    return row


def arrow_schema() -> Any:
    """The Arrow schema of flat_row(), for Parquet output (pyarrow is imported lazily)."""
    import pyarrow as pa

    actor = [
        ("text", pa.string()),
        ("code", pa.string()),
        ("country", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
    ]
    fields = [
        ("event_id", pa.string()),
        ("article_id", pa.string()),
        ("sentence_index", pa.int64()),
        ("sentence", pa.string()),
        ("date", pa.string()),
        ("event_code", pa.string()),
        ("root_code", pa.string()),
        ("quad_class", pa.int64()),
        ("goldstein", pa.float64()),
        ("plover", pa.string()),
        ("confidence", pa.float64()),
        ("rule", pa.string()),
    ]
    for side in ("source", "target"):
        fields += [(f"{side}_{k}", t) for k, t in actor]
    fields += [
        ("trigger_text", pa.string()),
        ("trigger_start", pa.int64()),
        ("trigger_end", pa.int64()),
        ("location_name", pa.string()),
        ("location_country", pa.string()),
        ("location_lat", pa.float64()),
        ("location_lon", pa.float64()),
    ]
    return pa.schema(fields)
