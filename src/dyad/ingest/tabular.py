"""Records: CSV/TSV rows and the column mapping they share with JSONL objects.

Each record maps to an article through six fields: id, text, date, url, outlet, title. A
field is read from the column the user named (``--text-column body``) or, by default, from
the first column whose name is one of RECORD_FIELDS' names (any case): ``text``, ``body``,
``content`` ... A row without text is rejected (``no_text`` when the file has no text
column at all, ``empty`` when the cell is empty); the rest of the file carries on.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from dyad.errors import MalformedRecord
from dyad.ingest.base import RECORD_FIELDS, Doc, ReadOptions, reject
from dyad.ingest.meta import parse_loose_date

MAX_ROW_ERRORS = 100  # a file with more broken rows than this is given up


def resolve_columns(
    available: Sequence[str], mapping: Mapping[str, str]
) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """For each record field, the input's column to read it from (None: there is none), and
    the (field, column) pairs named in ``mapping`` that the input lacks: for those the
    default names are tried, so one command can read a folder of differently shaped files.
    Names match exactly, else in any case."""
    by_lower: dict[str, str] = {}
    for name in available:
        by_lower.setdefault(str(name).strip().lower(), name)
    exact = set(available)
    out: dict[str, str | None] = {}
    missing: list[tuple[str, str]] = []
    for field_name, defaults in RECORD_FIELDS.items():
        wanted = mapping.get(field_name)
        if wanted:
            if wanted in exact:
                out[field_name] = wanted
                continue
            if wanted.strip().lower() in by_lower:
                out[field_name] = by_lower[wanted.strip().lower()]
                continue
            missing.append((field_name, wanted))
        out[field_name] = next((by_lower[d] for d in defaults if d in by_lower), None)
    return out, missing


def _missing_note(name: str, missing: list[tuple[str, str]], cols: dict[str, str | None]) -> str:
    parts = []
    for field_name, wanted in missing:
        used = cols.get(field_name)
        parts.append(
            f"no column {wanted!r} (--{field_name}-column)"
            + (f"; read {used!r} instead" if used else "")
        )
    return f"{name}: " + "; ".join(parts)


def record_date(value: Any, where: str, opts: ReadOptions) -> Any:
    """A record's date, or None with a warning when it is not a date (--strict: an error)."""
    try:
        return parse_loose_date(value)
    except ValueError:
        message = f"{where}: date {value!r} is not a date"
        if opts.strict:
            raise MalformedRecord(message) from None
        opts.on_warning(f"{message}; the article is coded without a date")
        return None


def _text_value(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _opt(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def sniff_delimiter(sample: str, fmt: str, opts: ReadOptions) -> str:
    if opts.csv_delimiter:
        return "\t" if opts.csv_delimiter in ("\\t", "tab") else opts.csv_delimiter
    if fmt == "tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def read_csv(fh: IO[bytes], name: str, opts: ReadOptions, fmt: str = "csv") -> Iterator[Doc]:
    """Rows of a CSV/TSV file with a header line."""
    csv.field_size_limit(2**31 - 1)  # sizes are checked per row against --max-bytes
    stream = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
    sample = stream.read(65536)
    delimiter = sniff_delimiter(sample, fmt, opts)
    lines = itertools.chain(io.StringIO(sample, newline=""), stream)
    reader = csv.reader(lines, delimiter=delimiter)
    base = Path(name).name
    try:
        header = next(reader)
    except StopIteration:
        reject(opts, name, "empty", "no header line and no rows")
        return
    except csv.Error as exc:
        reject(opts, name, "parse_error", f"unreadable header line ({exc})")
        return
    header = [h.strip() for h in header]
    cols, missing = resolve_columns(header, opts.columns)
    if cols["text"] is None:
        tried = [opts.columns["text"]] if opts.columns.get("text") else []
        reject(
            opts,
            name,
            "no_text",
            "no text column (tried "
            + ", ".join(repr(t) for t in [*tried, *RECORD_FIELDS["text"]])
            + "); name it with --text-column; its columns are "
            + ", ".join(repr(h) for h in header),
        )
        return
    if missing:
        opts.on_warning(_missing_note(name, missing, cols))
    index = {f: (header.index(c) if c is not None else None) for f, c in cols.items()}
    warned = False
    errors = 0
    prev_line = reader.line_num
    while True:
        start = prev_line + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            prev_line = reader.line_num
            errors += 1
            reject(opts, f"{name}:{start}", "parse_error", f"malformed CSV ({exc})", record=True)
            if errors >= MAX_ROW_ERRORS:
                reject(opts, name, "parse_error", f"gave up after {errors} malformed rows")
                return
            continue
        prev_line = reader.line_num
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        where = f"{name}:{start}"

        def get(field_name: str, row: list[str] = row) -> str | None:
            i = index[field_name]
            return row[i] if i is not None and i < len(row) else None

        text = get("text") or ""
        if len(text.encode("utf-8")) > opts.max_bytes:
            reject(
                opts,
                where,
                "too_large",
                f"text of {len(text.encode('utf-8')):,} bytes is over the limit of "
                f"{opts.max_bytes:,} (raise it with --max-bytes)",
                record=True,
            )
            continue
        if not warned and "\ufffd" in text:
            warned = True
            opts.on_warning(f"{name}: invalid UTF-8; undecodable bytes were replaced")
        if not text.strip():
            reject(opts, where, "empty", f"the text column {cols['text']!r} is empty")
            continue
        rid = _opt(get("id"))
        yield Doc(
            input=where,
            id=rid or f"{base}:{start}",
            text=text,
            date=record_date(get("date"), where, opts) if get("date") else None,
            url=_opt(get("url")),
            outlet=_opt(get("outlet")),
            title=_opt(get("title")),
        )


def record_doc(
    rec: Mapping[str, Any],
    where: str,
    default_id: str,
    opts: ReadOptions,
    noted: set[str] | None = None,
) -> Doc | None:
    """A JSON object as a Doc, or None after rejecting it. ``noted``: the missing named
    columns already warned about (once per file)."""
    cols, missing = resolve_columns(list(rec.keys()), opts.columns)
    if missing and cols["text"] is not None:
        fresh = [m for m in missing if m[1] not in (noted if noted is not None else set())]
        if fresh:
            opts.on_warning(_missing_note(where, fresh, cols) + " (and maybe in later records)")
            if noted is not None:
                noted.update(m[1] for m in fresh)
    tcol = cols["text"]
    text = _text_value(rec.get(tcol)) if tcol is not None else None
    if tcol is None or text is None or not isinstance(rec.get(tcol), str):
        wanted = opts.columns.get("text", "text")
        reject(opts, where, "no_text", f'record has no "{wanted}" string', record=True)
        return None
    if len(text.encode("utf-8")) > opts.max_bytes:
        reject(
            opts,
            where,
            "too_large",
            f"text of {len(text.encode('utf-8')):,} bytes is over the limit of "
            f"{opts.max_bytes:,} (raise it with --max-bytes)",
            record=True,
        )
        return None

    def get(field_name: str) -> Any:
        c = cols[field_name]
        return rec.get(c) if c is not None else None

    rid = get("id")
    return Doc(
        input=where,
        id=str(rid) if rid not in (None, "") else default_id,
        text=text,
        date=record_date(get("date"), where, opts) if get("date") not in (None, "") else None,
        url=_opt(get("url")),
        outlet=_opt(get("outlet")),
        title=_opt(get("title")),
    )
