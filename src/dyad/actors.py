"""Find and resolve actor mentions: gazetteer, descriptors, titles, pronouns.

Resolution works on noun phrases of the dependency parse. A noun phrase is an actor when
it names a known person, organisation, country, capital, seat of power, region or place,
carries a role noun ("troops", "foreign ministry"), or is a named entity. Its code
combines what it names with its role: "Russian troops" -> RUS + MIL = RUSMIL.
"""

from __future__ import annotations

import dataclasses
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
# Pronouns that can stand for an actor named before.
PRONOUNS = _PERSON_PRONOUNS | _THING_PRONOUNS | _PLURAL_PRONOUNS
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


# Capitalised but never an actor: "on Friday" is a date ("May" stays: it is also a name)
_CALENDAR_WORDS = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april"
    " june july august september october november december".split()
)


# Words that make a prepositional phrase a time, not a party: "lifted the ban on Tuesday"
_TIME_WORDS = _CALENDAR_WORDS | frozenset(
    "today tonight yesterday tomorrow morning afternoon evening night weekend week month"
    " year day hour decade jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec."
    " jan feb apr jun jul aug sept oct nov dec".split()
)


def is_time(tok: Any) -> bool:
    """A date or time phrase head: a weekday, month, year ("in 2014") or time word."""
    return tok.lower_ in _TIME_WORDS or (tok.shape_ == "dddd" and 1900 <= int(tok.text) <= 2100)


