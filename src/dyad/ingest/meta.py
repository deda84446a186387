"""Article metadata from what an input carries: dates (metadata, URL, text) and outlets.

Order of trust for an article's date: the input's own metadata (a record's date column, a
feed entry's published date, an HTML page's publication date), then a date in its URL
(``/2022/03/07/``), then a full date in the first lines of its text (a dateline), then a
fallback the container knows (a WARC record's crawl date), then ``--date``.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from typing import Any
from urllib.parse import urlsplit

_MONTHS = (
    "january february march april may june july august september october november december"
).split()
_MONTH_NUM = {m: i for i, m in enumerate(_MONTHS, start=1)}
_MONTH_NUM.update({m[:3]: i for i, m in enumerate(_MONTHS, start=1)})
_MONTH_NUM["sept"] = 9
_MONTH_RE = r"(?P<month>" + "|".join(sorted(_MONTH_NUM, key=len, reverse=True)) + r")\.?"

# in a URL path: /2022/03/07/, /2022-03-07, _20220307_
_URL_DATES = (
    re.compile(
        r"/(?P<y>(?:19|20)\d\d)/(?P<m>0?[1-9]|1[0-2])/(?P<d>0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    ),
    re.compile(
        r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])(?!\d)"
    ),
    re.compile(
        r"[/_-](?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    ),
)

# in a dateline or byline: "March 7, 2022", "7 March 2022", "2022-03-07"
_TEXT_DATES = (
    re.compile(
        rf"(?i)\b{_MONTH_RE}\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?,?\s+"
        r"(?P<y>(?:19|20)\d\d)\b"
    ),
    re.compile(
        rf"(?i)\b(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH_RE}"
        r",?\s+(?P<y>(?:19|20)\d\d)\b"
    ),
    re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])\b"),
)
TEXT_DATE_WINDOW = 400  # characters at the start of a text searched for a dateline


def _plausible(day: dt.date) -> dt.date | None:
    latest = dt.date.today() + dt.timedelta(days=2)
    return day if dt.date(1900, 1, 1) <= day <= latest else None


def _make(y: str, m: str, d: str) -> dt.date | None:
    try:
        month = int(m) if m.isdigit() else _MONTH_NUM[m.lower().rstrip(".")]
        return _plausible(dt.date(int(y), month, int(d)))
    except (ValueError, KeyError):
        return None


def parse_loose_date(value: Any) -> dt.date | None:
    """A date from what records and feeds put in a date field: ISO dates and datetimes,
    YYYYMMDD, RFC 2822 (RSS), Unix timestamps, "March 7, 2022", "07/03/2022" (day first
    only when it cannot be a month). None for empty; ValueError for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return _check(value.date(), value)
    if isinstance(value, dt.date):
        return _check(value, value)
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a date")
    if isinstance(value, int | float):
        stamp = float(value)
        if stamp > 1e11:  # milliseconds
            stamp /= 1000.0
        try:
            day = dt.datetime.fromtimestamp(stamp, tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            raise ValueError(f"{value!r} is not a date") from None
        return _check(day, value)
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit():
        if len(text) == 8:
            made = _make(text[:4], text[4:6], text[6:])
            if made:
                return made
        if len(text) in (10, 13):
            return parse_loose_date(int(text))
        raise ValueError(f"{value!r} is not a date")
    try:
        return _check(dt.date.fromisoformat(text[:10]), value)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(text)
        if parsed is not None:
            return _check(parsed.date(), value)
    except (TypeError, ValueError, IndexError):
        pass
    for rx in _TEXT_DATES:
        m = rx.fullmatch(text.rstrip("."))
        if m:
            g = m.groupdict()
            made = _make(m["y"], g["month"] if g.get("month") else g["m"], m["d"])
            if made:
                return made
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.]((?:19|20)\d\d)", text)
    if m:
        a, b, y = int(m[1]), int(m[2]), m[3]
        month, day_ = (a, b) if a <= 12 else (b, a)  # US order unless impossible
        made = _make(y, str(month), str(day_))
        if made:
            return made
    from dateutil import parser as du  # lazily: rarely needed

    try:
        return _check(du.parse(text, fuzzy=False).date(), value)
    except (ValueError, OverflowError, TypeError):
        raise ValueError(f"{value!r} is not a date") from None


def _check(day: dt.date, original: Any) -> dt.date:
    if _plausible(day) is None:
        raise ValueError(f"{original!r} is not a plausible article date")
    return day


def date_from_url(url: str | None) -> dt.date | None:
    """A publication date written in a URL's path (/2022/03/07/, 2022-03-07, 20220307)."""
    if not url:
        return None
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    for rx in _URL_DATES:
        m = rx.search(path)
        if m:
            day = _make(m["y"], m["m"], m["d"])
            if day:
                return day
    return None


def date_from_text(text: str) -> dt.date | None:
    """A full date (day, month and year) in the first lines of a text: a dateline or byline.
    The earliest one wins; a date deeper in the story is about its events, not its day."""
    head = text[:TEXT_DATE_WINDOW]
    best: tuple[int, dt.date] | None = None
    for rx in _TEXT_DATES:
        for m in rx.finditer(head):
            g = m.groupdict()
            day = _make(m["y"], g["month"] if g.get("month") else g["m"], m["d"])
            if day and (best is None or m.start() < best[0]):
                best = (m.start(), day)
            if day:
                break
    return best[1] if best else None


_HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def outlet_from_url(url: str | None) -> str | None:
    """The publisher a URL names: its host, lower-cased, without www./m./amp."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    return host or None
