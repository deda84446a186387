"""Code a corpus on dask.distributed: partitions of input files, Parquet out, a manifest.

    report = run_batch(["news/"], "out/", workers=2)          # a LocalCluster
    report = run_batch(["news/"], "out/", scheduler="tcp://host:8786")
    with Store.open("events.duckdb") as store:
        load_batch_dir(store, "out/")                          # one add_batch per partition

The driver plans deterministic partitions of the inputs (the same inputs give the same
partitions), sends each to a worker, and records what happened in ``DIR/manifest.json``.
A worker loads the coder once per process (``Coder.load`` caches it), reads its inputs with
``dyad.ingest.read_inputs`` and writes, each atomically (temp file in the same folder,
fsync, ``os.replace``):

    DIR/part-NNNNN.parquet            events: the flat layout of ``dyad code --format parquet``
                                      plus ``tone`` and ``article_hash`` (the store's id)
    DIR/articles/part-NNNNN.parquet   the articles coded (text included), one row each
    DIR/rejects/part-NNNNN.parquet    inputs skipped, with reason and message

A partition is finished only when the manifest says ``done``; a rerun skips those and codes
the rest. A partition that fails is retried, then reported as ``failed`` with its error.
Nothing here decides what an event is: that is ``dyad.pipeline`` alone. docs/batch.md has
the whole story.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from dyad.errors import (
    DyadError,
    InputNotFound,
    MalformedRecord,
    Rejection,
    UnknownFormat,
    UsageError,
)
from dyad.records import Article, Event, arrow_schema, flat_row

MANIFEST = "manifest.json"
MANIFEST_FORMAT = "dyad-batch"
MANIFEST_VERSION = 1
DEFAULT_PARTITION_BYTES = 2 * 1024 * 1024
DEFAULT_RETRIES = 2
DEFAULT_MAX_BYTES = 2 * 1024 * 1024
FLUSH_ROWS = 2_000  # rows buffered before a Parquet row group is written
ATTEMPTS_DIR = ".attempts"
WAIT_FOR_WORKERS = 120  # seconds the driver waits for a first worker to join
_JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})


# ------------------------------------------------------------------------------ options


@dataclass(frozen=True)
class CoderOptions:
    """How workers build the coder (``Coder.load`` arguments; paths made absolute)."""

    model: str | None = None
    ner: bool = False
    actors: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    @classmethod
    def make(
        cls,
        model: str | None = None,
        ner: bool = False,
        actors: Iterable[str | Path] = (),
        patterns: Iterable[str | Path] = (),
    ) -> CoderOptions:
        for f in (*actors, *patterns):
            if not Path(f).is_file():
                raise InputNotFound(f"{f}: no such lexicon file")
        return cls(
            model=model,
            ner=ner,
            actors=tuple(str(Path(f).resolve()) for f in actors),
            patterns=tuple(str(Path(f).resolve()) for f in patterns),
        )

    def load(self) -> Any:
        from dyad.pipeline import Coder

        return Coder.load(
            model=self.model, actors=self.actors, patterns=self.patterns, ner=self.ner
        )

    def version(self) -> str:
        """The store's coder version string, as `dyad ingest` computes it."""
        from dyad.store import coder_version

        tag = f"{self.model or ''}+ner" if self.ner else self.model
        return coder_version(tag, self.actors, self.patterns)


@dataclass(frozen=True)
class ReadSpec:
    """The reading options every worker applies (``dyad.ingest.ReadOptions`` fields)."""

    input_format: str = "auto"
    strict: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    date: str | None = None  # ISO date for articles without one
    # further ReadOptions fields, as (name, value) pairs of picklable values, passed as
    # they are (e.g. (("check_language", False),)); unknown names fail in the driver
    extra: tuple[tuple[str, Any], ...] = ()

    def options(
        self, on_reject: Callable[[Rejection], None], on_warning: Callable[[str], None]
    ) -> Any:
        from dyad.ingest import ReadOptions
        from dyad.pipeline import parse_date

        return ReadOptions(
            input_format=self.input_format,
            strict=self.strict,
            max_bytes=self.max_bytes,
            default_date=parse_date(self.date, "--date") if self.date else None,
            on_reject=on_reject,
            on_warning=on_warning,
            **dict(self.extra),
        )

    @classmethod
    def from_options(cls, opts: Any) -> ReadSpec:
        """The picklable part of a ``dyad.ingest.ReadOptions`` (callbacks, a fetcher and
        the URL index stay behind: each worker gets its own)."""
        import dataclasses

        skip = {"on_reject", "on_warning", "on_skip", "seen_url", "fetcher", "default_date"}
        main = {"input_format", "strict", "max_bytes"}
        extra = tuple(
            (f.name, getattr(opts, f.name))
            for f in dataclasses.fields(opts)
            if f.name not in skip | main and not callable(getattr(opts, f.name))
        )
        date = opts.default_date
        return cls(
            input_format=opts.input_format,
            strict=opts.strict,
            max_bytes=opts.max_bytes,
            date=date.isoformat() if hasattr(date, "isoformat") else date,
            extra=extra,
        )

    def check(self) -> None:
        """Refuse bad options in the driver, before any worker sees them."""
        import dyad.ingest

        formats = getattr(dyad.ingest, "INPUT_FORMATS", None)
        if formats and self.input_format not in formats:
            raise UnknownFormat(
                f"unknown input format {self.input_format!r}; use one of {', '.join(formats)}"
            )
        if self.max_bytes < 1:
            raise UsageError("--max-bytes must be at least 1")
        if self.date:
            from dyad.pipeline import parse_date

            parse_date(self.date, "--date")
        try:
            self.options(lambda r: None, lambda w: None)
        except TypeError as exc:
            raise UsageError(f"reading options {dict(self.extra)}: {exc}") from None

    def is_jsonl(self, path: Path) -> bool:
        if self.input_format != "auto":
            return self.input_format == "jsonl"
        import dyad.ingest

        suffixes = getattr(dyad.ingest, "JSONL_SUFFIXES", _JSONL_SUFFIXES)
        return path.suffix.lower() in suffixes


