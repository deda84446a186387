"""Readers: turn files, folders, stdin and (with --fetch) URLs into Articles.

    opts = ReadOptions(on_reject=rejects.append)
    for article in read_inputs(["news/", "feed.xml", "crawl.warc.gz"], opts):
        ...

``read_inputs`` is the single entry point. It expands folders, sniffs each input's format
by suffix and content (dyad.ingest.detect: plain text, JSONL, CSV/TSV, HTML, RSS/Atom,
WARC), reads it with its module (text, tabular, html, feeds, warc), and passes every
document through the same final checks (``finish``): empty text, language, an
already-seen URL, the date (metadata, URL, dateline, ``--date``) and the outlet (site,
feed or URL host).

Nothing is dropped silently: a skipped input is reported through ``on_reject`` as a
Rejection with a stable reason code (base.REASONS; ``language:xx`` for a non-English
text), recoverable oddities through ``on_warning``, and web inputs skipped because their
URL is known through ``on_skip``. ``strict=True`` turns malformed records into a
MalformedRecord error. docs/ingest.md describes formats, options and reasons.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from dyad.errors import InputNotFound, UnknownFormat
from dyad.ingest.base import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_FEED_BYTES,
    DEFAULT_MAX_PAGE_BYTES,
    REASONS,
    RECORD_FIELDS,
    Doc,
    ReadOptions,
    reason_group,
    reject,
)
from dyad.ingest.detect import (
    FORMATS,
    INPUT_FORMATS,
    SNIFF_BYTES,
    TEXT_SUFFIXES,
    looks_binary,
    magic_kind,
    sniff,
)
from dyad.records import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_FEED_BYTES",
    "DEFAULT_MAX_PAGE_BYTES",
    "FORMATS",
    "INPUT_FORMATS",
    "JSONL_SUFFIXES",
    "REASONS",
    "RECORD_FIELDS",
    "TEXT_SUFFIXES",
    "Doc",
    "ReadOptions",
    "content_id",
    "expand_paths",
    "finish",
    "looks_binary",
    "read_articles",
    "read_inputs",
    "read_stream",
    "reason_group",
]

JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson", ".jsonlines"})
_URL = re.compile(r"(?i)^https?://")

# which option raises which limit, for the messages
_LIMITS = {
    "text": ("max_bytes", "--max-bytes"),
    "html": ("max_page_bytes", "--max-page-bytes"),
    "feed": ("max_feed_bytes", "--max-feed-bytes"),
}


def content_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def expand_paths(inputs: Iterable[str]) -> list[Path | None]:
    """Files, folders (recursively, sorted) and '-' for stdin (None). Missing -> error."""
    return [p for p in expand_inputs(inputs, allow_urls=False) if not isinstance(p, str)]


def expand_inputs(inputs: Iterable[str], *, allow_urls: bool) -> list[Path | str | None]:
    """Files, folders (recursively, sorted; hidden files skipped), '-' for stdin (None), and
    http(s) URLs (as strings) when fetching is allowed. A missing path is an error."""
    out: list[Path | str | None] = []
    for raw in inputs:
        if raw == "-":
            out.append(None)
            continue
        if _URL.match(raw):
            if not allow_urls:
                raise InputNotFound(f"{raw}: a URL; reading it needs --fetch")
            out.append(raw)
            continue
        p = Path(raw)
        if p.is_dir():
            files = sorted(
                f
                for f in p.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            out.extend(files)
        elif p.is_file():
            out.append(p)
        elif p.exists():
            raise UnknownFormat(f"{raw}: not a regular file or folder")
        else:
            raise InputNotFound(f"{raw}: no such file or folder")
    return out


def read_inputs(inputs: Iterable[str], opts: ReadOptions) -> Iterator[Article]:
    """Articles from paths, folders, URLs (with opts.fetch) or stdin ('-' or nothing)."""
    for article, _input in read_articles(inputs, opts):
        yield article


def read_articles(inputs: Iterable[str], opts: ReadOptions) -> Iterator[tuple[Article, str]]:
    """Like read_inputs, with each article's input name (file, file:line or URL)."""
    if opts.input_format not in INPUT_FORMATS:
        raise UnknownFormat(
            f"unknown input format {opts.input_format!r}; use one of {', '.join(INPUT_FORMATS)}"
        )
    items = expand_inputs(list(inputs) or ["-"], allow_urls=opts.fetch)
    try:
        for item in items:
            if item is None:
                docs = _read_stream_docs(sys.stdin.buffer, "<stdin>", opts)
            elif isinstance(item, str):
                docs = _read_url(item, opts)
            else:
                docs = read_path(item, opts)
            for doc in docs:
                article = finish(doc, opts)
                if article is not None:
                    yield article, doc.input
    finally:
        if opts.fetcher is not None and getattr(opts.fetcher, "owned_by_reader", False):
            opts.fetcher.close()
            opts.fetcher = None


