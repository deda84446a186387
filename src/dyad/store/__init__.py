"""The event store: one DuckDB file with articles, event mentions, aggregated events, rejects.

    store = dyad.Store.open("events.duckdb")               # creates or upgrades the file
    store.add_batch([(article, events), ...], rejects)     # one transaction
    df = dyad.Store("events.duckdb").events(actor="RUS", start="2022")   # read-only
    ts = store.timeseries(source="RUS", target="UKR", freq="month")

Writes are transactional per batch; re-adding an article (same text) adds nothing. Reads
use parameterised SQL only. docs/store.md documents the schema and every method.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

from dyad.errors import Rejection, StoreError, UsageError
from dyad.records import Article, Event
from dyad.store.filters import FILTER_KEYS, compile_filters, parse_bound
from dyad.store.schema import SCHEMA_VERSION, column_names, prepare
from dyad.store.write import (
    Duplicate,
    content_hash,
    duplicate_key,
    event_from_row,
    event_keys_of,
    insert_coded,
    insert_duplicates,
    insert_signatures,
    recompute_events,
    replace_mentions,
    upsert_rejects,
)

__all__ = [
    "FILTER_KEYS",
    "SCHEMA_VERSION",
    "BatchResult",
    "Duplicate",
    "RecodeResult",
    "Store",
    "coder_version",
    "content_hash",
    "duplicate_key",
]

EVENT_ORDERS = {
    "date": "e.date NULLS LAST, e.event_key",
    "-date": "e.date DESC NULLS LAST, e.event_key",
    "mentions": "e.num_mentions DESC, e.date NULLS LAST, e.event_key",
    "goldstein": "e.goldstein, e.date NULLS LAST, e.event_key",
    "-goldstein": "e.goldstein DESC, e.date NULLS LAST, e.event_key",
}
MENTION_ORDERS = {
    "date": "e.date NULLS LAST, e.article_id, e.sentence_index, e.event_id",
    "-date": "e.date DESC NULLS LAST, e.article_id, e.sentence_index, e.event_id",
    "article": "e.article_id, e.sentence_index, e.event_id",
    "goldstein": "e.goldstein, e.date NULLS LAST, e.article_id, e.event_id",
    "-goldstein": "e.goldstein DESC, e.date NULLS LAST, e.article_id, e.event_id",
}


@cache
def _builtin_fingerprint() -> str:
    h = hashlib.sha256()
    for pkg in ("dyad.lexicon", "dyad.ontology"):
        root = resources.files(pkg).joinpath("data")
        stack = [root]
        files = []
        while stack:
            node = stack.pop()
            for child in node.iterdir():
                if child.is_dir():
                    stack.append(child)
                elif child.name.endswith((".yaml", ".tsv", ".txt", ".json")):
                    files.append(child)
        for f in sorted(files, key=lambda f: str(f)):
            h.update(str(f).rsplit("/data/", 1)[-1].encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def coder_version(
    model: str | None = None,
    actors: Iterable[str | Path] = (),
    patterns: Iterable[str | Path] = (),
) -> str:
    """What coded an article: ``dyad <version>+<fingerprint>``.

    The fingerprint (12 hex) hashes the bundled lexicon and ontology data, any extra actor
    and pattern files, and the spaCy model name, so a lexicon change gives a new version
    and ``dyad recode --stale`` knows which articles to re-code.
    """
    from dyad import __version__

    h = hashlib.sha256(_builtin_fingerprint().encode())
    h.update(f"model={model or ''}".encode())
    for kind, files in (("actors", actors), ("patterns", patterns)):
        for f in files:
            h.update(kind.encode())
            try:
                h.update(Path(f).read_bytes())
            except OSError:
                h.update(str(f).encode())
    return f"dyad {__version__}+{h.hexdigest()[:12]}"


_default_coder_version = coder_version


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class BatchResult:
    """What one add_batch() stored."""

    articles: int  # articles stored
    duplicates: int  # articles skipped: same text already stored or twice in the batch
    mentions: int  # event mentions stored
    events: int  # aggregated event rows created or updated
    rejects: int  # reject rows recorded
    article_ids: tuple[str, ...] = ()  # content hashes of the stored articles
    copies: int = 0  # duplicates stored (extra sources of stored articles' events)


@dataclass(frozen=True)
class RecodeResult:
    articles: int
    mentions_before: int
    mentions_after: int


def _explain_connect_error(path: Path, exc: Exception) -> str:
    text = str(exc)
    if "lock" in text.lower():
        return (
            f"{path}: the database is in use by another process (DuckDB allows one writer or "
            f"several read-only readers, not both): {text.splitlines()[0]}"
        )
    if "not a valid DuckDB database" in text:
        return f"{path}: not a DuckDB database file (corrupt, or another kind of file)"
    if "version" in text.lower() and "storage" in text.lower():
        return f"{path}: written by an incompatible DuckDB version ({text.splitlines()[0]})"
    return f"{path}: cannot open the database ({text.splitlines()[0] if text else exc!r})"


class Store:
    """A dyad event store (one DuckDB file).

    ``Store(path)`` opens an existing store read-only (for analysis and servers);
    ``Store.open(path)`` opens it for writing, creating or upgrading it as needed.
    Use it as a context manager or call ``close()``.
    """

    def __init__(self, path: str | Path, read_only: bool = True) -> None:
        import duckdb

        p = Path(path)
        self.path = p
        self.read_only = read_only
        if p.is_dir():
            raise StoreError(f"{p}: is a folder, not a database file")
        if read_only and not p.exists():
            raise StoreError(f"{p}: no such database file (create it with `dyad ingest`)")
        if not read_only and not p.parent.exists():
            raise StoreError(f"{p}: folder {p.parent} does not exist")
        try:
            self.con = duckdb.connect(str(p), read_only=read_only)
        except duckdb.Error as exc:
            raise StoreError(_explain_connect_error(p, exc)) from None
        try:
            self.schema_version = prepare(self.con, p, read_only)
        except duckdb.Error as exc:
            self.con.close()
            raise StoreError(f"{p}: damaged or unreadable store ({_first_line(exc)})") from None
        except BaseException:
            self.con.close()
            raise

    @classmethod
    def open(cls, path: str | Path, read_only: bool = False) -> Store:
        """Open (and with read_only=False create or migrate) the store at ``path``."""
        return cls(path, read_only=read_only)

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.read_only else "read-write"
        return f"<dyad.Store {str(self.path)!r} schema v{self.schema_version} {mode}>"

    def _writable(self) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only; use Store.open(path) to write")

    def _cursor(self) -> Any:
        """A cursor of its own per read, so one Store can serve several threads."""
        return self.con.cursor()

    def _query(self, sql: str, params: Sequence[Any] = (), as_arrow: bool = False) -> Any:
        import duckdb

        cur = self._cursor()
        try:
            if as_arrow:
                rel = cur.sql(sql, params=list(params))
                fetch = getattr(rel, "to_arrow_table", None) or rel.arrow
                return fetch()
            return cur.execute(sql, list(params)).df()
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: query failed ({_first_line(exc)})") from None
        finally:
            cur.close()

    def _run_write(self, fn: Callable[[Any], Any]) -> Any:
        """Run ``fn(con)`` in one transaction: all of it is stored, or none of it."""
        import duckdb

        self._writable()
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            result = fn(con)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(
                f"{self.path}: write failed, nothing stored ({_first_line(exc)})"
            ) from None
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return result

    def sql(self, query: str, params: Sequence[Any] = ()) -> Any:
        """Run any SQL on the store and return a DataFrame (pass values as ``?`` params)."""
        return self._query(query, params)

    # ------------------------------------------------------------------ writing

    def add_batch(
        self,
        items: Sequence[tuple[Article, Sequence[Event]]],
        rejects: Sequence[Rejection] = (),
        *,
        coder_version: str | None = None,
        duplicates: Sequence[Duplicate] = (),
        signatures: Sequence[tuple[str, bytes, Sequence[int]]] = (),
    ) -> BatchResult:
        """Store coded articles, duplicates and rejects in ONE transaction.

        An article whose text is already stored (or that appears twice in ``items``) is
        skipped and counted in ``duplicates``. ``duplicates`` are inputs that repeat a stored
        (or here stored) article: each counts as one more article and source of its
        original's events (``BatchResult.copies`` says how many were new). ``signatures``
        are ``(article_id, minhash, band_hashes)`` of the new articles for near-duplicate
        search (dyad.ingest.dedup); those of articles not stored by this batch are ignored.
        The aggregated events touched are recomputed in the same transaction.
        """
        version = coder_version or _default_coder_version()
        now = _now()

        def write(con: Any) -> BatchResult:
            # duplicates first: the aggregation of the new articles' events counts them
            n_copies, originals = insert_duplicates(con, duplicates, now)
            ins = insert_coded(con, items, coder_version=version, now=now)
            new = set(ins.articles)
            insert_signatures(con, [s for s in signatures if s[0] in new])
            older = [a for a in originals if a not in new]
            keys = event_keys_of(con, older)
            recompute_events(con, keys)
            n_rej = upsert_rejects(con, rejects, now)
            return BatchResult(
                articles=len(ins.articles),
                duplicates=ins.duplicates,
                mentions=ins.mentions,
                events=len(ins.keys | keys),
                rejects=n_rej,
                article_ids=tuple(ins.articles),
                copies=n_copies,
            )

        result: BatchResult = self._run_write(write)
        return result

    def add(
        self, article: Article, events: Sequence[Event], *, coder_version: str | None = None
    ) -> BatchResult:
        """One article and its events (a batch of one)."""
        return self.add_batch([(article, events)], coder_version=coder_version)

    def add_reject(self, rejection: Rejection) -> None:
        """Record one skipped input (same input + reason again: updated and counted)."""
        now = _now()
        self._run_write(lambda con: upsert_rejects(con, [rejection], now))

    def clear(self) -> None:
        """Delete every article, mention, event, duplicate and reject (the schema stays)."""
        self._run_write(
            lambda con: con.execute(
                "DELETE FROM events; DELETE FROM event_mentions; DELETE FROM articles; "
                "DELETE FROM rejects; DELETE FROM duplicates; DELETE FROM article_signatures; "
                "DELETE FROM signature_bands;"
            )
        )

    def rebuild_events(self) -> int:
        """Recompute the whole events table from the mentions (after a manual edit)."""

        def write(con: Any) -> int:
            keys = [
                r[0]
                for r in con.execute("SELECT DISTINCT event_key FROM event_mentions").fetchall()
            ]
            con.execute("DELETE FROM events")
            recompute_events(con, keys)
            return len(keys)

        n: int = self._run_write(write)
        return n

    def recode(
        self,
        coder: Any,
        *,
        coder_version: str | None = None,
        stale_only: bool = False,
        batch_size: int = 100,
        on_batch: Callable[[RecodeResult], None] | None = None,
    ) -> RecodeResult:
        """Re-code stored articles with ``coder`` (a dyad Coder), one transaction per batch.

        ``stale_only`` re-codes only articles whose coder_version differs from this one.
        Event ids stay stable; mentions that the new lexicon no longer finds disappear,
        and the aggregated events follow.
        """
        self._writable()
        version = coder_version or _default_coder_version()
        total = RecodeResult(0, 0, 0)
        last = ""
        while True:
            cond = "article_id > ?"
            params: list[Any] = [last]
            if stale_only:
                cond += " AND coder_version <> ?"
                params.append(version)
            rows = self.con.execute(
                "SELECT article_id, external_id, text, date, url, outlet, title FROM articles "
                f"WHERE {cond} ORDER BY article_id LIMIT ?",
                [*params, int(batch_size)],
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            by_hash = {
                r[0]: Article(
                    id=r[1] or r[0], text=r[2], date=r[3], url=r[4], source=r[5], title=r[6]
                )
                for r in rows
            }
            ids = {id(a): h for h, a in by_hash.items()}
            coded = [(ids[id(a)], evs) for a, evs in coder.code_articles(list(by_hash.values()))]
            before, after = self._run_write(
                functools.partial(replace_mentions, items=coded, coder_version=version, now=_now())
            )
            step = RecodeResult(len(coded), before, after)
            total = RecodeResult(
                total.articles + step.articles,
                total.mentions_before + step.mentions_before,
                total.mentions_after + step.mentions_after,
            )
            if on_batch:
                on_batch(step)
        return total

    # ------------------------------------------------------------------ reading

    def has_article(self, article_id: str) -> bool:
        """Is an article with this content hash (``content_hash(text)``) stored?"""
        cur = self._cursor()
        try:
            row = cur.execute(
                "SELECT 1 FROM articles WHERE article_id = ?", [article_id]
            ).fetchone()
        finally:
            cur.close()
        return row is not None

    def stored_ids(self, article_ids: Iterable[str]) -> set[str]:
        """Which of these content hashes are stored (one query for many)."""
        ids = list(article_ids)
        if not ids:
            return set()
        cur = self._cursor()
        try:
            rows = cur.execute(
                "SELECT article_id FROM articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [ids],
            ).fetchall()
        finally:
            cur.close()
        return {r[0] for r in rows}

    def article(self, article_id: str) -> dict[str, Any] | None:
        """One article by content hash (every column, ``date`` as an ISO string), or None."""
        cur = self._cursor()
        try:
            res = cur.execute("SELECT * FROM articles WHERE article_id = ?", [article_id])
            names = [d[0] for d in res.description]
            row = res.fetchone()
        finally:
            cur.close()
        if row is None:
            return None
        rec = dict(zip(names, row, strict=True))
        for k in ("date", "ingested_at", "coded_at"):
            if rec.get(k) is not None:
                rec[k] = rec[k].isoformat()
        return rec

    def articles(
        self,
        *,
        external_id: str | None = None,
        start: Any = None,
        end: Any = None,
        limit: int | None = None,
        offset: int = 0,
        with_text: bool = False,
    ) -> Any:
        """Stored articles as a DataFrame (without the text unless ``with_text``)."""
        cols = [c for c in column_names("articles") if with_text or c != "text"]
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if external_id is not None:
            where.append("external_id = ?")
            params.append(external_id)
        if start not in (None, ""):
            where.append("date >= ?")
            params.append(parse_bound(start, end=False, what="start"))
        if end not in (None, ""):
            where.append("date <= ?")
            params.append(parse_bound(end, end=True, what="end"))
        sql = (
            f"SELECT {', '.join(cols)} FROM articles WHERE {' AND '.join(where)} "
            "ORDER BY date NULLS LAST, article_id"
        )
        sql, params = _page(sql, params, limit, offset)
        return self._query(sql, params)

    def events(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        order: str = "date",
        as_arrow: bool = False,
        **filters: Any,
    ) -> Any:
        """Aggregated events matching the filters (see dyad.store.filters) as a DataFrame
        (or a pyarrow Table with ``as_arrow``)."""
        return self._filtered("events", EVENT_ORDERS, order, limit, offset, as_arrow, filters)

    def event_mentions(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        order: str = "date",
        as_arrow: bool = False,
        **filters: Any,
    ) -> Any:
        """Every coded event (one row per mention, with its evidence) as a DataFrame
        (or a pyarrow Table with ``as_arrow``)."""
        return self._filtered(
            "event_mentions", MENTION_ORDERS, order, limit, offset, as_arrow, filters
        )

    def _filtered(
        self,
        table: str,
        orders: dict[str, str],
        order: str,
        limit: int | None,
        offset: int,
        as_arrow: bool,
        filters: dict[str, Any],
    ) -> Any:
        """The filtered, ordered, paged rows of ``events`` or ``event_mentions``."""
        if order not in orders:
            raise UsageError(f"unknown order {order!r}; use one of {', '.join(orders)}")
        kind = "events" if table == "events" else "mentions"
        where, params = compile_filters(filters, kind=kind)
        sql = f"SELECT e.* FROM {table} e WHERE {where} ORDER BY {orders[order]}"
        sql, params = _page(sql, params, limit, offset)
        return self._query(sql, params, as_arrow=as_arrow)

    def iter_event_records(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        order: str = "date",
        batch: int = 10_000,
        **filters: Any,
    ) -> Iterator[Event]:
        """Mentions as dyad Event records (Event.article_id = the input's own id), streamed."""
        if order not in MENTION_ORDERS:
            raise UsageError(f"unknown order {order!r}; use one of {', '.join(MENTION_ORDERS)}")
        where, params = compile_filters(filters, kind="mentions")
        sql = f"SELECT e.* FROM event_mentions e WHERE {where} ORDER BY {MENTION_ORDERS[order]}"
        sql, params = _page(sql, params, limit, offset)
        cur = self._cursor()
        try:
            res = cur.execute(sql, params)
            names = [d[0] for d in res.description]
            while True:
                rows = res.fetchmany(batch)
                if not rows:
                    break
                for row in rows:
                    yield event_from_row(dict(zip(names, row, strict=True)), "external_id")
        finally:
            cur.close()

    def count(self, table: str = "events", **filters: Any) -> int:
        """How many events (or mentions, table="event_mentions") match the filters."""
        if table not in ("events", "event_mentions"):
            raise UsageError("count() counts events or event_mentions")
        kind = "events" if table == "events" else "mentions"
        where, params = compile_filters(filters, kind=kind)
        df = self._query(f"SELECT count(*) AS n FROM {table} e WHERE {where}", params)
        return int(df["n"].iloc[0])

    def rejects(self, *, limit: int | None = None, offset: int = 0) -> Any:
        sql, params = _page(
            "SELECT * FROM rejects ORDER BY rejected_at DESC, input, reason", [], limit, offset
        )
        return self._query(sql, params)

    def duplicates(
        self, *, article: str | None = None, limit: int | None = None, offset: int = 0
    ) -> Any:
        """Stored duplicates (inputs counted as extra sources of an original's events), with
        the original's input id as ``original_external_id``; ``article``: of this original
        (content hash or input id)."""
        where, params = "TRUE", []
        if article:
            where = "(d.article_id = ? OR a.external_id = ?)"
            params = [article, article]
        sql, params = _page(
            "SELECT d.*, a.external_id AS original_external_id FROM duplicates d "
            f"LEFT JOIN articles a USING (article_id) WHERE {where} "
            "ORDER BY d.ingested_at, d.duplicate_id",
            params,
            limit,
            offset,
        )
        return self._query(sql, params)

    # ------------------------------------------------------------------ ingest support

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        cur = self._cursor()
        try:
            rows: list[Any] = cur.execute(sql, list(params)).fetchall()
            return rows
        finally:
            cur.close()

    def original_inputs(self, article_ids: Iterable[str]) -> dict[str, tuple[str | None, ...]]:
        """For the stored ones of these content hashes: (external_id, url) of their input."""
        ids = list(article_ids)
        if not ids:
            return {}
        rows = self._rows(
            "SELECT article_id, external_id, url FROM articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def stored_duplicate_ids(self, duplicate_ids: Iterable[str]) -> set[str]:
        """Which of these duplicate ids (``duplicate_key``) are stored."""
        ids = list(duplicate_ids)
        if not ids:
            return set()
        rows = self._rows(
            "SELECT duplicate_id FROM duplicates "
            "WHERE duplicate_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        )
        return {r[0] for r in rows}

    def signature_candidate_rows(self, band_hashes: Iterable[int]) -> list[tuple[int, str, bytes]]:
        """Stored articles sharing an LSH band with these: (band_hash, article_id, minhash)."""
        bands = sorted(set(band_hashes))
        if not bands:
            return []
        # two steps: a scan of the narrow bands table, then only the signatures it names
        hits = self._rows(
            "SELECT band_hash, article_id FROM signature_bands "
            "WHERE band_hash IN (SELECT unnest(?::BIGINT[]))",
            [bands],
        )
        if not hits:
            return []
        ids = sorted({r[1] for r in hits})
        sigs = dict(
            self._rows(
                "SELECT article_id, minhash FROM article_signatures "
                "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [ids],
            )
        )
        return [(int(b), a, bytes(sigs[a])) for b, a in hits if a in sigs]

    def iter_urls(self, chunk: int = 50_000) -> Iterator[str]:
        """Every URL of a stored article or duplicate (for skipping known web pages)."""
        cur = self._cursor()
        try:
            res = cur.execute(
                "SELECT url FROM articles WHERE url IS NOT NULL "
                "UNION ALL SELECT url FROM duplicates WHERE url IS NOT NULL"
            )
            while rows := res.fetchmany(chunk):
                for (url,) in rows:
                    yield url
        finally:
            cur.close()

    # ------------------------------------------------------------------ analysis

    def _analysis(self, fn: Callable[..., Any], filters: dict[str, Any], **opts: Any) -> Any:
        import duckdb

        where, params = compile_filters(filters, kind="events")
        cur = self._cursor()
        try:
            return fn(cur, where, params, **opts)
        except duckdb.Error as exc:
            raise StoreError(f"{self.path}: query failed ({_first_line(exc)})") from None
        finally:
            cur.close()

    def timeseries(
        self,
        *,
        freq: str = "month",
        weight: str = "events",
        fill: bool = True,
        **filters: Any,
    ) -> Any:
        """Events per day/week/month for the selection (e.g. source="RUS", target="UKR").

        Columns: period, events, mentions, verbal_cooperation, material_cooperation,
        verbal_conflict, material_conflict, goldstein_sum, net_cooperation, goldstein_mean.
        """
        from dyad import analysis

        start = (
            parse_bound(filters["start"], end=False, what="start") if filters.get("start") else None
        )
        end = parse_bound(filters["end"], end=True, what="end") if filters.get("end") else None
        return self._analysis(
            analysis.timeseries, filters, freq=freq, weight=weight, fill=fill, start=start, end=end
        )

    def network(
        self,
        *,
        level: str = "country",
        weight: str = "events",
        min_events: int = 1,
        self_loops: bool = False,
        betweenness: bool = False,
        **filters: Any,
    ) -> Any:
        """The directed weighted actor graph (networkx.DiGraph) with centrality on the nodes."""
        from dyad import analysis

        return self._analysis(
            analysis.network,
            filters,
            level=level,
            weight=weight,
            min_events=min_events,
            self_loops=self_loops,
            betweenness=betweenness,
        )

    def centrality(self, *, betweenness: bool = False, **options: Any) -> Any:
        """Node centrality of network(**options) as a DataFrame, highest PageRank first."""
        from dyad import analysis

        return analysis.centrality(self.network(betweenness=False, **options), betweenness)

    def top_dyads(
        self,
        n: int = 20,
        *,
        level: str = "country",
        weight: str = "events",
        directed: bool = True,
        self_loops: bool = False,
        min_events: int = 1,
        **filters: Any,
    ) -> Any:
        """The n busiest dyads (source, target) with their quad counts and Goldstein."""
        from dyad import analysis

        return self._analysis(
            analysis.top_dyads,
            filters,
            n=n,
            level=level,
            weight=weight,
            directed=directed,
            self_loops=self_loops,
            min_events=min_events,
        )

    def stats(self) -> dict[str, Any]:
        """Counts, date range, coder versions and rejects by reason."""
        cur = self._cursor()
        try:
            q = cur.execute
            n_art, n_empty = q(
                "SELECT count(*), count(*) FILTER (WHERE n_mentions = 0) FROM articles"
            ).fetchone()
            n_men = q("SELECT count(*) FROM event_mentions").fetchone()[0]
            n_ev, d0, d1 = q("SELECT count(*), min(date), max(date) FROM events").fetchone()
            versions = dict(
                q(
                    "SELECT coder_version, count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
                ).fetchall()
            )
            rejects = dict(
                q("SELECT reason, sum(times) FROM rejects GROUP BY 1 ORDER BY 1").fetchall()
            )
            n_dup = q("SELECT count(*) FROM duplicates").fetchone()[0]
            meta = dict(q("SELECT key, value FROM dyad_meta").fetchall())
        finally:
            cur.close()
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "created_at": meta.get("created_at"),
            "created_by": meta.get("created_by"),
            "articles": int(n_art),
            "articles_without_events": int(n_empty),
            "event_mentions": int(n_men),
            "events": int(n_ev),
            "duplicates": int(n_dup),
            "first_date": d0.isoformat() if d0 else None,
            "last_date": d1.isoformat() if d1 else None,
            "coder_versions": {k: int(v) for k, v in versions.items()},
            "rejects": {k: int(v) for k, v in rejects.items()},
        }

    def check(self) -> list[str]:
        """Consistency problems (empty list = consistent): every article has its mentions,
        every mention its article, every event matches its mentions."""
        cur = self._cursor()
        try:
            problems = []
            bad = cur.execute(
                "SELECT a.article_id, a.n_mentions, count(m.event_id) FROM articles a "
                "LEFT JOIN event_mentions m USING (article_id) GROUP BY 1, 2 "
                "HAVING a.n_mentions <> count(m.event_id) LIMIT 5"
            ).fetchall()
            problems += [f"article {a} expects {n} mentions, has {k}" for a, n, k in bad]
            # each check counts the rows that break one invariant
            checks = [
                (
                    "SELECT count(*) FROM event_mentions m ANTI JOIN articles a USING (article_id)",
                    "{} mentions without their article",
                ),
                (
                    # a duplicate counts every mention of its original once more
                    "SELECT count(*) FROM (SELECT event_key, count(*) AS n FROM ("
                    "SELECT event_key FROM event_mentions UNION ALL SELECT m.event_key "
                    "FROM event_mentions m JOIN duplicates d USING (article_id)) GROUP BY 1) m "
                    "FULL JOIN events e USING (event_key) "
                    "WHERE m.n IS DISTINCT FROM e.num_mentions",
                    "{} events disagree with their mentions",
                ),
                (
                    "SELECT count(*) FROM duplicates d ANTI JOIN articles a USING (article_id)",
                    "{} duplicates without their original article",
                ),
                (
                    "SELECT count(*) FROM article_signatures s ANTI JOIN articles a "
                    "USING (article_id)",
                    "{} signatures without their article",
                ),
                (
                    "SELECT count(*) FROM (SELECT article_id, event_id FROM event_mentions "
                    "GROUP BY 1, 2 HAVING count(*) > 1)",
                    "{} mentions stored twice",
                ),
                (
                    "SELECT count(*) FROM (SELECT event_key FROM events GROUP BY 1 "
                    "HAVING count(*) > 1)",
                    "{} events stored twice",
                ),
            ]
            for sql, message in checks:
                count = cur.execute(sql).fetchone()[0]
                if count:
                    problems.append(message.format(count))
        finally:
            cur.close()
        return problems

    # ------------------------------------------------------------------ exports

    def export(
        self,
        path: str | Path,
        fmt: str,
        table: str = "events",
        *,
        overwrite: bool = False,
        **filters: Any,
    ) -> int:
        """Write a table (events and mentions filtered) as ``parquet`` (a folder partitioned
        by month), ``csv``, ``jsonl`` or ``gdelt`` (GDELT 2.0 61-column TSV, events only).
        Returns the number of rows written."""
        from dyad.store.export import export

        return export(self, Path(path), fmt, table, filters, overwrite=overwrite)


def _page(sql: str, params: list[Any], limit: int | None, offset: int) -> tuple[str, list[Any]]:
    if limit is not None:
        if int(limit) < 0:
            raise UsageError("limit must be >= 0")
        sql += " LIMIT ?"
        params = [*params, int(limit)]
    if offset:
        if int(offset) < 0:
            raise UsageError("offset must be >= 0")
        sql += " OFFSET ?"
        params = [*params, int(offset)]
    return sql, params


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