# ------------------------------------------------------------------------------ partitions


@dataclass(frozen=True)
class Piece:
    """A whole input file, or (JSONL) the lines in bytes [start, end) of one."""

    path: str  # absolute
    size: int
    mtime_ns: int
    start: int = 0
    end: int | None = None  # None: to the end of the file
    line: int = 0  # lines before ``start`` (so records keep their line numbers)
    name: str = ""  # the path as the user gave it: rejects and warnings name it so

    @property
    def nbytes(self) -> int:
        return (self.size if self.end is None else self.end) - self.start

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "size": self.size, "mtime_ns": self.mtime_ns}
        if self.end is not None:
            d.update(start=self.start, end=self.end, line=self.line)
        if self.name and self.name != self.path:
            d["name"] = self.name
        return d

    def identity(self) -> str:
        """What the work depends on: the file (path, size, mtime) and the byte range."""
        return json.dumps([self.path, self.size, self.mtime_ns, self.start, self.end, self.line])

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Piece:
        return cls(
            path=d["path"],
            size=int(d["size"]),
            mtime_ns=int(d["mtime_ns"]),
            start=int(d.get("start", 0)),
            end=None if d.get("end") is None else int(d["end"]),
            line=int(d.get("line", 0)),
            name=str(d.get("name", "")),
        )


@dataclass(frozen=True)
class Partition:
    index: int
    pieces: tuple[Piece, ...]
    key: str  # hash of the pieces and the reading options: what makes the work the same

    @property
    def name(self) -> str:
        return f"part-{self.index:05d}"

    @property
    def nbytes(self) -> int:
        return sum(p.nbytes for p in self.pieces)

    def files(self) -> dict[str, str]:
        """Output files, relative to the batch folder."""
        return {
            "events": f"{self.name}.parquet",
            "articles": f"articles/{self.name}.parquet",
            "rejects": f"rejects/{self.name}.parquet",
        }


def parse_size(text: str | int) -> int:
    """``2MB``, ``512KB``, ``1GB``, ``1048576`` -> bytes (binary units)."""
    if isinstance(text, int):
        value = text
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", str(text), re.IGNORECASE)
        if not m:
            raise UsageError(f"{text!r} is not a size (e.g. 2MB, 512KB, 1GB)")
        unit = 1024 ** " kmgt".index(m.group(2).lower() or " ")
        value = int(float(m.group(1)) * unit)
    if value < 1:
        raise UsageError("a partition size must be at least 1 byte")
    return value


def list_files(inputs: Iterable[str]) -> list[Path]:
    """Files of the inputs in the order ``dyad code`` reads them (``dyad.ingest``: folders
    recursively and sorted, hidden files skipped). Missing input -> InputNotFound."""
    from dyad.ingest import expand_paths

    inputs = list(inputs)
    if not inputs or "-" in inputs:
        raise UsageError("dyad batch reads files and folders, not stdin")
    for raw in inputs:
        if re.match(r"(?i)^https?://", raw):
            raise UsageError(
                f"{raw}: dyad batch reads files and folders, not URLs (download them first, "
                "or use `dyad ingest --fetch`)"
            )
    return [p for p in expand_paths(inputs) if p is not None]


def _jsonl_chunks(path: Path, size: int, target: int) -> Iterator[tuple[int, int, int]]:
    """(start, end, lines before start) of line-aligned chunks of about ``target`` bytes."""
    start, line = 0, 0
    with open(path, "rb") as fh:
        while start < size:
            fh.seek(min(start + target, size))
            if start + target < size:
                fh.readline()  # to the end of the line the cut falls in
            end = min(fh.tell(), size)
            if end <= start:
                end = size
            yield start, end, line
            fh.seek(start)
            left = end - start
            while left:
                block = fh.read(min(left, 1 << 20))
                if not block:
                    break
                line += block.count(b"\n")
                left -= len(block)
            start = end