def read_stream(
    fh: IO[bytes], name: str, opts: ReadOptions, fmt: str | None = None
) -> Iterator[Article]:
    """Articles from a byte stream (stdin): its format is sniffed unless given."""
    for doc in _read_stream_docs(fh, name, opts, fmt):
        article = finish(doc, opts)
        if article is not None:
            yield article


# ---------------------------------------------------------------------- the final checks


def finish(doc: Doc, opts: ReadOptions) -> Article | None:
    """The checks every document passes, whatever its format; None when it is skipped."""
    from dyad.ingest.meta import date_from_text, date_from_url, outlet_from_url

    if doc.url and opts.seen_url(doc.url):
        opts.on_skip(doc.input)
        return None
    text = doc.text
    if not text.strip():
        reject(opts, doc.input, "empty", "no text (empty or only white space)")
        return None
    if opts.check_language:
        from dyad.ingest.lang import describe, non_english

        guess = non_english(text)
        if guess is not None:
            reject(opts, doc.input, f"language:{guess.language}", describe(guess))
            return None
    if doc.url:
        opts.add_url(doc.url)
    date = (
        doc.date
        or date_from_url(doc.url)
        or date_from_text(text)
        or doc.fallback_date
        or _default_date(opts)
    )
    return Article(
        id=doc.id,
        text=text,
        date=date,
        url=doc.url,
        source=doc.outlet or outlet_from_url(doc.url),
        title=doc.title,
    )


def _default_date(opts: ReadOptions) -> Any:
    if opts.default_date is None:
        return None
    from dyad.pipeline import parse_date

    return parse_date(opts.default_date, "--date")


# ---------------------------------------------------------------------- files and streams