def named_type(tok: Any) -> str:
    """The entity type of a token: spaCy's NER label when the pipeline ran NER, else a
    guess from the shape of a proper name (ORG, PERSON or NAME), so the coder can run
    without the NER component (issue: speed)."""
    if tok.ent_type_:
        return str(tok.ent_type_)
    if tok.pos_ != "PROPN" or tok.lower_ in _CALENDAR_WORDS:
        return ""
    if tok.lower_ == "may" and any(c.dep_ == "nummod" for c in tok.children):
        return ""  # "May 15"
    name = [tok, *(c for c in tok.children if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN")]
    if any(t.lower_ in _ORG_WORDS for t in name):
        return "ORG"
    if 2 <= len(name) <= 4 and all(t.is_title for t in name):
        return "PERSON"
    return "NAME"


# "Chinese-owned", "Russia-based", "state-run": the modifier names the owner's country;
# "Iran-backed" or "US-led" do not (a sponsor is not a nationality).
_OWNING_PARTICIPLES = frozenset({"owned", "based", "run", "controlled", "registered", "flagged"})

# Role words that make an actor only together with whom they head: "the head of the IAEA"
# is the IAEA, "the head" alone is nobody.
_WEAK_ROLES = frozenset({"head", "chief", "boss"})

# Definite descriptions and the kind of actor they point back to (see _is_described).
DESCRIPTIONS: dict[str, str] = {
    **dict.fromkeys(
        "country nation state kingdom republic island emirate monarchy sultanate "
        "territory enclave".split(),
        "country",
    ),
    **dict.fromkeys(
        "alliance bloc union organisation organization body commission council "
        "agency league grouping forum".split(),
        "igo",
    ),
    **dict.fromkeys("group militia movement faction outfit".split(), "armed"),
    **dict.fromkeys("ministry department office cabinet".split(), "office"),
    **dict.fromkeys("government administration regime authorities".split(), "government"),
    **dict.fromkeys(
        "president minister premier chancellor leader king queen emir secretary".split(), "leader"
    ),
    **dict.fromkeys("court tribunal".split(), "court"),
    **dict.fromkeys("assembly parliament legislature congress senate".split(), "legislature"),
}


def _is_described(want: str, m: Mention, former: bool) -> bool:
    code = m.actor.code or ""
    if not code:
        return False
    if want == "country":
        # "the Nepal government ... the country": any actor of a country names it
        country = m.actor.country
        return bool(country) and (m.kind == "country" or code.startswith(country or "-"))
    if want == "igo":
        return m.category in ("igo", "alliance", "agency", "court")
    if want == "armed":
        return m.category in ("armed_group", "militant")
    if want == "office":
        return m.category in ("office", "agency")
    if want == "government":
        return (bool(m.actor.country) and code.endswith(("GOV", "ELI"))) or (
            m.kind == "country" and len(code) == 3
        )
    if want == "leader":
        return (m.kind == "person" and code.endswith("ELI" if former else "GOV")) or (
            not former and m.kind == "country" and code.endswith("GOV")
        )
    if want == "court":
        return m.category == "court" or code.endswith("JUD")
    if want == "legislature":
        return code.endswith("LEG")
    return False


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
    # an organisation's own people: "its fighters" are Hezbollah
    "fighter": None,
    "member": None,
    "supporter": None,
    "follower": None,
}
# Roles of people with no country of their own in the phrase, who take the country of the
# place where their clause happens.
_PLACED_ROLES = frozenset("CVL OPP LAB EDU REL REF MED HLH AGR".split())

# Country names that are also US states; US actors around them choose the state.
_US_STATE_NAMES = frozenset({"Georgia"})

# Head nouns of a country's offices, which "the ministry" can point back to.
_OFFICE_NOUNS = frozenset(
    "ministry department office secretariat commission agency service directorate".split()
)


@dataclass(frozen=True, slots=True)
class Entry:
    """What a gazetteer phrase names."""

    kind: str  # country capital seat adjective demonym region place org person
    code: str | None
    country: str | None
    label: str
    person: Person | None = None
    sub: str = ""  # an organisation's kind: igo alliance armed_group ...

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
    # an organisation's kind (igo alliance armed_group ...), for "the alliance"
    category: str = ""
    # the named mention a pronoun stands for, when it is in the same sentence: the coder
    # shows it as the event's evidence ("The ELN said it will ..." -> "The ELN")
    antecedent: Mention | None = None
    subject: bool = False  # the subject of its clause: the likeliest antecedent later


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
                add(name, Entry("org", o.code, o.country, o.name, sub=o.kind))
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
        for phrase, doc in list(exact_docs.items()):
            self._exact.add(phrase, [doc])
            # "Nato", "Farc", "Opec": British papers write long acronyms as names
            if len(doc) == 1 and len(phrase) >= 4 and phrase.isalpha() and phrase.isupper():
                title = phrase.title()
                if title not in pending:
                    self.entries[title] = self.entries[phrase]
                    self._exact.add(title, [nlp.make_doc(title)])
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
            if self._tail_of_other_name(doc, start, end, self.entries[key], taken):
                continue
            taken.update(range(start, end))
            out.append(GazMatch(start, end, tuple(self.entries[key])))
        out.sort(key=lambda m: m.start)
        return out

    @staticmethod
    def _tail_of_other_name(
        doc: Any, start: int, end: int, entries: list[Entry], taken: set[int]
    ) -> bool:
        """'the Nigeria Labour Congress', 'the Pan Africanist Congress': a one-word
        organisation name ending a longer name nobody listed is that other organisation."""
        if end - start != 1 or start == 0 or any(e.kind != "org" for e in entries):
            return False
        prev = doc[start - 1]
        return (
            prev.pos_ == "PROPN"
            and prev.is_title
            and prev.dep_ == "compound"
            and prev.head.i == start
            and prev.i not in taken
        )

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
    if low.endswith("men"):
        forms.append(low[:-3] + "man")  # militiamen, gunmen
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
    # phrases already resolved in this article: (sentence, head token) -> mention or None
    resolved: dict[tuple[int, int], Mention | None] = field(default_factory=dict)

    def remember(self, sent_index: int, mention: Mention, head: Any = None) -> None:
        if head is not None and head.dep_ in ("nsubj", "nsubjpass"):
            mention = dataclasses.replace(mention, subject=True)
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
            elif child.dep_ == "npadvmod" and tok.lower_ in _OWNING_PARTICIPLES:
                pass  # "Chinese-owned company", "Russia-based firm": the owner's country
            elif child.dep_ in _NP_STOP_DEPS:
                continue
            out.append(child)
            stack.append(child)
    out.sort(key=lambda t: t.i)
    return out


def conjuncts(head: Any) -> list[Any]:
    """``head`` and the nouns coordinated with it: "the US and NATO" -> [US, NATO]; also
    where the parser hangs the next conjunct on an apposition: "the Russian agency
    Roscosmos and NASA", "Putin, second left, and Medvedev"."""
    out = [head]
    for child in head.children:
        if child.dep_ == "conj" and child.pos_ in ("NOUN", "PROPN", "PRON", "ADJ"):
            out.extend(conjuncts(child))
        elif child.dep_ == "appos":
            for grand in child.children:
                if grand.dep_ == "conj" and grand.pos_ in ("NOUN", "PROPN", "PRON"):
                    out.extend(conjuncts(grand))
    return out + _stray_conjuncts(head)


def _stray_conjuncts(obj: Any) -> list[Any]:
    """Names the parser coordinated with the word above an object instead of the object:
    "outlawed the ANC and the PAC" (PAC a conjunct of the verb), "sanctions on Chad and
    Sudan" (Sudan a conjunct of "sanctions")."""
    if obj.dep_ == "dobj":
        above = [obj.head]
    elif obj.dep_ == "pobj" and obj.head.dep_ == "prep":
        above = [obj.head.head]
        if above[0].dep_ == "dobj":  # "imposed sanctions on Chad and Sudan"
            above.append(above[0].head)
    else:
        return []
    out = []
    for c in (c for a in above for c in a.children):
        if (
            c.dep_ == "conj"
            and c.i > obj.i
            and c.pos_ == "PROPN"
            and not any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children)
        ):
            out.extend(conjuncts(c))
    return out