def plan_partitions(
    inputs: Sequence[str],
    read: ReadSpec | None = None,
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
) -> list[Partition]:
    """Deterministic partitions: files in reading order, packed greedily up to
    ``partition_bytes``; a JSONL file larger than that is cut at line boundaries. The
    same inputs (paths, sizes, modification times) and options give the same partitions."""
    read = read or ReadSpec()
    pieces: list[Piece] = []
    for f in list_files(inputs):
        st = f.stat()
        path, name = str(f.resolve()), str(f)
        if st.st_size > partition_bytes and read.is_jsonl(f):
            for start, end, line in _jsonl_chunks(f, st.st_size, partition_bytes):
                pieces.append(Piece(path, st.st_size, st.st_mtime_ns, start, end, line, name))
        else:
            pieces.append(Piece(path, st.st_size, st.st_mtime_ns, name=name))
    groups: list[list[Piece]] = []
    current: list[Piece] = []
    held = 0
    for piece in pieces:
        if current and held + piece.nbytes > partition_bytes:
            groups.append(current)
            current, held = [], 0
        current.append(piece)
        held += piece.nbytes
        if held >= partition_bytes:
            groups.append(current)
            current, held = [], 0
    if current:
        groups.append(current)
    read_key = json.dumps(asdict(read), sort_keys=True, default=str)
    out = []
    for i, group in enumerate(groups):
        h = hashlib.sha256(read_key.encode())
        for p in group:
            h.update(p.identity().encode())
        out.append(Partition(i, tuple(group), h.hexdigest()[:20]))
    return out


# ------------------------------------------------------------------------------ worker side

# spaCy is not thread-safe: a worker started with several threads still codes one
# partition at a time.
_CODE_LOCK = threading.Lock()


class _Collect:
    def __init__(self) -> None:
        self.rejects: list[Rejection] = []
        self.warnings: list[str] = []

    def reject(self, r: Rejection) -> None:
        self.rejects.append(r)

    def warn(self, w: str) -> None:
        self.warnings.append(w)


def _read(names: list[str], opts: Any) -> Iterator[tuple[Article, str | None]]:
    """(article, its input name) with ``dyad.ingest.read_articles``; read_inputs (no
    names) where that is missing."""
    import dyad.ingest

    read_articles = getattr(dyad.ingest, "read_articles", None)
    if read_articles is not None:
        yield from read_articles(names, opts)
    else:
        for a in dyad.ingest.read_inputs(names, opts):
            yield a, None


def _piece_articles(
    piece: Piece, read: ReadSpec, collect: Any
) -> Iterator[tuple[Article, str | None]]:
    shown = piece.name or piece.path
    if piece.end is None:
        name = piece.path
        with _renaming_errors(name, shown):
            for a, where in _read([name], read.options(*_renamed(collect, name, shown))):
                yield a, where.replace(name, shown) if where else shown
        return
    # a JSONL chunk: its lines in a file of the same name, after as many blank lines as
    # precede them, so record ids and messages ("file.jsonl:1234") match the whole file
    tmpdir = tempfile.mkdtemp(prefix="dyad-batch-")
    try:
        tmp = Path(tmpdir) / Path(piece.path).name
        with open(piece.path, "rb") as src, open(tmp, "wb") as dst:
            pad = piece.line
            while pad:
                n = min(pad, 1 << 20)
                dst.write(b"\n" * n)
                pad -= n
            src.seek(piece.start)
            left = piece.nbytes
            while left:
                block = src.read(min(left, 1 << 20))
                if not block:
                    break
                dst.write(block)
                left -= len(block)
        name = str(tmp)
        with _renaming_errors(name, shown):
            for a, where in _read([name], read.options(*_renamed(collect, name, shown))):
                yield a, where.replace(name, shown) if where else shown
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


@contextlib.contextmanager
def _renaming_errors(name: str, shown: str) -> Iterator[None]:
    """A reading error (--strict) names the input as the user gave it."""
    try:
        yield
    except DyadError as exc:
        if name in exc.message:
            raise type(exc)(exc.message.replace(name, shown)) from None
        raise


def _renamed(
    collect: _Collect, name: str, shown: str
) -> tuple[Callable[[Rejection], None], Callable[[str], None]]:
    """Reject and warning callbacks that name the input as the user gave it."""

    def reject(r: Rejection) -> None:
        collect.reject(Rejection(r.input.replace(name, shown), r.reason, r.message))

    def warn(w: str) -> None:
        collect.warn(w.replace(name, shown))

    return reject, warn


def _events_schema() -> Any:
    import pyarrow as pa

    base = arrow_schema()
    return base.append(pa.field("tone", pa.float64())).append(pa.field("article_hash", pa.string()))


def _articles_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("article_hash", pa.string()),
            ("id", pa.string()),
            ("input", pa.string()),
            ("text", pa.string()),
            ("date", pa.date32()),
            ("url", pa.string()),
            ("source", pa.string()),
            ("title", pa.string()),
            ("n_events", pa.int64()),
        ]
    )


