"""Verb and noun patterns: the team-written action lexicon, compiled for the coder.

A pattern is a short phrase in base form, written the way news says it:

    kidnap $T                  verb + direct object (the target)
    crack down on $T           verb + particle + preposition + its object
    impose sanctions|embargo on $T   literal object nouns, alternatives with |
    receive aid from $S        $S marks the source; the subject becomes the target
    deploy troops              no slot: a one-actor event (the subject only)

The first word is the trigger (a verb lemma in `verbs:`, the head noun in `nouns:` where
it is the last word before the first preposition or slot: "air strike on $T"). Other words
must appear among the trigger's dependents (objects, particles, prepositions), matched on
the lower-cased form or the lemma. See docs/lexicon.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from dyad.errors import LexiconError
from dyad.lexicon import data_files, read_user_file
from dyad.ontology import event_types

PREPOSITIONS = frozenset(
    "about above across after against along among around as at before behind below "
    "beneath beside between beyond by despite during for from in inside into near of off "
    "on onto out outside over past per since through throughout to toward towards under "
    "until upon via with within without".split()
)

_WORD_RE = re.compile(r"^[a-z][a-z']*(\|[a-z][a-z']*)*$")


@dataclass(frozen=True, slots=True)
class Element:
    """One pattern element after the trigger: a literal word set or a slot."""

    words: frozenset[str]  # empty for a slot
    slot: str | None  # "T" or "S"
    is_prep: bool  # a preposition literal: the next slot is its object

    @property
    def any(self) -> bool:
        """'*': any direct object ("return * to $T" returns whatever it returns)."""
        return self.words == ANY

    def __str__(self) -> str:
        return f"${self.slot}" if self.slot else "|".join(sorted(self.words))


@dataclass(frozen=True, slots=True)
class Pattern:
    code: str
    kind: str  # "verb" or "noun"
    trigger: str  # lemma of the trigger word
    before: tuple[frozenset[str], ...]  # noun patterns: modifiers before the head
    elements: tuple[Element, ...]
    text: str
    source_file: str

    @property
    def has_target_slot(self) -> bool:
        return any(e.slot == "T" for e in self.elements)

    @property
    def has_source_slot(self) -> bool:
        return any(e.slot == "S" for e in self.elements)

    @property
    def specificity(self) -> int:
        return len(self.before) + sum(1 for e in self.elements if not e.slot and not e.any)

    def fits(self, words: frozenset[str] | set[str]) -> bool:
        """Whether every content word of the pattern occurs among ``words`` (a cheap test
        before the structural match; prepositions are left to the matcher)."""
        return all(b & words for b in self.before) and all(
            e.words & words for e in self.elements if e.slot is None and not e.is_prep and not e.any
        )

    @property
    def rule(self) -> str:
        return f"{self.kind}:{self.code}:{self.text}"


ANY = frozenset({"*"})


def _element(word: str) -> Element:
    if word in ("$T", "$S"):
        return Element(frozenset(), word[1], False)
    if word == "*":
        return Element(ANY, None, False)
    words = frozenset(word.split("|"))
    return Element(words, None, all(w in PREPOSITIONS for w in words))


def compile_pattern(text: str, code: str, kind: str, source_file: str) -> Pattern:
    """Parse one pattern; LexiconError names the file, code and pattern when it is invalid."""

    def fail(why: str) -> LexiconError:
        return LexiconError(f"{source_file}: {kind}s.{code}: pattern {text!r}: {why}")

    words = text.strip().split()
    if not words:
        raise fail("empty pattern")
    for w in words:
        if "-" in w:
            raise fail(
                f"{w!r}: the tokenizer splits hyphenated words; write the unhyphenated "
                "form ('ceasefire') or the head word alone"
            )
        if w not in ("$T", "$S", "*") and not _WORD_RE.match(w):
            raise fail(
                f"bad word {w!r} (lower-case words, alternatives with |, slots $T/$S, * for "
                "any object)"
            )
    if sum(w == "$T" for w in words) > 1 or sum(w == "$S" for w in words) > 1:
        raise fail("a slot may appear once")
    if kind == "noun" and "*" in words:
        raise fail("'*' (any object) is for verb patterns")
    if kind == "verb":
        if words[0].startswith("$") or words[0] == "*" or "|" in words[0]:
            raise fail("a verb pattern starts with the verb's base form")
        trigger, rest = words[0], words[1:]
        before: tuple[frozenset[str], ...] = ()
    else:
        # the head noun is the last word before the first preposition or slot
        cut = next(
            (
                i
                for i, w in enumerate(words)
                if w.startswith("$") or all(x in PREPOSITIONS for x in w.split("|"))
            ),
            len(words),
        )
        if cut == 0:
            raise fail("a noun pattern starts with its head noun (or its modifiers)")
        if "|" in words[cut - 1]:
            raise fail("the head noun cannot have alternatives; write one pattern per noun")
        trigger = words[cut - 1]
        before = tuple(frozenset(w.split("|")) for w in words[: cut - 1])
        rest = words[cut:]
    elements = tuple(_element(w) for w in rest)
    # verbs may end in a particle that looks like a preposition ("give in"); nouns may not
    if kind == "noun" and elements and elements[-1].is_prep:
        raise fail("a preposition at the end needs a slot after it")
    return Pattern(code, kind, trigger, before, elements, " ".join(words), source_file)


@dataclass(frozen=True, slots=True)
class ActionLexicon:
    verbs: dict[str, tuple[Pattern, ...]]  # trigger lemma -> patterns, most specific first
    nouns: dict[str, tuple[Pattern, ...]]

    @property
    def size(self) -> int:
        return sum(len(v) for v in self.verbs.values()) + sum(len(v) for v in self.nouns.values())

    def all_patterns(self) -> Iterable[Pattern]:
        for pats in self.verbs.values():
            yield from pats
        for pats in self.nouns.values():
            yield from pats


def parse_action_file(path: str, text: str) -> list[Pattern]:
    try:
        doc: Any = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise LexiconError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(doc, dict) or set(doc) - {"verbs", "nouns"}:
        raise LexiconError(f"{path}: expected sections 'verbs' and/or 'nouns' (code -> patterns)")
    codes = event_types()
    out: list[Pattern] = []
    for kind in ("verbs", "nouns"):
        section = doc.get(kind) or {}
        if not isinstance(section, dict):
            raise LexiconError(f"{path}: '{kind}' must map CAMEO codes to lists of patterns")
        for code, patterns in section.items():
            code = str(code)
            if code not in codes:
                raise LexiconError(f"{path}: {kind}.{code}: not a CAMEO event code")
            if not isinstance(patterns, list):
                raise LexiconError(f"{path}: {kind}.{code}: expected a list of patterns")
            for p in patterns:
                if not isinstance(p, str):
                    raise LexiconError(f"{path}: {kind}.{code}: pattern {p!r} is not a string")
                out.append(compile_pattern(p, code, kind[:-1], path))
    return out


def build_action_lexicon(patterns: Iterable[Pattern]) -> ActionLexicon:
    verbs: dict[str, list[Pattern]] = {}
    nouns: dict[str, list[Pattern]] = {}
    seen: dict[tuple[str, str], Pattern] = {}
    for p in patterns:
        key = (p.kind, p.text)
        if key in seen and seen[key].code != p.code:
            other = seen[key]
            raise LexiconError(
                f"{p.source_file}: {p.kind} pattern {p.text!r} is coded {p.code} here and "
                f"{other.code} in {other.source_file}"
            )
        seen[key] = p
        (verbs if p.kind == "verb" else nouns).setdefault(p.trigger, []).append(p)

    # most specific first; the sort is stable, so file order breaks ties
    def order(ps: list[Pattern]) -> tuple[Pattern, ...]:
        return tuple(sorted(ps, key=lambda p: -p.specificity))

    return ActionLexicon(
        {k: order(v) for k, v in verbs.items()}, {k: order(v) for k, v in nouns.items()}
    )


@cache
def builtin_actions() -> ActionLexicon:
    return load_actions()


def load_actions(extra_files: Iterable[str | Path] = ()) -> ActionLexicon:
    """The built-in verb and noun patterns plus the user's pattern files."""
    files = data_files("verbs") + [read_user_file(f, "pattern file") for f in extra_files]
    patterns: list[Pattern] = []
    for path, text in files:
        patterns += parse_action_file(path, text)
    return build_action_lexicon(patterns)