class _Prefixed:
    """A byte stream with its first bytes (already read for sniffing) put back."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, n: int = -1) -> bytes:
        if self._head:
            if n is None or n < 0:
                out = self._head + self._rest.read()
                self._head = b""
                return out
            out, self._head = self._head[:n], self._head[n:]
            if len(out) < n:
                out += self._rest.read(n - len(out))
            return out
        return self._rest.read(n)

    def readline(self, limit: int = -1) -> bytes:
        if self._head:
            i = self._head.find(b"\n")
            if i >= 0 and (limit < 0 or i < limit):
                out, self._head = self._head[: i + 1], self._head[i + 1 :]
                return out
            out, self._head = self._head, b""
            return out + self._rest.readline()
        return self._rest.readline(limit)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def readable(self) -> bool:
        return True


def read_path(path: Path, opts: ReadOptions) -> Iterator[Doc]:
    """The documents in one file."""
    name = str(path)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; the generator may pause
    except OSError as exc:
        reject(opts, name, "parse_error", f"cannot read the file ({exc.strerror})")
        return
    with fh:
        size = os.fstat(fh.fileno()).st_size
        _, head = _read_head(fh, keep=False)
        fh.seek(0)
        yield from _dispatch(fh, head, name, size, opts, suffix_name=path)


def _read_stream_docs(
    fh: IO[bytes], name: str, opts: ReadOptions, fmt: str | None = None
) -> Iterator[Doc]:
    consumed, head = _read_head(fh, keep=True)
    stream = _Prefixed(consumed, fh)
    forced = fmt if fmt not in (None, "auto") else None
    yield from _dispatch(stream, head, name, None, opts, forced=forced)


def _read_head(fh: IO[bytes], *, keep: bool) -> tuple[bytes, bytes]:
    """(what was read if ``keep``, the first SNIFF_BYTES from the first non-blank byte):
    leading blank lines (a JSONL chunk padded to keep its line numbers) do not hide the
    format."""
    kept = bytearray()
    head = b""
    while True:
        chunk = fh.read(SNIFF_BYTES)
        if keep:
            kept += chunk
        head = (head + chunk).lstrip() if not head else head + chunk
        if len(head) >= SNIFF_BYTES or not chunk:
            return bytes(kept), bytes(head[:SNIFF_BYTES])


def _dispatch(
    stream: Any,
    head: bytes,
    name: str,
    size: int | None,
    opts: ReadOptions,
    *,
    suffix_name: Path | None = None,
    forced: str | None = None,
) -> Iterator[Doc]:
    from dyad.ingest.feeds import read_feed
    from dyad.ingest.html import extract_page
    from dyad.ingest.tabular import read_csv
    from dyad.ingest.text import article_name, read_jsonl, text_doc
    from dyad.ingest.warc import read_warc

    if forced is None and opts.input_format != "auto":
        forced = opts.input_format
    if not head:
        if size is None:
            what = "the input is empty or only white space"
        else:
            what = "the file is empty" if size == 0 else "only white space"
        reject(opts, name, "empty", what)
        return
    fmt = forced or sniff(head, suffix_name)
    if fmt == "binary":
        what = magic_kind(head) or "a binary file"
        reject(opts, name, "binary", f"looks like {what}, not text")
        return
    if fmt == "gzip":
        reject(
            opts,
            name,
            "binary",
            "gzip-compressed: only web archives (.warc.gz) are read compressed; unpack it",
        )
        return
    if fmt == "empty":
        reject(opts, name, "empty", "only white space")
        return
    if fmt in _LIMITS:
        attr, option = _LIMITS[fmt]
        limit = int(getattr(opts, attr))
        if size is not None and size > limit:
            reject(
                opts,
                name,
                "too_large",
                f"{size:,} bytes is over the limit of {limit:,} (raise it with {option})",
            )
            return
        data = stream.read(limit + 1)
        if len(data) > limit:
            reject(
                opts,
                name,
                "too_large",
                f"more than {limit:,} bytes (raise the limit with {option})",
            )
            return
        if fmt == "text":
            doc = text_doc(data, name, opts)
            if doc is not None:
                yield doc
        elif fmt == "html":
            if looks_binary(data):
                reject(opts, name, "binary", "looks like a binary file, not a web page")
                return
            page = extract_page(
                data, input_name=name, article_id=article_name(name), url=None, opts=opts
            )
            if page is not None:
                yield page
        else:
            yield from read_feed(data, name, opts)
    elif fmt == "jsonl":
        yield from read_jsonl(stream, name, opts)
    elif fmt in ("csv", "tsv"):
        yield from read_csv(stream, name, opts, fmt)
    elif fmt == "warc":
        yield from read_warc(stream, name, opts)
    else:  # pragma: no cover - sniff returns only the formats above
        raise UnknownFormat(f"{name}: unknown format {fmt!r}")


def _read_url(url: str, opts: ReadOptions) -> Iterator[Doc]:
    """A URL given as an input (with --fetch): a web page, a feed or a text."""
    from dyad.ingest.feeds import _fetcher, read_feed
    from dyad.ingest.fetch import FetchError
    from dyad.ingest.html import extract_page
    from dyad.ingest.text import text_doc

    if opts.seen_url(url):
        opts.on_skip(url)
        return
    try:
        page = _fetcher(opts).get(url)
    except FetchError as exc:
        reject(opts, url, exc.reason, exc.message)
        return
    ctype = page.content_type
    if "html" in ctype:
        fmt = "html"
    elif any(k in ctype for k in ("rss", "atom", "xml")):
        fmt = "feed"
    elif ctype == "text/plain":
        fmt = "text"
    else:
        fmt = sniff(page.body[:SNIFF_BYTES], None)
    if fmt == "html":
        doc = extract_page(page.body, input_name=url, article_id=url, url=url, opts=opts)
    elif fmt == "feed":
        if len(page.body) > opts.max_feed_bytes:
            reject(opts, url, "too_large", "the feed is over --max-feed-bytes")
            return
        yield from read_feed(page.body, url, opts, base_url=page.final_url)
        return
    elif fmt == "text":
        doc = text_doc(page.body, url, opts)
        if doc is not None:
            doc.id, doc.url = url, url
    else:
        reject(opts, url, "binary", f"the URL serves {ctype or 'binary content'}, not text")
        return
    if doc is not None:
        yield doc