def _rejects_schema() -> Any:
    import pyarrow as pa

    return pa.schema([("input", pa.string()), ("reason", pa.string()), ("message", pa.string())])


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _AtomicParquet:
    """A Parquet file written under a temp name in its folder, renamed into place by
    ``commit``; rows are buffered and written in row groups."""

    def __init__(self, target: Path, schema: Any) -> None:
        import pyarrow.parquet as pq

        target.parent.mkdir(parents=True, exist_ok=True)
        self.target = target
        self.tmp = target.with_name(f".{target.name}.tmp-{uuid.uuid4().hex[:12]}")
        self.schema = schema
        self.rows: list[dict[str, Any]] = []
        self.count = 0
        self.writer = pq.ParquetWriter(str(self.tmp), schema)

    def add(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        self.count += 1
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self.flush()
        self.writer.close()
        with open(self.tmp, "rb+") as fh:
            os.fsync(fh.fileno())

    def commit(self) -> None:
        os.replace(self.tmp, self.target)

    def abort(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()
        with contextlib.suppress(OSError):
            self.tmp.unlink()


def _note_attempt(out_dir: Path, name: str) -> None:
    """One line per start of a partition, so the manifest counts attempts that died with
    their worker too."""
    folder = out_dir / ATTEMPTS_DIR
    folder.mkdir(exist_ok=True)
    line = f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} {_worker_name()}\n"
    with open(folder / name, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"local:{os.getpid()}"


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def warm_worker(coder: CoderOptions) -> dict[str, Any]:
    """Load the coder in this process (run once on each worker before the partitions)."""
    with _CODE_LOCK:
        t0 = time.perf_counter()
        coder.load()
    return {
        "worker": _worker_name(),
        "pid": os.getpid(),
        "load_seconds": round(time.perf_counter() - t0, 2),
        "peak_rss_mb": peak_rss_mb(),
    }


def code_partition(
    part: Partition, out_dir: str, coder: CoderOptions, read: ReadSpec
) -> dict[str, Any]:
    """Code one partition and write its three Parquet files atomically (the Dask task).

    Returns counts, timing and this worker's peak memory. Any exception leaves no
    partial file behind under a final name."""
    from dyad.store import content_hash

    folder = Path(out_dir)
    _note_attempt(folder, part.name)
    t0 = time.perf_counter()
    files = {k: folder / v for k, v in part.files().items()}
    collect = _Collect()
    with _CODE_LOCK:
        the_coder = coder.load()
        events_out = _AtomicParquet(files["events"], _events_schema())
        articles_out = _AtomicParquet(files["articles"], _articles_schema())
        rejects_out = _AtomicParquet(files["rejects"], _rejects_schema())
        outs = (rejects_out, articles_out, events_out)
        try:
            wheres: collections.deque[str | None] = collections.deque()

            def articles() -> Iterator[Article]:
                for p in part.pieces:
                    for a, where in _piece_articles(p, read, collect):
                        wheres.append(where)
                        yield a

            # code_articles yields in input order, so the input names follow in a queue
            for article, events in the_coder.code_articles(articles()):
                h = content_hash(article.text)
                articles_out.add(
                    {
                        "article_hash": h,
                        "id": article.id,
                        "input": wheres.popleft(),
                        "text": article.text,
                        "date": article.date,
                        "url": article.url,
                        "source": article.source,
                        "title": article.title,
                        "n_events": len(events),
                    }
                )
                for e in events:
                    row = flat_row(e)
                    row["tone"] = e.tone
                    row["article_hash"] = h
                    events_out.add(row)
            for r in collect.rejects:
                rejects_out.add({"input": r.input, "reason": r.reason, "message": r.message})
            for out in outs:
                out.close()
            for out in outs:  # events last: its presence means the partition is whole
                out.commit()
            _fsync_dir(folder)
            _fsync_dir(folder / "articles")
            _fsync_dir(folder / "rejects")
        except BaseException:
            for out in outs:
                out.abort()
            raise
    return {
        "articles": articles_out.count,
        "events": events_out.count,
        "rejects": rejects_out.count,
        "warnings": len(collect.warnings),
        "warning_messages": collect.warnings[:10],
        "seconds": round(time.perf_counter() - t0, 3),
        "worker": _worker_name(),
        "pid": os.getpid(),
        "peak_rss_mb": peak_rss_mb(),
    }


# ------------------------------------------------------------------------------ manifest


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds")


def write_json_atomic(path: Path, data: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:12]}")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, ensure_ascii=False, default=str)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def read_manifest(directory: str | Path) -> dict[str, Any]:
    """The manifest of a batch folder; InputNotFound / MalformedRecord otherwise."""
    folder = Path(directory)
    path = folder / MANIFEST
    if not folder.is_dir():
        raise InputNotFound(f"{directory}: no such folder")
    if not path.is_file():
        raise InputNotFound(f"{directory}: not a dyad batch folder (no {MANIFEST})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRecord(f"{path}: unreadable manifest ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise MalformedRecord(f"{path}: not a dyad batch manifest")
    if int(data.get("version", 0)) > MANIFEST_VERSION:
        raise MalformedRecord(
            f"{path}: manifest version {data.get('version')} is newer than this dyad reads "
            f"({MANIFEST_VERSION}); upgrade dyad"
        )
    return data


def _summary(entries: list[dict[str, Any]]) -> dict[str, int]:
    s = {"partitions": len(entries), "done": 0, "failed": 0, "pending": 0, "running": 0}
    for key in ("articles", "events", "rejects"):
        s[key] = 0
    for e in entries:
        s[e["status"]] = s.get(e["status"], 0) + 1
        if e["status"] == "done":
            for key in ("articles", "events", "rejects"):
                s[key] += int(e.get(key) or 0)
    return s


def _entry(part: Partition) -> dict[str, Any]:
    return {
        "partition": part.index,
        "name": part.name,
        "key": part.key,
        "inputs": [p.as_dict() for p in part.pieces],
        "bytes": part.nbytes,
        "files": part.files(),
        "status": "pending",
        "attempts": 0,
        "articles": None,
        "events": None,
        "rejects": None,
        "warnings": None,
        "error": None,
        "seconds": None,
        "worker": None,
        "peak_rss_mb": None,
        "finished_at": None,
    }


def _count_attempts(out_dir: Path, name: str) -> int:
    try:
        with open(out_dir / ATTEMPTS_DIR / name, encoding="utf-8") as fh:
            return sum(1 for line in fh if line.strip())
    except OSError:
        return 0


def _remove_outputs(out_dir: Path, files: dict[str, str]) -> None:
    for rel in files.values():
        with contextlib.suppress(OSError):
            (out_dir / rel).unlink()


def _clean_temps(out_dir: Path) -> None:
    for folder in (out_dir, out_dir / "articles", out_dir / "rejects"):
        if folder.is_dir():
            for f in folder.glob(".*.tmp-*"):
                with contextlib.suppress(OSError):
                    f.unlink()


# ------------------------------------------------------------------------------ driver


@dataclass
class BatchReport:
    """What a run did. ``failed`` lists (partition name, error) after all retries."""

    out_dir: Path
    partitions: int
    done: int
    skipped: int  # already done by an earlier run
    failed: list[tuple[str, str]] = field(default_factory=list)
    articles: int = 0  # in all done partitions
    events: int = 0
    rejects: int = 0
    seconds: float = 0.0
    workers: int = 0
    peak_rss_mb: dict[str, float] = field(default_factory=dict)  # worker -> peak MB

    @property
    def ok(self) -> bool:
        return not self.failed


def _client_for(
    workers: int | None, scheduler: str | None, quiet: bool
) -> tuple[Any, Any, int | None]:
    import logging

    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as exc:
            raise UsageError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        return client, None, None
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n < 1:
        raise UsageError("--workers must be at least 1")
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",
        silence_logs=logging.ERROR if quiet else logging.WARNING,
    )
    return Client(cluster), cluster, n


def run_batch(
    inputs: Sequence[str],
    out_dir: str | Path,
    *,
    coder: CoderOptions | None = None,
    read: ReadSpec | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    client: Any = None,
    retries: int = DEFAULT_RETRIES,
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
    restart: bool = False,
    progress: bool | None = False,
    on_message: Callable[[str], None] | None = None,
) -> BatchReport:
    """Code ``inputs`` into ``out_dir`` on Dask: a LocalCluster of ``workers`` processes
    (default: one per CPU, one thread each), the scheduler at ``scheduler``, or a
    ``client`` you already have. Finished partitions of an earlier run are skipped
    (``restart=True`` codes everything again). Failing partitions are retried
    ``retries`` times, then reported in ``BatchReport.failed`` and the manifest."""
    coder = coder or CoderOptions()
    read = read or ReadSpec()
    say = on_message or (lambda m: None)
    if workers is not None and scheduler is not None:
        raise UsageError("give --workers or --scheduler, not both")
    if retries < 0:
        raise UsageError("--retries must be 0 or more")
    read.check()
    folder = Path(out_dir)
    t_start = time.perf_counter()
    plan = plan_partitions(inputs, read, partition_bytes)
    version = coder.version()
    manifest_path = folder / MANIFEST
    old: dict[str, Any] | None = None
    if folder.exists():
        if not folder.is_dir():
            raise UsageError(f"{folder}: exists and is not a folder")
        if manifest_path.exists():
            old = read_manifest(folder)
        elif any(folder.iterdir()):
            raise UsageError(
                f"{folder}: folder is not empty and holds no {MANIFEST}; give a new or empty "
                "folder for the batch output"
            )
    if old is not None and not restart and old.get("coder", {}).get("coder_version") != version:
        raise UsageError(
            f"{folder} holds results of another coder "
            f"({old.get('coder', {}).get('coder_version')}; this run: {version}); "
            "use another output folder, or --restart to code everything again"
        )
    folder.mkdir(parents=True, exist_ok=True)
    _clean_temps(folder)
    old_entries = {int(e["partition"]): e for e in (old or {}).get("partitions", [])}
    entries: list[dict[str, Any]] = []
    todo: list[Partition] = []
    for part in plan:
        prev = old_entries.get(part.index)
        if (
            not restart
            and prev is not None
            and prev.get("key") == part.key
            and prev.get("status") == "done"
            and all((folder / rel).is_file() for rel in part.files().values())
        ):
            entries.append(prev)
            continue
        entries.append(_entry(part))
        todo.append(part)
        if prev is not None:
            _remove_outputs(folder, prev.get("files") or part.files())
    for index, prev in old_entries.items():
        if index >= len(plan):  # the inputs shrank: these outputs belong to nothing now
            _remove_outputs(folder, prev.get("files") or {})
            with contextlib.suppress(OSError):
                (folder / ATTEMPTS_DIR / prev.get("name", "")).unlink()
    for part in todo:
        with contextlib.suppress(OSError):
            (folder / ATTEMPTS_DIR / part.name).unlink()
    manifest: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "version": MANIFEST_VERSION,
        "created_at": ((old or {}).get("created_at") if not restart else None) or _now(),
        "updated_at": _now(),
        "dyad_version": _dyad_version(),
        "coder": {
            "model": coder.model,
            "ner": coder.ner,
            "actors": list(coder.actors),
            "patterns": list(coder.patterns),
            "coder_version": version,
        },
        "read": asdict(read),
        "inputs": [str(i) for i in inputs],
        "partition_bytes": partition_bytes,
        "retries": retries,
        "partitions": entries,
        "summary": {},
    }

    def save() -> None:
        manifest["updated_at"] = _now()
        manifest["summary"] = _summary(entries)
        write_json_atomic(manifest_path, manifest)

    save()
    skipped = len(plan) - len(todo)
    report = BatchReport(folder, len(plan), done=0, skipped=skipped)
    if skipped:
        say(f"{skipped} of {len(plan)} partitions already done; {len(todo)} to code")
    if todo:
        _run_partitions(
            todo,
            entries,
            folder,
            coder,
            read,
            retries=retries,
            workers=workers,
            scheduler=scheduler,
            client=client,
            progress=progress,
            total=len(plan),
            save=save,
            report=report,
            say=say,
        )
    save()
    _clean_temps(folder)
    report.done = sum(1 for e in entries if e["status"] == "done")
    report.failed = [(e["name"], e.get("error") or "?") for e in entries if e["status"] != "done"]
    s = manifest["summary"]
    report.articles, report.events, report.rejects = s["articles"], s["events"], s["rejects"]
    report.seconds = round(time.perf_counter() - t_start, 2)
    return report


