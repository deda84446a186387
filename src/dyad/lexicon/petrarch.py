"""Import PETRARCH / TABARI actor, agent and discard dictionaries into dyad's actor YAML.

Users of the older coders keep years of work in these dictionaries; `dyad actors
import-petrarch` turns them into one dyad actor file (docs/actors.md describes the mapping).
Everything that cannot be carried over is reported as a warning naming ``file:line``:
nothing is dropped silently.

The formats (TABARI and PETRARCH manuals):

* actors: ``PHRASE_WITH_UNDERSCORES [CODE]``; ``_`` joins words, a final ``_`` marks a word
  boundary. Codes may carry dates: ``[CODE <YYMMDD]`` (before), ``[CODE >YYMMDD]`` (after),
  ``[CODE YYMMDD-YYMMDD]`` (a range, both ends included); dates are ``YYYYMMDD`` or the
  older ``YYMMDD`` (00-30 -> 20YY, else 19YY). Further code lines follow the phrase (indented
  or starting with ``[``); ``+PHRASE`` lines are synonyms of the entry above.
* agents: ``PHRASE {PLURAL} [~ROLE]`` (``{}``: no plural; ``[ROLE~]``: the role goes before
  the actor code), with substitution sets ``!PERSON! = MAN, MEN, WOMAN`` used as
  ``CONGRESS!PERSON!``.
* discards: one phrase per line (``+`` = discard the whole story).
* comments: ``#`` to the end of the line, ``<!-- ... -->`` (also over several lines).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dyad.errors import LexiconError
from dyad.lexicon import (
    ROLE_CODES,
    builtin_lexicon,
    parse_organisations,
    parse_people,
    parse_roles,
    read_user_file,
)

FAR_PAST = dt.date(1, 1, 1)  # the start of an office open to the past ("[CODE <date]")
_OPEN = dt.date.max  # internal stand-in for an open end (written as null)
OFFICE_TITLE = "imported"

# First code segments that are not a country: CAMEO's international and transnational
# prefixes (IGO, NGO, NGM, IMG, MNC, ...) and the role codes. A 3-letter code of a built-in
# organisation without a country (UNO, NAT, IMF ...) is not a country either.
_ORG_KIND_BY_PREFIX = {"IGO": "igo", "NGO": "ngo", "NGM": "ngo", "IMG": "armed_group"}
_SMALL_WORDS = frozenset(
    "of the and for in on at to a an de du des da di del la le les el al bin ibn van von".split()
)
_VOWELS = re.compile(r"[AEIOUY]", re.I)
_CODE_RE = re.compile(r"^[A-Z0-9]{3}([A-Z0-9]{3})*$")
_BRACKET = re.compile(r"\[([^\]]*)\]")
_DATE_SPEC = re.compile(
    r"^(?P<code>[^\s<>]+?)\s*"
    r"(?:(?P<op>[<>])\s*(?P<d>\d{6,8})|(?P<a>\d{6,8})\s*-\s*(?P<b>\d{6,8}))?\s*$"
)
_MARKER_DEF = re.compile(r"^\s*!([^!\s]+)!\s*=\s*(.*)$")
_MARKER_USE = re.compile(r"!([^!\s]*)!")


@dataclass(frozen=True, slots=True)
class ImportWarning:
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass
class _Code:
    code: str
    start: dt.date  # inclusive
    end: dt.date  # inclusive; _OPEN for no end
    dated: bool
    line: int


@dataclass
class _ActorEntry:
    path: str
    line: int
    phrases: list[tuple[str, int]] = field(default_factory=list)  # (display phrase, line)
    codes: list[_Code] = field(default_factory=list)


@dataclass
class ImportResult:
    """What was imported, ready to be written as one dyad actor file."""

    organisations: list[dict[str, Any]] = field(default_factory=list)
    people: list[dict[str, Any]] = field(default_factory=list)
    roles: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[ImportWarning] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (path, detected kind)
    counts: Counter[str] = field(default_factory=Counter)

    def warn(self, path: str, line: int | None, message: str) -> None:
        self.warnings.append(ImportWarning(path, line, message))

    def document(self) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        if self.organisations:
            doc["organisations"] = self.organisations
        if self.people:
            doc["people"] = self.people
        if self.roles:
            doc["roles"] = self.roles
        return doc

    def to_yaml(self) -> str:
        head = [
            "# Imported from PETRARCH/TABARI dictionaries by `dyad actors import-petrarch`.",
            "# Sources: " + ", ".join(f"{Path(p).name} ({k})" for p, k in self.files),
            "# Mapping (docs/actors.md): dated actors -> people with offices titled "
            f"'{OFFICE_TITLE}'",
            "# (an office open to the past starts 0001-01-01); other actors -> organisations;",
            "# agents -> roles.",
            f"# {self.summary()}",
            "",
        ]
        return "\n".join(head) + render_yaml(self.document())

    def summary(self) -> str:
        n_off = sum(len(p["offices"]) for p in self.people)
        n_roles = sum(len(v) for v in self.roles.values())
        return (
            f"imported {len(self.organisations)} organisations, {len(self.people)} people "
            f"({n_off} offices), {n_roles} role nouns under {len(self.roles)} role codes; "
            f"{len(self.warnings)} warnings"
        )


def _flow(value: Any) -> str:
    return str(
        yaml.safe_dump(
            value, default_flow_style=True, width=1 << 20, allow_unicode=True, sort_keys=False
        )
    )[:-1].removesuffix("\n...")


def render_yaml(doc: dict[str, Any]) -> str:
    """The actor file in the lexicon's own style: one organisation or office per line."""
    out: list[str] = []
    for org in doc.get("organisations", []):
        if not out:
            out.append("organisations:")
        out.append(f"  - {_flow(org)}")
    if doc.get("people"):
        out.append("people:")
        for person in doc["people"]:
            out.append(f"  - name: {_flow(person['name'])}")
            for key in ("aliases", "country"):
                if key in person:
                    out.append(f"    {key}: {_flow(person[key])}")
            out.append("    offices:")
            out += [f"      - {_flow(o)}" for o in person["offices"]]
    if doc.get("roles"):
        out.append("roles:")
        for role, nouns in doc["roles"].items():
            out.append(f"  {role}:")
            out += [f"    - {_flow(n)}" for n in nouns]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ reading lines


