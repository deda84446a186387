"""Exports: Parquet partitioned by month, CSV, JSONL, and the GDELT 2.0 TSV."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dyad.errors import StoreError, UsageError
from dyad.store.filters import compile_filters

if TYPE_CHECKING:
    from dyad.store import Store

EXPORT_FORMATS = ("parquet", "csv", "jsonl", "gdelt")
EXPORT_TABLES = ("events", "event_mentions", "articles", "rejects", "duplicates")

# the month a row belongs to, for Parquet partitions (hive style: month=2022-03/)
_MONTH = {
    "events": "e.date",
    "event_mentions": "e.date",
    "articles": "e.date",
    "rejects": "e.rejected_at",
    "duplicates": "e.date",
}


# a stable row order for every export
_ORDER = {
    "events": "e.date NULLS LAST, e.event_key",
    "event_mentions": "e.date NULLS LAST, e.article_id, e.sentence_index, e.event_id",
    "articles": "e.date NULLS LAST, e.article_id",
    "rejects": "e.rejected_at, e.input, e.reason",
    "duplicates": "e.ingested_at, e.duplicate_id",
}


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export(
    store: Store,
    path: Path,
    fmt: str,
    table: str = "events",
    filters: dict[str, Any] | None = None,
    *,
    overwrite: bool = False,
) -> int:
    """Write ``table`` (filtered, for events and mentions) to ``path``; return the row count.

    parquet: a folder ``path/month=YYYY-MM/data_0.parquet`` (``month=unknown`` for rows
    without a date); csv: one file with a header; jsonl: one JSON object per line (for
    event_mentions exactly the `dyad code` event record); gdelt: the 61-column GDELT 2.0
    event TSV without header (events only).
    """
    import duckdb

    filters = dict(filters or {})
    if table == "mentions":
        table = "event_mentions"
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if table not in EXPORT_TABLES:
        raise UsageError(f"unknown table {table!r}; use one of {', '.join(EXPORT_TABLES)}")
    if fmt == "gdelt" and table != "events":
        raise UsageError("the GDELT format holds aggregated events: use --table events")
    if table in ("events", "event_mentions"):
        kind = "events" if table == "events" else "mentions"
        where, params = compile_filters(filters, kind=kind)
    elif any(v not in (None, "", [], ()) for v in filters.values()):
        raise UsageError(f"filters apply to events and event_mentions, not to {table}")
    else:
        where, params = "TRUE", []

    if path.exists():
        if not overwrite:
            raise UsageError(f"{path} exists; remove it or pass overwrite (--overwrite)")
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    if not path.parent.exists():
        raise UsageError(f"{path.parent}: no such folder")

    if fmt == "jsonl" and table == "event_mentions":
        n = 0
        with open(path, "w", encoding="utf-8") as fh:
            for ev in store.iter_event_records(**filters):
                fh.write(json.dumps(ev.as_dict(), ensure_ascii=False) + "\n")
                n += 1
        return n

    cur = store.con.cursor()
    try:
        if fmt == "gdelt":
            from dyad.store.gdelt import gdelt_select, register_actor_codes

            register_actor_codes(cur)
            sql = (
                f"COPY ({gdelt_select(where)}) TO {_literal(path)} "
                "(FORMAT csv, DELIMITER '\t', HEADER false, QUOTE '', ESCAPE '')"
            )
        elif fmt == "parquet":
            month = f"coalesce(strftime({_MONTH[table]}, '%Y-%m'), 'unknown')"
            sql = (
                f"COPY (SELECT e.*, {month} AS month FROM {table} e WHERE {where} "
                f"ORDER BY {_ORDER[table]}) "
                f"TO {_literal(path)} (FORMAT parquet, PARTITION_BY (month))"
            )
        elif fmt == "csv":
            sql = (
                f"COPY (SELECT e.* FROM {table} e WHERE {where} ORDER BY {_ORDER[table]}) "
                f"TO {_literal(path)} (FORMAT csv, HEADER true)"
            )
        else:
            sql = (
                f"COPY (SELECT e.* FROM {table} e WHERE {where} ORDER BY {_ORDER[table]}) "
                f"TO {_literal(path)} (FORMAT json)"
            )
        row = cur.execute(sql, params).fetchone()
        n = int(row[0]) if row else 0
    except duckdb.Error as exc:
        raise StoreError(f"{path}: export failed ({str(exc).splitlines()[0]})") from None
    finally:
        cur.close()
    if fmt == "parquet" and n == 0:
        path.mkdir(parents=True, exist_ok=True)  # an empty export is an empty folder
    return n