def _dyad_version() -> str:
    from dyad import __version__

    return __version__


def _quiet_plugin() -> Any:
    """A worker plugin for the LocalCluster dyad starts: the driver reports a failing
    partition itself (one line, error in the manifest), so the worker's own "Compute
    Failed" log with the whole traceback is dropped for dyad's tasks."""
    from distributed.diagnostics.plugin import WorkerPlugin

    class QuietDyadFailures(WorkerPlugin):
        name = "dyad-quiet-failures"

        def setup(self, worker: Any) -> None:
            import logging

            logging.getLogger("distributed.worker").addFilter(_drop_dyad_failures)

    return QuietDyadFailures()


def _drop_dyad_failures(record: Any) -> bool:
    msg = str(record.msg)
    return not (msg.startswith("Compute Failed") and "dyad-" in record.getMessage())


def _run_partitions(
    todo: list[Partition],
    entries: list[dict[str, Any]],
    folder: Path,
    coder: CoderOptions,
    read: ReadSpec,
    *,
    retries: int,
    workers: int | None,
    scheduler: str | None,
    client: Any,
    progress: bool | None,
    total: int,
    save: Callable[[], None],
    report: BatchReport,
    say: Callable[[str], None],
) -> None:
    from distributed import as_completed
    from tqdm import tqdm

    own_client, cluster = None, None
    if client is None:
        own_client, cluster, n_local = _client_for(workers, scheduler, quiet=False)
        report.workers = n_local or 0
        client = own_client
        if cluster is not None:
            with contextlib.suppress(Exception):
                client.register_plugin(_quiet_plugin())
    bar = tqdm(
        total=total,
        initial=total - len(todo),
        unit="part",
        desc="partitions",
        file=sys.stderr,
        delay=1.0,
        dynamic_ncols=True,
        disable=True if progress is False else (False if progress else None),
    )
    by_index = {int(e["partition"]): e for e in entries}
    futures: dict[Any, Partition] = {}
    submitted: dict[int, int] = {}
    failed = 0
    last_save = time.monotonic()
    try:
        _warm(client, coder, report)
        report.workers = report.workers or len(client.scheduler_info().get("workers", {}))
        out = str(folder.resolve())

        def submit(part: Partition) -> Any:
            submitted[part.index] = submitted.get(part.index, 0) + 1
            by_index[part.index]["status"] = "running"
            fut = client.submit(
                code_partition,
                part,
                out,
                coder,
                read,
                key=f"dyad-{part.name}-{uuid.uuid4().hex[:12]}",
                pure=False,
                retries=0,
            )
            futures[fut] = part
            return fut

        queue = as_completed([submit(p) for p in todo], with_results=False)
        for fut in queue:
            part = futures.pop(fut)
            entry = by_index[part.index]
            entry["attempts"] = max(
                _count_attempts(folder, part.name), submitted.get(part.index, 0)
            )
            if fut.status == "finished":
                res = fut.result()
                entry.update(
                    status="done",
                    articles=res["articles"],
                    events=res["events"],
                    rejects=res["rejects"],
                    warnings=res["warnings"],
                    error=None,
                    seconds=res["seconds"],
                    worker=res["worker"],
                    peak_rss_mb=res["peak_rss_mb"],
                    finished_at=_now(),
                )
                entry.pop("traceback", None)
                report.peak_rss_mb[res["worker"]] = max(
                    report.peak_rss_mb.get(res["worker"], 0.0), res["peak_rss_mb"]
                )
                for w in res.get("warning_messages", []):
                    say(f"warning: {w}")
                if res["warnings"] > len(res.get("warning_messages", [])):
                    say(f"{part.name}: {res['warnings']} warnings in all")
                bar.update(1)
            else:
                error, tb = _describe_failure(fut)
                entry.update(error=error, traceback=tb, worker=None)
                if submitted[part.index] <= retries:
                    say(f"{part.name} failed (attempt {submitted[part.index]}): {error}; retrying")
                    entry["status"] = "pending"
                    queue.add(submit(part))
                else:
                    entry.update(status="failed", finished_at=_now())
                    failed += 1
                    say(f"{part.name} failed after {entry['attempts']} attempts: {error}")
                    bar.update(1)
            fut.release()
            bar.set_postfix(failed=failed, refresh=False)
            if time.monotonic() - last_save > 1.0:
                save()
                last_save = time.monotonic()
    except BaseException:
        for fut in list(futures):
            with contextlib.suppress(Exception):
                fut.cancel()
        for e in entries:
            if e["status"] == "running":
                e["status"] = "pending"
        raise
    finally:
        bar.close()
        with contextlib.suppress(Exception):
            save()
        if own_client is not None:
            with contextlib.suppress(Exception):
                own_client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