def _clean_lines(path: str, text: str, result: ImportResult) -> Iterator[tuple[int, str]]:
    """(line number, text) of the lines that hold content, comments removed, indentation kept."""
    in_comment_since: int | None = None
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\n\r")
        out = ""
        rest = line
        while rest:
            if in_comment_since is not None:
                end = rest.find("-->")
                if end < 0:
                    rest = ""
                    break
                rest = rest[end + 3 :]
                in_comment_since = None
                continue
            start = rest.find("<!")
            if start < 0:
                out += rest
                break
            out += rest[:start]
            rest = rest[start + 2 :]
            in_comment_since = n
        if "#" in out:
            out = out[: out.index("#")]
        if out.strip():
            yield n, out.rstrip()
    if in_comment_since is not None:
        result.warn(path, in_comment_since, "comment '<!--' is never closed: the rest was ignored")


def _words(phrase: str) -> list[str]:
    """A dictionary phrase as words: '_' and spaces separate words; a final '_' is dropped."""
    return [w for w in re.split(r"[_\s]+", phrase.strip()) if w]


def display_phrase(words: list[str]) -> str:
    """PETRARCH writes phrases in capitals; dyad wants them as news writes them.

    Words with dots or with no vowel after the first letter stay capitals (U.S., USSR), so
    do two-letter words and one-word phrases of three letters (IMF, UAE); small words inside a
    phrase go lower case ('Group of 77', 'the AU'); everything else is capitalised per
    hyphen part ('Al-Qaeda'). dyad matches names of four letters or more case-insensitively,
    so the choice only matters for display and for short acronyms.
    """
    out = []
    for i, w in enumerate(words):
        letters = [c for c in w if c.isalpha()]
        low = w.lower()
        if not letters:
            out.append(w)
        elif low in _SMALL_WORDS and (i > 0 or (low == "the" and len(words) > 1)):
            out.append(low)
        elif (
            "." in w
            or (len(letters) > 1 and not _VOWELS.search(w[1:]))
            or len(letters) <= 2
            or (len(words) == 1 and len(letters) <= 3)
        ):
            out.append(w.upper())
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def _key(phrase: str) -> str:
    p = phrase.lower().strip()
    return p[4:] if p.startswith("the ") else p


