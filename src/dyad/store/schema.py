"""The store's schema: DDL, its version, and the migrations from older versions.

A dyad store is one DuckDB file with four tables (``articles``, ``event_mentions``,
``events``, ``rejects``) and a ``dyad_meta`` key/value table that says the file is a dyad
store and which schema version it has. docs/store.md documents every column.

Version history
  0  the first demo layout (``articles`` keyed by the input id, ``events`` = flat event rows,
     no ``dyad_meta``). Recognised and upgraded to 1.
  1  content-hash article ids, event mentions, GDELT-style aggregated events, rejects.
  2  near-duplicate detection: ``duplicates`` (copies of stored articles from other inputs,
     counted as extra sources of the original's events), ``article_signatures`` and
     ``signature_bands`` (MinHash signatures and their LSH bands, see dyad.ingest.dedup).

To change the schema: bump ``SCHEMA_VERSION``, write the new DDL in ``DDL``, and add a
function to ``MIGRATIONS`` that upgrades a file of the previous version in place (it runs
inside one transaction; ``prepare`` records the new version).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dyad.errors import StoreError

APPLICATION = "dyad"
SCHEMA_VERSION = 2

# The columns of event_mentions that come from dyad.records.flat_row (same names, same
# order), except flat_row's ``article_id`` (the input's own id), stored as ``external_id``.
MENTION_EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR NOT NULL"),
    ("sentence_index", "INTEGER NOT NULL"),
    ("sentence", "VARCHAR NOT NULL"),
    ("date", "DATE"),
    ("event_code", "VARCHAR NOT NULL"),
    ("root_code", "VARCHAR NOT NULL"),
    ("quad_class", "TINYINT NOT NULL"),
    ("goldstein", "DOUBLE"),
    ("plover", "VARCHAR"),
    ("confidence", "DOUBLE"),
    ("rule", "VARCHAR"),
    ("source_text", "VARCHAR"),
    ("source_code", "VARCHAR"),
    ("source_country", "VARCHAR"),
    ("source_start", "INTEGER"),
    ("source_end", "INTEGER"),
    ("target_text", "VARCHAR"),
    ("target_code", "VARCHAR"),
    ("target_country", "VARCHAR"),
    ("target_start", "INTEGER"),
    ("target_end", "INTEGER"),
    ("trigger_text", "VARCHAR"),
    ("trigger_start", "INTEGER"),
    ("trigger_end", "INTEGER"),
    ("location_name", "VARCHAR"),
    ("location_country", "VARCHAR"),
    ("location_lat", "DOUBLE"),
    ("location_lon", "DOUBLE"),
)

ARTICLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "VARCHAR PRIMARY KEY"),
    ("external_id", "VARCHAR"),
    ("url", "VARCHAR"),
    ("outlet", "VARCHAR"),
    ("title", "VARCHAR"),
    ("date", "DATE"),
    ("text", "VARCHAR NOT NULL"),
    ("language", "VARCHAR"),
    ("n_mentions", "INTEGER NOT NULL"),
    ("ingested_at", "TIMESTAMP NOT NULL"),
    ("coded_at", "TIMESTAMP NOT NULL"),
    ("coder_version", "VARCHAR NOT NULL"),
)

MENTION_COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "VARCHAR NOT NULL"),
    ("external_id", "VARCHAR"),
    ("event_key", "VARCHAR NOT NULL"),
    *MENTION_EVENT_COLUMNS,
    ("tone", "DOUBLE"),
)

EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_key", "VARCHAR NOT NULL"),
    ("global_event_id", "BIGINT NOT NULL"),
    ("date", "DATE"),
    ("event_code", "VARCHAR NOT NULL"),
    ("root_code", "VARCHAR NOT NULL"),
    ("quad_class", "TINYINT NOT NULL"),
    ("goldstein", "DOUBLE"),
    ("plover", "VARCHAR"),
    ("source_code", "VARCHAR"),
    ("source_country", "VARCHAR"),
    ("source_text", "VARCHAR"),
    ("target_code", "VARCHAR"),
    ("target_country", "VARCHAR"),
    ("target_text", "VARCHAR"),
    ("location_name", "VARCHAR"),
    ("location_country", "VARCHAR"),
    ("location_lat", "DOUBLE"),
    ("location_lon", "DOUBLE"),
    ("num_mentions", "INTEGER NOT NULL"),
    ("num_sources", "INTEGER NOT NULL"),
    ("num_articles", "INTEGER NOT NULL"),
    ("avg_tone", "DOUBLE"),
    ("confidence", "DOUBLE"),
    ("is_root_event", "BOOLEAN NOT NULL"),
    ("sentence", "VARCHAR"),
    ("article_id", "VARCHAR"),
    ("event_id", "VARCHAR"),
    ("source_url", "VARCHAR"),
    ("first_ingested_at", "TIMESTAMP"),
)

REJECT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("input", "VARCHAR NOT NULL"),
    ("reason", "VARCHAR NOT NULL"),
    ("message", "VARCHAR NOT NULL"),
    ("rejected_at", "TIMESTAMP NOT NULL"),
    ("times", "INTEGER NOT NULL"),
)

# v2: an input whose text is the same as, or nearly the same as, a stored article's (the same
# wire story from another outlet) is not coded again: it is kept here and counts as one more
# article (and source) of the original's events.
DUPLICATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("duplicate_id", "VARCHAR PRIMARY KEY"),
    ("article_id", "VARCHAR NOT NULL"),
    ("text_hash", "VARCHAR NOT NULL"),
    ("external_id", "VARCHAR"),
    ("url", "VARCHAR"),
    ("outlet", "VARCHAR"),
    ("title", "VARCHAR"),
    ("date", "DATE"),
    ("similarity", "DOUBLE NOT NULL"),
    ("ingested_at", "TIMESTAMP NOT NULL"),
)

SIGNATURE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("article_id", "VARCHAR NOT NULL"),
    ("minhash", "BLOB NOT NULL"),
)

BAND_COLUMNS: tuple[tuple[str, str], ...] = (
    ("band_hash", "BIGINT NOT NULL"),
    ("article_id", "VARCHAR NOT NULL"),
)

TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    "articles": ARTICLE_COLUMNS,
    "event_mentions": MENTION_COLUMNS,
    "events": EVENT_COLUMNS,
    "rejects": REJECT_COLUMNS,
    "duplicates": DUPLICATE_COLUMNS,
    "article_signatures": SIGNATURE_COLUMNS,
    "signature_bands": BAND_COLUMNS,
}
V2_TABLES = ("duplicates", "article_signatures", "signature_bands")

# Only articles (article_id) and rejects (input, reason) carry a primary key. The writer
# keeps (article_id, event_id) unique in event_mentions and event_key unique in events
# (Store.check() verifies both): DuckDB's ART indexes would slow bulk ingest and
# checkpoints several times over and do not speed up the analytical scans.
_EXTRA_CONSTRAINTS = {
    "rejects": ", PRIMARY KEY (input, reason)",
}


def _create_table(name: str, if_not_exists: bool = False) -> str:
    cols = ",\n    ".join(f"{c} {t}" for c, t in TABLES[name])
    create = "CREATE TABLE IF NOT EXISTS" if if_not_exists else "CREATE TABLE"
    return f"{create} {name} (\n    {cols}{_EXTRA_CONSTRAINTS.get(name, '')}\n);"


DDL = "\n".join(
    [
        "CREATE TABLE dyad_meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);",
        *(_create_table(name) for name in TABLES),
    ]
)


def column_names(table: str) -> list[str]:
    return [c for c, _ in TABLES[table]]


# ---------------------------------------------------------------------- open and check


def _tables(con: Any) -> dict[str, set[str]]:
    rows = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_catalog = current_database()"
    ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def _is_legacy_v0(tables: dict[str, set[str]]) -> bool:
    return (
        set(tables) == {"articles", "events"}
        and {"article_id", "source", "text", "ingested_at"} <= tables["articles"]
        and {"event_id", "article_id", "sentence", "event_code"} <= tables["events"]
        and "event_key" not in tables["events"]
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _set_meta(con: Any, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO dyad_meta VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )


def create(con: Any) -> None:
    from dyad import __version__

    con.execute("BEGIN")
    try:
        con.execute(DDL)
        for key, value in (
            ("application", APPLICATION),
            ("schema_version", str(SCHEMA_VERSION)),
            ("created_at", _now().isoformat(timespec="seconds")),
            ("created_by", f"dyad {__version__}"),
            ("dedup", _dedup_params()),
        ):
            _set_meta(con, key, value)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def prepare(con: Any, path: Path, read_only: bool) -> int:
    """Check that ``con`` is a dyad store; create it (empty file) or migrate it (writable).

    Returns the schema version. Raises StoreError for a foreign, newer or damaged file.
    """
    tables = _tables(con)
    if not tables:
        if read_only:
            raise StoreError(f"{path}: an empty DuckDB database, not a dyad store")
        create(con)
        return SCHEMA_VERSION
    if "dyad_meta" in tables:
        meta = dict(con.execute("SELECT key, value FROM dyad_meta").fetchall())
        if meta.get("application") != APPLICATION:
            raise StoreError(
                f"{path}: not a dyad store (its dyad_meta says application "
                f"{meta.get('application')!r})"
            )
        try:
            version = int(meta.get("schema_version", ""))
        except ValueError:
            raise StoreError(
                f"{path}: damaged dyad store (schema_version {meta.get('schema_version')!r})"
            ) from None
    elif _is_legacy_v0(tables):
        version = 0
    else:
        names = ", ".join(sorted(tables)[:6]) + (" ..." if len(tables) > 6 else "")
        raise StoreError(
            f"{path}: a DuckDB database but not a dyad store (it holds tables {names}); "
            "refusing to use it"
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: store schema v{version} was written by a newer dyad; this dyad reads "
            f"up to v{SCHEMA_VERSION} (upgrade dyad)"
        )
    if version < SCHEMA_VERSION:
        if read_only:
            raise StoreError(
                f"{path}: store schema v{version} is older than v{SCHEMA_VERSION}; upgrade it "
                f"once with `dyad migrate --db {path}` (needs write access)"
            )
        migrate(con, version)
        tables = _tables(con)
    for name, cols in TABLES.items():
        missing = {c for c, _ in cols} - tables.get(name, set())
        if name not in tables:
            raise StoreError(f"{path}: damaged dyad store: table {name} is missing")
        if missing:
            raise StoreError(
                f"{path}: damaged dyad store: table {name} lacks {', '.join(sorted(missing))}"
            )
    return SCHEMA_VERSION


def migrate(con: Any, version: int) -> None:
    """Upgrade a store of schema ``version`` to SCHEMA_VERSION, one step per transaction."""
    while version < SCHEMA_VERSION:
        step = MIGRATIONS[version]
        con.execute("BEGIN")
        try:
            step(con)
            _set_meta(con, "schema_version", str(version + 1))
            prior = con.execute("SELECT value FROM dyad_meta WHERE key = 'migrations'").fetchone()
            note = f"{version}->{version + 1} {_now().isoformat(timespec='seconds')}"
            _set_meta(con, "migrations", f"{prior[0]}; {note}" if prior else note)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        version += 1


def _v0_to_v1(con: Any) -> None:
    """The first demo layout: articles keyed by input id, events = flat event rows."""
    from dyad import __version__
    from dyad.records import Article
    from dyad.store.write import event_from_row, insert_coded

    con.execute("ALTER TABLE articles RENAME TO legacy_v0_articles")
    con.execute("ALTER TABLE events RENAME TO legacy_v0_events")
    con.execute(DDL)
    _set_meta(con, "application", APPLICATION)
    _set_meta(con, "created_at", _now().isoformat(timespec="seconds"))
    _set_meta(con, "created_by", f"dyad {__version__} (migrated from schema v0)")
    cur = con.execute(
        "SELECT article_id, url, source, title, date, text, ingested_at FROM legacy_v0_articles "
        "ORDER BY ingested_at, article_id"
    )
    arts = cur.fetchall()
    ev_cur = con.execute("SELECT * FROM legacy_v0_events ORDER BY article_id, sentence_index")
    names = [d[0] for d in ev_cur.description]
    by_article: dict[str, list[Any]] = {}
    for row in ev_cur.fetchall():
        rec = dict(zip(names, row, strict=True))
        by_article.setdefault(rec["article_id"], []).append(event_from_row(rec))
    items = []
    for aid, url, source, title, date, text, ingested_at in arts:
        art = Article(id=aid, text=text or "", date=date, url=url, source=source, title=title)
        items.append((art, by_article.get(aid, []), ingested_at))
    insert_coded(con, items, coder_version="unknown (migrated from schema v0)", now=_now())
    con.execute("DROP TABLE legacy_v0_events")
    con.execute("DROP TABLE legacy_v0_articles")


def _dedup_params() -> str:
    from dyad.ingest.dedup import PARAMS

    return PARAMS


def _v1_to_v2(con: Any) -> None:
    """Near-duplicate detection: the duplicates table and the stored articles' signatures."""
    from dyad.ingest.dedup import signature_rows
    from dyad.store.write import insert_signatures

    for name in V2_TABLES:
        con.execute(_create_table(name, if_not_exists=True))
    _set_meta(con, "dedup", _dedup_params())
    last = ""
    while True:
        rows = con.execute(
            "SELECT article_id, text FROM articles WHERE article_id > ? "
            "AND article_id NOT IN (SELECT article_id FROM article_signatures) "
            "ORDER BY article_id LIMIT 2000",
            [last],
        ).fetchall()
        if not rows:
            break
        last = rows[-1][0]
        sigs = [sig for aid, text in rows if (sig := signature_rows(aid, text)) is not None]
        insert_signatures(con, sigs)


MIGRATIONS: dict[int, Callable[[Any], None]] = {0: _v0_to_v1, 1: _v1_to_v2}
