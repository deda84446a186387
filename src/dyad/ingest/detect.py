"""Which format an input is in, by its name and by its first bytes; and decoding text.

Strong content signals win over the suffix: a WARC record header, gzip (a ``.warc.gz``),
an RSS/Atom root element, an HTML doctype or ``<html>``, and binary magic numbers (PDF,
images, archives). Otherwise the suffix decides (``.csv``, ``.jsonl``, ``.html`` ...), and
a file with an unknown suffix whose first line opens a JSON object is JSONL; the rest is
plain text.
"""

from __future__ import annotations

import gzip
import re
import zlib
from pathlib import Path

FORMATS = ("text", "jsonl", "csv", "tsv", "html", "feed", "warc")
INPUT_FORMATS = ("auto", *FORMATS)
SNIFF_BYTES = 8192

TEXT_SUFFIXES = frozenset({".txt", ".text", ".md", ""})
SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "text",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".jsonlines": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
    ".warc": "warc",
    ".arc": "warc",
}

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x7fELF", "an executable"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"RIFF", "a media file"),
    (b"\x00\x00\x00", "a binary file"),
)

_FEED_ROOT = re.compile(rb"<(?:[A-Za-z0-9_]+:)?(rss|feed|RDF)\b")
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)


def suffix_format(path: Path | str) -> str | None:
    """The format a file name says (``x.warc.gz`` is WARC), or None when it says nothing."""
    name = str(path).lower()
    if name.endswith((".warc.gz", ".arc.gz", ".warc.wgz")):
        return "warc"
    suffix = Path(name).suffix
    if suffix == ".gz":
        return None
    if suffix == ".xml":
        return None  # a feed or not: the content says
    return SUFFIXES.get(suffix)


def magic_kind(head: bytes) -> str | None:
    """What a binary file is, from its magic number, or None."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes, or mostly control bytes, in the first 8 KB."""
    head = data[:SNIFF_BYTES]
    if b"\x00" in head:
        return not _utf16_bom(head)
    if not head:
        return False
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(head) > 0.10


def _utf16_bom(head: bytes) -> bool:
    return head.startswith((b"\xff\xfe", b"\xfe\xff"))


def gunzip_head(head: bytes) -> bytes:
    """The first decompressed bytes of a gzip stream (empty if it is not one)."""
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        return d.decompress(head, SNIFF_BYTES)
    except zlib.error:
        return b""


def _text_head(head: bytes) -> bytes:
    if _utf16_bom(head):
        try:
            return head.decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:
            return head
    return head.removeprefix(b"\xef\xbb\xbf")


def sniff(head: bytes, name: str | Path | None = None) -> str:
    """The format of an input from its first bytes (up to 8 KB) and its name.

    Returns one of FORMATS, or ``binary`` / ``gzip`` (compressed, not a WARC) / ``empty``.
    """
    if not head.strip():
        return "empty"
    if head.startswith(b"\x1f\x8b"):
        inner = gunzip_head(head)
        return "warc" if inner.startswith((b"WARC/", b"filedesc://")) else "gzip"
    if head.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    by_name = suffix_format(name) if name is not None else None
    if magic_kind(head) or looks_binary(head):
        return "binary"
    text = _text_head(head).lstrip()
    lowered = text[:2048].lower()
    if by_name in ("csv", "tsv", "jsonl"):
        return by_name  # records: the suffix is the user's word for it
    if lowered.startswith(b"<?xml") or lowered.startswith(b"<rss") or lowered.startswith(b"<feed"):
        if _FEED_ROOT.search(text[:4096]):
            return "feed"
        if b"<html" in lowered:
            return "html"
        return by_name or "feed"  # some other XML: the feed parser will say what is wrong
    if _HTML_START.match(text[:4096]):
        return "html"
    if by_name:
        return by_name
    if text.startswith(b"{"):
        return "jsonl"
    return "text"


def gzip_open(path: Path) -> gzip.GzipFile:
    return gzip.open(path, "rb")


# ---------------------------------------------------------------------- decoding

_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


class EncodingError(ValueError):
    """Bytes that are not text in UTF-8 or Windows-1252."""


def decode(data: bytes, name: str, on_warning: object = None) -> str:
    """Text from bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM; otherwise
    Windows-1252 when the bytes read as mostly-ASCII text in it; otherwise UTF-8 with the
    few bad bytes replaced. Every fallback warns once (naming the input); bytes that fit
    none of these raise EncodingError (reason ``bad_encoding``)."""
    warn = on_warning if callable(on_warning) else (lambda message: None)
    if _utf16_bom(data):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"not valid UTF-16 despite its byte-order mark ({exc.reason})"
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    bad = _invalid_utf8_bytes(data)
    high = sum(1 for b in data if b >= 0x80)
    if not (set(data) & _CP1252_UNDEFINED) and high <= max(8, len(data) // 20):
        text = data.decode("cp1252")
        warn(f"{name}: not UTF-8 (invalid byte at {first_bad}); read as Windows-1252")
        return text
    if bad <= max(2, len(data) // 200):
        warn(
            f"{name}: invalid UTF-8 at byte {first_bad}; undecodable bytes were "
            "replaced with U+FFFD"
        )
        return data.decode("utf-8-sig", errors="replace")
    raise EncodingError(
        f"{bad:,} of {len(data):,} bytes are not UTF-8 (first at byte {first_bad}), "
        "and the text is not Windows-1252 either; convert it to UTF-8"
    )


def _invalid_utf8_bytes(data: bytes) -> int:
    text = data.decode("utf-8", errors="replace")
    return text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
