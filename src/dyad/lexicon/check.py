"""Validate user actor files entry by entry (`dyad actors validate`).

``load_lexicon`` stops at the first bad entry; this reports every bad entry of every file,
each naming the file and the entry, and adds warnings for entries that load but will not
do what their author probably means (a name that a built-in entry already claims).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dyad.errors import LexiconError
from dyad.lexicon import (
    Lexicon,
    _read_yaml,
    builtin_lexicon,
    parse_countries,
    parse_organisations,
    parse_people,
    parse_places,
    parse_roles,
    read_user_file,
)

SECTIONS = ("countries", "regions", "places", "roles", "organisations", "people")
_LIST_SECTIONS = ("countries", "regions", "places", "organisations", "people")


@dataclass(frozen=True, slots=True)
class Problem:
    level: str  # error | warning
    message: str

    def __str__(self) -> str:
        return f"{self.level}: {self.message}"


@dataclass(frozen=True, slots=True)
class FileReport:
    path: str
    problems: tuple[Problem, ...]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not any(p.level == "error" for p in self.problems)


def _parse_one(path: str, section: str, entry: Any) -> None:
    doc = {section: [entry]}
    if section in ("countries", "regions"):
        parse_countries(path, doc)
    elif section == "places":
        parse_places(path, doc)
    elif section == "organisations":
        parse_organisations(path, doc)
    else:
        parse_people(path, doc)


def _reindex(message: str, path: str, section: str, i: int) -> str:
    """Errors of a one-entry parse say 'section[0]': give the real index."""
    message = message.removeprefix(f"{path}: ")
    return re.sub(rf"\b{section}\[0\]", f"{section}[{i}]", message)


def check_file(path: str | Path, builtin: Lexicon | None = None) -> FileReport:
    problems: list[Problem] = []
    counts: dict[str, int] = {}
    try:
        name, text = read_user_file(path, "actor file")
        doc = _read_yaml(name, text) or {}
    except LexiconError as exc:
        return FileReport(str(path), (Problem("error", exc.message),), counts)
    if not isinstance(doc, dict):
        return FileReport(name, (Problem("error", "file: expected a mapping of sections"),), {})
    unknown = sorted(set(doc) - set(SECTIONS))
    if unknown:
        problems.append(
            Problem(
                "error",
                f"file: unknown section(s) {', '.join(map(str, unknown))}; "
                f"expected {', '.join(SECTIONS)}",
            )
        )
    for section in _LIST_SECTIONS:
        if section not in doc:
            continue
        entries = doc[section]
        if not isinstance(entries, list):
            problems.append(Problem("error", f"file: expected a list under {section!r}"))
            continue
        good = 0
        for i, entry in enumerate(entries):
            try:
                _parse_one(name, section, entry)
                good += 1
            except LexiconError as exc:
                problems.append(Problem("error", _reindex(exc.message, name, section, i)))
        counts[section] = good
    if "roles" in doc:
        try:
            roles = parse_roles(name, doc, strict=False)
            counts["roles"] = len(roles)
        except LexiconError as exc:
            problems.append(Problem("error", exc.message.removeprefix(f"{name}: ")))
    if not any(p.level == "error" for p in problems):
        problems += _shadowing(doc, builtin or builtin_lexicon())
    return FileReport(name, tuple(problems), counts)


def _names(entry: Any, keys: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for k in keys:
        v = entry.get(k)
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            out += [x for x in v if isinstance(x, str)]
    return out


def _key(phrase: str) -> str:
    p = phrase.strip().lower()
    return p[4:] if p.startswith("the ") else p


def _shadowing(doc: dict[str, Any], lex: Lexicon) -> list[Problem]:
    """Names this file gives another code than a built-in entry of the same kind does: the
    gazetteer keeps the built-in one first (people, then organisations, then countries)."""
    builtin: dict[str, tuple[str, str, str]] = {}  # name -> (kind, code, whose)
    for o in lex.organisations:
        for n in (o.name, *o.aliases):
            builtin.setdefault(_key(n), ("organisation", o.code, o.name))
    for p in lex.people:
        code = p.offices[-1].code if p.offices else p.country or "?"
        for n in (p.name, *p.aliases):
            builtin.setdefault(_key(n), ("person", code, f"{p.name}|{p.country}"))
    out = []
    for section, kind in (("organisations", "organisation"), ("people", "person")):
        for entry in doc.get(section) or []:
            if not isinstance(entry, dict):
                continue
            mine = entry.get("code") if section == "organisations" else None
            whose = f"{entry.get('name')}|{entry.get('country')}"
            for n in _names(entry, ("name", "aliases")):
                have = builtin.get(_key(n))
                if have is None or have[1] == mine or have[2] == whose:
                    continue  # same code, or more offices for the same person: fine
                if have[0] != kind and not (have[0] == "person" and kind == "organisation"):
                    continue  # a user person outranks a built-in organisation
                out.append(
                    Problem(
                        "warning",
                        f"{kind} {entry.get('name')!r}: {n!r} is also a built-in {have[0]} "
                        f"({have[1]}); the built-in entry is matched first",
                    )
                )
    return out
