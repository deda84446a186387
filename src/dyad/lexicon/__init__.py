"""Team-written lexicons: countries, places, role nouns, organisations, people, verb patterns.

Every file is YAML under ``dyad/lexicon/data``; users add their own with ``--actors FILE``.
Loading validates each entry and raises LexiconError naming the file, the entry and what is
wrong. See docs/lexicon.md for the formats.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from dyad.errors import LexiconError

ROLE_CODES = frozenset(
    # CAMEO actor types (GDELT CAMEO.type.txt) plus the PLOVER sectors we use.
    "COP GOV INS JUD MIL OPP REB SEP SPY UAF AGR BUS CRM CVL DEV EDU ELI ENV HLH HRI LAB "
    "LEG MED REF MOD RAD AMN IRC GRP UNO PKO UIS IGO IMG INT MNC NGM NGO SET PTY PRM REL "
    "JRN SOC UNK".split()
)

ORG_KINDS = frozenset(
    "igo alliance ngo armed_group militant party media company court agency other".split()
)

_CODE_RE = re.compile(r"^[A-Z0-9]{3}([A-Z0-9]{3})*$")


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    names: tuple[str, ...]
    adjectives: tuple[str, ...]
    demonyms: tuple[str, ...]
    capitals: tuple[str, ...]
    seats: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Region:
    """A CAMEO multi-country region (WST, EUR, MEA ...)."""

    code: str
    names: tuple[str, ...]
    adjectives: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Place:
    """A sub-national place (region, province, city) that implies its country."""

    name: str
    aliases: tuple[str, ...]
    country: str
    kind: str


@dataclass(frozen=True, slots=True)
class Organisation:
    code: str
    name: str
    aliases: tuple[str, ...]
    country: str | None
    kind: str


@dataclass(frozen=True, slots=True)
class Office:
    title: str
    code: str
    start: dt.date
    end: dt.date | None

    def holds_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    aliases: tuple[str, ...]
    country: str | None
    offices: tuple[Office, ...]

    def code_on(self, day: dt.date | None) -> str | None:
        """The actor code on ``day``: the office then held, else ELI once out of office.

        Without a date the most recent office counts (a current leader stays current).
        """
        if not self.offices:
            return self.country
        if day is None:
            return max(self.offices, key=lambda o: o.start).code
        held = [o for o in self.offices if o.holds_on(day)]
        if held:
            return max(held, key=lambda o: o.start).code
        if any(o.end is not None and o.end < day for o in self.offices):
            return f"{self.country}ELI" if self.country else "ELI"
        return self.country


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Everything the actor resolver and the coder read, loaded once per process."""

    countries: tuple[Country, ...]
    regions: tuple[Region, ...]
    places: tuple[Place, ...]
    roles: dict[str, str]  # lower-cased role noun or phrase -> role code
    organisations: tuple[Organisation, ...]
    people: tuple[Person, ...]
    sources: tuple[str, ...] = field(default=())


# ---------------------------------------------------------------------------- parsing helpers


