"""Web archives: WARC and WARC.gz files (warcio), as Common Crawl News ships them.

Each ``response`` record (and ``resource``/``conversion`` record) with a web page is one
article: its main text is extracted like any HTML page, its URL is the record's
``WARC-Target-URI``, its date the page's own (metadata or URL), else its dateline, else
the crawl date (``WARC-Date``). ``request``, ``metadata``, ``warcinfo`` and ``revisit``
records are not documents and are passed over. A record with an HTTP error status is
rejected (``fetch_error``), one that is not a web page (a PDF, an image) as ``binary``, one
over --max-page-bytes as ``too_large``; all are named by their URL. A record whose URL is
already stored is skipped before its page is parsed, so a rerun is fast. A damaged archive
is read up to the damage and rejected (``parse_error``) with how far it got.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from dyad.ingest.base import Doc, ReadOptions, reject
from dyad.ingest.detect import EncodingError, decode
from dyad.ingest.html import extract_page
from dyad.ingest.meta import parse_loose_date

DOCUMENT_RECORDS = ("response", "resource", "conversion")
_TEXTUAL = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


def _media(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    parts = content_type.split(";")
    charset = None
    for param in parts[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return parts[0].strip().lower(), charset


class ArchiveDamaged(Exception):
    """The archive ends in the middle of a record (warcio would stop without a word)."""


class _Strict:
    """A decompressing stream whose truncation is an error: warcio takes EOFError for the
    end of the archive, so it becomes ArchiveDamaged."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, n: int = -1) -> bytes:
        try:
            data: bytes = self._inner.read(n)
        except EOFError as exc:
            raise ArchiveDamaged(str(exc)) from None
        return data

    def readable(self) -> bool:
        return True


class _Rewound:
    """A stream with its first bytes (read to look for gzip) put back."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, n: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(n)
        if n is None or n < 0:
            out, self._head = self._head + self._rest.read(), b""
            return out
        out, self._head = self._head[:n], self._head[n:]
        if len(out) < n:
            out += self._rest.read(n - len(out))
        return out

    def readable(self) -> bool:
        return True


def _crawl_date(record: Any) -> dt.date | None:
    try:
        return parse_loose_date(record.rec_headers.get_header("WARC-Date"))
    except ValueError:
        return None


def read_warc(fh: IO[bytes], name: str, opts: ReadOptions) -> Iterator[Doc]:
    """The web pages in a WARC (or ARC, gzipped or not) file."""
    import gzip

    from warcio.archiveiterator import ArchiveIterator

    n = 0
    peek = fh.read(2)
    rest: Any = _Rewound(peek, fh)
    # Python's gzip reads the members one after the other and, unlike warcio's own reader,
    # raises EOFError on a truncated archive instead of ending quietly
    stream = _Strict(gzip.GzipFile(fileobj=rest)) if peek == b"\x1f\x8b" else rest
    try:
        for record in ArchiveIterator(stream, arc2warc=True):
            n += 1
            if record.rec_type not in DOCUMENT_RECORDS:
                continue
            doc = _record_doc(record, name, n, opts)
            if doc is not None:
                yield doc
    except Exception as exc:  # warcio, zlib and gzip raise many kinds on a damaged file
        reject(
            opts,
            name,
            "parse_error",
            f"damaged archive after {n} records ({type(exc).__name__}: {exc})"[:500],
        )


def _record_doc(record: Any, name: str, n: int, opts: ReadOptions) -> Doc | None:
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip() or None
    where = url or f"{name}#record{n}"
    if url and opts.seen_url(url):
        opts.on_skip(where)
        return None
    http = record.http_headers
    if record.rec_type == "response" and http is not None:
        status = http.get_statuscode() or ""
        if not status.startswith("2"):
            reject(opts, where, "fetch_error", f"HTTP {status} in the archive")
            return None
        ctype = http.get_header("Content-Type")
    else:
        ctype = record.rec_headers.get_header("Content-Type")
    media, charset = _media(ctype)
    if media and media not in _TEXTUAL and not media.endswith(("+xml", "/html")):
        reject(opts, where, "binary", f"the record is {media}, not a web page")
        return None
    body = record.content_stream().read(opts.max_page_bytes + 1)
    if len(body) <= opts.max_page_bytes and getattr(record.raw_stream, "limit", 0) > 0:
        raise ArchiveDamaged(f"the record of {url or where} is cut short")
    if len(body) > opts.max_page_bytes:
        reject(
            opts,
            where,
            "too_large",
            f"the page is over the limit of {opts.max_page_bytes:,} bytes "
            "(raise it with --max-page-bytes)",
        )
        return None
    if not body.strip():
        reject(opts, where, "empty", "the record has no content")
        return None
    crawl = _crawl_date(record)
    if media == "text/plain":
        try:
            text = body.decode(charset) if charset else decode(body, where, opts.on_warning)
        except (EncodingError, LookupError, UnicodeDecodeError) as exc:
            reject(opts, where, "bad_encoding", str(exc)[:300])
            return None
        return Doc(input=where, id=url or where, text=text, url=url, fallback_date=crawl)
    content: bytes | str = body
    if charset:
        try:
            content = body.decode(charset, errors="replace")
        except LookupError:
            content = body
    doc = extract_page(
        content,
        input_name=where,
        article_id=url or where,
        url=url,
        opts=opts,
        fallback_date=crawl,
    )
    return doc
