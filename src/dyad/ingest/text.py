"""Plain text files (one article each) and JSONL (one article per line)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from dyad.ingest.base import Doc, ReadOptions, reject
from dyad.ingest.detect import EncodingError, decode, looks_binary, magic_kind
from dyad.ingest.tabular import record_doc


def article_name(name: str) -> str:
    return Path(name).name if name != "<stdin>" else "stdin"


def text_doc(data: bytes, name: str, opts: ReadOptions) -> Doc | None:
    """One plain-text article from a file's bytes (already within the size limit)."""
    if looks_binary(data) or magic_kind(data[:16]):
        what = magic_kind(data[:16]) or "a binary file"
        reject(opts, name, "binary", f"looks like {what}, not text")
        return None
    try:
        text = decode(data, name, opts.on_warning)
    except EncodingError as exc:
        reject(opts, name, "bad_encoding", str(exc))
        return None
    return Doc(input=name, id=article_name(name), text=text)


def read_jsonl(lines: Iterable[bytes], name: str, opts: ReadOptions) -> Iterator[Doc]:
    """One JSON object per line; bad lines are rejected with file:line and the rest go on."""
    base = Path(name).name
    noted: set[str] = set()
    for lineno, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        where = f"{name}:{lineno}"
        if len(raw) > opts.max_bytes:
            reject(
                opts,
                where,
                "too_large",
                f"record of {len(raw):,} bytes is over the limit of {opts.max_bytes:,} "
                "(raise it with --max-bytes)",
                record=True,
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
            reject(
                opts,
                where,
                "parse_error",
                f"not JSON ({exc.msg} at column {exc.colno})",
                record=True,
            )
            continue
        if not isinstance(rec, dict):
            reject(opts, where, "parse_error", "a JSONL record must be an object", record=True)
            continue
        doc = record_doc(rec, where, f"{base}:{lineno}", opts, noted)
        if doc is not None:
            yield doc
