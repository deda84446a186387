"""Event dates from temporal expressions, resolved against the article date.

``resolve_date(sentence, anchor, article_date)`` finds the temporal expression that governs
the event whose trigger starts at ``anchor`` and turns it into a calendar date. It is pure
regular expressions and rules (no spaCy), compiled once at import, and takes microseconds
per sentence. ``None`` means the sentence has no governing temporal expression (or one that
cannot be resolved without an article date): the pipeline then uses the article date.

Conventions (see docs/dates_places_tone.md for the full table):

- ``precision`` is ``"day"``, ``"month"`` or ``"year"``; a month or year is represented by
  its first day (``in March 2014`` -> 2014-03-01, ``since 2014`` -> 2014-01-01).
- News reports the past: a bare weekday is the most recent such day on or before the
  article date; ``in March`` is the most recent March on or before it. A month and day
  without a year (``March 18``) is the nearest such date, a future one counting three
  times its distance (``March 18`` in December is the past March, ``December 20`` in
  mid-December the coming one).
- There is no week precision: ``last week`` and ``a week earlier`` are the article date
  minus 7 days, ``three weeks ago`` minus 21 days, all with precision ``"day"``.
- ``overnight`` is the article date (the night that ended on the publication day);
  ``last night`` is the day before.
- Relative phrases such as ``a week earlier`` or ``the previous day`` are counted back
  from the article date, not from an earlier event in the story.

Choosing the governing expression: the sentence is cut into clauses (``;``, dashes,
``, but``/``, and``/``, while``…, relative clauses ``, which …,`` and reported speech
``said (that) …``). The expression nearest the anchor in the anchor's own clause wins
(distance: characters between the trigger word and the expression, plus 20 for each comma
between them). Failing that, the nearest one in an enclosing clause (a relative or
reported clause takes its host's date); never one from a sibling or embedded clause.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["DateMention", "find_dates", "find_years", "resolve_date"]

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True, slots=True)
class DateMention:
    """A resolved temporal expression: its date, its text and offsets in the sentence."""

    date: dt.date
    text: str
    start: int
    end: int
    precision: Precision
    rule: str


# ----------------------------------------------------------------------------- vocabulary

# English names, spelled out (``calendar.month_name`` follows the process locale).
_MONTH_NAMES = (
    "January February March April May June July August September October November December"
).split()
_MONTHS = {name.lower(): i for i, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS.update(
    {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9}
    | {"sept": 9, "oct": 10, "nov": 11, "dec": 12}
)
_WEEKDAY_NAMES = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_WEEKDAYS = {name.lower(): i for i, name in enumerate(_WEEKDAY_NAMES)}  # Monday = 0
_NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "a couple of": 2,
    "two": 2,
    "a few": 3,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}

# Month and weekday names are matched case-sensitively ("May" the month, not "may" the verb;
# "March" but not "the march"); function words are matched in any case.
_FULL_MONTH = "|".join(_MONTH_NAMES)
_ABBR_MONTH = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_MONTH = rf"(?:{_FULL_MONTH}|{_ABBR_MONTH})"
_WEEKDAY = "|".join(_WEEKDAY_NAMES)
_YEAR = r"(?:1[0-9]\d\d|2[01]\d\d)"
_NUM = (
    r"(?:\d{1,3}|"
    + "|".join(r"\s+".join(k.split()) for k in sorted(_NUMBERS, key=len, reverse=True))
    + ")"
)
_PREP = r"(?i:in|on|since|by|during|from|until|till|through|throughout|before|after|around)"
_MPREP = r"(?i:in|since|by|during|from|until|till|through|throughout|before|after|around)"
_PART = (
    r"(?i:early|mid|late|the\s+end\s+of|the\s+beginning\s+of|the\s+start\s+of|the\s+middle\s+of)"
)
_COUNT_NOUNS = (
    "troops|soldiers|people|men|women|children|refugees|migrants|civilians|votes|dollars"
    "|euros|tons|tonnes|km|kilometres|kilometers|miles|metres|meters|feet|units|cases|deaths"
    "|jobs|workers|members|fighters|police|officers|prisoners|rockets|missiles|shells|drones"
    "|vehicles|tanks|homes|houses|barrels|points|seats|times|hours|minutes"
)
# A year is not a count: "2014" in "2014 troops", "2,014", "2014%" or "2014.5" is no year.
_NOT_NUMBER_AFTER = rf"(?![\d,.]\d|\d|\s*%|\s*(?i:percent|per\s+cent|{_COUNT_NOUNS})\b)"

_FUTURE_WEIGHT = 3

Resolved = tuple[dt.date, Precision] | None
Handler = Callable[[re.Match[str], dt.date | None, "_Ctx"], Resolved]


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What a handler may need beyond the match: the sentence and an earlier year."""

    text: str
    context_year: int | None


