"""Find and resolve actor mentions: gazetteer, descriptors, titles, pronouns.

Resolution works on noun phrases of the dependency parse. A noun phrase is an actor when
it names a known person, organisation, country, capital, seat of power, region or place,
carries a role noun ("troops", "foreign ministry"), or is a named entity. Its code
combines what it names with its role: "Russian troops" -> RUS + MIL = RUSMIL.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dyad.lexicon import Lexicon, Person
from dyad.records import Actor

# Dependents that end a noun phrase: clauses, coordination, punctuation, appositions.
_NP_STOP_DEPS = frozenset(
    "relcl acl advcl conj cc punct appos ccomp xcomp parataxis mark case dep prep advmod "
    "neg aux auxpass npadvmod pcomp".split()
)
# Prepositional phrases kept inside a noun phrase: "the Ministry of Defence of Ukraine",
# "a court in Bishkek", "officials from Iran".
_NP_PREPS = frozenset({"of", "in", "from"})
_NAME_PARTICLES = frozenset("abu ad al as ben bin da de der di du el ibn la le van von".split())
_FORMER = frozenset({"former", "ex", "ex-", "then", "erstwhile", "onetime", "one-time", "late"})

_PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
_THING_PRONOUNS = frozenset({"it", "its", "itself"})
_PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs", "themselves"})
_RELATIVE_PRONOUNS = frozenset({"who", "that", "which", "whom", "whose"})
_ACTOR_ENTS = frozenset({"PERSON", "ORG", "NORP", "GPE", "NAME"})
# Words that make a proper name an organisation's ("the Tis Hazari Court").
_ORG_WORDS = frozenset(
    "ministry party council court agency bank company group association union front army "
    "organization organisation commission committee institute university corporation inc "
    "ltd federation league movement service office department police forces network times "
    "news post tribunal assembly parliament congress senate coalition alliance fund "
    "foundation authority board bureau centre center club brigade brigades battalion corps "
    "guard watch government administration embassy mission force".split()
)


def named_type(tok: Any) -> str:
    """The entity type of a token: spaCy's NER label when the pipeline ran NER, else a
    guess from the shape of a proper name (ORG, PERSON or NAME), so the coder can run
    without the NER component (issue: speed)."""
    if tok.ent_type_:
        return str(tok.ent_type_)
    if tok.pos_ != "PROPN":
        return ""
    name = [tok, *(c for c in tok.children if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN")]
    if any(t.lower_ in _ORG_WORDS for t in name):
        return "ORG"
    if 2 <= len(name) <= 4 and all(t.is_title for t in name):
        return "PERSON"
    return "NAME"


# "his country", "their government": nouns naming the state of a possessor (-> its role)
_OWN_STATE_NOUNS: dict[str, str | None] = {
    "country": None,
    "nation": None,
    "state": None,
    "homeland": None,
    "people": None,
    "government": "GOV",
    "administration": "GOV",
    "army": "MIL",
    "military": "MIL",
    "troops": "MIL",
    "troop": "MIL",
    "forces": "MIL",
    "force": "MIL",
    "navy": "MIL",
    "police": "COP",
    "parliament": "LEG",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """What a gazetteer phrase names."""

    kind: str  # country capital seat adjective demonym region place org person
    code: str | None
    country: str | None
    label: str
    person: Person | None = None

    def code_on(self, day: dt.date | None) -> str | None:
        if self.person is not None:
            return self.person.code_on(day)
        return self.code


@dataclass(frozen=True, slots=True)
class GazMatch:
    start: int  # token indices in the doc, end exclusive
    end: int
    entries: tuple[Entry, ...]

    def pick(self, day: dt.date | None) -> Entry:
        """Of several people sharing a name, the one in office on the day wins."""
        if len(self.entries) == 1 or day is None:
            return self.entries[0]
        for e in self.entries:
            if e.person is not None and any(o.holds_on(day) for o in e.person.offices):
                return e
        return self.entries[0]


@dataclass(frozen=True, slots=True)
class Mention:
    """A resolved actor mention with how it was resolved (for --explain)."""

    actor: Actor
    kind: str  # person country org group role named
    head: int  # token index of the head
    how: str
    plural: bool = False
    coreferent: bool = False


def _is_exact_phrase(phrase: str) -> bool:
    """Acronyms and short names are matched case-sensitively ("US" but not "us")."""
    letters = [c for c in phrase if c.isalpha()]
    return len(phrase) <= 3 or (bool(letters) and all(c.isupper() for c in letters))


def _strip_article(phrase: str) -> str:
    p = phrase.strip()
    if p.lower().startswith("the "):
        p = p[4:].strip()
    return p


class Gazetteer:
    """All actor names of a Lexicon, matched over a spaCy Doc with two PhraseMatchers."""

    def __init__(self, lexicon: Lexicon, nlp: Any) -> None:
        from spacy.matcher import PhraseMatcher

        self.entries: dict[str, list[Entry]] = {}
        self._exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        pending: dict[str, list[Entry]] = {}

        def add(phrase: str, entry: Entry) -> None:
            p = _strip_article(phrase)
            if not p:
                return
            bucket = pending.setdefault(p, [])
            if not any(
                e.kind == entry.kind and e.code == entry.code and e.person is entry.person
                for e in bucket
            ):
                bucket.append(entry)

        for c in lexicon.countries:
            for name in (c.name, *c.names):
                add(name, Entry("country", c.code, c.code, c.name))
            for adj in c.adjectives:
                add(adj, Entry("adjective", c.code, c.code, c.name))
            for dem in c.demonyms:
                add(dem, Entry("demonym", c.code, c.code, c.name))
            for cap in c.capitals:
                add(cap, Entry("capital", c.code, c.code, cap))
            for seat in c.seats:
                add(seat, Entry("seat", c.code + "GOV", c.code, seat))
        for r in lexicon.regions:
            for name in r.names:
                add(name, Entry("region", r.code, r.code, r.names[0]))
            for adj in r.adjectives:
                add(adj, Entry("adjective", r.code, r.code, r.names[0]))
        for pl in lexicon.places:
            for name in (pl.name, *pl.aliases):
                add(name, Entry("place", pl.country, pl.country, pl.name))
        for o in lexicon.organisations:
            for name in (o.name, *o.aliases):
                add(name, Entry("org", o.code, o.country, o.name))
        for person in lexicon.people:
            for name in (person.name, *person.aliases):
                add(name, Entry("person", None, person.country, person.name, person))

        # Longer, more specific kinds first when one phrase names several things.
        rank = {
            "person": 0,
            "org": 1,
            "seat": 2,
            "country": 3,
            "capital": 4,
            "demonym": 5,
            "adjective": 6,
            "region": 7,
            "place": 8,
        }
        exact_docs: dict[str, Any] = {}
        lower_docs: dict[str, Any] = {}
        phrases = list(pending)
        for phrase, doc in zip(phrases, nlp.tokenizer.pipe(phrases), strict=True):
            self.entries[phrase] = sorted(pending[phrase], key=lambda e: rank[e.kind])
            (exact_docs if _is_exact_phrase(phrase) else lower_docs)[phrase] = doc
        for phrase, doc in exact_docs.items():
            self._exact.add(phrase, [doc])
        for phrase, doc in lower_docs.items():
            self._lower.add(phrase, [doc])
        self._vocab = nlp.vocab

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, doc: Any) -> list[GazMatch]:
        """Non-overlapping matches, longest first, in document order."""
        strings = self._vocab.strings
        found: list[tuple[int, int, str]] = []
        for match_id, start, end in self._exact(doc):
            found.append((start, end, strings[match_id]))
        for match_id, start, end in self._lower(doc):
            if self._capitalised(doc[start:end]):
                found.append((start, end, strings[match_id]))
        found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
        taken: set[int] = set()
        out: list[GazMatch] = []
        for start, end, key in found:
            if any(i in taken for i in range(start, end)):
                continue
            if self._affiliation(doc, start):
                continue
            taken.update(range(start, end))
            out.append(GazMatch(start, end, tuple(self.entries[key])))
        out.sort(key=lambda m: m.start)
        return out

    @staticmethod
    def _affiliation(doc: Any, start: int) -> bool:
        """'pro-Russian', 'anti-Western': a stance, not a nationality."""
        if (
            start >= 2
            and doc[start - 1].text == "-"
            and doc[start - 2].lower_ in ("pro", "anti", "non", "ex")
        ):
            return True
        return start >= 1 and doc[start - 1].lower_ in ("pro-", "anti-", "non-", "ex-")

    @staticmethod
    def _capitalised(span: Any) -> bool:
        """Names in running text are capitalised: "Turkey" the country, not "turkey"."""
        words = [t for t in span if t.is_alpha]
        if not words:
            return False
        first = words[0]
        if not (first.text[0].isupper() or first.lower_ in _NAME_PARTICLES):
            return False
        return any(any(c.isupper() for c in t.text) for t in words)


# ------------------------------------------------------------------------------ role nouns


class RoleTable:
    """Role nouns by their last word, longest phrase first: 'foreign minister' before 'minister'."""

    def __init__(self, roles: dict[str, str]) -> None:
        self.by_last: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, role in roles.items():
            words = tuple(phrase.lower().split())
            self.by_last.setdefault(words[-1], []).append((words, role))
        for lst in self.by_last.values():
            lst.sort(key=lambda x: -len(x[0]))

    def is_role_word(self, tok: Any) -> bool:
        """Whether some role phrase ends in this word."""
        return any(form in self.by_last for form in _forms(tok))

    def role_ending_at(self, tokens: list[Any], i: int) -> tuple[str, int] | None:
        """The role of the longest phrase ending at tokens[i] and how many words it spans."""
        tok = tokens[i]
        for last in _forms(tok):
            for words, role in self.by_last.get(last, ()):
                n = len(words)
                if n - 1 > i:
                    continue
                prev = [t.lower_ for t in tokens[i - n + 1 : i]]
                prev_lem = [t.lemma_.lower() for t in tokens[i - n + 1 : i]]
                if all(w in (a, b) for w, a, b in zip(words[:-1], prev, prev_lem, strict=True)):
                    return role, n
        return None


def _forms(tok: Any) -> tuple[str, ...]:
    """The word, its lemma and a plain singular: the tagger calls a sentence-initial
    "Rebels" a proper noun, whose lemma keeps the plural."""
    low = tok.lower_
    forms = [low, tok.lemma_.lower()]
    if low.endswith("ies"):
        forms.append(low[:-3] + "y")
    elif low.endswith("es"):
        forms += [low[:-2], low[:-1]]
    elif low.endswith("s"):
        forms.append(low[:-1])
    return tuple(dict.fromkeys(forms))


# ------------------------------------------------------------------------------ the resolver


@dataclass
class ArticleMemory:
    """What earlier sentences of the same article established (names, recent actors)."""

    names: dict[str, Mention] = field(default_factory=dict)  # "Riabkov" -> his mention
    dateline_end: int = 0  # "MOSCOW, March 18 (Reuters) -": a place of filing, not an actor
    recent: list[tuple[int, Mention]] = field(default_factory=list)  # (sentence, mention)
    events: list[tuple[int, str, Actor]] = field(default_factory=list)  # (sentence, code, src)

    def remember(self, sent_index: int, mention: Mention) -> None:
        self.recent.append((sent_index, mention))
        if len(self.recent) > 60:
            del self.recent[:20]


_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][\w.'’ -]{1,40}?(?:,\s*[\w.'’ ]{2,30}?){0,2})"
    r"(?P<agency>\s*\([^)]{1,30}\))?\s*(?:--|—|–|-|:)\s"
)


def dateline_end(text: str) -> int:
    """Where a wire dateline ("MOSCOW, March 18 (Reuters) - ") ends, or 0."""
    m = _DATELINE.match(text[:90])
    if m is None:
        return 0
    place = m.group("place")
    first = place.split(",")[0].split()[0]
    caps = first.isupper() and len(first) > 1
    if caps or m.group("agency") or re.search(rf"\b({_MONTHS})[a-z]*\.? \d", place):
        return m.end()
    return 0


def np_tokens(head: Any) -> list[Any]:
    """The tokens of the noun phrase headed by ``head``, in order (no clauses, no conjuncts)."""
    out = [head]
    stack = [head]
    while stack:
        tok = stack.pop()
        for child in tok.children:
            if child.dep_ == "prep":
                if child.lower_ not in _NP_PREPS or tok.pos_ not in ("NOUN", "PROPN", "PRON"):
                    continue
                if child.lower_ != "of" and named_type(tok) == "PERSON":
                    continue  # "Karen Donfried in Moscow": where she was, not who she is
                if not any(g.dep_ == "pobj" for g in child.children):
                    continue  # "forces of carrying out": a clause, not a noun phrase
            elif child.dep_ in _NP_STOP_DEPS:
                continue
            out.append(child)
            stack.append(child)
    out.sort(key=lambda t: t.i)
    return out


def conjuncts(head: Any) -> list[Any]:
    """``head`` and the nouns coordinated with it: "the US and NATO" -> [US, NATO]."""
    out = [head]
    for child in head.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
            out.extend(conjuncts(child))
    return out


class ActorResolver:
    def __init__(self, lexicon: Lexicon, nlp: Any) -> None:
        self.gazetteer = Gazetteer(lexicon, nlp)
        self.roles = RoleTable(lexicon.roles)

    # The per-doc match index is built by the coder once per sentence batch.
    def index(self, doc: Any) -> dict[int, GazMatch]:
        by_token: dict[int, GazMatch] = {}
        for m in self.gazetteer.find(doc):
            for i in range(m.start, m.end):
                by_token[i] = m
        return by_token

    def resolve(
        self,
        head: Any,
        matches: dict[int, GazMatch],
        day: dt.date | None,
        memory: ArticleMemory,
        sent_index: int,
        offset: int = 0,
    ) -> Mention | None:
        """Resolve the noun phrase headed by ``head`` to an actor, or None."""
        if head.idx < memory.dateline_end:
            return None
        if head.pos_ == "PRON" or head.lower_ in _RELATIVE_PRONOUNS:
            if head.lower_ in _RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
                # "the troops who attacked": the relative pronoun stands for the noun
                return self.resolve(head.head.head, matches, day, memory, sent_index, offset)
            return self._pronoun(head, memory, sent_index, offset)
        poss = next((c for c in head.children if c.dep_ == "poss" and c.pos_ == "PRON"), None)
        if poss is not None and head.lemma_.lower() in _OWN_STATE_NOUNS:
            # "his country", "its government": the state of the actor the pronoun names
            owner = self._pronoun(poss, memory, sent_index, offset)
            if owner is not None and owner.actor.country:
                role = _OWN_STATE_NOUNS[head.lemma_.lower()]
                text, start, end = phrase_span(head.doc, *_trim(np_tokens(head)))
                return Mention(
                    Actor(
                        text,
                        _combine(owner.actor.country, role),
                        owner.actor.country,
                        offset + start,
                        offset + end,
                    ),
                    "country",
                    head.i,
                    f"'{head.text}' of {owner.actor.text}",
                    coreferent=True,
                )
        tokens = np_tokens(head)
        # appositions identify the head: "the leader of China, Xi Jinping"
        appos = [c for c in head.children if c.dep_ == "appos"]
        mention = self._resolve_tokens(head, tokens, matches, day, memory, offset, sent_index)
        if appos:
            inner = self._resolve_tokens(
                appos[0], np_tokens(appos[0]), matches, day, memory, offset, sent_index
            )
            if inner is not None and (
                mention is None
                or (inner.kind == "person" and mention.kind != "person")
                or (mention.actor.code is None and inner.actor.code)
            ):
                span = np_tokens(head)
                mention = _with_span(inner, span, offset, head.doc)
        return mention

    def split_coordinated(
        self, head: Any, mention: Mention, matches: dict[int, GazMatch], day: dt.date | None
    ) -> list[Mention]:
        """'the Russian and Chinese presidents' -> RUSGOV and CHNGOV: one mention per
        coordinated national adjective, each with the phrase's role."""
        first = next((c for c in head.children if c.dep_ == "amod" and c.i in matches), None)
        code, country = mention.actor.code, mention.actor.country
        if first is None or not code or not country or not code.startswith(country):
            return [mention]
        role = code[len(country) :]
        out = [mention]
        for adj in conjuncts(first)[1:]:
            m = matches.get(adj.i)
            entry = m.pick(day) if m is not None else None
            if entry is None or entry.kind not in ("adjective", "country") or not entry.country:
                continue
            a = mention.actor
            out.append(
                Mention(
                    Actor(a.text, entry.country + role, entry.country, a.start, a.end),
                    mention.kind,
                    mention.head,
                    f"{mention.how}; coordinated '{adj.text}'",
                    mention.plural,
                )
            )
        return out

    def unresolved(self, head: Any, offset: int = 0) -> Mention:
        """A target phrase that is not a known actor ("the attack", "the legislation"): the
        event keeps it as evidence, with no code."""
        text, start, end = phrase_span(head.doc, *_trim(np_tokens(head)))
        return Mention(
            Actor(text, None, None, offset + start, offset + end),
            "thing",
            head.i,
            "not an actor",
        )

    # -- internals -------------------------------------------------------------------------

    def _pronoun(
        self, head: Any, memory: ArticleMemory, sent_index: int, offset: int
    ) -> Mention | None:
        word = head.lower_
        if word in _PERSON_PRONOUNS:
            want = {"person"}
        elif word in _THING_PRONOUNS:
            want = {"country", "org"}
        elif word in _PLURAL_PRONOUNS:
            want = {"group", "country", "org"}
        else:
            return None
        # "Kiir pardoned him": an object pronoun is not its own clause's subject
        clause_subjects = (
            {c.i for c in head.head.children if c.dep_ in ("nsubj", "nsubjpass")}
            if head.dep_ in ("dobj", "dative", "pobj")
            else set()
        )
        # subjects of the clauses above the pronoun are the likeliest antecedents:
        # "Tamim called Bashir to express his support" -> his = Tamim
        above: set[int] = set()
        anc = head
        for _ in range(8):
            if anc.head.i == anc.i:
                break
            anc = anc.head
            above.update(c.i for c in anc.children if c.dep_ == "nsubj")
        above -= clause_subjects
        recent = list(reversed(memory.recent))
        ordered = [x for x in recent if x[0] == sent_index and x[1].head in above] + recent
        for s_idx, m in ordered:
            if sent_index - s_idx > 2:
                break
            if s_idx == sent_index and (m.head >= head.i or m.head in clause_subjects):
                continue
            if m.kind in want and (word not in _PLURAL_PRONOUNS or m.plural or m.kind != "group"):
                if s_idx == sent_index and word not in ("its", "his", "her", "their"):
                    # "The ELN said it will release ...": the named antecedent is the
                    # better evidence, and it is in the same sentence
                    return m
                return Mention(
                    Actor(
                        head.text,
                        m.actor.code,
                        m.actor.country,
                        offset + head.idx,
                        offset + head.idx + len(head.text),
                    ),
                    m.kind,
                    head.i,
                    f"pronoun '{head.text}' -> {m.actor.text}",
                    m.plural,
                    coreferent=True,
                )
        return None

    def _resolve_tokens(
        self,
        head: Any,
        tokens: list[Any],
        matches: dict[int, GazMatch],
        day: dt.date | None,
        memory: ArticleMemory,
        offset: int,
        sent_index: int,
    ) -> Mention | None:
        doc = head.doc
        in_np = {t.i for t in tokens}
        # the head's own name: the head plus its compound/flat modifiers
        name_toks = sorted(
            [head]
            + [c for c in head.children if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN"],
            key=lambda t: t.i,
        )
        head_match = matches.get(head.i)
        np_matches: list[GazMatch] = []
        for i in sorted(in_np):
            m = matches.get(i)
            if (
                m is not None
                and m not in np_matches
                and all(j in in_np or doc[j].is_punct for j in range(m.start, m.end))
            ):
                np_matches.append(m)
        plural = head.tag_ in ("NNS", "NNPS")
        former = any(t.lower_ in _FORMER for t in tokens if t.i < head.i)

        # 1. a known person, organisation or country names the head itself
        if head_match is not None and head_match in np_matches:
            entry = head_match.pick(day)
            code = entry.code_on(day)
            if entry.kind == "person":
                how = f"person {entry.label} ({code} on {day or 'no date'})"
                if former and code and not code.endswith("ELI") and entry.person:
                    code = f"{entry.person.country or ''}ELI"
                # an IGO head speaks for the IGO, which has no country
                country = (
                    entry.country
                    if code and entry.country and code.startswith(entry.country)
                    else None
                )
                return self._mention(
                    tokens, code, country, "person", head, how, False, offset, memory, name_toks
                )
            if entry.kind == "org":
                role = self._role(tokens, head, exclude=range(head_match.start, head_match.end))
                code = _combine(code, role[0] if role else None)
                return self._mention(
                    tokens,
                    code,
                    entry.country,
                    "org",
                    head,
                    f"organisation {entry.label}",
                    plural,
                    offset,
                    memory,
                )
            if entry.kind in (
                "country",
                "capital",
                "seat",
                "region",
                "place",
                "demonym",
                "adjective",
            ):
                how = f"{entry.kind} {head_match_text(doc, head_match)} -> {entry.code}"
                kind = "group" if entry.kind in ("demonym",) else "country"
                if (
                    entry.kind == "adjective"
                    and head.dep_ not in ("amod", "compound")
                    and any(c.dep_ == "det" and c.lower_ == "the" for c in head.children)
                    and not head.lower_.endswith("s")
                ):
                    # "the Russian" standing for the person of that country named just before
                    person = self._national_person(entry.country, memory, sent_index)
                    if person is not None:
                        return self._mention(
                            tokens,
                            person.actor.code,
                            entry.country,
                            "person",
                            head,
                            f"'{head.text}' -> {person.actor.text}",
                            False,
                            offset,
                            memory,
                        )
                    kind = "group" if plural else "country"
                return self._mention(
                    tokens, code, entry.country, kind, head, how, plural, offset, memory
                )

        # 2. a name established earlier in the article: "Riabkov said"
        if head.pos_ == "PROPN" and head.text in memory.names:
            prev = memory.names[head.text]
            return self._mention(
                tokens,
                prev.actor.code,
                prev.actor.country,
                prev.kind,
                head,
                f"name '{head.text}' seen before as {prev.actor.code}",
                False,
                offset,
                memory,
                name_toks,
            )

        # 3. descriptors: a role noun plus a country / organisation inside the phrase
        role = self._role(tokens, head)
        base: GazMatch | None = None
        owner_country: str | None = None  # "Assad's forces": the owner's country
        for m in sorted(np_matches, key=lambda m: abs(m.start - head.i)):
            if m.pick(day).kind == "person":
                if (owner_country is None and doc[m.end - 1].dep_ == "poss") or (
                    m.end < len(doc) and doc[m.end].dep_ == "case"
                ):
                    owner_country = m.pick(day).country
                continue
            base = m
            break
        ent = named_type(head)
        if base is None and owner_country is not None and role is not None:
            code = _combine(owner_country, "ELI" if former else role[0])
            return self._mention(
                tokens,
                code,
                owner_country,
                "group" if plural else "org",
                head,
                f"owner's country {owner_country} + role '{role[1]}'",
                plural,
                offset,
                memory,
            )
        if base is not None:
            entry = base.pick(day)
            code = entry.code_on(day)
            role_code = role[0] if role else None
            if former and role_code:
                role_code = "ELI"
            if entry.kind == "seat" and (role_code == "GOV" or role_code is None):
                # "the Kremlin spokesman" -> RUSGOV; "Kremlin critics" -> RUS
                code = code if role_code == "GOV" else entry.country
                role_code = None
            code = _combine(code, role_code)
            how = f"{entry.kind} {head_match_text(doc, base)}" + (
                f" + role '{role[1]}'" if role else ""
            )
            if role is None and ent not in _ACTOR_ENTS and head.pos_ != "PROPN":
                # "Ukrainian positions": the country is the actor, the noun its property
                kind = "country"
            elif role is not None:
                kind = (
                    "person"
                    if (ent == "PERSON" or _is_title_of_name(role, head))
                    else "group"
                    if plural
                    else "org"
                )
            else:
                kind = "org" if ent == "ORG" else "person" if ent == "PERSON" else "country"
            mention = self._mention(
                tokens,
                code,
                entry.country,
                kind,
                head,
                how,
                plural,
                offset,
                memory,
                name_toks if kind == "person" else None,
            )
            return mention
        if role is not None:
            role_code = "ELI" if former else role[0]
            kind = "person" if ent == "PERSON" else "group" if plural else "org"
            return self._mention(
                tokens,
                role_code,
                None,
                kind,
                head,
                f"role '{role[1]}'",
                plural,
                offset,
                memory,
                name_toks if kind == "person" else None,
            )

        # 4. any other named entity is an actor we cannot code
        if ent in _ACTOR_ENTS or (
            head.pos_ == "PROPN" and any(named_type(t) in _ACTOR_ENTS for t in name_toks)
        ):
            kind = {"PERSON": "person", "ORG": "org", "NORP": "group"}.get(ent, "named")
            return self._mention(
                tokens,
                None,
                None,
                kind,
                head,
                f"named entity {ent or 'PROPN'}",
                plural,
                offset,
                memory,
            )
        return None

    def _role(
        self, tokens: list[Any], head: Any, exclude: Iterable[int] = ()
    ) -> tuple[str, str] | None:
        """The role of the phrase: the longest role noun ending at the head, else any title."""
        skip = set(exclude)
        toks = [t for t in tokens if t.i not in skip and t.i <= head.i]
        if not toks:
            return None
        # role at the head ("the Chinese foreign ministry")
        hit = self.roles.role_ending_at(toks, len(toks) - 1) if toks[-1].i == head.i else None
        if hit is not None:
            words = " ".join(t.text for t in toks[len(toks) - hit[1] :])
            return hit[0], words
        # a title before a name or inside the phrase ("President Joe Biden", "army general")
        for j in range(len(toks) - 1, -1, -1):
            if toks[j].pos_ in ("NOUN", "PROPN"):
                hit = self.roles.role_ending_at(toks, j)
                if hit is not None:
                    return hit[0], " ".join(t.text for t in toks[j - hit[1] + 1 : j + 1])
        # "the Ministry of Defence": role in an 'of' phrase of an organisation head
        return None

    def _national_person(
        self, country: str | None, memory: ArticleMemory, sent_index: int
    ) -> Mention | None:
        for s_idx, m in reversed(memory.recent):
            if sent_index - s_idx > 3:
                break
            if m.kind == "person" and m.actor.country == country and not m.coreferent:
                return m
        return None

    def _mention(
        self,
        tokens: list[Any],
        code: str | None,
        country: str | None,
        kind: str,
        head: Any,
        how: str,
        plural: bool,
        offset: int,
        memory: ArticleMemory,
        name_toks: list[Any] | None = None,
    ) -> Mention:
        text, start, end = phrase_span(head.doc, *_trim(tokens))
        actor = Actor(text, code, country, offset + start, offset + end)
        mention = Mention(actor, kind, head.i, how, plural)
        if name_toks and code and kind == "person" and head.pos_ == "PROPN":
            memory.names[head.text] = mention
            if len(name_toks) > 1:
                memory.names[" ".join(t.text for t in name_toks)] = mention
        return mention


def head_match_text(doc: Any, m: GazMatch) -> str:
    return str(doc[m.start : m.end].text)


def _trim(tokens: list[Any]) -> tuple[int, int]:
    """First and last token index of a phrase, without edge punctuation."""
    idx = [t.i for t in tokens if not t.is_punct] or [t.i for t in tokens]
    return min(idx), max(idx)


def phrase_span(doc: Any, first: int, last: int) -> tuple[str, int, int]:
    """Text and character offsets of tokens first..last (Doc.text is rebuilt on every call,
    so slice a Span instead)."""
    span = doc[first : last + 1]
    return str(span.text), span.start_char, span.end_char


def _with_span(m: Mention, span_tokens: list[Any], offset: int, doc: Any) -> Mention:
    text, start, end = phrase_span(doc, *_trim(span_tokens))
    a = m.actor
    return Mention(
        Actor(text, a.code, a.country, offset + start, offset + end),
        m.kind,
        m.head,
        m.how,
        m.plural,
        m.coreferent,
    )


def _combine(code: str | None, role: str | None) -> str | None:
    """Country/organisation code plus a role: RUS + MIL -> RUSMIL (no role twice)."""
    if code is None:
        return role
    if role is None or code.endswith(role):
        return code
    if len(code) > 3:
        return code  # the organisation code already carries its role (USASPY)
    return code + role


def _is_title_of_name(role: tuple[str, str], head: Any) -> bool:
    """'President Joe Biden': a role word before a name; not 'the Oman News Agency', whose
    role phrase ends at the head itself."""
    last = role[1].lower().split()[-1]
    return head.pos_ == "PROPN" and last not in (head.lower_, head.lemma_.lower())
