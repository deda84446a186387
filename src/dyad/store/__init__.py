"""The event store: one DuckDB file with articles and the events coded from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import TracebackType
from typing import Any

from dyad.errors import StoreError
from dyad.records import Article, Event, flat_row

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    article_id VARCHAR PRIMARY KEY, url VARCHAR, source VARCHAR, title VARCHAR,
    date DATE, text VARCHAR, ingested_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS events (
    event_id VARCHAR PRIMARY KEY, article_id VARCHAR, sentence_index INTEGER,
    sentence VARCHAR, date DATE, event_code VARCHAR, root_code VARCHAR, quad_class INTEGER,
    goldstein DOUBLE, plover VARCHAR, confidence DOUBLE, rule VARCHAR,
    source_text VARCHAR, source_code VARCHAR, source_country VARCHAR, source_start INTEGER,
    source_end INTEGER, target_text VARCHAR, target_code VARCHAR, target_country VARCHAR,
    target_start INTEGER, target_end INTEGER, trigger_text VARCHAR, trigger_start INTEGER,
    trigger_end INTEGER, location_name VARCHAR, location_country VARCHAR,
    location_lat DOUBLE, location_lon DOUBLE
);
"""


class Store:
    def __init__(self, con: Any, path: Path) -> None:
        self.con = con
        self.path = path

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Store:
        import duckdb

        p = Path(path)
        try:
            con = duckdb.connect(str(p), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(f"{p}: cannot open as a DuckDB database ({exc})") from None
        if not read_only:
            con.execute(SCHEMA)
        return cls(con, p)

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.con.close()

    def clear(self) -> None:
        self.con.execute("DELETE FROM events; DELETE FROM articles;")

    def add(self, article: Article, events: list[Event]) -> None:
        """Store one article and its events in one transaction (re-adding replaces them)."""
        con = self.con
        con.execute("BEGIN")
        try:
            con.execute("DELETE FROM events WHERE article_id = ?", [article.id])
            con.execute("DELETE FROM articles WHERE article_id = ?", [article.id])
            con.execute(
                "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    article.id,
                    article.url,
                    article.source,
                    article.title,
                    article.date,
                    article.text,
                    dt.datetime.now(dt.UTC).replace(tzinfo=None),
                ],
            )
            if events:
                rows = [flat_row(e) for e in events]
                cols = list(rows[0])
                con.executemany(
                    f"INSERT OR REPLACE INTO events ({', '.join(cols)}) VALUES "
                    f"({', '.join('?' for _ in cols)})",
                    [[r[c] for c in cols] for r in rows],
                )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