class ActorResolver:
    def __init__(self, lexicon: Lexicon, nlp: Any) -> None:
        self.gazetteer = Gazetteer(lexicon, nlp)
        self.roles = RoleTable(lexicon.roles)
        self.region_codes = frozenset(r.code for r in lexicon.regions)

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
        """Resolve the noun phrase headed by ``head`` to an actor, or None (once per phrase:
        the coder asks again for the phrases its frames use)."""
        key = (sent_index, head.i)
        if key not in memory.resolved:
            memory.resolved[key] = self._resolve(head, matches, day, memory, sent_index, offset)
        return memory.resolved[key]

    def _resolve(
        self,
        head: Any,
        matches: dict[int, GazMatch],
        day: dt.date | None,
        memory: ArticleMemory,
        sent_index: int,
        offset: int,
    ) -> Mention | None:
        if head.idx < memory.dateline_end:
            return None
        if (head.pos_ == "PRON" or head.lower_ in _RELATIVE_PRONOUNS) and head.i not in matches:
            if head.lower_ in _RELATIVE_PRONOUNS and head.head.dep_ == "relcl":
                # "the troops who attacked": the relative pronoun stands for the noun
                return self.resolve(head.head.head, matches, day, memory, sent_index, offset)
            return self._pronoun(head, memory, sent_index, offset)
        owned = self._owned(head, matches, day, memory, sent_index, offset)
        if owned is not None:
            return owned
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
        vague = (
            mention is None
            or (mention.actor.country is None and mention.kind != "person" and not mention.category)
            or (mention.actor.code in self.region_codes and head.lemma_.lower() in DESCRIPTIONS)
        )
        if vague:  # "the alliance", "the Gulf state": someone named before
            described = self._description(head, memory, sent_index, offset)
            if described is not None:
                return described
        if (
            mention is not None
            and mention.actor.country is None
            and mention.actor.code in (_PLACED_ROLES)
        ):
            return self._placed(head, mention, matches, day)
        return mention

    def _placed(
        self, head: Any, mention: Mention, matches: dict[int, GazMatch], day: dt.date | None
    ) -> Mention:
        """'fired at demonstrators in Nairobi': people with no country of their own take the
        country of the place their clause happens in."""
        verb = head
        for _ in range(4):
            if verb.pos_ in ("VERB", "AUX") or verb.head.i == verb.i:
                break
            verb = verb.head
        for c in verb.children if verb.pos_ in ("VERB", "AUX") else ():
            if c.dep_ != "prep" or c.lower_ not in ("in", "at", "across", "throughout"):
                continue
            for g in c.children:
                m = matches.get(g.i) if g.dep_ == "pobj" else None
                entry = m.pick(day) if m is not None else None
                if entry is not None and entry.kind in ("place", "capital", "country"):
                    a = mention.actor
                    return dataclasses.replace(
                        mention,
                        actor=Actor(
                            a.text,
                            (entry.country or "") + (a.code or ""),
                            entry.country,
                            a.start,
                            a.end,
                        ),
                        how=f"{mention.how}; in {g.text}",
                    )
        return mention

    def _owned(
        self,
        head: Any,
        matches: dict[int, GazMatch],
        day: dt.date | None,
        memory: ArticleMemory,
        sent_index: int,
        offset: int,
    ) -> Mention | None:
        """'his country', 'its fighters', 'her party', 'the group's supreme leader': a noun
        owned by an actor named before takes that actor's country or organisation."""
        poss = next((c for c in head.children if c.dep_ == "poss"), None)
        if poss is None:
            return None
        lemma = head.lemma_.lower()
        role: str | None
        if lemma in _OWN_STATE_NOUNS:
            role = _OWN_STATE_NOUNS[lemma]
        else:
            found = self._role(np_tokens(head), head)
            if found is None:
                return None
            role = found[0]
        own = [t for t in np_tokens(head) if t.i in matches and t.i != poss.i]
        if own:
            return None  # "his Chinese counterpart": the phrase names its own country
        if poss.pos_ == "PRON":
            owner = self._pronoun(poss, memory, sent_index, offset)
        elif poss.pos_ == "NOUN" and poss.lemma_.lower() in DESCRIPTIONS:
            owner = self._description(poss, memory, sent_index, offset)
        else:
            return None
        if owner is None or not owner.actor.code:
            return None
        base = owner.actor.country if owner.kind == "person" else owner.actor.code
        if not base:
            return None
        former = any(t.lower_ in _FORMER for t in head.lefts)
        code = _combine(base, "ELI" if former and role else role)
        text, start, end = phrase_span(head.doc, *_trim(np_tokens(head)))
        kind = "country" if role is None else "group" if head.tag_ == "NNS" else "org"
        return Mention(
            Actor(text, code, owner.actor.country, offset + start, offset + end),
            kind,
            head.i,
            f"'{head.text}' of {owner.actor.text}",
            head.tag_ == "NNS",
            coreferent=True,
            category=owner.category if role is None else "",
        )

    def _description(
        self, head: Any, memory: ArticleMemory, sent_index: int, offset: int
    ) -> Mention | None:
        """'the alliance' after NATO, 'the island' after Taiwan, 'the ministry' after a
        ministry, 'the former chancellor' after Merkel: a definite description names the
        latest actor of its kind in this or the last three sentences."""
        lemma = head.lemma_.lower()
        want = DESCRIPTIONS.get(lemma)
        if want is None or head.tag_ in ("NNS", "NNPS"):
            return None
        if not any(c.dep_ == "det" and c.lower_ in ("the", "this", "that") for c in head.children):
            return None
        former = any(t.lower_ in _FORMER for t in head.lefts)
        for s_idx, m in reversed(memory.recent):
            if sent_index - s_idx > 3:
                break
            if s_idx == sent_index and m.head >= head.i:
                continue
            if not _is_described(want, m, former):
                continue
            code = m.actor.code
            if want == "leader" and former and m.actor.country:
                code = m.actor.country + "ELI"
            elif want == "government" and m.actor.country:
                code = m.actor.country + "GOV"
            elif want == "country":
                code = m.actor.country
            text, start, end = phrase_span(head.doc, *_trim(np_tokens(head)))
            return Mention(
                Actor(text, code, m.actor.country, offset + start, offset + end),
                m.kind,
                head.i,
                f"'{text}' -> {m.actor.text}",
                False,
                coreferent=True,
                category=m.category,
            )
        return None

    def split_coordinated(
        self,
        head: Any,
        mention: Mention,
        matches: dict[int, GazMatch],
        day: dt.date | None,
        offset: int = 0,
    ) -> list[Mention]:
        """'the Russian and Chinese presidents' -> RUSGOV and CHNGOV, 'the armies of Brazil
        and Argentina' -> BRAMIL and ARGMIL, 'diplomats from Poland and Sweden' -> POLGOV and
        SWEGOV, 'thousands of Syrians and Iraqis' -> SYR and IRQ: one mention per
        coordinated nationality, each with the phrase's role."""
        first = next((c for c in head.children if c.dep_ == "amod" and c.i in matches), None)
        if first is None:
            of = next(
                (c for c in head.children if c.dep_ == "prep" and c.lower_ in ("of", "from", "in")),
                None,
            )
            first = next(
                (g for g in (of.children if of is not None else ()) if g.i in matches), None
            )
        code, country = mention.actor.code, mention.actor.country
        if first is None or not code or not country or not code.startswith(country):
            return [mention]
        role = code[len(country) :]
        out = [mention]
        for adj in conjuncts(first)[1:]:
            m = matches.get(adj.i)
            entry = m.pick(day) if m is not None else None
            if (
                entry is None
                or entry.kind not in ("adjective", "country", "demonym")
                or not entry.country
            ):
                continue
            a = mention.actor
            text, start, end = a.text, a.start, a.end
            if entry.kind != "adjective":
                # "diplomats from Poland and Sweden", "a number of Syrians and Iraqis": each
                # name is its own evidence
                text, start, end = phrase_span(adj.doc, *_trim(np_tokens(adj)))
                start, end = offset + start, offset + end
            out.append(
                Mention(
                    Actor(text, entry.country + role, entry.country, start, end),
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
            want = {"person", "named"}  # an unknown name may well be a person's
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
        # centering: subjects of the clauses above, then the last sentences' subjects
        ordered = [x for x in recent if x[0] == sent_index and x[1].head in above]
        ordered += [x for x in recent if x[0] < sent_index and x[1].subject]
        ordered += recent
        for s_idx, m in ordered:
            if sent_index - s_idx > 2:
                continue
            if s_idx == sent_index and (m.head >= head.i or m.head in clause_subjects):
                continue
            # "they" is a plural, an organisation or a people ("the French"), not a
            # single country named by its name
            if m.kind in want and (
                word not in _PLURAL_PRONOUNS
                or m.plural
                or m.kind == "org"
                or m.how.startswith("adjective ")
            ):
                named = m.antecedent or m
                same = s_idx == sent_index and word not in ("its", "his", "her", "their")
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
                    f"pronoun '{head.text}' -> {named.actor.text}",
                    m.plural,
                    coreferent=True,
                    category=m.category,
                    # "The ELN said it will release ...": the name is better evidence
                    antecedent=named if same else None,
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
        head_match = matches.get(head.i)
        if head_match is not None:  # "Côte d'Ivoire", "Doctors Without Borders": the name
            tokens = sorted({*tokens, *doc[head_match.start : head_match.end]}, key=lambda t: t.i)
        in_np = {t.i for t in tokens}
        # the head's own name: the head plus its compound/flat modifiers
        name_toks = sorted(
            [head]
            + [c for c in head.children if c.dep_ in ("compound", "flat") and c.pos_ == "PROPN"],
            key=lambda t: t.i,
        )
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
        if head_match is not None:
            entry = head_match.pick(day)
            code = entry.code_on(day)
            if entry.kind == "person":
                how = f"person {entry.label} ({code} on {day or 'no date'})"
                # "Ranil Wickremesinghe, the former prime minister, ...": the apposition says
                # what the article date may not
                former = former or any(
                    c.dep_ == "appos" and any(t.lower_ in _FORMER for t in c.lefts)
                    for c in head.children
                )
                if former and code and not code.endswith("ELI") and entry.person:
                    code = f"{entry.person.country or ''}ELI"
                    how += ", called former"
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
                code = _combine(code, _org_role(entry, role[0] if role else None))
                return dataclasses.replace(
                    self._mention(
                        tokens,
                        code,
                        entry.country,
                        "org",
                        head,
                        f"organisation {entry.label}",
                        plural,
                        offset,
                        memory,
                    ),
                    category=entry.sub,
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
                name = head_match_text(doc, head_match)
                if name in _US_STATE_NAMES and self._us_context(memory, sent_index):
                    # "Trump was indicted in Georgia": the US state, not the country
                    code, how = "USA", f"US state {name} (US actors around it)"
                    return self._mention(
                        tokens, code, "USA", "country", head, how, False, offset, memory
                    )
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
        if base is not None and role is None and head.pos_ in ("NOUN", "NUM", "PRON"):
            # "hundreds of Kenyan students", "property of Ukrainian companies": the actor is
            # the "of" phrase's, with its own role
            inner = next(
                (
                    g
                    for c in head.children
                    if c.dep_ == "prep" and c.lower_ == "of"
                    for g in c.children
                    if g.dep_ == "pobj"
                    and base.start >= g.left_edge.i
                    and base.end <= g.right_edge.i + 1
                ),
                None,
            )
            if inner is not None:
                found = self._resolve_tokens(
                    inner, np_tokens(inner), matches, day, memory, offset, sent_index
                )
                if found is not None:
                    return found
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
            code = _combine(code, _org_role(entry, role_code))
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
            category = entry.sub or ("office" if head.lemma_.lower() in _OFFICE_NOUNS else "")
            return dataclasses.replace(mention, category=category)
        if role is not None and role[1].lower() not in _WEAK_ROLES:
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
        if hit is not None and hit[0] != "UAF":
            words = " ".join(t.text for t in toks[len(toks) - hit[1] :])
            return hit[0], words
        # a title before a name or inside the phrase ("President Joe Biden", "army general");
        # an unidentified armed role at the head yields to any other ("cartel gunmen")
        for j in range(len(toks) - (2 if hit is not None else 1), -1, -1):
            if toks[j].pos_ in ("NOUN", "PROPN"):
                found = self.roles.role_ending_at(toks, j)
                if found is not None:
                    return found[0], " ".join(t.text for t in toks[j - found[1] + 1 : j + 1])
        if hit is not None:  # the unidentified armed role, when nothing else says more
            return hit[0], " ".join(t.text for t in toks[len(toks) - hit[1] :])
        return None

    @staticmethod
    def _us_context(memory: ArticleMemory, sent_index: int) -> bool:
        """US actors in this or the last sentence, and no actor of the namesake country."""
        near = [m for s, m in memory.recent if sent_index - s <= 1]
        countries = {m.actor.country for m in near}
        return "USA" in countries and "GEO" not in countries

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


def _org_role(entry: Entry, role: str | None) -> str | None:
    """The role a phrase adds to an organisation: none for the leaders and officials of
    an IGO, who speak for it ("NATO's secretary-general" is NAT, like its people table)."""
    if entry.kind == "org" and entry.sub in ("igo", "alliance") and role in ("GOV", "ELI"):
        return None
    return role


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