def parse_date(text: str) -> dt.date:
    """YYYYMMDD, or TABARI's YYMMDD (00-30 -> 20YY, otherwise 19YY)."""
    if len(text) == 8:
        y, m, d = int(text[:4]), int(text[4:6]), int(text[6:8])
    elif len(text) == 6:
        yy = int(text[:2])
        y, m, d = (2000 + yy if yy <= 30 else 1900 + yy), int(text[2:4]), int(text[4:6])
    else:
        raise ValueError(f"{text!r} is not YYYYMMDD or YYMMDD")
    return dt.date(y, m, d)


# ------------------------------------------------------------------------------ detection


def detect_kind(path: str, text: str) -> str:
    """actors, agents, discards or verbs: by the file name, else by the content."""
    name = Path(path).name.lower()
    for kind in ("actors", "agents", "discards", "verbs"):
        if re.search(rf"(^|[._-]){kind[:-1]}s?([._-]|$)", name):
            return kind
    probe = ImportResult()
    lines = [t for _, t in _clean_lines(path, text, probe)]
    if any(re.match(r"^\s*---", t) for t in lines) or any(t.startswith("&") for t in lines):
        return "verbs"
    if any(_MARKER_DEF.match(t) for t in lines) or any(
        "~" in m for t in lines for m in _BRACKET.findall(t)
    ):
        return "agents"
    if any("[" in t for t in lines):
        return "actors"
    return "discards"


# ------------------------------------------------------------------------------ actors


def _read_actor_entries(path: str, text: str, result: ImportResult) -> list[_ActorEntry]:
    entries: list[_ActorEntry] = []
    current: _ActorEntry | None = None
    for n, line in _clean_lines(path, text, result):
        stripped = line.strip()
        is_code_line = stripped.startswith("[") or stripped.startswith("+[")
        is_synonym = stripped.startswith("+") and not is_code_line
        if (is_code_line or is_synonym) and current is None:
            result.warn(path, n, f"{stripped!r} does not follow an actor phrase: skipped")
            continue
        if is_code_line:
            assert current is not None
            _add_codes(path, n, stripped.lstrip("+"), current, result)
            continue
        phrase_part = stripped.lstrip("+")
        bracket = phrase_part.find("[")
        codes_part = phrase_part[bracket:] if bracket >= 0 else ""
        phrase_text = phrase_part[:bracket] if bracket >= 0 else phrase_part
        if "]" in phrase_text or (bracket >= 0 and "]" not in codes_part):
            result.warn(path, n, f"cannot read {stripped!r} (unbalanced brackets): skipped")
            if not is_synonym:
                current = None  # its code lines must not go to the entry before
            continue
        words = _words(phrase_text)
        if not is_synonym or current is None:
            current = _ActorEntry(path, n)
            entries.append(current)
        if words:
            current.phrases.append((display_phrase(words), n))
        elif not codes_part:
            result.warn(path, n, f"cannot read {stripped!r}: skipped")
            continue
        if codes_part:
            if is_synonym:
                result.warn(path, n, "a code on a synonym line applies to the whole entry in dyad")
            _add_codes(path, n, codes_part, current, result)
    return entries


def _add_codes(path: str, n: int, text: str, entry: _ActorEntry, result: ImportResult) -> None:
    found = _BRACKET.findall(text)
    leftover = _BRACKET.sub("", text).strip()
    if leftover:
        result.warn(path, n, f"text outside the brackets ignored: {leftover!r}")
    if not found:
        result.warn(path, n, f"cannot read code {text!r}: skipped")
    for inner in found:
        m = _DATE_SPEC.match(inner.strip())
        if m is None:
            result.warn(path, n, f"cannot read code [{inner}]: skipped")
            continue
        code = m.group("code")
        try:
            if m.group("op") == "<":
                start, end, dated = FAR_PAST, parse_date(m.group("d")) - dt.timedelta(days=1), True
            elif m.group("op") == ">":
                start, end, dated = parse_date(m.group("d")) + dt.timedelta(days=1), _OPEN, True
            elif m.group("a"):
                start, end, dated = parse_date(m.group("a")), parse_date(m.group("b")), True
            else:
                start, end, dated = FAR_PAST, _OPEN, False
        except ValueError as exc:
            result.warn(path, n, f"bad date in [{inner}] ({exc}): skipped")
            continue
        if end < start:
            result.warn(path, n, f"[{inner}] ends before it starts: skipped")
            continue
        entry.codes.append(_Code(code, start, end, dated, n))


