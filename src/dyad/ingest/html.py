"""HTML pages: the main text without navigation and boilerplate, with title, date, outlet.

trafilatura finds the article body (dropping menus, cookie banners, related links,
comments and footers) and its metadata; htmldate, inside it, finds the publication date
in the page's metadata, a byline, or its URL (without its "extensive" guessing, which
reads a footer's copyright year as a date). The outlet is the page's site name
(``og:site_name``), else its URL's host.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from dyad.ingest.base import Doc, ReadOptions, reject
from dyad.ingest.meta import outlet_from_url, parse_loose_date

MIN_TEXT_CHARS = 40  # less than this is not an article's text
_quiet = False


def _silence() -> None:
    """trafilatura and htmldate log every page they cannot use; dyad reports those itself."""
    global _quiet
    if not _quiet:
        for name in ("trafilatura", "htmldate", "courlan", "justext"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        _quiet = True


def _date(value: Any) -> dt.date | None:
    try:
        return parse_loose_date(value)
    except ValueError:
        return None


def _strip_title(text: str, title: str | None) -> str:
    """trafilatura starts the text with the headline when the page repeats it; the title is
    kept apart (Article.title), so the text starts with the story."""
    if not title:
        return text
    first, sep, rest = text.partition("\n")
    if sep and first.strip().rstrip(".").lower() == title.strip().rstrip(".").lower():
        return rest.lstrip("\n")
    return text


def _sitename(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if not value or "://" in value or len(value) > 80:
        return None
    return value


def extract_page(
    content: bytes | str,
    *,
    input_name: str,
    article_id: str,
    url: str | None,
    opts: ReadOptions,
    fallback_date: dt.date | None = None,
) -> Doc | None:
    """The article in an HTML page, or None after rejecting it (``no_text``/``parse_error``)."""
    _silence()
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            content,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            deduplicate=False,
            # no "extensive" guessing: it turns a footer's "Copyright 2022" into 2022-01-01
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # trafilatura and lxml raise many kinds on broken markup
        reject(opts, input_name, "parse_error", f"cannot parse the HTML ({exc!r:.200})")
        return None
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if len(text) < MIN_TEXT_CHARS:
        reject(
            opts,
            input_name,
            "no_text",
            "no article text in the page (only navigation, boilerplate or too little text)",
        )
        return None
    title = getattr(doc, "title", None) or None
    page_url = url or getattr(doc, "url", None) or None
    if page_url and not re.match(r"(?i)^https?://", page_url):
        page_url = None
    outlet = _sitename(getattr(doc, "sitename", None)) or outlet_from_url(page_url)
    return Doc(
        input=input_name,
        id=article_id,
        text=_strip_title(text, title),
        date=_date(getattr(doc, "date", None)),
        url=page_url,
        outlet=outlet,
        title=title,
        fallback_date=fallback_date,
    )


_BLOCKS = (
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "tr",
    "section",
    "article",
)


def fragment_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content): paragraphs on lines of their
    own, scripts and styles dropped, entities decoded."""
    if "<" not in fragment:
        import html as _html

        return _html.unescape(fragment).strip()
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises ParserError and others on junk
        import html as _html

        return _html.unescape(re.sub(r"<[^>]+>", " ", fragment)).strip()
    for bad in root.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    text = root.text_content()
    lines = (re.sub(r"[ \t\r\f\v\u00a0]+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)