def _warm(client: Any, coder: CoderOptions, report: BatchReport) -> None:
    """Load the coder on every worker first: a model that cannot load fails the run once,
    with its own message, instead of failing every partition."""
    from dyad.errors import DyadError, ModelError

    try:
        client.wait_for_workers(1, timeout=WAIT_FOR_WORKERS)
    except TimeoutError:
        raise UsageError(
            f"no Dask worker joined the scheduler {client.scheduler.address} within "
            f"{WAIT_FOR_WORKERS} s; start workers (`dask worker ADDRESS --nthreads 1`)"
        ) from None
    addresses = sorted(client.scheduler_info().get("workers", {}))
    futures = [
        client.submit(
            warm_worker,
            coder,
            key=f"dyad-warm-{uuid.uuid4().hex[:12]}",
            workers=[a],
            allow_other_workers=True,
            pure=False,
        )
        for a in addresses
    ]
    try:
        for res in client.gather(futures):
            report.peak_rss_mb[res["worker"]] = res["peak_rss_mb"]
    except DyadError:
        raise
    except Exception as exc:
        # a worker that died while loading is not fatal: the partitions go elsewhere
        if "KilledWorker" not in type(exc).__name__:
            raise ModelError(
                f"the coder did not load on the Dask workers: {type(exc).__name__}: {exc} "
                "(is this dyad, with its model, installed where the workers run?)"
            ) from exc