def _normal_code(path: str, c: _Code, result: ImportResult) -> str | None:
    """The dyad code for a dictionary code, or None (with a warning) when it has none."""
    code = c.code
    if "/" in code:
        first = code.split("/")[0]
        result.warn(
            path,
            c.line,
            f"compound code {code}: dyad gives one code per phrase; imported as {first.upper()}",
        )
        code = first
    if set(code) <= set("-#+"):
        result.warn(
            path,
            c.line,
            f"code {code} (PETRARCH's 'known, but no code') has no dyad equivalent: skipped",
        )
        return None
    if code != code.upper():
        result.warn(path, c.line, f"code {code!r} upper-cased to {code.upper()}")
        code = code.upper()
    if not _CODE_RE.match(code):
        result.warn(path, c.line, f"code {code} is not made of 3-character segments: skipped")
        return None
    return code


def _igo_codes() -> frozenset[str]:
    return frozenset(o.code for o in builtin_lexicon().organisations if o.country is None)


def country_of(code: str, igos: frozenset[str]) -> str | None:
    """The country of an imported code: its first segment, unless that is an international
    prefix or role (IGO, NGO, IMG, GOV ...) or a built-in IGO's code (UNO, NAT, IMF)."""
    first = code[:3]
    if first in ROLE_CODES or first in igos:
        return None
    return first


def _org_kind(code: str, igos: frozenset[str]) -> str:
    if code[:3] in _ORG_KIND_BY_PREFIX:
        return _ORG_KIND_BY_PREFIX[code[:3]]
    if code in igos:
        return "igo"
    return "other"


def _offices(dated: list[tuple[str, dt.date, dt.date]], default: str | None) -> list[Any]:
    """Non-overlapping offices: the first matching code line wins (as in PETRARCH), the
    undated code fills the gaps."""
    taken: list[tuple[dt.date, dt.date, str | None]] = []
    for code, start, end in dated:
        pieces = [(start, end)]
        for t_start, t_end, _c in taken:
            nxt = []
            for s, e in pieces:
                if e < t_start or s > t_end:
                    nxt.append((s, e))
                    continue
                if s < t_start:
                    nxt.append((s, t_start - dt.timedelta(days=1)))
                if e > t_end:
                    nxt.append((t_end + dt.timedelta(days=1), e))
            pieces = nxt
        taken += [(s, e, code) for s, e in pieces]
    if default is not None:
        gaps: list[tuple[dt.date, dt.date, str | None]] = []
        cursor = FAR_PAST
        for s, e, _c in sorted(taken, key=lambda t: t[0]):
            if s > cursor:
                gaps.append((cursor, s - dt.timedelta(days=1), default))
            cursor = max(cursor, e + dt.timedelta(days=1)) if e < _OPEN else _OPEN
            if cursor == _OPEN:
                break
        if cursor != _OPEN:
            gaps.append((cursor, _OPEN, default))
        taken += gaps
    merged: list[list[Any]] = []
    for s, e, c in sorted(taken, key=lambda t: t[0]):
        if not c:
            continue
        if merged and merged[-1][2] == c and merged[-1][1] + dt.timedelta(days=1) == s:
            merged[-1][1] = e
        else:
            merged.append([s, e, c])
    return [
        {"title": OFFICE_TITLE, "code": c, "start": s, "end": None if e == _OPEN else e}
        for s, e, c in merged
    ]