class _Ctx:
    """Where we are in a file, for error messages that name the file and the entry."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> LexiconError:
        return LexiconError(f"{self.path}: {where}: {what}")


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so a bad date is reported with its entry."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "file"
        raise LexiconError(f"{path}: {where}: not valid YAML ({exc})") from None


def _strings(ctx: _Ctx, where: str, value: Any, key: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ctx.fail(where, f"'{key}' must be a string or a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _mapping(
    ctx: _Ctx, where: str, entry: Any, required: Iterable[str], allowed: Iterable[str]
) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ctx.fail(where, "each entry must be a mapping")
    missing = [k for k in required if k not in entry or entry[k] in (None, "")]
    if missing:
        raise ctx.fail(where, f"missing {', '.join(missing)}")
    unknown = sorted(set(entry) - set(allowed))
    if unknown:
        raise ctx.fail(where, f"unknown key(s) {', '.join(map(str, unknown))}")
    return entry


def _code(ctx: _Ctx, where: str, value: Any, key: str = "code") -> str:
    if not isinstance(value, str) or not _CODE_RE.match(value):
        raise ctx.fail(
            where, f"'{key}' must be a CAMEO actor code of 3-letter segments, got {value!r}"
        )
    return value


def _date(ctx: _Ctx, where: str, value: Any, key: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int):  # a bare year
        return dt.date(value, 1, 1) if key == "start" else dt.date(value, 12, 31)
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ctx.fail(where, f"'{key}' must be a date YYYY-MM-DD (or null), got {value!r}")


# ---------------------------------------------------------------------------- file loaders


def parse_countries(path: str, doc: dict[str, Any]) -> tuple[list[Country], list[Region]]:
    ctx = _Ctx(path)
    countries: list[Country] = []
    for i, entry in enumerate(doc.get("countries") or []):
        where = f"countries[{i}]"
        e = _mapping(
            ctx,
            where,
            entry,
            ["code", "name"],
            ["code", "name", "names", "adjectives", "demonyms", "capital", "capitals", "seats"],
        )
        where = f"country {e.get('code')}"
        countries.append(
            Country(
                code=_code(ctx, where, e["code"]),
                name=str(e["name"]).strip(),
                names=_strings(ctx, where, e.get("names"), "names"),
                adjectives=_strings(ctx, where, e.get("adjectives"), "adjectives"),
                demonyms=_strings(ctx, where, e.get("demonyms"), "demonyms"),
                capitals=_strings(ctx, where, e.get("capital"), "capital")
                + _strings(ctx, where, e.get("capitals"), "capitals"),
                seats=_strings(ctx, where, e.get("seats"), "seats"),
            )
        )
    regions: list[Region] = []
    for i, entry in enumerate(doc.get("regions") or []):
        where = f"regions[{i}]"
        e = _mapping(ctx, where, entry, ["code", "names"], ["code", "names", "adjectives"])
        regions.append(
            Region(
                code=_code(ctx, where, e["code"]),
                names=_strings(ctx, where, e["names"], "names"),
                adjectives=_strings(ctx, where, e.get("adjectives"), "adjectives"),
            )
        )
    return countries, regions


def parse_places(path: str, doc: dict[str, Any]) -> list[Place]:
    ctx = _Ctx(path)
    entries = doc.get("places")
    if not isinstance(entries, list):
        raise ctx.fail("file", "expected a list under 'places'")
    out = []
    for i, entry in enumerate(entries):
        where = f"places[{i}]"
        e = _mapping(ctx, where, entry, ["name", "country"], ["name", "aliases", "country", "kind"])
        kind = e.get("kind", "region")
        if kind not in ("region", "city", "territory"):
            raise ctx.fail(where, f"'kind' must be region, city or territory, got {kind!r}")
        out.append(
            Place(
                name=str(e["name"]).strip(),
                aliases=_strings(ctx, where, e.get("aliases"), "aliases"),
                country=_code(ctx, where, e["country"], "country"),
                kind=kind,
            )
        )
    return out


def parse_roles(path: str, doc: dict[str, Any], strict: bool = True) -> dict[str, str]:
    """Role nouns by role code. ``strict`` (the built-in lexicon) accepts only the CAMEO
    and PLOVER role codes; users' files may bring their own (PETRARCH's GOVFRM, MILNAV)
    as long as they are made of 3-character segments."""
    ctx = _Ctx(path)
    roles = doc.get("roles")
    if not isinstance(roles, dict):
        raise ctx.fail("file", "expected a mapping under 'roles': ROLE -> list of nouns")
    out: dict[str, str] = {}
    for role, nouns in roles.items():
        if strict and role not in ROLE_CODES:
            raise ctx.fail(f"roles.{role}", f"unknown role code {role!r}")
        if not strict and not (isinstance(role, str) and _CODE_RE.match(role)):
            raise ctx.fail(
                f"roles.{role}", f"role code {role!r} must be made of 3-character segments"
            )
        for noun in _strings(ctx, f"roles.{role}", nouns, role):
            key = noun.lower()
            if key in out and out[key] != role:
                raise ctx.fail(f"roles.{role}", f"{noun!r} is already listed under {out[key]}")
            out[key] = role
    return out


def parse_organisations(path: str, doc: dict[str, Any]) -> list[Organisation]:
    ctx = _Ctx(path)
    entries = doc.get("organisations")
    if not isinstance(entries, list):
        raise ctx.fail("file", "expected a list under 'organisations'")
    out = []
    for i, entry in enumerate(entries):
        where = f"organisations[{i}]"
        e = _mapping(
            ctx,
            where,
            entry,
            ["code", "name", "kind"],
            ["code", "name", "aliases", "country", "kind"],
        )
        where = f"organisation {e['name']!r}"
        if e["kind"] not in ORG_KINDS:
            raise ctx.fail(where, f"'kind' must be one of {', '.join(sorted(ORG_KINDS))}")
        country = e.get("country")
        out.append(
            Organisation(
                code=_code(ctx, where, e["code"]),
                name=str(e["name"]).strip(),
                aliases=_strings(ctx, where, e.get("aliases"), "aliases"),
                country=_code(ctx, where, country, "country") if country else None,
                kind=e["kind"],
            )
        )
    return out


def parse_people(path: str, doc: dict[str, Any]) -> list[Person]:
    ctx = _Ctx(path)
    entries = doc.get("people")
    if not isinstance(entries, list):
        raise ctx.fail("file", "expected a list under 'people'")
    out = []
    for i, entry in enumerate(entries):
        where = f"people[{i}]"
        e = _mapping(ctx, where, entry, ["name"], ["name", "aliases", "country", "offices"])
        where = f"person {e['name']!r}"
        country = e.get("country")
        offices = []
        for j, off in enumerate(e.get("offices") or []):
            w = f"{where} offices[{j}]"
            o = _mapping(ctx, w, off, ["title", "code", "start"], ["title", "code", "start", "end"])
            start = _date(ctx, w, o["start"], "start")
            end = _date(ctx, w, o.get("end"), "end")
            assert start is not None
            if end is not None and end < start:
                raise ctx.fail(w, f"office ends ({end}) before it starts ({start})")
            offices.append(Office(str(o["title"]), _code(ctx, w, o["code"]), start, end))
        out.append(
            Person(
                name=str(e["name"]).strip(),
                aliases=_strings(ctx, where, e.get("aliases"), "aliases"),
                country=_code(ctx, where, country, "country") if country else None,
                offices=tuple(offices),
            )
        )
    return out


# ---------------------------------------------------------------------------- the built-in set


def read_user_file(path: str | Path, what: str) -> tuple[str, str]:
    p = Path(path)
    try:
        return str(p), p.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise LexiconError(f"{p}: cannot read {what} ({why})") from None


ACTOR_FILES = ("countries.yaml", "places.yaml", "agents.yaml", "organisations.yaml")


def data_files(folder: str = "", suffix: str = ".yaml") -> list[tuple[str, str]]:
    """(path, text) of the built-in data files in ``folder``, sorted by name."""
    node = resources.files("dyad.lexicon").joinpath("data")
    if folder:
        node = node.joinpath(folder)
    prefix = "dyad/lexicon/data/" + (folder + "/" if folder else "")
    return [
        (prefix + item.name, item.read_text("utf-8"))
        for item in sorted(node.iterdir(), key=lambda p: p.name)
        if item.is_file() and item.name.endswith(suffix)
    ]


def load_lexicon(extra_files: Iterable[str | Path] = ()) -> Lexicon:
    """The built-in lexicon plus the user's actor files (same formats, any of the keys).

    A user's entry comes before a built-in one with the same name, so it wins; a user's
    role noun replaces the built-in role of that noun."""
    builtin = [f for f in data_files() if f[0].rsplit("/", 1)[1] in ACTOR_FILES]
    builtin += data_files("people")
    user = [read_user_file(f, "actor file") for f in extra_files]
    parts = [_parse_actor_file(path, text, strict=True) for path, text in builtin]
    mine = [_parse_actor_file(path, text, strict=False) for path, text in user]
    roles: dict[str, str] = {}
    for part in (*parts, *mine):
        roles.update(part.roles)
    ordered = (*mine, *parts)
    return Lexicon(
        countries=tuple(c for part in ordered for c in part.countries),
        regions=tuple(r for part in ordered for r in part.regions),
        places=tuple(p for part in ordered for p in part.places),
        roles=roles,
        organisations=tuple(o for part in ordered for o in part.organisations),
        people=merge_people(p for part in ordered for p in part.people),
        sources=tuple(path for path, _ in (*builtin, *user)),
    )


def _parse_actor_file(path: str, text: str, strict: bool) -> Lexicon:
    """One actor file as a (partial) Lexicon; LexiconError names the file and entry."""
    doc = _read_yaml(path, text) or {}
    if not isinstance(doc, dict):
        raise LexiconError(f"{path}: file: expected a mapping of sections")
    known = {"countries", "regions", "places", "roles", "organisations", "people"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise LexiconError(
            f"{path}: file: unknown section(s) {', '.join(unknown)}; "
            f"expected {', '.join(sorted(known))}"
        )
    countries, regions = (
        parse_countries(path, doc) if "countries" in doc or "regions" in doc else ([], [])
    )
    return Lexicon(
        countries=tuple(countries),
        regions=tuple(regions),
        places=tuple(parse_places(path, doc)) if "places" in doc else (),
        roles=parse_roles(path, doc, strict) if "roles" in doc else {},
        organisations=tuple(parse_organisations(path, doc)) if "organisations" in doc else (),
        people=tuple(parse_people(path, doc)) if "people" in doc else (),
        sources=(path,),
    )


def merge_people(people: Iterable[Person]) -> tuple[Person, ...]:
    """One Person per (name, country): files that list the same person add their offices
    and aliases (a head of government in one file, a former minister in another)."""
    merged: dict[tuple[str, str | None], Person] = {}
    for p in people:
        key = (p.name, p.country)
        old = merged.get(key)
        if old is None:
            merged[key] = p
            continue
        offices = {(o.title, o.code, o.start, o.end): o for o in (*old.offices, *p.offices)}
        aliases = tuple(dict.fromkeys((*old.aliases, *p.aliases)))
        merged[key] = Person(
            p.name, aliases, p.country, tuple(sorted(offices.values(), key=lambda o: o.start))
        )
    return tuple(merged.values())


@cache
def builtin_lexicon() -> Lexicon:
    return load_lexicon()


def main() -> int:
    """`python -m dyad.lexicon [FILE...]`: validate the lexicon and print what it holds."""
    import sys

    try:
        lex = load_lexicon(sys.argv[1:])
    except LexiconError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(
        f"countries {len(lex.countries)}, regions {len(lex.regions)}, places "
        f"{len(lex.places)}, role nouns {len(lex.roles)}, organisations "
        f"{len(lex.organisations)}, people {len(lex.people)} "
        f"({sum(len(p.offices) for p in lex.people)} offices)"
    )
    return 0