def _describe_failure(fut: Any) -> tuple[str, str | None]:
    try:
        exc = fut.exception()
    except Exception as err:  # cancelled, or the scheduler lost it
        return f"{type(err).__name__}: {err}", None
    if exc is None:
        return f"task {fut.status}", None
    name = type(exc).__name__
    text = str(exc).strip()
    if name == "KilledWorker":
        text = "the worker process died while coding this partition (" + text + ")"
    tb = None
    with contextlib.suppress(Exception):
        tb = "".join(traceback.format_tb(fut.traceback()))[-4000:] or None
    return (f"{name}: {text}" if text else name), tb


# ------------------------------------------------------------------------------ loading


@dataclass
class LoadReport:
    """What load_batch_dir stored; ``incomplete`` lists partitions not done (not loaded)."""

    partitions: int = 0  # partitions loaded (done ones)
    articles: int = 0  # new articles stored
    mentions: int = 0  # their event mentions
    copies: int = 0  # inputs stored as duplicates (extra sources) of an article
    already: int = 0  # inputs stored before (an earlier load, or `dyad ingest`)
    rejects: int = 0  # new rejects stored (duplicates' included)
    incomplete: list[tuple[str, str, str | None]] = field(default_factory=list)


@dataclass
class PartitionData:
    """One done partition read back: articles in reading order with their input names,
    events by article, rejects."""

    articles: list[tuple[Article, str | None]]
    events: dict[tuple[str, str], list[Event]]  # (article id, article hash) -> events
    rejects: list[Rejection]


