"""Writing coded articles: rows, content hashes, event keys, and the aggregation.

These functions work on an open DuckDB connection *inside* a transaction the caller owns
(Store.add_batch, Store.recode and the migrations); they never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from dyad.records import Actor, Article, Event, Location, Trigger
from dyad.store.schema import TABLES, column_names

_ARROW_TYPES = {
    "VARCHAR": "string",
    "INTEGER": "int32",
    "TINYINT": "int8",
    "BIGINT": "int64",
    "DOUBLE": "float64",
    "DATE": "date32",
    "TIMESTAMP": "timestamp",
    "BOOLEAN": "bool",
    "BLOB": "binary",
}


def content_hash(text: str) -> str:
    """An article's id in the store: sha256 of its text (UTF-8), 64 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def event_key(
    date: str | dt.date | None,
    source_code: str | None,
    target_code: str | None,
    event_code: str,
    location_name: str | None,
    location_country: str | None,
) -> str:
    """The aggregation key: same date + source + target + code + place = one event."""
    d = date.isoformat() if isinstance(date, dt.date) else (date or "")
    parts = (d, source_code, target_code, event_code, location_name, location_country)
    key = "\x1f".join(p or "" for p in parts)
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def arrow_schema_of(table: str) -> Any:
    import pyarrow as pa

    fields = []
    for name, decl in TABLES[table]:
        base = decl.split()[0]
        kind = _ARROW_TYPES[base]
        if kind == "timestamp":
            typ = pa.timestamp("us")
        elif kind == "bool":
            typ = pa.bool_()
        elif kind == "binary":
            typ = pa.binary()
        else:
            typ = getattr(pa, kind)()
        fields.append(pa.field(name, typ))
    return pa.schema(fields)


def _insert_columns(con: Any, table: str, columns: dict[str, list[Any]]) -> None:
    import pyarrow as pa

    schema = arrow_schema_of(table)
    arrays = [pa.array(columns[f.name], type=f.type) for f in schema]
    tbl = pa.Table.from_arrays(arrays, schema=schema)
    view = f"_dyad_new_{table}"
    con.register(view, tbl)
    try:
        cols = ", ".join(schema.names)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {view}")
    finally:
        con.unregister(view)


@dataclass
class Inserted:
    articles: list[str]  # content hashes of the articles stored
    mentions: int
    duplicates: int  # articles skipped: already stored, or twice in the batch
    keys: set[str]  # event keys touched


def mention_columns(article_hash: str, events: Iterable[Event]) -> dict[str, list[Any]]:
    """Column lists of event_mentions rows for one article's events (the flat_row fields;
    flat_row's ``article_id`` goes to ``external_id``). Written out for speed: this is the
    hot loop of ingest."""
    cols: dict[str, list[Any]] = {c: [] for c in column_names("event_mentions")}
    seen: set[str] = set()
    for e in events:
        if e.event_id in seen:
            continue
        seen.add(e.event_id)
        src, tgt, trig, loc = e.source, e.target, e.trigger, e.location
        date = _date(e.date)
        values = (
            ("article_id", article_hash),
            ("external_id", e.article_id),
            (
                "event_key",
                event_key(
                    date,
                    src.code,
                    tgt.code if tgt else None,
                    e.event_code,
                    loc.name if loc else None,
                    loc.country if loc else None,
                ),
            ),
            ("event_id", e.event_id),
            ("sentence_index", e.sentence_index),
            ("sentence", e.sentence),
            ("date", date),
            ("event_code", e.event_code),
            ("root_code", e.root_code),
            ("quad_class", e.quad_class),
            ("goldstein", e.goldstein),
            ("plover", e.plover),
            ("confidence", e.confidence),
            ("rule", e.rule),
            ("source_text", src.text),
            ("source_code", src.code),
            ("source_country", src.country),
            ("source_start", src.start),
            ("source_end", src.end),
            ("target_text", tgt.text if tgt else None),
            ("target_code", tgt.code if tgt else None),
            ("target_country", tgt.country if tgt else None),
            ("target_start", tgt.start if tgt else None),
            ("target_end", tgt.end if tgt else None),
            ("trigger_text", trig.text),
            ("trigger_start", trig.start),
            ("trigger_end", trig.end),
            ("location_name", loc.name if loc else None),
            ("location_country", loc.country if loc else None),
            ("location_lat", loc.lat if loc else None),
            ("location_lon", loc.lon if loc else None),
            ("tone", getattr(e, "tone", None)),
        )
        for c, v in values:
            cols[c].append(v)
    return cols