def import_actors(path: str, text: str, result: ImportResult) -> None:
    igos = _igo_codes()
    entries = _read_actor_entries(path, text, result)
    # PETRARCH keeps the last definition of a phrase: an earlier entry loses that phrase
    owner: dict[str, _ActorEntry] = {}
    for entry in entries:
        for phrase, n in entry.phrases:
            prev = owner.get(_key(phrase))
            if prev is not None and prev is not entry:
                result.warn(
                    path,
                    n,
                    f"{phrase!r} is already defined at line {prev.line}; the later entry "
                    "wins (as in PETRARCH)",
                )
                prev.phrases = [(p, m) for p, m in prev.phrases if _key(p) != _key(phrase)]
            owner[_key(phrase)] = entry
    for entry in entries:
        if not entry.codes:
            result.warn(path, entry.line, "actor has no code: skipped")
            result.counts["skipped"] += 1
            continue
        if not entry.phrases:
            continue  # every phrase was redefined later (already warned)
        seq: list[tuple[str, dt.date, dt.date]] = []  # dated codes in file order
        default: str | None = None
        for c in entry.codes:
            code = _normal_code(path, c, result)
            if c.dated:
                # a range without a code ('---') still takes its dates from later lines
                seq.append((code or "", c.start, c.end))
            elif code is not None:
                if default is None:
                    default = code
                else:
                    result.warn(
                        path, c.line, f"second undated code {code} ignored (keeps {default})"
                    )
        dated = [t for t in seq if t[0]]
        names = [p for p, _ in entry.phrases]
        if not dated:
            if default is None:
                result.counts["skipped"] += 1
                continue
            org = {
                "code": default,
                "name": names[0],
                "aliases": names[1:],
                "country": country_of(default, igos),
                "kind": _org_kind(default, igos),
            }
            if not org["aliases"]:
                del org["aliases"]
            _keep(result, "organisations", org, path, entry.line)
            continue
        offices = _offices(seq, default)
        firsts = Counter(
            country_of(o["code"], igos) for o in offices if country_of(o["code"], igos)
        )
        person = {
            "name": names[0],
            "aliases": names[1:],
            "country": firsts.most_common(1)[0][0] if firsts else None,
            "offices": offices,
        }
        if not person["aliases"]:
            del person["aliases"]
        _keep(result, "people", person, path, entry.line)


def _keep(result: ImportResult, section: str, entry: dict[str, Any], path: str, line: int) -> None:
    """Add an entry if dyad's own validation accepts it, else warn."""
    try:
        if section == "organisations":
            parse_organisations(path, {"organisations": [entry]})
        else:
            parse_people(path, {"people": [entry]})
    except LexiconError as exc:
        result.warn(path, line, f"not importable ({exc.message}): skipped")
        result.counts["skipped"] += 1
        return
    getattr(result, section).append(entry)


# ------------------------------------------------------------------------------ agents


def _role_accepted(role: str) -> bool:
    try:
        parse_roles("check", {"roles": {role: ["x"]}}, strict=False)
    except LexiconError:
        return False
    return True


def import_agents(path: str, text: str, result: ImportResult) -> None:
    markers: dict[str, list[str]] = {}
    owner: dict[str, tuple[str, int]] = {}  # noun -> (role, line)
    for n, line in _clean_lines(path, text, result):
        m = _MARKER_DEF.match(line)
        if m and "[" not in line:
            items = [x.strip() for x in m.group(2).split(",") if x.strip()]
            if not items:
                result.warn(path, n, f"substitution set !{m.group(1)}! is empty")
            markers[m.group(1)] = items
            continue
        if "[" not in line or "]" not in line.split("[", 1)[1]:
            result.warn(path, n, f"agent {line.strip()!r} has no [code]: skipped")
            continue
        phrase_part, _, rest = line.partition("[")
        raw_code = rest.split("]", 1)[0].replace(" ", "").replace("\t", "")
        leftover = rest.split("]", 1)[1].strip()
        if leftover:
            result.warn(path, n, f"text after the code ignored: {leftover!r}")
        plural: str | None = None  # None: regular plural (dyad lemmatises); "": none
        pm = re.search(r"\{([^}]*)\}", phrase_part)
        if "{" in phrase_part and pm is None:
            result.warn(path, n, "missing '}': skipped")
            continue
        if pm is not None:
            plural = pm.group(1).strip()
            phrase_part = phrase_part[: pm.start()] + phrase_part[pm.end() :]
        role = _agent_role(path, n, raw_code, result)
        if role is None:
            continue
        phrases = _expand_markers(path, n, phrase_part.strip(), markers, result)
        if plural:
            phrases += _expand_markers(path, n, plural, markers, result)
        for p in phrases:
            noun = " ".join(_words(p)).lower()
            if not noun:
                result.warn(path, n, f"cannot read agent {line.strip()!r}: skipped")
                continue
            if noun in owner:
                prev_role, prev_line = owner[noun]
                if prev_role != role:
                    result.warn(
                        path,
                        n,
                        f"{noun!r} is already {prev_role} (line {prev_line}); {role} ignored",
                    )
                continue
            owner[noun] = (role, n)
            result.roles.setdefault(role, []).append(noun)


