"""RSS and Atom feeds: one article per entry (feedparser).

An entry's text is its own content (``content:encoded``, Atom ``content``), else its
summary, as plain text. With ``--fetch`` the linked page is fetched and its main text
used when it is longer than the entry's own; a page that cannot be had is rejected
(``fetch_error``) and the entry keeps its own text. The date is the entry's published (or
updated) date; the outlet is the entry's ``<source>``, else the feed's title, else the
link's host. An entry whose link is already stored is skipped before anything is fetched.

A feed that is not well-formed XML is rejected (``parse_error``) with what went wrong;
the entries feedparser could read before the error are still read.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from typing import Any

from dyad.ingest.base import Doc, ReadOptions, reject
from dyad.ingest.html import extract_page, fragment_text
from dyad.ingest.meta import outlet_from_url

_BENIGN = ("CharacterEncodingOverride", "NonXMLContentType")


def _entry_date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC).date()
            except (OverflowError, ValueError, TypeError):
                continue
    return None


def _entry_text(entry: Any) -> str:
    best = ""
    for part in entry.get("content") or []:
        value = part.get("value") or ""
        ptype = (part.get("type") or "").lower()
        text = fragment_text(value) if "html" in ptype or "<" in value else value.strip()
        if len(text) > len(best):
            best = text
    if not best:
        summary = entry.get("summary") or ""
        best = fragment_text(summary) if summary else ""
    return best


def read_feed(
    data: bytes, name: str, opts: ReadOptions, *, base_url: str | None = None
) -> Iterator[Doc]:
    """The entries of an RSS/Atom document (already within the size limit)."""
    import feedparser

    headers = {"content-location": base_url} if base_url else None
    parsed = feedparser.parse(data, response_headers=headers)
    entries = parsed.get("entries") or []
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        kind = type(exc).__name__
        if kind not in _BENIGN:
            if not entries:
                reject(opts, name, "parse_error", f"not a readable RSS/Atom feed ({kind}: {exc})")
                return
            reject(
                opts,
                name,
                "parse_error",
                f"malformed feed ({kind}: {exc}); the {len(entries)} entries before the "
                "error were read",
            )
    elif not parsed.get("version") and not entries:
        reject(opts, name, "parse_error", "XML, but not an RSS or Atom feed")
        return
    feed = parsed.get("feed") or {}
    feed_title = (feed.get("title") or "").strip() or None
    fetcher = _fetcher(opts) if opts.fetch else None
    for i, entry in enumerate(entries, start=1):
        link = (entry.get("link") or "").strip() or None
        where = link or f"{name}#{i}"
        if link and opts.seen_url(link):
            opts.on_skip(where)
            continue
        text = _entry_text(entry)
        title = (entry.get("title") or "").strip() or None
        source = entry.get("source") or {}
        outlet = (source.get("title") or "").strip() or feed_title or outlet_from_url(link)
        doc = Doc(
            input=where,
            id=link or (entry.get("id") or "").strip() or f"{name}#{i}",
            text=text,
            date=_entry_date(entry),
            url=link,
            outlet=outlet,
            title=title,
        )
        if fetcher is not None and link:
            page = fetch_page(fetcher, link, opts)
            if page is not None and len(page.text) > len(doc.text):
                doc.text = page.text
                doc.date = doc.date or page.date
                doc.title = doc.title or page.title
                doc.fallback_date = page.fallback_date
        if not doc.text.strip():
            reject(
                opts,
                where,
                "no_text",
                "the feed entry has no text of its own"
                + ("" if opts.fetch else " (--fetch reads the linked page)"),
                record=True,
            )
            continue
        yield doc


def _fetcher(opts: ReadOptions) -> Any:
    if opts.fetcher is None:
        from dyad.ingest.fetch import Fetcher

        opts.fetcher = Fetcher(
            timeout=opts.fetch_timeout,
            max_bytes=opts.max_page_bytes,
            delay=opts.fetch_delay,
            user_agent=opts.user_agent,
        )
        opts.fetcher.owned_by_reader = True  # read_inputs closes it when done
    return opts.fetcher


def fetch_page(fetcher: Any, url: str, opts: ReadOptions) -> Doc | None:
    """The article on a linked page, or None (rejected: fetch_error, too_large, no_text)."""
    from dyad.ingest.fetch import FetchError

    try:
        page = fetcher.get(url)
    except FetchError as exc:
        reject(opts, url, exc.reason, exc.message)
        return None
    if "html" not in page.content_type and page.content_type not in ("", "text/plain"):
        reject(opts, url, "fetch_error", f"the link is {page.content_type}, not a web page")
        return None
    if page.content_type == "text/plain":
        body = page.body.decode(page.charset or "utf-8", errors="replace")
        return Doc(input=url, id=url, text=body, url=url)
    return extract_page(page.body, input_name=url, article_id=url, url=page.final_url, opts=opts)