def insert_coded(
    con: Any,
    items: Sequence[tuple[Article, Sequence[Event]]] | Sequence[Any],
    *,
    coder_version: str,
    now: dt.datetime,
    language: str = "en",
) -> Inserted:
    """Insert articles with their mentions; skip articles already stored; re-aggregate.

    ``items`` holds (Article, events) pairs, or (Article, events, ingested_at) triples
    (migrations keep the original time).
    """
    hashes: list[str] = []
    fresh: list[tuple[str, Any]] = []
    seen: set[str] = set()
    duplicates = 0
    for item in items:
        h = content_hash(item[0].text)
        if h in seen:
            duplicates += 1
            continue
        seen.add(h)
        hashes.append(h)
        fresh.append((h, item))
    if hashes:
        stored = {
            r[0]
            for r in con.execute(
                "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [hashes],
            ).fetchall()
        }
        if stored:
            duplicates += sum(1 for h, _ in fresh if h in stored)
            fresh = [(h, it) for h, it in fresh if h not in stored]

    art_cols: dict[str, list[Any]] = {c: [] for c in column_names("articles")}
    men_cols: dict[str, list[Any]] = {c: [] for c in column_names("event_mentions")}
    for h, item in fresh:
        article: Article = item[0]
        m = mention_columns(h, item[1])
        n = len(m["event_id"])
        for c, values in m.items():
            men_cols[c].extend(values)
        ingested = item[2] if len(item) > 2 and item[2] is not None else now
        row = {
            "article_id": h,
            "external_id": article.id,
            "url": article.url,
            "outlet": article.source,
            "title": article.title,
            "date": _date(article.date),
            "text": article.text,
            "language": getattr(article, "language", None) or language,
            "n_mentions": n,
            "ingested_at": ingested,
            "coded_at": now,
            "coder_version": coder_version,
        }
        for c, values in art_cols.items():
            values.append(row[c])
    if fresh:
        _insert_columns(con, "articles", art_cols)
    if men_cols["event_id"]:
        _insert_columns(con, "event_mentions", men_cols)
    keys = set(men_cols["event_key"])
    recompute_events(con, keys, men_cols["date"])
    return Inserted([h for h, _ in fresh], len(men_cols["event_id"]), duplicates, keys)


def replace_mentions(
    con: Any,
    items: Sequence[tuple[str, Sequence[Event]]],
    *,
    coder_version: str,
    now: dt.datetime,
) -> tuple[int, int]:
    """Re-coding: replace the mentions of stored articles (by content hash).

    Returns (mentions before, mentions after) for these articles.
    """
    hashes = [h for h, _ in items]
    if not hashes:
        return 0, 0
    old = con.execute(
        "SELECT event_key, count(*) FROM event_mentions WHERE article_id IN "
        "(SELECT unnest(?::VARCHAR[])) GROUP BY event_key",
        [hashes],
    ).fetchall()
    before = sum(n for _, n in old)
    keys = {k for k, _ in old}
    con.execute(
        "DELETE FROM event_mentions WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [hashes]
    )
    men_cols: dict[str, list[Any]] = {c: [] for c in column_names("event_mentions")}
    counts: list[tuple[int, str]] = []
    for h, events in items:
        m = mention_columns(h, events)
        counts.append((len(m["event_id"]), h))
        for c, values in m.items():
            men_cols[c].extend(values)
    if men_cols["event_id"]:
        _insert_columns(con, "event_mentions", men_cols)
    con.executemany(
        "UPDATE articles SET n_mentions = ?, coded_at = ?, coder_version = ? WHERE article_id = ?",
        [[n, now, coder_version, h] for n, h in counts],
    )
    keys |= set(men_cols["event_key"])
    recompute_events(con, keys)
    return before, len(men_cols["event_id"])


_HOST = r"^[a-z][a-z0-9+.-]*://(?:www\.)?([^/:?#]+)"


def _source_sql(t: str) -> str:
    """An article's source for num_sources: its outlet, else its URL's host, else ''."""
    return (
        f"coalesce(nullif({t}.outlet, ''), "
        f"nullif(regexp_extract(lower({t}.url), '{_HOST}', 1), ''), '')"
    )