def _expand_markers(
    path: str, n: int, phrase: str, markers: dict[str, list[str]], result: ImportResult
) -> list[str]:
    m = _MARKER_USE.search(phrase)
    if m is None:
        if "!" in phrase:
            result.warn(path, n, f"substitution marker in {phrase!r} is malformed: skipped")
            return []
        return [phrase]
    if m.group(1) not in markers:
        result.warn(path, n, f"substitution set !{m.group(1)}! is not defined: skipped")
        return []
    out = []
    for item in markers[m.group(1)]:
        out += _expand_markers(
            path, n, phrase[: m.start()] + item + phrase[m.end() :], markers, result
        )
    return out


def _agent_role(path: str, n: int, raw: str, result: ImportResult) -> str | None:
    """The dyad role for an agent code: ~GOV -> GOV. A role dyad does not accept is cut to its
    longest accepted leading segments (GOVFRM -> GOV), else skipped; both with a warning."""
    if raw.startswith("~"):
        code = raw[1:]
    elif raw.endswith("~"):
        code = raw[:-1]
        result.warn(
            path,
            n,
            f"[{raw}] puts the role before the actor code; dyad appends roles, so this "
            f"imports as a role {code.upper()} after the country",
        )
    else:
        code = raw
        result.warn(path, n, f"agent code [{raw}] has no '~': read as a role")
    if code != code.upper():
        result.warn(path, n, f"role {code!r} upper-cased to {code.upper()}")
        code = code.upper()
    if not _CODE_RE.match(code):
        result.warn(path, n, f"role [{raw}] is not made of 3-character segments: skipped")
        return None
    if _role_accepted(code):
        return code
    for k in range(len(code) - 3, 0, -3):
        if _role_accepted(code[:k]):
            result.warn(
                path,
                n,
                f"role {code} is not accepted by dyad's role codes; imported as {code[:k]}",
            )
            return code[:k]
    result.warn(path, n, f"role {code} is not accepted by dyad's role codes: skipped")
    return None


# ------------------------------------------------------------------------------ the whole run


def import_discards(path: str, text: str, result: ImportResult) -> None:
    for n, line in _clean_lines(path, text, result):
        phrase = line.strip()
        scope = "story" if phrase.startswith("+") else "sentence"
        result.warn(
            path,
            n,
            f"{scope} discard {phrase.lstrip('+').strip()!r} not imported: dyad has no "
            "discard list",
        )


def import_petrarch(paths: Iterable[str | Path]) -> ImportResult:
    """Read PETRARCH/TABARI dictionaries (kind detected per file) into one ImportResult."""
    result = ImportResult()
    for p in paths:
        path, text = read_user_file(p, "PETRARCH dictionary")
        kind = detect_kind(path, text)
        result.files.append((path, kind))
        if kind == "actors":
            import_actors(path, text, result)
        elif kind == "agents":
            import_agents(path, text, result)
        elif kind == "discards":
            import_discards(path, text, result)
        else:
            result.warn(
                path,
                None,
                "verb dictionaries are not imported (dyad's verb patterns have their own "
                "grammar, docs/lexicon.md): file skipped",
            )
    order = {path: i for i, (path, _k) in enumerate(result.files)}
    result.warnings.sort(key=lambda w: (order.get(w.path, -1), w.line or 0))
    return result