@dataclass(frozen=True, slots=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    handler: Handler
    gives_year: bool = False  # an explicit year that find_years reports


# ----------------------------------------------------------------------------- date helpers


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _month_start(day: dt.date, shift: int = 0) -> dt.date:
    index = day.year * 12 + day.month - 1 + shift
    return dt.date(index // 12, index % 12 + 1, 1)


def _year_start(year: int) -> dt.date | None:
    return _safe(year, 1, 1)


def _weekday_on_or_before(day: dt.date, weekday: int) -> dt.date:
    return day - dt.timedelta(days=(day.weekday() - weekday) % 7)


def _number(text: str) -> int:
    key = " ".join(text.lower().split())
    return int(key) if key.isdigit() else _NUMBERS[key]


def _month_number(text: str) -> int:
    return _MONTHS[text.rstrip(".").lower()]


# ----------------------------------------------------------------------------- handlers


def _h_iso(m: re.Match[str], _a: dt.date | None, _c: _Ctx) -> Resolved:
    day = _safe(int(m["y"]), int(m["m"]), int(m["d"]))
    return (day, "day") if day else None


def _h_month_day(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    month, dom = _month_number(m["mon"]), int(m["dom"])
    if m["y"]:
        day = _safe(int(m["y"]), month, dom)
        return (day, "day") if day else None
    if anchor is None:
        return None
    # No year: the nearest such date, a future one counting three times its distance
    # (news reports the past: "March 18" in December is the last March, "December 20" in
    # mid-December the coming one).
    options = [
        d
        for y in (anchor.year - 1, anchor.year, anchor.year + 1)
        if (d := _safe(y, month, dom)) is not None
    ]
    if not options:
        return None
    best = min(
        options,
        key=lambda d: (d - anchor).days * _FUTURE_WEIGHT if d > anchor else (anchor - d).days,
    )
    return best, "day"


def _h_month_year(m: re.Match[str], _a: dt.date | None, _c: _Ctx) -> Resolved:
    day = _safe(int(m["y"]), _month_number(m["mon"]), 1)
    return (day, "month") if day else None


def _h_month(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    if anchor is None:
        return None
    month = _month_number(m["mon"])
    rel = (m["rel"] or "").lower()
    year = anchor.year
    if rel == "next":
        year = anchor.year if month > anchor.month else anchor.year + 1
    elif rel == "this":
        year = anchor.year
    elif rel == "last":  # the most recent one before the current month
        year = anchor.year if month < anchor.month else anchor.year - 1
    elif month > anchor.month:  # "in March": the most recent March on or before
        year = anchor.year - 1
    return dt.date(year, month, 1), "month"


def _h_year(m: re.Match[str], _a: dt.date | None, _c: _Ctx) -> Resolved:
    day = _year_start(int(m["y"]))
    return (day, "year") if day else None


def _h_decade(m: re.Match[str], _a: dt.date | None, _c: _Ctx) -> Resolved:
    day = _year_start(int(m["y"]))
    return (day, "year") if day else None


def _h_that_year(m: re.Match[str], _a: dt.date | None, ctx: _Ctx) -> Resolved:
    earlier = find_years(ctx.text[: m.start()])
    year = earlier[-1] if earlier else ctx.context_year
    if year is None:
        return None
    day = _year_start(year)
    return (day, "year") if day else None


def _h_weekday(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    if anchor is None:
        return None
    weekday = _WEEKDAYS[m["wd"].lower()]
    rel = " ".join((m["rel"] or "").lower().split())
    if m["dom"]:  # "on Wednesday (15)": the day in parentheses confirms or corrects
        dom = int(m["dom"])
        window = [anchor + dt.timedelta(days=k) for k in range(-45, 8)]
        hits = [d for d in window if d.day == dom]
        if hits:
            best = min(hits, key=lambda d: (d.weekday() != weekday, d > anchor, abs(d - anchor)))
            return best, "day"
    if rel in ("next", "this coming", "coming"):
        return anchor + dt.timedelta(days=(weekday - anchor.weekday() - 1) % 7 + 1), "day"
    if rel == "this":  # the one in the article's week (Monday to Sunday)
        return anchor + dt.timedelta(days=weekday - anchor.weekday()), "day"
    if rel in ("last", "this past", "past"):  # strictly before the article date
        return _weekday_on_or_before(anchor - dt.timedelta(days=1), weekday), "day"
    return _weekday_on_or_before(anchor, weekday), "day"


# Fixed offsets from the article date, in days.
_DAY_PHRASES: dict[str, int] = {
    "the day before yesterday": -2,
    "today": 0,
    "earlier today": 0,
    "earlier in the day": 0,
    "later today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "overnight": 0,
    "yesterday": -1,
    "last night": -1,
    "the previous day": -1,
    "the previous night": -1,
    "the day before": -1,
    "the night before": -1,
    "tomorrow": 1,
    "last week": -7,
    "the previous week": -7,
    "the week before": -7,
    "this week": 0,
    "next week": 7,
}
_PERIOD_PHRASES: dict[str, tuple[str, int]] = {
    "last month": ("month", -1),
    "the previous month": ("month", -1),
    "this month": ("month", 0),
    "earlier this month": ("month", 0),
    "later this month": ("month", 0),
    "next month": ("month", 1),
    "last year": ("year", -1),
    "the previous year": ("year", -1),
    "this year": ("year", 0),
    "earlier this year": ("year", 0),
    "later this year": ("year", 0),
    "next year": ("year", 1),
}


def _phrase_regex(phrases: list[str]) -> str:
    alts = sorted(phrases, key=len, reverse=True)
    return "|".join(r"\s+".join(map(re.escape, p.split())) for p in alts)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _h_day_phrase(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    if anchor is None:
        return None
    return anchor + dt.timedelta(days=_DAY_PHRASES[_key(m["p"])]), "day"


def _h_period_phrase(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    if anchor is None:
        return None
    unit, shift = _PERIOD_PHRASES[_key(m["p"])]
    if unit == "month":
        return _month_start(anchor, shift), "month"
    return dt.date(anchor.year + shift, 1, 1), "year"


def _h_earlier_this_week(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    if anchor is None:
        return None
    monday = _weekday_on_or_before(anchor, 0)
    return (monday if monday < anchor else anchor), "day"


def _h_weekend(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    if anchor is None:
        return None
    if (m["rel"] or "").lower() == "next":
        return anchor + dt.timedelta(days=(5 - anchor.weekday() - 1) % 7 + 1), "day"
    if (m["rel"] or "").lower() == "this":
        return anchor + dt.timedelta(days=5 - anchor.weekday()), "day"
    return _weekday_on_or_before(anchor, 5), "day"  # the most recent Saturday


def _h_ago(m: re.Match[str], anchor: dt.date | None, _c: _Ctx) -> Resolved:
    if anchor is None:
        return None
    n, unit = _number(m["n"]), m["unit"].lower()
    if unit == "day":
        return anchor - dt.timedelta(days=n), "day"
    if unit == "week":
        return anchor - dt.timedelta(days=7 * n), "day"
    if unit == "month":
        return _month_start(anchor, -n), "month"
    years = n * 10 if unit == "decade" else n
    return dt.date(anchor.year - years, 1, 1), "year"


# ----------------------------------------------------------------------------- the rules

_WD_REL = r"(?i:this\s+coming|this\s+past|last|next|this|coming|past)"
_END = r"(?=\s*(?:[,.;:)!?\"”’]|$))"  # "the day before" only when nothing follows it

_RULES: tuple[_Rule, ...] = (
    _Rule("iso_date", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)\b"), _h_iso, True),
    _Rule(
        "month_day",  # [on] [Wednesday,] March 18[th][, 2014]
        re.compile(
            rf"(?:\b(?i:on|since|by|until|from|before|after)\s+)?"
            rf"(?:\b(?:{_WEEKDAY}),?\s+)?"
            rf"\b(?P<mon>{_MONTH})\s+(?P<dom>\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)"
            rf"(?:,?\s+(?P<y>{_YEAR})\b{_NOT_NUMBER_AFTER})?"
        ),
        _h_month_day,
        True,
    ),
    _Rule(
        "day_month",  # [on] [Wednesday,] [the] 18[th] [of] March[,] [2014]
        re.compile(
            rf"(?:\b(?i:on|since|by|until|from|before|after)\s+)?"
            rf"(?:\b(?:{_WEEKDAY}),?\s+)?(?:\b(?i:the)\s+)?"
            rf"\b(?P<dom>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:(?i:of)\s+)?(?P<mon>{_MONTH})(?![a-z])"
            rf"(?:,?\s+(?P<y>{_YEAR})\b{_NOT_NUMBER_AFTER})?"
        ),
        _h_month_day,
        True,
    ),
    _Rule(
        "month_year",  # [in] [early] March 2014
        re.compile(
            rf"(?:\b{_PREP}\s+)?(?:\b{_PART}[\s-]+(?:(?i:of)\s+)?)?"
            rf"\b(?P<mon>{_MONTH})(?![a-z]),?\s+(?:(?i:of)\s+)?(?P<y>{_YEAR})\b{_NOT_NUMBER_AFTER}"
        ),
        _h_month_year,
        True,
    ),
    _Rule(
        "month",  # in March, since early March, last March, next May
        re.compile(
            rf"(?:\b{_MPREP}\s+(?:{_PART}[\s-]+)?|\b{_PART}[\s-]+|\b(?P<rel>(?i:last|this|next))\s+)"
            rf"(?P<mon>{_FULL_MONTH})\b(?!\s+\d)"
        ),
        _h_month,
    ),
    _Rule(
        "decade",  # [in] the [late] 1960s
        re.compile(
            rf"(?:\b{_PREP}\s+)?\b(?i:the)\s+(?:(?i:early|mid|late)[\s-]+)?"
            r"(?P<y>1[0-9]\d0|20\d0)['’]?s\b"
        ),
        _h_decade,
    ),
    _Rule(
        "year",  # in 2014, since 2014, in early 2014, by the end of 2014, mid-2014
        re.compile(
            rf"(?:\b{_PREP}\s+(?:(?i:the\s+(?:year|summer|winter|spring|autumn|fall)\s+(?:of\s+)?))?"
            rf"(?:{_PART}[\s-]+(?:(?i:of)\s+)?)?|\b{_PART}[\s-]+(?:(?i:of)\s+)?)"
            rf"(?P<y>{_YEAR})\b{_NOT_NUMBER_AFTER}(?!-\d\d-)"
        ),
        _h_year,
        True,
    ),
    _Rule(
        "that_year",
        re.compile(r"\b(?i:that\s+(?:same\s+)?year|the\s+same\s+year)\b"),
        _h_that_year,
    ),
    _Rule(
        "weekday",  # [on] [early] [last] Wednesday['s] [(15)] [night]
        re.compile(
            rf"(?:\b(?i:on|since|by|until|from|overnight(?:\s+(?:into|on))?)\s+)?"
            rf"(?:\b(?i:early|late)\s+(?:(?i:on)\s+)?)?"
            rf"(?:\b(?P<rel>{_WD_REL})\s+)?"
            rf"\b(?P<wd>{_WEEKDAY})\b(?:['’]s)?"
            r"(?:\s*\(\s*(?P<dom>\d{1,2})\s*\))?"
            r"(?:\s+(?i:night|evening|morning|afternoon))?"
        ),
        _h_weekday,
    ),
    _Rule(
        "earlier_this_week",
        re.compile(r"\b(?i:earlier\s+this\s+week)\b"),
        _h_earlier_this_week,
    ),
    _Rule(
        "weekend",
        re.compile(
            r"\b(?i:(?:over|at|during)\s+the\s+weekend|(?P<rel>last|this|next)\s+weekend)\b"
        ),
        _h_weekend,
    ),
    _Rule(
        "relative_day",
        re.compile(
            r"\b(?P<p>(?i:"
            + _phrase_regex([p for p in _DAY_PHRASES if not p.endswith("before")])
            + r"|the\s+(?:day|night|week)\s+before"
            + _END
            + r"))\b(?:\s+(?i:morning|afternoon|evening|night))?"
        ),
        _h_day_phrase,
    ),
    _Rule(
        "relative_period",
        re.compile(r"\b(?P<p>(?i:" + _phrase_regex(list(_PERIOD_PHRASES)) + r"))\b"),
        _h_period_phrase,
    ),
    _Rule(
        "ago",  # two days ago, three weeks ago, a week earlier, a year ago
        re.compile(
            rf"\b(?P<n>(?i:{_NUM}))\s+(?P<unit>(?i:day|week|month|year|decade))s?\s+(?i:ago|earlier)\b"
        ),
        _h_ago,
    ),
)

# A bare weekday after these is a name or not one day: "the Sunday Times", "a Sunday
# newspaper", "every Friday", "Bloody Sunday", "the Good Friday Agreement".
_NOT_A_WEEKDAY_BEFORE = re.compile(
    r"\b(?:(?i:the|a|an|every|each)|Bloody|Black|Good|Super|Holy|Easter|Palm|Ash|Cyber)\s+$"
)


def _is_name(f: _Found, text: str) -> bool:
    return (
        f.rule.name == "weekday"
        and f.match.group(0)[:1].isupper()  # no "on", "last" … before the weekday
        and _NOT_A_WEEKDAY_BEFORE.search(text, max(0, f.start - 12), f.start) is not None
    )


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    rule: _Rule
    match: re.Match[str]


# What a rule needs in the sentence before it is worth running (most sentences hold no
# temporal expression, and those that do hold one or two kinds).
_NEEDS: dict[str, tuple[str, ...]] = {
    "iso_date": ("digit",),
    "month_day": ("digit", "month"),
    "day_month": ("digit", "month"),
    "month_year": ("digit", "month"),
    "month": ("month",),
    "decade": ("digit",),
    "year": ("digit",),
    "that_year": ("year",),
    "weekday": ("weekday",),
    "earlier_this_week": ("week",),
    "weekend": ("week",),
    "relative_day": ("dayish",),
    "relative_period": ("period",),
    "ago": ("ago",),
}
_DIGIT = re.compile(r"\d")
_MONTH_NAME = re.compile(rf"\b(?:{_FULL_MONTH}|{_ABBR_MONTH})")
_WEEKDAY_NAME = re.compile(rf"\b(?:{_WEEKDAY})\b")


_MONTH_STEMS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _features(text: str) -> set[str]:
    low = text.lower()
    out = set()
    if _DIGIT.search(text):
        out.add("digit")
    if any(m in text for m in _MONTH_STEMS) and _MONTH_NAME.search(text):
        out.add("month")
    if "day" in low:
        out.add("dayish")
        if _WEEKDAY_NAME.search(text):
            out.add("weekday")
    if "week" in low:
        out.update(("week", "dayish"))
    if "year" in low:
        out.update(("year", "period"))
    if "month" in low:
        out.add("period")
    if any(w in low for w in ("night", "morning", "afternoon", "evening", "tomorrow")):
        out.add("dayish")
    if " ago" in low or "earlier" in low:
        out.add("ago")
    return out


def _scan(text: str) -> list[_Found]:
    """Every temporal expression, longest first where two overlap, in text order."""
    features = _features(text)
    if not features:
        return []
    found = [
        _Found(m.start(), m.end(), rule, m)
        for rule in _RULES
        if all(need in features for need in _NEEDS[rule.name])
        for m in rule.pattern.finditer(text)
        if m.end() > m.start()
    ]
    found = [f for f in found if not _is_name(f, text)]
    if not found:
        return []
    found.sort(key=lambda f: (f.start - f.end, f.start))
    kept: list[_Found] = []
    for f in found:
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    kept.sort(key=lambda f: f.start)
    return kept


def _mention(f: _Found, article_date: dt.date | None, ctx: _Ctx) -> DateMention | None:
    try:
        resolved = f.rule.handler(f.match, article_date, ctx)
    except (OverflowError, ValueError):  # counted past year 1 or 9999
        return None
    if resolved is None:
        return None
    day, precision = resolved
    return DateMention(day, f.match.group(0), f.start, f.end, precision, f.rule.name)


# ----------------------------------------------------------------------------- clauses

_HARD = re.compile(r"\s*(?:;|:\s|\s[—–-]{1,2}\s|—|–)\s*")
_COORD = re.compile(
    r",\s+(?=(?:but|while|whereas|although|though|because|and|or|so|yet|as|after|before"
    r"|since|until|unless|if)\b)"
)
_REL = re.compile(r",\s+(?=(?:which|who|whom|whose|where|when)\b)")
_REPORT_VERB = (
    r"(?:said|says|say|told\s+(?:\w+\s+){0,2}?|announced|added|stated|warned|claimed|insisted"
    r"|argued|noted|reported|confirmed|denied|believes|believed|thinks|thought|stressed"
    r"|acknowledged|admitted|alleged|suggested|explained|hoped|feared|promised|vowed|pledged)"
)
_COMP_THAT = re.compile(rf"\b{_REPORT_VERB}\b[^,;:—–]*?\s(?=that\b)")
_COMP_BARE = re.compile(
    rf"\b(?:said|says|told\s+(?:reporters|journalists|lawmakers|parliament|\w+)),?\s+"
    rf"(?!(?:{_WEEKDAY}|{_FULL_MONTH}|Last|This|Next|Earlier|Today|Yesterday|Tonight|On|In)\b)"
    r"(?=(?:he|she|it|they|we|I|there|the|his|her|its|their|[A-Z][a-z]+)\b)"
)


@dataclass(frozen=True, slots=True)
class _Clauses:
    """Each character's clause id, and each clause's enclosing clause (or -1)."""

    spans: tuple[tuple[int, int, int], ...]  # (start, end, clause id) in text order
    parent: tuple[int, ...]

    def at(self, pos: int) -> int:
        for start, end, cid in self.spans:
            if start <= pos < end:
                return cid
        return self.spans[-1][2] if self.spans else 0

    def ancestors(self, cid: int) -> list[int]:
        out = []
        while (cid := self.parent[cid]) >= 0:
            out.append(cid)
        return out


def _clauses(text: str) -> _Clauses:
    """Cut a sentence into clauses with a few surface cues (no parser)."""
    events: list[tuple[int, str, int]] = []  # (position, kind, end of boundary text)
    if any(ch in text for ch in ";:—–-"):
        for m in _HARD.finditer(text):
            events.append((m.start(), "hard", m.end()))
    if ", " in text:
        for m in _COORD.finditer(text):
            events.append((m.start(), "coord", m.end()))
        for m in _REL.finditer(text):
            events.append((m.start(), "rel", m.end()))
    if "that" in text:
        for m in _COMP_THAT.finditer(text):
            events.append((m.end(), "comp", m.end()))
    if "said" in text or "says" in text or "told" in text:
        for m in _COMP_BARE.finditer(text):
            events.append((m.end(), "comp", m.end()))
    commas = [m.start() for m in re.finditer(r",", text)]
    events.sort()

    parent: list[int] = [-1]
    spans: list[tuple[int, int, int]] = []
    current, pos = 0, 0
    rel_return: list[tuple[int, int]] = []  # (comma position that closes it, clause to resume)

    def switch(at: int, to: int) -> None:
        nonlocal current, pos
        at = max(at, pos)
        if at > pos:
            spans.append((pos, at, current))
        current, pos = to, at

    i = 0
    while i < len(events) or rel_return:
        next_close = rel_return[-1][0] if rel_return else len(text) + 1
        if i < len(events) and events[i][0] < next_close:
            at, kind, after = events[i]
            i += 1
            if kind == "hard":
                rel_return.clear()
                parent.append(-1)
            elif kind == "coord":
                # A sibling clause; an open relative clause ends here too.
                rel_return.clear()
                parent.append(-1)
            elif kind == "rel":
                parent.append(current)
                closing = next((c for c in commas if c >= after), len(text) + 1)
                rel_return.append((closing, current))
            else:  # reported speech
                parent.append(current)
            switch(at, len(parent) - 1)
        else:
            close, resume = rel_return.pop()
            if close > len(text):
                continue
            switch(close, resume)
    if pos < len(text) or not spans:
        spans.append((pos, len(text), current))
    return _Clauses(tuple(spans), tuple(parent))


# ----------------------------------------------------------------------------- public API


def find_dates(
    text: str, article_date: dt.date | None, *, context_year: int | None = None
) -> list[DateMention]:
    """Every resolvable temporal expression in ``text``, in order."""
    ctx = _Ctx(text, context_year)
    out = []
    for f in _scan(text):
        mention = _mention(f, article_date, ctx)
        if mention is not None:
            out.append(mention)
    return out


def find_years(text: str) -> list[int]:
    """Explicit years written in ``text`` (``in 2014``, ``March 2014``, ``2014-03-18``…),
    in order: the article-level context for ``that year``."""
    years = []
    for f in _scan(text):
        if f.rule.gives_year:
            y = f.match.groupdict().get("y")
            if y:
                years.append(int(y))
    return years


def resolve_date(
    text: str,
    anchor: int,
    article_date: dt.date | None,
    *,
    context_year: int | None = None,
) -> DateMention | None:
    """The date of the event whose trigger starts at ``anchor`` in the sentence ``text``.

    ``context_year`` is the most recent explicit year earlier in the article (see
    ``find_years``); it resolves ``that year`` when the sentence itself names no year
    before the phrase. Returns ``None`` when no temporal expression governs the event, or
    when the governing one is relative and there is no ``article_date``.
    """
    found = _scan(text)
    if not found:
        return None

    word = _WORD_AT.match(text, anchor)
    anchor_end = word.end() if word else anchor + 1

    def distance(f: _Found) -> int:
        """Characters between the trigger word and the expression, and a penalty for each
        comma between them (an expression in the same phrase is closer)."""
        if f.start < anchor_end and anchor < f.end:
            return 0
        lo, hi = (anchor_end, f.start) if f.start >= anchor_end else (f.end, anchor)
        return hi - lo + _COMMA_PENALTY * text.count(",", lo, hi)

    nearest = min(found, key=lambda f: (distance(f), f.start))
    if nearest.start >= anchor_end:  # the trigger itself may open a clause ("said")
        lo, hi = max(anchor, 0), nearest.start
    else:
        lo, hi = nearest.end, max(anchor, nearest.end)
    if not _CLAUSE_CUE.search(text, lo, hi):
        # Nothing that could start a clause between the trigger and the nearest expression:
        # they share a clause, and it is the nearest there.
        return _mention(nearest, article_date, _Ctx(text, context_year))

    clauses = _clauses(text)
    pool: list[_Found] = found
    if len(clauses.spans) > 1:
        home = clauses.at(anchor)
        by_clause: dict[int, list[_Found]] = {}
        for f in found:
            by_clause.setdefault(clauses.at(f.start), []).append(f)
        pool = next((by_clause[c] for c in (home, *clauses.ancestors(home)) if c in by_clause), [])
        if not pool:
            return None
    chosen = min(pool, key=lambda f: (distance(f), f.start))
    return _mention(chosen, article_date, _Ctx(text, context_year))


_WORD_AT = re.compile(r"\w+")
_CLAUSE_CUE = re.compile(r"[,;:—–]|\s-|\b(?:that|said|says|told)\b")
_COMMA_PENALTY = 20