# The mentions behind the keys, plus one copy of them per stored duplicate of their article
# (`duplicates`: the same or a nearly identical text from another input), so a duplicate
# counts as one more article and source of its original's events without new events.
RECOMPUTE_SQL = f"""
INSERT INTO events
WITH base AS MATERIALIZED (
    SELECT m.*, a.url AS a_url, a.ingested_at AS a_ingested_at,
           {_source_sql("a")} AS a_source, FALSE AS a_copy
    FROM event_mentions m JOIN articles a ON a.article_id = m.article_id
    WHERE m.event_key IN (SELECT unnest(?::VARCHAR[]))
      AND @DATES@
),
m AS (
    SELECT * FROM base
    UNION ALL
    SELECT b.* REPLACE (d.duplicate_id AS article_id, d.url AS a_url,
                        d.ingested_at AS a_ingested_at, {_source_sql("d")} AS a_source,
                        TRUE AS a_copy)
    FROM base b JOIN duplicates d ON d.article_id = b.article_id
),
agg AS (
    SELECT event_key,
           count(*)::INTEGER AS num_mentions,
           count(DISTINCT a_source)::INTEGER AS num_sources,
           count(DISTINCT article_id)::INTEGER AS num_articles,
           avg(tone) AS avg_tone,
           max(confidence) AS confidence,
           min(sentence_index) = 0 AS is_root_event,
           min(a_ingested_at) FILTER (WHERE NOT a_copy) AS first_ingested_at
    FROM m GROUP BY event_key
),
rep AS (
    SELECT * FROM base
    QUALIFY row_number() OVER (
        PARTITION BY event_key
        ORDER BY confidence DESC NULLS LAST, sentence_index, article_id, event_id
    ) = 1
)
SELECT rep.event_key, ('0x' || substr(rep.event_key, 1, 15))::BIGINT,
       rep.date, rep.event_code, rep.root_code, rep.quad_class, rep.goldstein, rep.plover,
       rep.source_code, rep.source_country, rep.source_text,
       rep.target_code, rep.target_country, rep.target_text,
       rep.location_name, rep.location_country, rep.location_lat, rep.location_lon,
       agg.num_mentions, agg.num_sources, agg.num_articles, agg.avg_tone, agg.confidence,
       agg.is_root_event, rep.sentence, rep.article_id, rep.event_id, rep.a_url,
       agg.first_ingested_at
FROM rep JOIN agg USING (event_key)
"""


def recompute_events(
    con: Any, keys: Iterable[str], dates: Iterable[dt.date | None] | None = None
) -> None:
    """Rebuild the aggregated rows of these event keys from their mentions.

    ``dates`` (the dates of the mentions behind the keys) lets DuckDB skip row groups
    outside their range; the key already fixes the date, so the result is the same.
    """
    key_list = sorted(set(keys))
    if not key_list:
        return
    bound, extra = "TRUE", []
    if dates is not None:
        ds = set(dates)
        if ds and None not in ds:
            real = [d for d in ds if d is not None]
            bound, extra = "{a}.date BETWEEN ? AND ?", [min(real), max(real)]
    con.execute(
        "DELETE FROM events e WHERE e.event_key IN (SELECT unnest(?::VARCHAR[])) AND "
        + bound.format(a="e"),
        [key_list, *extra],
    )
    con.execute(RECOMPUTE_SQL.replace("@DATES@", bound.format(a="m")), [key_list, *extra])


@dataclass(frozen=True)
class Duplicate:
    """An input whose text is the same as, or nearly the same as, a stored article's.

    It is not coded: it is stored in ``duplicates`` and counts as one more article (and,
    with another outlet, one more source) of every event of ``article_id``.
    """

    duplicate_id: str  # duplicate_key(text_hash, external_id, url): the input's identity
    article_id: str  # the original's content hash
    text_hash: str  # content_hash of this input's text (== article_id for an exact copy)
    external_id: str | None
    url: str | None
    outlet: str | None
    title: str | None
    date: dt.date | None
    similarity: float  # estimated Jaccard similarity of their shingles (1.0: same text)


