"""Readers: turn files, folders and stdin into Articles; report what cannot be read.

Every reader yields Articles and reports skipped input through ``on_reject`` (a Rejection
with a stable reason code) and recoverable oddities through ``on_warning``; nothing is
dropped silently. ``strict=True`` turns malformed records into a MalformedRecord error.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from dyad.errors import InputNotFound, MalformedRecord, Rejection, UnknownFormat, UsageError
from dyad.records import Article

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ""})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})
INPUT_FORMATS = ("auto", "text", "jsonl")


@dataclass
class ReadOptions:
    input_format: str = "auto"
    strict: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES
    default_date: Any = None  # applied to articles without a date of their own
    on_reject: Callable[[Rejection], None] = lambda r: None
    on_warning: Callable[[str], None] = lambda w: None


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or mostly control bytes, in the first 8 KB."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(head) > 0.10


def decode(data: bytes, name: str, opts: ReadOptions) -> str:
    """UTF-8 (with or without BOM); invalid bytes are replaced, with one warning."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        opts.on_warning(
            f"{name}: invalid UTF-8 at byte {exc.start}; undecodable bytes were "
            "replaced with U+FFFD"
        )
        return data.decode("utf-8-sig", errors="replace")


def expand_paths(inputs: Iterable[str]) -> list[Path | None]:
    """Files, folders (recursively, sorted) and '-' for stdin (None). Missing -> error."""
    out: list[Path | None] = []
    for raw in inputs:
        if raw == "-":
            out.append(None)
            continue
        p = Path(raw)
        if p.is_dir():
            files = sorted(f for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
            out.extend(files)
        elif p.is_file():
            out.append(p)
        elif p.exists():
            raise UnknownFormat(f"{raw}: not a regular file or folder")
        else:
            raise InputNotFound(f"{raw}: no such file or folder")
    return out


def read_inputs(inputs: Iterable[str], opts: ReadOptions) -> Iterator[Article]:
    """Articles from paths ('-' or nothing = stdin), in order."""
    if opts.input_format not in INPUT_FORMATS:
        raise UnknownFormat(
            f"unknown input format {opts.input_format!r}; use one of {', '.join(INPUT_FORMATS)}"
        )
    paths = expand_paths(list(inputs) or ["-"])
    for path in paths:
        if path is None:
            yield from read_stream(sys.stdin.buffer, "<stdin>", opts)
            continue
        size = path.stat().st_size
        if size > opts.max_bytes and _format_of(path, opts) != "jsonl":
            opts.on_reject(
                Rejection(
                    str(path),
                    "too_large",
                    f"{size:,} bytes is over the limit of {opts.max_bytes:,} "
                    "(raise it with --max-bytes)",
                )
            )
            continue
        with open(path, "rb") as fh:
            yield from read_stream(fh, str(path), opts, fmt=_format_of(path, opts))


def _format_of(path: Path, opts: ReadOptions) -> str:
    if opts.input_format != "auto":
        return opts.input_format
    return "jsonl" if path.suffix.lower() in JSONL_SUFFIXES else "text"


def read_stream(
    fh: IO[bytes], name: str, opts: ReadOptions, fmt: str | None = None
) -> Iterator[Article]:
    if fmt is None:
        fmt = opts.input_format
    head: list[bytes] = []
    if fmt == "auto":
        # sniff a stream: JSONL when the first non-blank line opens an object
        for line in fh:
            head.append(line)
            if line.strip():
                break
        fmt = "jsonl" if head and head[-1].lstrip().startswith(b"{") else "text"
    if fmt == "jsonl":
        yield from _read_jsonl(itertools.chain(head, fh), name, opts)
        return
    data = b"".join(head)
    data += fh.read(max(0, opts.max_bytes + 1 - len(data)))
    if len(data) > opts.max_bytes:
        opts.on_reject(
            Rejection(
                name,
                "too_large",
                f"more than {opts.max_bytes:,} bytes (raise the limit with --max-bytes)",
            )
        )
        return
    if looks_binary(data):
        opts.on_reject(Rejection(name, "binary", "looks like a binary file, not text"))
        return
    text = decode(data, name, opts)
    article_id = Path(name).name if name != "<stdin>" else "stdin"
    yield Article(id=article_id, text=text, date=_date(opts.default_date, name))


def _date(value: Any, where: str) -> Any:
    from dyad.pipeline import parse_date

    try:
        return parse_date(value)
    except UsageError as exc:
        raise MalformedRecord(f"{where}: {exc.message}") from None


def _read_jsonl(fh: Iterable[bytes], name: str, opts: ReadOptions) -> Iterator[Article]:
    for lineno, raw in enumerate(fh, start=1):
        if not raw.strip():
            continue
        where = f"{name}:{lineno}"
        if len(raw) > opts.max_bytes:
            _bad(
                opts,
                where,
                "too_large",
                f"record of {len(raw):,} bytes is over the limit of {opts.max_bytes:,}",
            )
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            opts.on_warning(f"{where}: invalid UTF-8; undecodable bytes were replaced")
            line = raw.decode("utf-8", errors="replace")
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            _bad(opts, where, "parse_error", f"not JSON ({exc.msg} at column {exc.colno})")
            continue
        if not isinstance(rec, dict):
            _bad(opts, where, "parse_error", "a JSONL record must be an object")
            continue
        text = rec.get("text")
        if not isinstance(text, str):
            _bad(opts, where, "no_text", 'record has no "text" string')
            continue
        rid = rec.get("id")
        article_id = str(rid) if rid not in (None, "") else f"{Path(name).name}:{lineno}"
        try:
            date = _date(rec.get("date") or opts.default_date, where)
        except MalformedRecord as exc:
            if opts.strict:
                raise
            opts.on_warning(f"{exc.message}; the article is coded without a date")
            date = None
        yield Article(
            id=article_id,
            text=text,
            date=date,
            url=_opt_str(rec.get("url")),
            source=_opt_str(rec.get("source")),
            title=_opt_str(rec.get("title")),
        )


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _bad(opts: ReadOptions, where: str, reason: str, message: str) -> None:
    if opts.strict:
        raise MalformedRecord(f"{where}: {message}")
    opts.on_reject(Rejection(where, reason, message))
