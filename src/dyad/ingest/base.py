"""What every reader shares: the options, the document a reader produces, and rejecting.

Readers turn bytes into ``Doc``s (text plus whatever metadata the format carries);
``dyad.ingest.finish`` turns a Doc into an ``Article`` (or a rejection) the same way for
every format: empty text, language, already-seen URL, date and outlet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dyad.errors import MalformedRecord, Rejection

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_PAGE_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_FEED_BYTES = 32 * 1024 * 1024

# The stable reject reason codes (dyad.errors.Rejection); a non-English article is
# rejected with reason ``language:xx`` (its ISO 639 code) and counted as not_english.
REASONS = (
    "empty",
    "binary",
    "too_large",
    "bad_encoding",
    "not_english",
    "no_text",
    "duplicate",
    "fetch_error",
    "parse_error",
)

# The fields a record (JSONL object, CSV row) can map to an Article, and the column names
# tried when no --X-column option names one (case-insensitive, in this order).
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "maintext", "full_text", "article", "story"),
    "id": ("id", "article_id", "doc_id", "guid", "uid"),
    "date": (
        "date",
        "published",
        "publish_date",
        "date_publish",
        "published_at",
        "pubdate",
        "datetime",
        "timestamp",
    ),
    "url": ("url", "link", "source_url", "href"),
    "outlet": ("outlet", "source", "publisher", "sitename", "site", "domain", "source_name"),
    "title": ("title", "headline"),
}


def reason_group(reason: str) -> str:
    """The summary bucket of a reason code: ``language:fr`` counts as not_english."""
    return "not_english" if reason.startswith("language:") else reason


@dataclass
class ReadOptions:
    """How to read inputs. Every field has a default; the CLI maps its options onto them."""

    input_format: str = "auto"
    strict: bool = False
    max_bytes: int = DEFAULT_MAX_BYTES  # a text article (file or record)
    max_page_bytes: int = DEFAULT_MAX_PAGE_BYTES  # an HTML page (file, fetched, WARC record)
    max_feed_bytes: int = DEFAULT_MAX_FEED_BYTES  # an RSS/Atom file
    default_date: Any = None  # applied to articles without a date of their own
    on_reject: Callable[[Rejection], None] = lambda r: None
    on_warning: Callable[[str], None] = lambda w: None
    # records (JSONL, CSV): Article field -> the input's column name (id, text, date, url,
    # outlet, title); unnamed fields are looked up under RECORD_FIELDS' names
    columns: dict[str, str] = field(default_factory=dict)
    csv_delimiter: str | None = None  # None: sniffed (tab for .tsv)
    check_language: bool = True  # reject confidently non-English articles (language:xx)
    # web: fetch feed entries' linked pages (and URL inputs); off unless asked
    fetch: bool = False
    fetch_timeout: float = 10.0
    fetch_delay: float = 1.0  # seconds between two requests to the same host
    user_agent: str | None = None
    fetcher: Any = None  # a dyad.ingest.fetch.Fetcher to use (tests, sharing)
    # URLs already stored or read in this run: an input with such a URL is skipped (a web
    # input before it is fetched or parsed) and on_skip is told its name; add_url is told
    # the URL of every article read
    seen_url: Callable[[str], bool] = lambda url: False
    add_url: Callable[[str], None] = lambda url: None
    on_skip: Callable[[str], None] = lambda name: None


@dataclass
class Doc:
    """One document as a reader found it, before the common checks."""

    input: str  # how rejects name it: file, file:line, URL, file#entry
    id: str  # the Article id (the input's own id, file name or URL)
    text: str
    date: dt.date | None = None  # from the input's own metadata
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    fallback_date: dt.date | None = None  # e.g. a WARC record's crawl date


def reject(
    opts: ReadOptions, where: str, reason: str, message: str, *, record: bool = False
) -> None:
    """Report a skipped input. A malformed ``record`` (a JSONL line, a CSV row, a feed
    entry) stops the run instead under --strict (MalformedRecord)."""
    if record and opts.strict:
        raise MalformedRecord(f"{where}: {message}")
    opts.on_reject(Rejection(where, reason, message))