def duplicate_key(text_hash: str, external_id: str | None, url: str | None) -> str:
    """A duplicate's id: its text and the input it came from (so a rerun adds nothing)."""
    key = "\x1f".join((text_hash, external_id or "", url or ""))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def insert_duplicates(
    con: Any, duplicates: Sequence[Duplicate], now: dt.datetime
) -> tuple[int, list[str]]:
    """Insert the duplicates not stored yet; return how many, and their originals' ids."""
    if not duplicates:
        return 0, []
    ids = list(dict.fromkeys(d.duplicate_id for d in duplicates))
    stored = {
        r[0]
        for r in con.execute(
            "SELECT duplicate_id FROM duplicates "
            "WHERE duplicate_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        ).fetchall()
    }
    fresh: dict[str, Duplicate] = {}
    for d in duplicates:
        if d.duplicate_id not in stored and d.duplicate_id not in fresh:
            fresh[d.duplicate_id] = d
    if not fresh:
        return 0, []
    cols: dict[str, list[Any]] = {c: [] for c in column_names("duplicates")}
    for d in fresh.values():
        row = {
            "duplicate_id": d.duplicate_id,
            "article_id": d.article_id,
            "text_hash": d.text_hash,
            "external_id": d.external_id,
            "url": d.url,
            "outlet": d.outlet,
            "title": d.title,
            "date": _date(d.date),
            "similarity": float(d.similarity),
            "ingested_at": now,
        }
        for c, values in cols.items():
            values.append(row[c])
    _insert_columns(con, "duplicates", cols)
    return len(fresh), sorted({d.article_id for d in fresh.values()})


def insert_signatures(con: Any, signatures: Iterable[tuple[str, bytes, Sequence[int]]]) -> int:
    """Store articles' MinHash signatures and LSH band hashes (see dyad.ingest.dedup)."""
    sig_cols: dict[str, list[Any]] = {"article_id": [], "minhash": []}
    band_cols: dict[str, list[Any]] = {"band_hash": [], "article_id": []}
    for article_id, minhash, bands in signatures:
        sig_cols["article_id"].append(article_id)
        sig_cols["minhash"].append(minhash)
        band_cols["band_hash"].extend(bands)
        band_cols["article_id"].extend([article_id] * len(bands))
    if sig_cols["article_id"]:
        _insert_columns(con, "article_signatures", sig_cols)
        _insert_columns(con, "signature_bands", band_cols)
    return len(sig_cols["article_id"])


def event_keys_of(con: Any, article_ids: Sequence[str]) -> set[str]:
    """The event keys of these articles' mentions."""
    if not article_ids:
        return set()
    return {
        r[0]
        for r in con.execute(
            "SELECT DISTINCT event_key FROM event_mentions "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [list(article_ids)],
        ).fetchall()
    }


def upsert_rejects(con: Any, rejects: Iterable[Any], now: dt.datetime) -> int:
    """Record skipped inputs; the same (input, reason) again updates it and counts it."""
    latest: dict[tuple[str, str], str] = {}
    counts: dict[tuple[str, str], int] = {}
    for r in rejects:
        k = (str(r.input), str(r.reason))
        latest[k] = str(r.message)
        counts[k] = counts.get(k, 0) + 1
    if not latest:
        return 0
    con.executemany(
        "INSERT INTO rejects (input, reason, message, rejected_at, times) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (input, reason) DO UPDATE SET message = excluded.message, "
        "rejected_at = excluded.rejected_at, times = rejects.times + excluded.times",
        [[i, r, msg, now, counts[(i, r)]] for (i, r), msg in latest.items()],
    )
    return len(latest)


def event_from_row(rec: dict[str, Any], id_field: str = "article_id") -> Event:
    """An Event from a flat row (a mention row with id_field="external_id", or flat_row())."""

    def _int(v: Any) -> int:
        return int(v) if v is not None else 0

    def actor(side: str) -> Actor | None:
        if rec.get(f"{side}_text") is None and rec.get(f"{side}_code") is None:
            return None
        return Actor(
            text=rec.get(f"{side}_text") or "",
            code=rec.get(f"{side}_code"),
            country=rec.get(f"{side}_country"),
            start=_int(rec.get(f"{side}_start")),
            end=_int(rec.get(f"{side}_end")),
        )

    src = actor("source") or Actor("", None, None, 0, 0)
    loc = None
    if rec.get("location_name") is not None:
        loc = Location(
            name=rec["location_name"],
            country=rec.get("location_country"),
            lat=_float_or_none(rec.get("location_lat")),
            lon=_float_or_none(rec.get("location_lon")),
        )
    d = rec.get("date")
    date = d.isoformat()[:10] if isinstance(d, dt.date) else (str(d)[:10] if d else None)
    extra: dict[str, Any] = {}
    if "tone" in Event.__dataclass_fields__:
        extra["tone"] = _float_or_none(rec.get("tone"))
    return Event(
        event_id=rec["event_id"],
        article_id=rec.get(id_field) or "",
        sentence_index=_int(rec.get("sentence_index")),
        sentence=rec.get("sentence") or "",
        date=date,
        event_code=rec["event_code"],
        root_code=rec["root_code"],
        quad_class=_int(rec.get("quad_class")),
        goldstein=float(rec["goldstein"]) if rec.get("goldstein") is not None else 0.0,
        plover=rec.get("plover"),
        source=src,
        target=actor("target"),
        trigger=Trigger(
            rec.get("trigger_text") or "",
            _int(rec.get("trigger_start")),
            _int(rec.get("trigger_end")),
        ),
        location=loc,
        confidence=float(rec["confidence"]) if rec.get("confidence") is not None else 0.0,
        rule=rec.get("rule") or "",
        **extra,
    )


def _float_or_none(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f