def read_partition(directory: str | Path, entry: dict[str, Any]) -> PartitionData:
    """The files of one done partition (``entry``: its manifest entry) as records."""
    import pyarrow.parquet as pq

    from dyad.store.write import event_from_row

    folder = Path(directory)
    files = entry.get("files") or {}
    paths = {k: folder / files.get(k, "") for k in ("events", "articles", "rejects")}
    for kind, path in paths.items():
        if not files.get(kind) or not path.is_file():
            raise InputNotFound(
                f"{folder}: partition {entry.get('name')} is marked done but its {kind} file "
                f"{files.get(kind)} is missing; rerun `dyad batch` with the same inputs"
            )
    articles = [
        (
            Article(
                id=a["id"],
                text=a["text"],
                date=a["date"],
                url=a["url"],
                source=a["source"],
                title=a["title"],
            ),
            a.get("input"),
        )
        for a in pq.read_table(paths["articles"]).to_pylist()
    ]
    events: dict[tuple[str, str], list[Event]] = {}
    for row in pq.read_table(paths["events"]).to_pylist():
        k = (row["article_id"], row["article_hash"])
        events.setdefault(k, []).append(event_from_row(row, "article_id"))
    rejects = [
        Rejection(r["input"], r["reason"], r["message"])
        for r in pq.read_table(paths["rejects"]).to_pylist()
    ]
    return PartitionData(articles, events, rejects)


def load_batch_dir(
    store: Any,
    directory: str | Path,
    *,
    dedup_threshold: float | None = None,
    near_duplicates: bool = True,
    on_partition: Callable[[str, Any], None] | None = None,
) -> LoadReport:
    """Store the done partitions of a batch folder, in order: one ``store.add_batch`` (one
    transaction) per partition. Articles go through the same duplicate decisions as
    ``dyad ingest`` (``dyad.ingest.dedup``: an input stored before is skipped; a copy or
    near-copy of a stored article is stored as one more source of its events, not as new
    events), so loading again adds nothing and the store ends as `dyad ingest` of the same
    inputs leaves it. Partitions not done are not loaded: see ``LoadReport.incomplete``."""
    from dyad.ingest.dedup import DEFAULT_THRESHOLD, Deduplicator
    from dyad.store import content_hash

    manifest = read_manifest(directory)
    version = (manifest.get("coder") or {}).get("coder_version")
    dedup = Deduplicator(
        store,
        threshold=DEFAULT_THRESHOLD if dedup_threshold is None else dedup_threshold,
        near=near_duplicates,
    )
    report = LoadReport()
    for entry in sorted(manifest.get("partitions", []), key=lambda e: int(e["partition"])):
        if entry.get("status") != "done":
            report.incomplete.append(
                (str(entry.get("name")), str(entry.get("status")), entry.get("error"))
            )
            continue
        data = read_partition(directory, entry)
        items: list[tuple[Article, list[Event]]] = []
        duplicates: list[Any] = []
        dup_rejects: list[Rejection] = []
        signatures: list[Any] = []
        for start in range(0, len(data.articles), 256):
            chunk = data.articles[start : start + 256]
            for (article, where), v in zip(chunk, dedup.decide([a for a, _ in chunk]), strict=True):
                if v.kind == "already":
                    report.already += 1
                elif v.kind == "duplicate":
                    dup = v.duplicate
                    assert dup is not None
                    what = (
                        "the same text as"
                        if dup.similarity >= 1.0
                        else f"a near-duplicate (similarity {dup.similarity:.2f}) of"
                    )
                    original = v.original_external_id or dup.article_id[:16]
                    duplicates.append(dup)
                    dup_rejects.append(
                        Rejection(
                            where or article.id,
                            "duplicate",
                            f"{what} {original}; counted as one more source of its events",
                        )
                    )
                else:
                    key = (article.id, content_hash(article.text))
                    items.append((article, data.events.get(key, [])))
                    if v.signature is not None:
                        signatures.append(v.signature)
        rejects = _new_rejects(store, data.rejects) + dup_rejects
        res = store.add_batch(
            items,
            rejects,
            coder_version=version,
            duplicates=duplicates,
            signatures=signatures,
        )
        dedup.committed(
            [content_hash(a.text) for a, _ in items], [d.duplicate_id for d in duplicates]
        )
        report.partitions += 1
        report.articles += res.articles
        report.already += res.duplicates
        report.mentions += res.mentions
        report.copies += getattr(res, "copies", len(duplicates))
        report.rejects += res.rejects
        if on_partition is not None:
            on_partition(str(entry.get("name")), res)
    return report


def _new_rejects(store: Any, rejects: list[Rejection]) -> list[Rejection]:
    """The rejects the store has not recorded yet (a second load counts nothing again)."""
    if not rejects:
        return rejects
    known = store.sql(
        "SELECT input, reason FROM rejects WHERE input IN (SELECT unnest(?::VARCHAR[]))",
        [sorted({r.input for r in rejects})],
    )
    seen = set(zip(known["input"], known["reason"], strict=True))
    return [r for r in rejects if (r.input, r.reason) not in seen]
