"""Clause -> events: frames, passives, verb chains, nominal events, compounds, modality.

The coder looks at every verb and noun of a parsed sentence that triggers a lexicon
pattern, finds who acts (subject, passive agent, possessor) and on whom (object or
prepositional object), decides from the clause around it whether the action happened
(negation, modals, conditionals, denials, questions, "almost"), lets a governing verb
re-code it ("threatened to impose sanctions" is a threat, 1312, not a sanction), and
resolves the actors. It is pure: the same parse and lexicon give the same events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from dyad.actors import (
    ActorResolver,
    ArticleMemory,
    Mention,
    conjuncts,
    is_time,
    named_type,
    phrase_span,
)
from dyad.errors import LexiconError
from dyad.lexicon import ROLE_CODES
from dyad.lexicon.patterns import ActionLexicon, Pattern
from dyad.ontology import event_types
from dyad.records import Actor

_SUBJECT_DEPS = ("nsubj", "csubj")
_OBJECT_DEPS = ("dobj", "dative", "attr", "oprd")
_LITERAL_DEPS_PREP = frozenset({"prep", "agent", "prt", "dative", "advmod", "advcl", "acomp"})
# clauses that add a purpose or another act; a word literal never sits there ("sent
# vehicles to help" is no "help"), unlike a complement ("declined to comment")
_ADJUNCT_CLAUSES = frozenset({"advcl", "conj", "relcl", "acl", "parataxis"})
_NOT_LITERAL_DEPS = frozenset(
    {"nsubj", "nsubjpass", "csubj", "punct", "cc", "aux", "auxpass", "neg", "mark"}
)

# ------------------------------------------------------------------------ code transforms
# What a governing verb does to the CAMEO code of the action below it. These follow the
# structure of CAMEO itself: 03x/02x/10x/12x mirror the cooperative roots 04-08, 13x the
# conflict roots.
_BY_ROOT: dict[str, dict[str, str | None]] = {
    "intent": {
        "01": "030",
        "02": "030",
        "03": None,
        "04": "036",
        "05": "032",
        "06": "031",
        "07": "033",
        "08": "035",
    },
    "appeal": {"04": "026", "05": "022", "06": "021", "07": "023", "08": "025"},
    "demand": {"04": "106", "05": "102", "06": "101", "07": "103", "08": "105"},
    "refuse": {"04": "125", "05": "120", "06": "121", "07": "122", "08": "124"},
    "threaten": {
        "14": "133",
        "15": "138",
        "16": "131",
        "17": "137",
        "18": "1383",
        "19": "1384",
        "20": "1385",
    },
}
_BY_CODE: dict[str, dict[str, str]] = {
    "intent": {
        "061": "0311",
        "062": "0312",
        "063": "0313",
        "064": "0314",
        "071": "0331",
        "072": "0332",
        "073": "0333",
        "074": "0334",
        "081": "0351",
        "082": "0352",
        "083": "034",
        "0831": "0341",
        "0832": "0342",
        "0833": "0343",
        "0834": "0344",
        "084": "0353",
        "0841": "0353",
        "0842": "0353",
        "085": "0354",
        "086": "0355",
        "087": "0356",
        "0871": "0356",
        "0872": "0356",
        "0873": "0356",
        "0874": "0356",
        "045": "039",
        "046": "036",
    },
    "appeal": {
        "061": "0211",
        "062": "0212",
        "063": "0213",
        "064": "0214",
        "071": "0231",
        "072": "0232",
        "073": "0233",
        "074": "0234",
        "081": "0251",
        "082": "0252",
        "083": "024",
        "0831": "0241",
        "0832": "0242",
        "0833": "0243",
        "0834": "0244",
        "084": "0253",
        "0841": "0253",
        "0842": "0253",
        "085": "0254",
        "086": "0255",
        "087": "0256",
        "0871": "0256",
        "0872": "0256",
        "0873": "0256",
        "0874": "0256",
        "045": "028",
        "046": "026",
    },
    "demand": {
        "061": "1011",
        "062": "1012",
        "063": "1013",
        "064": "1014",
        "071": "1031",
        "072": "1032",
        "073": "1033",
        "074": "1034",
        "081": "1051",
        "082": "1052",
        "083": "104",
        "0831": "1041",
        "0832": "1042",
        "0833": "1043",
        "0834": "1044",
        "084": "1053",
        "0841": "1053",
        "0842": "1053",
        "085": "1054",
        "086": "1055",
        "087": "1056",
        "0871": "1056",
        "0872": "1056",
        "0873": "1056",
        "0874": "1056",
        "045": "108",
        "046": "106",
    },
    "refuse": {
        "061": "1211",
        "062": "1212",
        "063": "1213",
        "071": "1221",
        "072": "1222",
        "073": "1223",
        "074": "1224",
        "081": "1241",
        "082": "1242",
        "083": "123",
        "0831": "1231",
        "0832": "1232",
        "0833": "1233",
        "0834": "1234",
        "084": "1243",
        "0841": "1243",
        "0842": "1243",
        "085": "1244",
        "086": "1245",
        "087": "1246",
        "0871": "1246",
        "0872": "1246",
        "0873": "1246",
        "0874": "1246",
        "045": "126",
        "046": "125",
    },
    "threaten": {
        "161": "1313",
        "162": "1311",
        "1621": "1311",
        "1622": "1311",
        "1623": "1311",
        "163": "1312",
        "164": "134",
        "165": "135",
        "166": "136",
        "172": "132",
        "1721": "1321",
        "1722": "1322",
        "1723": "1323",
        "1724": "1324",
        "191": "1381",
        "192": "1382",
        "204": "1385",
        "2041": "1385",
        "2042": "1385",
    },
}
_GENERIC = {"intent": "030", "appeal": "020", "demand": "100", "refuse": "120", "threaten": "130"}


def transform_code(frame: str, code: str, consenting: bool = False) -> str | None:
    """The code of ``code`` under a governing verb of kind ``frame``; None drops the act.
    ``consenting``: the governor is an offer or agreement ("agreed to", "offered to")."""
    root = int(code[:2])
    if frame == "consider":
        return "014"  # "is considering sending aid": a policy option weighed, nothing more
    if frame == "intent":
        if 9 <= root <= 13:
            return code  # "will investigate": the stated verbal act itself
        if root == 15 and consenting:
            return "0334"  # "offered to send troops": intent to provide protection
        if root >= 14:
            frame = "threaten"  # "vowed to retaliate" is a threat
    if frame == "refuse":
        if root == 1:
            return "011"  # "declined to comment"
        if root >= 9:
            return None  # "refused to attack": nothing happened
    if frame in ("appeal", "demand") and root >= 9:
        return _GENERIC[frame]
    if code in _BY_CODE[frame]:
        return _BY_CODE[frame][code]
    mapped = _BY_ROOT[frame].get(code[:2], _GENERIC[frame])
    return code if mapped is None else mapped


# ------------------------------------------------------------------------------ cues


@dataclass(frozen=True)
class Cues:
    frames: dict[str, str]  # governing lemma -> intent/threaten/refuse/appeal/demand/consider
    generic_frames: dict[str, str]  # governing lemma -> its own code, when alone
    deny: frozenset[str]
    allege: frozenset[str]
    prevent: frozenset[str]
    permit: frozenset[str]
    pass_through: frozenset[str]
    object_control: frozenset[str]
    modal_hypothetical: frozenset[str]
    modal_future: frozenset[str]
    counterfactual: frozenset[str]
    negators: frozenset[str]
    irrealis_nouns: frozenset[str]
    irrealis_adjectives: frozenset[str]
    light_verbs: frozenset[str]
    reciprocal_roots: frozenset[str]
    reciprocal_codes: frozenset[str]
    actor_target: frozenset[str]
    patient_nouns: frozenset[str]
    state_acts: frozenset[str]
    mutual_codes: frozenset[str]

    def reciprocal(self, code: str) -> bool:
        return code in self.reciprocal_codes or code[:2] in self.reciprocal_roots

    def needs_actor_target(self, code: str) -> bool:
        """Codes whose target must be an actor ("met the deadline" is no meeting)."""
        return code in self.actor_target or code[:2] in self.actor_target


@cache
def builtin_cues() -> Cues:
    text = resources.files("dyad.lexicon").joinpath("data/cues.yaml").read_text("utf-8")
    return parse_cues("dyad/lexicon/data/cues.yaml", text)


def parse_cues(path: str, text: str) -> Cues:
    doc = yaml.safe_load(text)
    need = [
        "intent",
        "threaten",
        "refuse",
        "appeal",
        "demand",
        "deny",
        "allege",
        "prevent",
        "permit",
        "pass_through",
        "object_control",
        "modal_hypothetical",
        "modal_future",
        "counterfactual",
        "negators",
        "irrealis_nouns",
        "irrealis_adjectives",
        "light_verbs",
        "reciprocal_roots",
        "reciprocal_codes",
        "actor_target",
        "patient_nouns",
        "state_acts",
        "mutual_codes",
    ]
    if not isinstance(doc, dict):
        raise LexiconError(f"{path}: expected a mapping of cue lists")
    missing = [k for k in need if k not in doc]
    if missing:
        raise LexiconError(f"{path}: missing cue list(s) {', '.join(missing)}")

    def words(key: str) -> frozenset[str]:
        vals = doc[key]
        if not isinstance(vals, list) or not all(isinstance(v, str) for v in vals):
            raise LexiconError(f"{path}: '{key}' must be a list of words")
        return frozenset(v.lower() for v in vals)

    frames: dict[str, str] = {}
    for kind in ("intent", "threaten", "refuse", "appeal", "demand"):
        for w in words(kind):
            frames.setdefault(w, kind)
    for w in words("consider") if "consider" in doc else ():
        frames.setdefault(w, "consider")
    generic = doc.get("generic_frames") or {}
    if not isinstance(generic, dict) or not all(
        isinstance(k, str) and str(v) in event_types() for k, v in generic.items()
    ):
        raise LexiconError(f"{path}: 'generic_frames' must map verbs to CAMEO codes")
    return Cues(frames, {k: str(v) for k, v in generic.items()}, *(words(k) for k in need[5:]))


# ------------------------------------------------------------------------------ frames


@dataclass
class Frame:
    """A pattern matched at a trigger token, with its argument tokens."""

    pattern: Pattern
    trigger: Any
    literals: list[Any]
    source: Any | None = None  # token heading the source phrase
    target: Any | None = None
    source_how: str = "subject"
    governor: Any | None = None  # token of a governing verb that re-coded this frame
    mutual_only: bool = False  # "X and Y agreed to share information": no "with $T" here
    code: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> list[Any]:
        return [self.trigger, *self.literals]


@dataclass(frozen=True, slots=True)
class Draft:
    """An event decided by the coder, before it becomes a public Event record."""

    code: str
    source: Mention
    target: Mention | None
    trigger_start: int
    trigger_end: int
    trigger_text: str
    rule: str
    confidence: float
    notes: tuple[str, ...]
    depth: int = 0  # of the trigger below the sentence root: the main event is shallowest


def clause_depth(tok: Any) -> int:
    depth = 0
    while tok.head.i != tok.i and depth < 50:
        tok = tok.head
        depth += 1
    return depth


@dataclass
class SentenceContext:
    """What the coder needs besides the sentence: matches, article memory, the date."""

    matches: dict[int, Any]
    memory: ArticleMemory
    day: dt.date | None
    sent_index: int
    offset: int = 0
    explain: list[str] | None = None
    names: list[Any] = field(default_factory=list)  # this sentence's gazetteer matches
    ents: list[Any] = field(default_factory=list)  # and its named-entity spans

    def say(self, line: str) -> None:
        if self.explain is not None:
            self.explain.append(line)


def _is_passive(verb: Any) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)


def _matches_word(tok: Any, words: frozenset[str]) -> bool:
    return tok.lower_ in words or tok.lemma_.lower() in words


class Coder:
    """Decides the events of one sentence. Build once; call code_sentence per sentence."""

    def __init__(
        self,
        actions: ActionLexicon,
        resolver: ActorResolver,
        cues: Cues,
        irregular_verbs: Mapping[str, str] | None = None,
    ) -> None:
        self.actions = actions
        self.resolver = resolver
        self.cues = cues
        self._known_verbs = frozenset(actions.verbs) | cues.light_verbs | frozenset(cues.frames)
        self._lemma_cache: dict[str, str] = {}
        # irregular forms -> lemma ("overran" -> "overrun"), for a past tense the tagger
        # took for a present one and so the lemmatizer left alone
        self._irregular = dict(irregular_verbs or {})

    # -------------------------------------------------------------------- matching

    def lemma(self, tok: Any) -> str:
        """The verb's lemma, repaired where the lemmatizer clipped it ('staged' -> 'stag',
        'raped' -> 'rap') or missed it ('overran' tagged present): a base form the lexicon
        knows wins over an unknown one."""
        lemma = str(tok.lemma_).lower()
        if lemma in self._known_verbs or tok.pos_ not in ("VERB", "AUX"):
            return lemma
        word = tok.lower_
        cached = self._lemma_cache.get(word)
        if cached is None:
            forms = [self._irregular.get(word, ""), *_base_forms(word)]
            cached = next((c for c in forms if c in self._known_verbs), lemma)
            self._lemma_cache[word] = cached
        return cached

    def match_verb(
        self, verb: Any, actorish: Callable[[Any], bool], words: frozenset[str]
    ) -> list[Frame]:
        """Frames of the verb's patterns, best first (see _rank); ``words`` are the
        sentence's words and lemmas, to skip patterns that cannot match."""
        frames: list[tuple[int, Frame]] = []
        for pattern in self.actions.verbs.get(self.lemma(verb), ()):
            if pattern.fits(words):
                frames += self._frames(pattern, verb, [verb], [], actorish)
        return _rank(frames)

    def match_noun(
        self, noun: Any, actorish: Callable[[Any], bool], words: frozenset[str]
    ) -> list[Frame]:
        lemma = noun.lemma_.lower()
        pats = self.actions.nouns.get(lemma) or self.actions.nouns.get(noun.lower_)
        frames: list[tuple[int, Frame]] = []
        for pattern in pats or ():
            if not pattern.fits(words):
                continue
            mods: list[Any] = []
            modifiers = _modifiers(noun)
            for before in pattern.before:
                hit = next(
                    (c for c in modifiers if c not in mods and _matches_word(c, before)), None
                )
                if hit is None:
                    break
                mods.append(hit)
            else:
                anchors = [noun]
                if noun.dep_ in ("dobj", "nsubjpass") and noun.head.pos_ in ("VERB", "AUX"):
                    anchors.append(noun.head)  # "launched strikes on X": 'on' may hang on the verb
                frames += self._frames(pattern, noun, anchors, mods, actorish)
        return _rank(frames)

    def _frames(
        self,
        pattern: Pattern,
        trigger: Any,
        anchors: list[Any],
        mods: list[Any],
        actorish: Callable[[Any], bool],
    ) -> list[tuple[int, Frame]]:
        """The pattern's best structural match at ``trigger``, flagged by whether its slots
        hold actor-like phrases (several matches differ in which preposition they took)."""
        anchors = list(anchors)
        if trigger.dep_ == "acl":
            anchors.append(trigger.head)  # "aid sent to Ukraine": the noun is the object
        fallback: tuple[int, Frame] | None = None
        variants = _mutual_variants(pattern) if self.cues.reciprocal(pattern.code) else []
        matches = itertools.chain(
            ((lit, sl, False) for lit, sl in self._matches(pattern, trigger, anchors, mods)),
            *(
                ((lit, sl, "T" not in sl) for lit, sl in self._matches(v, trigger, anchors, mods))
                for v in variants
            ),
        )
        for literals, slots, mutual_only in matches:
            frame = Frame(pattern, trigger, mods + literals, mutual_only=mutual_only)
            frame.code = pattern.code
            if "S" in slots:
                frame.source, frame.source_how = slots["S"], "source slot"
            frame.target = slots.get("T")
            if all(actorish(t) for t in slots.values()):
                return [(0 if slots else 2, frame)]
            fallback = fallback or (1, frame)
        return [fallback] if fallback else []

    def _matches(
        self, pattern: Pattern, trigger: Any, anchors: list[Any], mods: list[Any]
    ) -> Iterator[tuple[list[Any], dict[str, Any]]]:
        """Every way the pattern's elements fit the trigger's dependents (backtracking)."""
        elements = pattern.elements
        passive = pattern.kind == "verb" and _is_passive(trigger)
        limit = [40]  # bound the search on long, flat sentences

        def walk(
            k: int,
            anchors: list[Any],
            used: frozenset[int],
            literals: list[Any],
            slots: dict[str, Any],
            prep: Any,
        ) -> Iterator[tuple[list[Any], dict[str, Any]]]:
            limit[0] -= 1
            if limit[0] < 0:
                return
            if k == len(elements):
                yield literals, slots
                return
            el = elements[k]
            if el.slot is None and el.any:
                # '*': the direct object, whatever it is (not the slot's phrase)
                for hit in self._objects(trigger, used, passive):
                    yield from walk(
                        k + 1, [*anchors, hit], used | {hit.i}, [*literals, hit], slots, None
                    )
                return
            if el.slot is None:
                # a preposition right after the trigger is its own dependent: "return of
                # $T" is not "returned dozens of artifacts"
                shallow = k == 0 and el.is_prep
                for hit in self._literal_candidates(
                    el.words, el.is_prep, anchors, used, shallow=shallow
                ):
                    if el.is_prep and hit.head.i == trigger.i and hit.i < trigger.i:
                        continue  # "On Nov. 2, Tillerson called Lavrov": not "call on"
                    # a particle ("tip off $T") leaves the next slot to the direct object
                    as_prep = hit if el.is_prep and hit.dep_ != "prt" else None
                    yield from walk(
                        k + 1, [*anchors, hit], used | {hit.i}, [*literals, hit], slots, as_prep
                    )
                return
            if prep is not None:
                # "lifted the ban on Tuesday": a time fills no slot
                fillers = [
                    c
                    for c in prep.children
                    if c.dep_ in ("pobj", "pcomp") and c.i not in used and not is_time(c)
                ]
            elif pattern.kind == "verb":
                fillers = self._objects(trigger, used, passive)
            else:
                fillers = []
            for filler in fillers:
                yield from walk(
                    k + 1, anchors, used | {filler.i}, literals, {**slots, el.slot: filler}, None
                )

        yield from walk(0, anchors, frozenset({trigger.i, *(t.i for t in mods)}), [], {}, None)

    @staticmethod
    def _literal_candidates(
        words: frozenset[str],
        is_prep: bool,
        anchors: list[Any],
        used: frozenset[int],
        shallow: bool = False,
    ) -> list[Any]:
        """Dependents of the anchors (and their non-clausal dependents, for words that
        modify an object: "accuse $T of war crimes") that spell one of ``words``."""
        out: list[Any] = []
        seen: set[int] = set(used)
        for depth in (1,) if shallow else (1, 2):
            layer = (
                anchors
                if depth == 1
                else [
                    c
                    for a in anchors
                    for c in a.children
                    if c.dep_
                    in (
                        "dobj",
                        "pobj",
                        "nsubjpass",
                        "attr",
                        "oprd",
                        "prep",
                        "compound",
                        "amod",
                        "npadvmod",
                    )
                    # a word never comes from inside a slot's phrase ("handed Kyiv a loan
                    # worth millions" is no "million" word); a preposition may ("accused
                    # Russia of war crimes")
                    and (is_prep or c.i not in used)
                ]
            )
            for anchor in layer:
                for child in anchor.children:
                    if child.i in seen or child.dep_ in _NOT_LITERAL_DEPS:
                        continue
                    if is_prep and child.dep_ not in _LITERAL_DEPS_PREP:
                        continue
                    if not is_prep and child.pos_ == "VERB" and child.dep_ in _ADJUNCT_CLAUSES:
                        continue
                    if _matches_word(child, words):
                        seen.add(child.i)
                        out.append(child)
        # passive: "sanctions were imposed" - the literal object is the passive subject
        for child in anchors[0].children:
            if child.dep_ == "nsubjpass" and child.i not in seen and _matches_word(child, words):
                out.append(child)
        return out

    @staticmethod
    def _objects(verb: Any, used: frozenset[int], passive: bool) -> list[Any]:
        out = []
        if passive:
            out += [c for c in verb.children if c.dep_ == "nsubjpass" and c.i not in used]
        if verb.dep_ == "acl" and verb.tag_ == "VBN" and verb.head.i not in used:
            out.append(verb.head)
        for dep in _OBJECT_DEPS:
            out += [c for c in verb.children if c.dep_ == dep and c.i not in used]
        # a small clause: "found [Nielsen guilty]", "let [the prisoners] go"
        for c in verb.children:
            if c.dep_ in ("ccomp", "xcomp", "oprd") and c.pos_ in ("ADJ", "VERB", "NOUN"):
                out += [g for g in c.children if g.dep_ == "nsubj" and g.i not in used]
        return out

    # -------------------------------------------------------------------- arguments

    def subject(self, verb: Any, depth: int = 0) -> tuple[Any, str]:
        """The token heading who does ``verb``, following chains and controls."""
        if depth > 6:
            return None, "none"
        if _is_passive(verb):
            for c in verb.children:
                if c.dep_ == "agent":
                    obj = next((g for g in c.children if g.dep_ == "pobj" and not is_time(g)), None)
                    if obj is not None:
                        return obj, "passive agent"
            place = self._place_of_state_act(verb)
            if place is not None:
                return place, "state where it happened"
            return None, "passive without agent"
        for c in verb.children:
            if c.dep_ in _SUBJECT_DEPS:
                return c, "subject"
        for aux in verb.lefts:
            # a parser slip: "France however have opposed" hangs France on "have"
            if aux.dep_ in ("aux", "auxpass"):
                subj = next((c for c in aux.children if c.dep_ in _SUBJECT_DEPS), None)
                if subj is not None:
                    return subj, "subject"
        if verb.dep_ == "ROOT":
            # a parser slip: "..., USAID provided shelter" with USAID as an adverb
            left = next(
                (
                    c
                    for c in verb.lefts
                    if c.i == verb.i - 1
                    and c.dep_ in ("advmod", "npadvmod", "dep", "nmod")
                    and (c.pos_ == "PROPN" or (c.is_upper and len(c) > 1))
                ),
                None,
            )
            if left is not None:
                return left, "name before the verb"
        head = verb.head
        if (
            verb.dep_ == "conj"
            and head.i != verb.i
            and (head.pos_ in ("VERB", "AUX") or head.dep_ == "ROOT")
        ):
            # a ROOT noun is a verb the tagger missed: "the government rejects and condemns"
            return self.subject(head, depth + 1)
        if verb.dep_ == "xcomp":
            if head.lemma_.lower() in self.cues.object_control:
                obj = self._addressee(head)
                if obj is not None:
                    return obj, "object of " + head.lemma_
            return self.subject(head, depth + 1)
        if verb.dep_ in ("acomp", "attr") and head.pos_ in ("AUX", "VERB"):
            return self.subject(head, depth + 1)  # "Russia is willing to withdraw"
        if verb.dep_ == "relcl":
            return head, "relative clause head"
        if verb.dep_ == "acl" and verb.tag_ == "VBG":
            if head.dep_ in ("dobj", "pobj", "attr") and not self._looks_actor(head):
                # "issued a statement condemning X": the issuer condemns
                gov = head.head if head.dep_ != "pobj" else head.head.head
                if gov.pos_ in ("VERB", "AUX"):
                    return self.subject(gov, depth + 1)
            return head, "participle head"
        if (
            verb.dep_ == "acl"
            and head.dep_ == "ROOT"
            and verb.tag_ in ("VBD", "VBN")
            and any(c.dep_ == "dobj" for c in verb.children)
        ):
            # a main verb the parser read as a reduced relative: "The air force carried out
            # strikes" (a passive participle takes no direct object)
            return head, "subject"
        if (
            verb.dep_ == "acl"
            and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
            and head.dep_ in ("dobj", "pobj")
            and self.lemma(head) in _MEANS_NOUNS
        ):
            # "launched an appeal for $5m to help flood victims", "gave funding to fight
            # the epidemic": who provides the means does the deed (not so "Trump's decision
            # to recognise")
            gov = head.head if head.dep_ == "dobj" else head.head.head
            if gov.pos_ in ("VERB", "AUX"):
                return self.subject(gov, depth + 1)
        if verb.dep_ == "acl" and verb.tag_ == "VBN":
            # "the alliance sponsored by Biden": the agent acts on the head noun
            for c in verb.children:
                if c.dep_ == "agent":
                    obj = next((g for g in c.children if g.dep_ == "pobj" and not is_time(g)), None)
                    if obj is not None:
                        return obj, "participle agent"
        if verb.dep_ == "advcl" and (
            verb.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        ):
            # "..., killing 10"; "sent a team to Iran to investigate": the same agent
            return self.subject(head, depth + 1)
        if verb.dep_ in ("pcomp",) and head.dep_ == "prep":
            above = head.head
            if above.pos_ == "ADJ" and above.dep_ == "acomp":
                above = above.head  # "were guilty of violating the truce"
            return (
                self.subject(above, depth + 1) if above.pos_ in ("VERB", "AUX") else (None, "none")
            )
        return None, "none"

    def _place_of_state_act(self, verb: Any) -> Any:
        """'was arrested in Rwanda': a state act in the passive without an agent is done by
        the authorities of the country where it happened."""
        lemma = self.lemma(verb)
        if lemma not in self.cues.state_acts:
            return None
        # "were expelled from Iran": the country sends them out
        preps = ("in", "by", "from") if lemma in ("expel", "deport") else ("in", "by")
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ in preps:
                obj = next((g for g in c.children if g.dep_ == "pobj" and not is_time(g)), None)
                if obj is not None and (obj.ent_type_ == "GPE" or obj.pos_ == "PROPN"):
                    return obj
        return None

    @staticmethod
    def _addressee(verb: Any) -> Any:
        """Whom a verb of appeal addresses: 'urged Iran', 'called on Iran'."""
        for c in verb.children:
            if c.dep_ in ("dobj", "dative"):
                return c
        for c in verb.children:
            if c.dep_ == "prep" and c.lower_ in ("on", "upon"):
                # "called on Friday for Britain to stay": a day is addressed by no one
                return next((g for g in c.children if g.dep_ == "pobj" and not is_time(g)), None)
        return None

    def noun_sources(
        self, noun: Any, frame: Frame, ctx: SentenceContext
    ) -> list[tuple[Any, str, Any]]:
        """Who may carry out a nominal event, best first: possessor, 'by' phrase, a naming
        modifier ("Russian strikes"), the subject of a light verb. Each is (token, how,
        light verb or None). The possessor of a patient noun is its target instead:
        "Navalny's arrest"."""
        out: list[tuple[Any, str, Any]] = []
        # "Navalny's arrest": the possessor suffers it; "Boko Haram's kidnapping of the
        # schoolgirls" names the patient in its "of" phrase, so the possessor acts
        patient = self.lemma(noun) in self.cues.patient_nouns and not any(
            c.dep_ == "prep" and c.lower_ == "of" for c in noun.children
        )
        literal = {t.i for t in frame.literals}
        pronouns: list[tuple[Any, str, Any]] = []
        for c in noun.children:
            if c.dep_ == "poss" and c.i not in literal:
                if not patient:
                    # "the army began its assault": the subject names whom "its" means
                    (pronouns if c.pos_ == "PRON" else out).append((c, "possessor", None))
                elif frame.target is None:
                    frame.target = c
        for c in noun.children:
            if c.dep_ == "prep" and c.lower_ == "by":
                obj = next((g for g in c.children if g.dep_ == "pobj" and not is_time(g)), None)
                if obj is not None:
                    out.append((obj, "by-phrase", None))
        for c in noun.children:
            if (
                c.dep_ in ("amod", "compound", "nmod")
                and c.i not in literal
                and (
                    named_type(c) in ("NORP", "GPE", "ORG", "PERSON", "NAME") or c.i in ctx.matches
                )
                and not self._is_place(c, ctx)
            ):
                out.append((c, "modifier", None))
        verb = self.light_verb(noun)
        if verb is not None:
            subj, _how = self.subject(verb)
            if subj is not None:
                out.append((subj, f"subject of light verb '{verb.text}'", verb))
        return out + pronouns

    @staticmethod
    def _is_place(tok: Any, ctx: SentenceContext) -> bool:
        """'the Bucha massacre', 'the Paris attacks': a place names where, not who."""
        m = ctx.matches.get(tok.i)
        if m is not None:
            return m.entries[0].kind in ("capital", "place")
        return tok.ent_type_ in ("GPE", "LOC", "FAC")

    def light_verb(self, noun: Any) -> Any:
        """The verb that carries a nominal event: "launched strikes", "held talks",
        "sanctions were imposed", "agreed to a ceasefire"."""
        if noun.dep_ == "compound" and noun.head.pos_ == "NOUN":
            noun = noun.head  # "launched a mediation effort": the effort is the object
        while noun.dep_ == "conj" and noun.head.pos_ == "NOUN":
            noun = noun.head  # "expressed its regret and condemnation of the raid"
        head = noun.head
        if (
            noun.dep_ == "pobj"
            and head.lower_ == "of"
            and head.head.lemma_.lower() in _MEASURE_NOUNS
        ) or (
            noun.dep_ == "pobj"
            and head.lower_ in ("in", "of", "worth")
            and head.head.lemma_.lower() in _AMOUNT_NOUNS
        ):
            # "began a new round of exercises", "announced $33 million in assistance":
            # the round or the amount is the object
            noun = head.head
            head = noun.head
        if noun.dep_ in ("dobj", "nsubjpass") and head.pos_ == "VERB":
            return head if self.lemma(head) in self.cues.light_verbs else None
        if noun.dep_ == "pobj" and head.dep_ == "prep" and head.lower_ in ("to", "on"):
            verb = head.head
            if verb.pos_ == "VERB" and self.lemma(verb) in self.cues.light_verbs:
                return verb
        return None

    # -------------------------------------------------------------------- modality

    def _own_modality(self, tok: Any) -> str | None:
        """Why the clause of ``tok`` did not happen, or 'future', or None (asserted)."""
        head_lemma = self.lemma(tok.head)
        reported = (
            tok.dep_ == "ccomp"
            and (head_lemma in self.cues.pass_through or head_lemma in self.cues.frames)
        ) or _future_in_the_past(tok)
        future = any(
            c.dep_ == "aux"
            and (c.lower_ in self.cues.modal_future or (c.lower_ == "would" and reported))
            for c in tok.children
        )
        for c in tok.children:
            if c.dep_ == "neg" or (c.dep_ == "advmod" and c.lower_ in ("never",)):
                # "will not release", "said it would not accept": a refusal
                return "refusal" if future else "negated"
            if c.dep_ == "aux" and c.lower_ == "would" and reported:
                return "future"  # "said it would withdraw": future in the past
            if c.dep_ == "aux" and c.lower_ in ("must", "should") and reported:
                return "obligation"  # "said Lagos must free them": a demand on Lagos
            if c.dep_ == "aux" and c.lower_ in self.cues.modal_hypothetical:
                return "hypothetical"
            if c.dep_ == "advmod" and c.lower_ in self.cues.counterfactual:
                return "counterfactual"
            if c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether", "lest"):
                return "conditional"
        for c in tok.children:
            if c.dep_ == "aux" and c.lower_ in self.cues.modal_future:
                return "future"
            if (c.dep_ == "aux" and c.lower_ == "going") or (
                c.dep_ == "aux" and c.lower_ == "to" and tok.head.lower_ == "going"
            ):
                return "future"
        return None

    def modality(self, frame: Frame) -> tuple[str | None, str]:
        """Walk from the trigger up the clause chain; return (drop reason or None, frame kind).

        The frame kind is 'act' or a re-coding frame (intent, appeal, demand, refuse,
        threaten) set by the nearest governing verb, whose token is stored on the frame.
        """
        kind = "act"
        tok = frame.trigger
        if tok.pos_ in ("NOUN", "PROPN"):
            reason = self._noun_irrealis(tok)
            if reason:
                return reason, kind
            # a nominal event carried by a light verb takes the verb's clause
            verb = self.light_verb(tok)
            if verb is None:
                return None, kind
            tok = verb
        for _ in range(8):
            state = self._own_modality(tok)
            if state == "future":
                # "will send aid", "said it would send aid": a stated intention
                if kind == "act":
                    kind = "intent"
                    if tok.i != frame.trigger.i:
                        frame.governor = tok
            elif state == "obligation" and kind == "act":
                kind = "demand"
                frame.governor = tok.head
            elif state == "refusal" and kind == "act" and frame.code[:2] < "09":
                kind = "refuse"
                if tok.i != frame.trigger.i:
                    frame.governor = tok
            elif state is not None:
                return "negated" if state == "refusal" else state, kind
            dep = tok.dep_
            head = tok.head
            if head.i == tok.i or dep not in (
                "xcomp",
                "ccomp",
                "pcomp",
                "advcl",
                "conj",
                "acl",
                "relcl",
                "pobj",
                "prep",
            ):
                break
            if dep == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in ("if", "unless") for c in tok.children
            ):
                return "conditional", kind
            lemma = self.lemma(head)
            if dep == "advcl" and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
                dep = "xcomp"  # "call on the US to lift sanctions": parsed as a purpose clause
            if dep in ("xcomp", "ccomp", "pcomp", "pobj", "prep"):
                if lemma in self.cues.deny:
                    return "denied", kind
                if lemma in self.cues.allege:
                    return "alleged", kind
                if lemma in self.cues.prevent:
                    return f"prevented ('{head.text}')", kind
                if lemma in self.cues.permit and dep in ("xcomp", "ccomp"):
                    # "allowed the WFP to deliver food": the allowing is the event
                    return f"permitted ('{head.text}')", kind
                if (
                    lemma in self.cues.frames
                    and kind == "act"
                    and dep in ("xcomp", "ccomp", "pcomp", "prep")
                ):
                    kind = self.cues.frames[lemma]
                    frame.governor = head
                elif head.pos_ == "NOUN" and lemma in self.cues.irrealis_nouns:
                    return f"irrealis ('{head.text}')", kind
            if dep in ("relcl", "acl", "conj") and head.pos_ in ("NOUN", "PROPN"):
                break
            tok = head
        if frame.trigger.sent.text.rstrip().endswith("?") and frame.trigger.sent.root.i == tok.i:
            return "question", kind
        return None, kind

    def _noun_irrealis(self, noun: Any) -> str | None:
        for c in noun.children:
            if c.dep_ == "amod" and c.lower_ in self.cues.irrealis_adjectives:
                return f"irrealis ('{c.text}')"
            if c.dep_ == "det" and c.lower_ == "no":
                return "negated"
        tok = noun
        for _ in range(6):
            head = tok.head
            if head.i == tok.i:
                break
            lemma = self.lemma(head)
            if head.pos_ == "NOUN" and lemma in self.cues.irrealis_nouns:
                return f"irrealis ('{head.text}')"
            if head.pos_ in ("VERB", "AUX"):
                if lemma in self.cues.deny or lemma in self.cues.prevent:
                    return f"prevented ('{head.text}')"
                state = self._own_modality(head)
                if state not in (None, "future"):
                    return state
                if tok.dep_ in ("nsubj", "nsubjpass") and any(
                    c.dep_ == "aux" and c.lower_ in self.cues.modal_hypothetical
                    for c in head.children
                ):
                    return "hypothetical"
                break
            tok = head
        return None

    # -------------------------------------------------------------------- the sentence

    def code_sentence(self, sent: Any, ctx: SentenceContext) -> list[Draft]:
        def actorish(tok: Any) -> bool:
            return self._actorish(tok, ctx)

        candidates: list[list[Frame]] = []  # per trigger, its frames best first
        words = frozenset(w for t in sent for w in (t.lower_, t.lemma_.lower()))
        for tok in sent:
            if tok.pos_ == "VERB" or (tok.pos_ == "AUX" and tok.dep_ not in ("aux", "auxpass")):
                # a copula heading its clause: "Oslo said it was skeptical, too"
                frames = self.match_verb(tok, actorish, words)
            elif tok.pos_ in ("NOUN", "PROPN") and not (
                tok.dep_ == "compound" and tok.head.pos_ in ("NOUN", "PROPN")
            ):
                # "war games", "aid workers", "war crimes": a modifier names a kind of thing
                frames = self.match_noun(tok, actorish, words)
            else:
                continue
            if frames:
                candidates.append(frames)
        decided: list[tuple[list[Frame], str]] = []
        for frames in candidates:
            for f in frames:
                if f.code[:2] == "15" and _keeps_peace(f):
                    # "deployed 300 troops to the UN mission as peacekeepers": protection
                    f.notes.append(f"peacekeeping: {f.code} -> 074")
                    f.code = "074"
            first = frames[0]
            reason, kind = self.modality(first)
            if reason is not None:
                ctx.say(f"  drop '{first.trigger.text}' ({first.pattern.rule}): {reason}")
                continue
            if kind != "act":
                gov = (
                    first.governor.text
                    if first.governor is not None
                    else "future tense"
                    if kind == "intent"
                    else "negated future"
                )
                kept = []
                consenting = first.governor is not None and (
                    self.lemma(first.governor) in _CONSENTING
                )
                for f in frames:
                    new = transform_code(kind, f.code, consenting)
                    if new is not None:
                        f.notes.append(f"{kind} via '{gov}': {f.code} -> {new}")
                        f.code, f.governor = new, first.governor
                        kept.append(f)
                if not kept:
                    ctx.say(
                        f"  drop '{first.trigger.text}' ({first.pattern.rule}): {kind} of "
                        "a conflict act"
                    )
                    continue
                frames = kept
            for f in frames:
                if f.code == "186" and self._attempted(f.trigger):
                    f.notes.append("an attempt: 186 -> 185")
                    f.code = "185"
            decided.append((frames, kind))
        # actions under a governing verb first: a governor whose action was coded there
        # ("urged Iran to release") is not coded again on its own
        # verbs before nouns ("imposed sanctions" is one verb frame, not also a noun one)
        decided.sort(key=lambda d: (d[0][0].governor is None, d[0][0].pattern.kind == "noun"))
        folded: set[int] = set()
        used: set[int] = set()
        drafts: list[Draft] = []
        for frames, kind in decided:
            trigger = frames[0].trigger
            if trigger.i in folded:
                ctx.say(f"  skip '{trigger.text}': it governs another action, coded there")
                continue
            if trigger.i in used:
                continue  # a word of a frame already coded
            for f in frames:  # the next pattern when one finds no actors
                found = self._drafts(f, kind, ctx)
                if found:
                    drafts += found
                    used.update(t.i for t in f.literals)
                    if f.governor is not None:
                        folded.add(f.governor.i)
                    break
        coded = {t.i for t in sent if any(d.trigger_start <= t.idx < d.trigger_end for d in drafts)}
        drafts += self._generic_governors(sent, ctx, folded | coded)
        return _dedupe(drafts)

    def _generic_governors(self, sent: Any, ctx: SentenceContext, done: set[int]) -> list[Draft]:
        """'agreed to set up a field hospital in Louisiana', 'refused to give the US any
        intelligence': a governing verb whose action the lexicon does not know still codes
        its own generic act (030 intent, 120 reject, 020 appeal, 100 demand, 130 threat),
        aimed at the first actor among the action's objects."""
        out: list[Draft] = []
        for tok in sent:
            if tok.pos_ != "VERB" or tok.i in done:
                continue
            code = self.cues.generic_frames.get(self.lemma(tok))
            action = _governed_action(tok)
            if code is not None and action is None and self.lemma(tok) in self.cues.permit:
                action = tok  # "allowed access to the region": what is allowed is its object
            if code is None or action is None or action.i in done:
                continue
            if action is not tok and (
                self.lemma(action) in self.cues.permit
                or (self.lemma(action) in self.cues.generic_frames and _governed_action(action))
            ):
                continue  # "agreed to allow X to ...": the inner governor codes it, as 035
            pattern = _generic_pattern(code, self.lemma(tok))
            frame = Frame(pattern, tok, [])
            frame.code = code
            reason, kind = self.modality(frame)
            if reason is not None:
                ctx.say(f"  drop generic '{tok.text}' ({code}): {reason}")
                continue
            if code[:2] in ("02", "08", "10"):
                frame.target = self._addressee(tok) or next(
                    (c for c in action.children if c.dep_ in _SUBJECT_DEPS), None
                )
            if frame.target is None:
                # "refused to allow the plane to land": the one let in is an object too
                let = [
                    s
                    for c in action.children
                    if c.dep_ in ("ccomp", "xcomp")
                    for s in c.children
                    if s.dep_ in _SUBJECT_DEPS
                ]
                args = self._arguments(action)
                frame.target = next(
                    (o for o in args + let if self._actorish(o, ctx)), None
                ) or next(
                    # "refused to join the NATO exercises": an actor inside an object
                    (w for o in args if (w := self._actor_within(o, ctx)) is not None),
                    None,
                )
            frame.notes.append(
                f"generic: '{tok.text}'"
                + ("" if action is tok else f" + unknown action '{action.text}'")
            )
            if kind != "act":
                frame.code = transform_code(kind, code) or code
            out += self._drafts(frame, "act", ctx)
        return out

    @staticmethod
    def _arguments(verb: Any) -> list[Any]:
        """The objects of a verb and of its prepositions, in order."""
        out = []
        for c in verb.children:
            if c.dep_ in ("dobj", "dative", "attr"):
                out.append(c)
            elif c.dep_ == "prep":
                out += [g for g in c.children if g.dep_ == "pobj"]
        # "respond to a request from Haaretz": the owners of those objects too
        return out + [o for tok in out for o in _owners(tok)]

    def _attempted(self, tok: Any) -> bool:
        """'tried to assassinate', 'an attempted assassination', 'a failed assassination'."""
        if tok.dep_ == "xcomp" and self.lemma(tok.head) in ("attempt", "try", "plot", "seek"):
            return True
        return any(
            c.dep_ == "amod" and c.lower_ in ("attempted", "failed", "foiled", "botched")
            for c in tok.children
        )

    def _looks_actor(self, tok: Any) -> bool:
        return (
            named_type(tok) in ("PERSON", "ORG", "NORP", "GPE", "NAME")
            or tok.pos_
            in (
                "PROPN",
                "PRON",
            )
            or self.resolver.roles.is_role_word(tok)
        )

    def _literal_target(self, f: Frame, sources: list[Mention], ctx: SentenceContext) -> Any:
        """The owner of a pattern's object word is the target of a one-actor pattern:
        "expelled 23 Russian diplomats" -> RUS, "rejected May's agreement" -> GBRGOV,
        "suspended publication of Algeria's largest newspaper" -> DZAMED."""
        own = {s.actor.code for s in sources}
        own_countries = {s.actor.country for s in sources}
        literal_ids = {t.i for t in f.literals}
        bare_role = None
        for word in f.literals:
            lit = word
            if lit.dep_ == "compound" and lit.head.pos_ in ("NOUN", "PROPN"):
                # "ended mediation efforts with the truckers", "banned opposition leader Guaido"
                lit = lit.head
            if lit.pos_ not in ("NOUN", "PROPN") or lit.dep_ not in ("dobj", "nsubjpass", "pobj"):
                continue
            # another word of the pattern owns nothing: "suspend military aid"
            owners = [
                c
                for c in lit.children
                if c.dep_ in ("poss", "amod", "compound")
                and (c.i == word.i or c.i not in literal_ids)
                # an adjective owns only as a nationality: "Russian diplomats", not the
                # "general strike"
                and (c.pos_ != "ADJ" or c.i in ctx.matches)
            ]
            # "publication of X", "ceasefire with X", "travel ban on X"
            owners += [
                g
                for c in lit.children
                if c.dep_ == "prep" and c.lower_ in _OWNER_PREPS
                for g in c.children
                if g.dep_ == "pobj"
            ]
            if lit.dep_ == "dobj":
                # "expelled diplomats from Poland": where the object comes from owns it
                owners += [
                    g
                    for c in lit.head.children
                    if c.dep_ == "prep" and c.lower_ == "from"
                    for g in c.children
                    if g.dep_ == "pobj"
                ]
            # "accepted an invitation to meet with Kim": whom the proposed act involves
            owners += [a for c in lit.children if c.dep_ == "acl" for a in self._arguments(c)]
            for tok in [lit, *owners]:
                if not self._actorish(tok, ctx):
                    continue
                m = self.resolver.resolve(
                    tok, ctx.matches, ctx.day, ctx.memory, ctx.sent_index, ctx.offset
                )
                if (
                    m is not None
                    and m.actor.code
                    and m.actor.code not in own
                    # "put its police on alert": the source's own forces are no target
                    and not (m.coreferent and m.actor.country in own_countries)
                ):
                    if tok.i != lit.i or m.actor.country or m.actor.code not in ROLE_CODES:
                        return tok
                    # a bare role word is the source's own ("deployed troops") unless the
                    # act is done to those people ("expelled aid workers"); an owner
                    # ("diplomats from Poland") still comes first
                    if f.pattern.code[:2] in _DONE_TO_ROOTS and lit.tag_ == "NNS":
                        bare_role = bare_role or tok
        return bare_role

    def _topic_target(self, f: Frame, light: Any) -> Any:
        """What a one-actor statement or verdict is about, or whom a light verb's dative
        names: "expressed pessimism over talks with the US", "gave Putin a deadline"."""
        if light is not None:
            for c in light.children:
                if c.dep_ == "dative":
                    return c
        if f.code in _MEDIATION_CODES:
            # "a mediation effort to end the rift between Qatar and its neighbours"
            carriers = [f.trigger, *f.literals, *([light] if light is not None else [])]
            for tok in (t for c in carriers for t in c.subtree):
                if tok.dep_ == "prep" and tok.lower_ == "between":
                    obj = next((g for g in tok.children if g.dep_ == "pobj"), None)
                    if obj is not None:
                        return obj
        if f.code[:2] not in _TOPIC_ROOTS:
            return None
        for tok in [f.trigger, *f.literals]:
            for c in tok.children:
                if c.dep_ == "prep" and c.lower_ in _TOPIC_PREPS:
                    obj = next((g for g in c.children if g.dep_ in ("pobj", "pcomp")), None)
                    if obj is not None:
                        return obj
        if f.code in _OUTLOOK_CODES:
            # "expressed hope that Beijing will ease the rules": whom the outlook is about
            for tok in [f.trigger, *f.literals]:
                for c in tok.children:
                    if c.dep_ in ("ccomp", "acl") and c.pos_ in ("VERB", "AUX"):
                        subj = next(
                            (g for g in c.children if g.dep_ in ("nsubj", "nsubjpass")), None
                        )
                        if subj is not None and subj.pos_ != "PRON":
                            return subj
        return None

    def _destination(self, verb: Any, ctx: SentenceContext) -> Any:
        """Where the agents of a purpose clause were sent: "dispatched a team to Detroit to
        investigate a crash" -> Detroit."""
        if verb.dep_ not in ("advcl", "xcomp") or not any(
            c.dep_ == "aux" and c.lower_ == "to" for c in verb.children
        ):
            return None
        head = verb.head
        if self.lemma(head) not in _SENDING_VERBS:
            return None
        # "to Detroit" hangs on the verb or on what was sent ("a team to Detroit")
        holders = [head, *(t for c in head.children if c.dep_ == "dobj" for t in c.subtree)]
        for place in (o for h in holders for o in _prep_objects(h, ("to", "into"))):
            if any(m.actor.code for m in self._mentions(place, ctx)):
                return place
        return None

    @staticmethod
    def _ruled_place(f: Frame, light: Any) -> Any:
        """Where a curfew, state of emergency or alert holds, named or not: "imposed a
        curfew across the old city" -> the old city."""
        for tok in (f.trigger, *f.literals, light, f.governor):
            places = (
                _prep_objects(tok, ("in", "at", "across", "throughout")) if tok is not None else []
            )
            for obj in places:
                if not is_time(obj) and obj.pos_ in ("NOUN", "PROPN"):
                    return obj
        return None

    def _protested(self, f: Frame, light: Any) -> Any:
        """What a strike or demonstration is against: "went on hunger strike, protesting the
        new law", "a strike in protest against rules imposed by the government"."""
        if f.code[:2] != "14":
            return None
        if f.trigger.pos_ == "VERB" and self.lemma(f.trigger) == "protest":
            obj = next((g for g in f.trigger.children if g.dep_ == "dobj"), None)
            if obj is not None:
                return obj  # "protested the new tax"
        for tok in (f.trigger, light, f.governor):
            for c in tok.children if tok is not None else ():
                if c.dep_ in ("advcl", "xcomp", "acl", "conj") and self.lemma(c) == "protest":
                    obj = next((g for g in c.children if g.dep_ == "dobj"), None)
                    if obj is not None:
                        return obj
                if c.dep_ == "prep" and c.lower_ in ("in", "against"):
                    for g in c.children:
                        if g.dep_ != "pobj":
                            continue
                        if c.lower_ == "against":
                            return g
                        if g.lemma_.lower() == "protest":  # "in protest against X"
                            return next(iter(_prep_objects(g, ("against", "over"))), None)
        return None

    def _actor_within(self, phrase: Any, ctx: SentenceContext) -> Any:
        """The first actor inside a phrase that is none itself: "the prospect of a trade
        deal with China" -> China, "holding talks with the US" -> the US."""
        if self._mentions(phrase, ctx):
            return phrase
        for tok in phrase.subtree:
            if (
                tok.i != phrase.i
                and tok.pos_ != "PRON"
                # a phrase of its own or a nationality, not any modifier: "a rebel-held
                # town" names no rebels, "a Kenyan army base" names Kenya
                and (
                    tok.dep_ in ("pobj", "dobj", "nsubj", "nsubjpass", "conj", "appos", "poss")
                    or tok.i in ctx.matches
                )
                and self._actorish(tok, ctx)
                and any(m.actor.code for m in self._mentions(tok, ctx))
            ):
                return tok
        return None

    @staticmethod
    def _awaited(f: Frame) -> Any:
        """'will not end the strike until the government provides resources': the party a
        refusal waits for is its target."""
        for tok in (f.trigger, f.governor):
            for c in tok.children if tok is not None else ():
                if c.dep_ == "advcl" and any(
                    m.dep_ == "mark" and m.lower_ in ("until", "unless", "before", "till")
                    for m in c.children
                ):
                    return next((s for s in c.children if s.dep_ in _SUBJECT_DEPS), None)
            # "declined to resign despite Biden's request": who asked in vain
            for pressure in _prep_objects(tok, ("despite",)) if tok is not None else ():
                return next(iter(_owners(pressure)), None)
        return None

    def _affected_target(self, f: Frame, ctx: SentenceContext) -> Any:
        """A one-actor material act (or appeal) aims at the place or party it is for: "imposed a
        curfew in Kashmir", "deployed troops to the border of Ukraine", "shelled positions
        across the Donbas". Only actors count (a named place is one)."""
        if f.pattern.code[:2] not in _AFFECTED_ROOTS:  # the act itself, before any threat
            return None
        carriers = [f.trigger, *f.literals]
        if f.pattern.kind == "noun":
            # "will extend the curfew in Bangkok": the place hangs on the carrying verb
            carriers += [t for t in (self.light_verb(f.trigger), f.governor) if t is not None]
        preps = _AFFECTED_PREPS | {"as", "for"}
        if f.pattern.code[:2] == "16":  # "suspended aid and arms deals with X"
            preps |= {"with"}
        for tok in carriers:
            for c in tok.children:
                if c.dep_ != "prep" or c.lower_ not in preps:
                    continue
                for g in c.children:
                    if g.dep_ != "pobj":
                        continue
                    if c.lower_ not in ("as", "for") and self._actorish(g, ctx):
                        return g
                    # "in northern parts of Mali", "resigned as president of Peru",
                    # "mobilized troops for a war against Iraq"
                    owner_preps = ("against", "on") if c.lower_ == "for" else ("of",)
                    owner = next(iter(_prep_objects(g, owner_preps)), None)
                    if owner is not None and self._actorish(owner, ctx):
                        return owner
        return None

    def sentence_actions(self, sent: Any) -> list[tuple[int, str]]:
        """(depth, code) of every action the sentence asserts, whoever its actors are: a
        sentence-level reading for classifying sentences whose actors are unknown."""
        words = frozenset(w for t in sent for w in (t.lower_, t.lemma_.lower()))
        out = []
        for tok in sent:
            if tok.pos_ == "VERB":
                frames = self.match_verb(tok, lambda _t: True, words)
            elif tok.pos_ == "NOUN":
                frames = self.match_noun(tok, lambda _t: True, words)
            else:
                continue
            if not frames:
                continue
            reason, kind = self.modality(frames[0])
            if reason is not None:
                continue
            code = frames[0].code if kind == "act" else transform_code(kind, frames[0].code)
            if code is not None:
                gov = frames[0].governor
                out.append((clause_depth(gov if gov is not None else tok), code))
        return out

    def _actorish(self, tok: Any, ctx: SentenceContext) -> bool:
        """A cheap test: could this phrase be an actor (before resolving it)?"""
        for t in conjuncts(tok):
            near = [t, *(c for c in t.children if c.dep_ in ("poss", "compound", "amod"))]
            for c in near:
                if named_type(c) in ("PERSON", "ORG", "NORP", "GPE", "NAME") or c.i in ctx.matches:
                    return True
            if t.pos_ == "PRON" or self.resolver.roles.is_role_word(t):
                return True
        return False

    def _drafts(self, f: Frame, kind: str, ctx: SentenceContext) -> list[Draft]:
        trig = f.trigger
        light = None
        if f.source is None:
            if f.pattern.kind == "verb":
                src_tok, how = self.subject(trig)
            else:
                # the first candidate that names an actor ("a landmark agreement" has a
                # modifier, but the agreeing parties are the light verb's subject)
                options = self.noun_sources(trig, f, ctx)
                src_tok, how, light = next(
                    (o for o in options if self._mentions(o[0], ctx)),
                    options[0] if options else (None, "none", None),
                )
            f.source, f.source_how = src_tok, how
        target_tok = f.target
        if f.pattern.has_source_slot and target_tok is None and f.pattern.kind == "verb":
            # "receive aid from $S": the subject is the one who receives
            for c in trig.children:
                if c.dep_ in _SUBJECT_DEPS:
                    target_tok = c
        if kind in ("appeal", "demand") and f.governor is not None:
            addressee = self._addressee(f.governor)
            if addressee is not None:
                target_tok = addressee
                src_tok, _how = self.subject(f.governor)
                f.source, f.source_how = src_tok, "subject of " + f.governor.text
            elif f.source is not None:
                # "demanded that Moscow release the journalist": Moscow is asked
                target_tok = f.source
                src_tok, _how = self.subject(f.governor)
                f.source, f.source_how = src_tok, "subject of " + f.governor.text
        if f.source is None and target_tok is not None and self.cues.reciprocal(f.pattern.code):
            # "the videoconference between Xi and Putin": the parties act on each other
            parties = self._mentions(target_tok, ctx)
            if len(parties) > 1:
                f.source_how = "mutual parties"
                return self._emit(f, kind, parties, [], light, ctx)
        needs_target = f.pattern.has_target_slot and not f.mutual_only
        if f.source is None:
            ctx.say(f"  drop '{trig.text}' ({f.pattern.rule}): no source ({f.source_how})")
            return []
        if f.source.lower_ in _REFLEXIVES or (
            target_tok is not None and target_tok.lower_ in _REFLEXIVES
        ):
            ctx.say(f"  drop '{trig.text}' ({f.pattern.rule}): reflexive ('themselves')")
            return []
        sources = self._mentions(f.source, ctx)
        if not sources:
            ctx.say(
                f"  drop '{trig.text}' ({f.pattern.rule}): source '{f.source.text}' is not an actor"
            )
            return []
        if f.mutual_only and len(sources) < 2:
            ctx.say(f"  drop '{trig.text}' ({f.pattern.rule}): no target and a single source")
            return []
        if kind == "refuse" and (target_tok is None or not self._mentions(target_tok, ctx)):
            awaited = self._awaited(f)
            if awaited is not None and self._mentions(awaited, ctx):
                target_tok = awaited
        if target_tok is None and not f.pattern.has_target_slot and not f.mutual_only:
            topic = self._topic_target(f, light)
            target_tok = (
                self._literal_target(f, sources, ctx) or topic or self._affected_target(f, ctx)
            )
            if target_tok is None and f.code in _RULE_OVER_PLACE_CODES:
                target_tok = self._ruled_place(f, light)
                needs_target = target_tok is not None  # the place stays as evidence
            if target_tok is None:
                protested = self._protested(f, light)
                if protested is not None:
                    target_tok = self._actor_within(protested, ctx) or protested
                    needs_target = True  # what is protested stays as evidence
            if (
                target_tok is not None
                and topic is not None
                and target_tok.i == topic.i
                and f.code in _OUTLOOK_CODES
            ):
                needs_target = True  # the topic stays as evidence
            if (
                target_tok is None
                and (
                    f.pattern.code[:2] in _THING_TARGET_ROOTS
                    or f.pattern.code in _THING_TARGET_CODES
                )
                and not self.cues.needs_actor_target(f.code)
            ):
                target_tok = next(
                    (
                        t
                        for t in f.literals
                        if t.dep_ in ("dobj", "nsubjpass")
                        and t.pos_ in ("NOUN", "PROPN")
                        and not self._mentions(t, ctx)  # "opened its borders": its own
                    ),
                    None,
                )
                needs_target = target_tok is not None
        if target_tok is not None and f.code in _OUTLOOK_CODES | _CLAIM_CODES:
            # "optimism about a deal with China", "claimed the attack on the army's sites"
            target_tok = self._actor_within(target_tok, ctx) or target_tok
        # "sent inspectors to Chad to examine the wreck": where they were sent, when what
        # they went for is no actor (checked only for such purpose clauses: a hot path)
        sent_to = self._destination(trig, ctx) if target_tok is not None else None
        if sent_to is not None and not any(m.actor.code for m in self._mentions(target_tok, ctx)):
            target_tok = sent_to
        targets: list[Mention] = []
        if target_tok is not None:
            targets = self._mentions(target_tok, ctx)
            if not targets and needs_target:
                targets = self._anaphoric_target(target_tok, ctx)
            if not targets and needs_target:
                # "condemned the attack": the event stands, its target is not a known actor
                targets = [self.resolver.unresolved(target_tok, ctx.offset)]
        elif needs_target:
            ctx.say(f"  drop '{trig.text}' ({f.pattern.rule}): no target")
            return []
        if (
            targets
            and f.code[:2] in ("01", "04")
            and all(t.actor.code in ("MED", "JRN") for t in targets)
        ):
            # "told reporters", "briefed journalists": the press is the audience, not a party
            ctx.say(f"  drop '{trig.text}' ({f.pattern.rule}): the press is only the audience")
            return []
        if (
            targets
            and all(t.kind == "thing" for t in targets)
            and self.cues.needs_actor_target(f.code)
        ):
            ctx.say(
                f"  drop '{trig.text}' ({f.pattern.rule}): target "
                f"'{targets[0].actor.text}' is not an actor"
            )
            return []
        return self._emit(f, kind, sources, targets, light, ctx)

    def _emit(
        self,
        f: Frame,
        kind: str,
        sources: list[Mention],
        targets: list[Mention],
        light: Any,
        ctx: SentenceContext,
    ) -> list[Draft]:
        trig = f.trigger
        trig_toks = (
            [trig]
            + ([f.governor] if f.governor is not None else [])
            + ([light] if light is not None else [])
        )
        trigger_text, t_start, t_end = phrase_span(
            trig.doc, min(t.i for t in trig_toks), max(t.i for t in trig_toks)
        )
        pairs: list[tuple[Mention, Mention | None]] = []
        if (
            len(sources) > 1
            and targets
            and all(t.actor.code is None for t in targets)
            and self.cues.reciprocal(f.pattern.code)
        ):
            # "Armenia and Azerbaijan agreed to a truce in their conflict": the parties
            # are each other's target; the conflict is only what it is about
            targets = []
        if targets:
            pairs = [(s, t) for s in sources for t in targets if not _same_actor(s, t)]
            if not pairs:
                ctx.say(
                    f"  drop '{trig.text}' ({f.pattern.rule}): source and target are the same actor"
                )
            elif f.pattern.code in self.cues.mutual_codes and (
                kind == "act"
                or (
                    kind == "intent"
                    and (f.governor is None or (light is not None and f.governor.i == light.i))
                )
            ):
                # "Erdogan met Mattarella": a meeting is both sides' act; "Erdogan will
                # meet Mattarella" or "will hold talks with": a meeting fixed for later is
                # both sides' plan (not so "Erdogan wants to meet Mattarella")
                pairs += [(t, s) for s, t in pairs if t is not None and t.actor.code is not None]
                f.notes.append("mutual: coded both ways")
        elif len(sources) > 1 and self.cues.reciprocal(f.pattern.code):
            pairs = [(s, t) for s in sources for t in sources if s is not t]
            f.notes.append("reciprocal: compound subject")
        else:
            pairs = [(s, None) for s in sources]
        out = []
        for s, t in pairs:
            conf = _confidence(f, s, t, kind)
            notes = tuple(
                f.notes + [f"source {f.source_how}: {s.how}"] + ([f"target: {t.how}"] if t else [])
            )
            out.append(
                Draft(
                    f.code,
                    s,
                    t,
                    ctx.offset + t_start,
                    ctx.offset + t_end,
                    trigger_text,
                    f.pattern.rule,
                    conf,
                    notes,
                    clause_depth(f.governor if f.governor is not None else trig),
                )
            )
            ctx.say(
                f"  code {f.code} '{trigger_text}' ({f.pattern.rule}): "
                f"{s.actor.text} [{s.actor.code}] -> "
                f"{(t.actor.text + ' [' + str(t.actor.code) + ']') if t else '-'}"
                + (f"; {'; '.join(f.notes)}" if f.notes else "")
            )
        return out

    def _mentions(self, head: Any, ctx: SentenceContext) -> list[Mention]:
        """The actors of a phrase and of the phrases coordinated with it."""
        out: list[Mention] = []
        for tok in conjuncts(head):
            m = self.resolver.resolve(
                tok, ctx.matches, ctx.day, ctx.memory, ctx.sent_index, ctx.offset
            )
            if m is None:
                # "Putin's claim", "the government of Iraq", "a request from Haaretz", "an
                # appeal filed by his lawyers": the owner or author is the actor
                for inner in _owners(tok):
                    m = self.resolver.resolve(
                        inner, ctx.matches, ctx.day, ctx.memory, ctx.sent_index, ctx.offset
                    )
                    if m is not None:
                        break
            if m is not None:
                out += self.resolver.split_coordinated(tok, m, ctx.matches, ctx.day, ctx.offset)
        return [m.antecedent or m for m in out]

    def _anaphoric_target(self, tok: Any, ctx: SentenceContext) -> list[Mention]:
        """'rejected that demand': the maker of the demand mentioned just before."""
        if tok.lemma_.lower() not in _PROPOSAL_NOUNS:
            return []
        if not any(
            c.dep_ == "det" and c.lower_ in ("that", "this", "the", "these", "those")
            for c in tok.children
        ):
            return []
        for s_idx, code_, actor in reversed(ctx.memory.events):
            if ctx.sent_index - s_idx > 2:
                break
            if code_[:2] in ("02", "03", "10"):
                m = Mention(
                    Actor(
                        tok.text,
                        actor.code,
                        actor.country,
                        ctx.offset + tok.idx,
                        ctx.offset + tok.idx + len(tok.text),
                    ),
                    "person",
                    tok.i,
                    f"'{tok.text}' made by {actor.text}",
                    coreferent=True,
                )
                return [m]
        return []


def _future_in_the_past(verb: Any) -> bool:
    """'The EU would hold talks with Abbas next month': a main-clause "would" without a
    condition anywhere in the sentence (no "if", "unless", "would have") reports a plan."""
    main = verb.dep_ == "ROOT" or (verb.dep_ == "conj" and verb.head.dep_ == "ROOT")
    if not main or not any(c.dep_ == "aux" and c.lower_ == "would" for c in verb.children):
        return False
    if any(c.dep_ == "aux" and c.lower_ == "have" for c in verb.children):
        return False
    return not any(t.lower_ in ("if", "unless", "otherwise") for t in verb.sent)


def _base_forms(word: str) -> list[str]:
    """Regular base forms of an inflected verb, most likely first."""
    out: list[str] = []
    for suffix, repl in (
        ("ied", "y"),
        ("ies", "y"),
        ("ing", ""),
        ("ing", "e"),
        ("ed", ""),
        ("ed", "e"),
        ("es", ""),
        ("s", ""),
    ):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            out.append(stem + repl)
            if repl == "" and len(stem) > 2 and stem[-1] == stem[-2]:
                out.append(stem[:-1])  # stopped -> stop
    return out


def _modifiers(noun: Any) -> list[Any]:
    """Words modifying a noun, and their own modifiers: "war crimes investigation"."""
    deps = ("amod", "compound", "nmod")
    first = [c for c in noun.children if c.dep_ in deps]
    return first + [g for c in first for g in c.children if g.dep_ in deps]


@cache
def _generic_pattern(code: str, lemma: str) -> Pattern:
    return Pattern(code, "verb", lemma, (), (), lemma, "cues.yaml: generic_frames")


# Nouns that count or group events: the light verb governs them, not the event noun
# Amounts given: "pledged $5 million in aid", "sent 300 tonnes of food"
_AMOUNT_NOUNS = frozenset(
    "million billion trillion dollar euro pound yen yuan rupee franc $ € £ ton tonne worth".split()
)
_MEASURE_NOUNS = frozenset(
    "round series wave spate string flurry set number host barrage volley salvo campaign"
    " cycle burst".split()
)


def _governed_action(verb: Any) -> Any:
    """The verb a governing verb takes as its action: 'agreed to *send*', 'said it *will*'."""
    return next(
        (c for c in verb.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ == "VERB"), None
    )


def _keeps_peace(f: Frame) -> bool:
    """Whether a show of force is a peacekeeping deployment: 'peacekeeping' or
    'peacekeepers' in the trigger's own phrase (objects, purposes, 'as ...', 'to the ...
    mission')."""
    return any(
        t.lemma_.lower() in _PEACEKEEPING
        for c in f.trigger.children
        if c.dep_ not in ("nsubj", "nsubjpass", "conj", "ccomp", "parataxis")
        for t in c.subtree
    )


def _prep_objects(tok: Any, preps: tuple[str, ...]) -> list[Any]:
    """The objects of ``tok``'s prepositions among ``preps``: "war against Iraq" -> Iraq."""
    return [
        o
        for p in tok.children
        if p.dep_ == "prep" and p.lower_ in preps
        for o in p.children
        if o.dep_ == "pobj"
    ]


def _owners(tok: Any) -> list[Any]:
    """Who owns or authored a thing: its possessor, its 'of'/'by'/'from' phrase, the agent
    of a participle on it ("the proposal put forward by Kyiv")."""
    out = [c for c in tok.children if c.dep_ == "poss"]
    for c in tok.children:
        if c.dep_ in ("prep", "agent") and c.lower_ in ("of", "by", "from"):
            out += [g for g in c.children if g.dep_ == "pobj"]
        elif c.dep_ == "acl" and c.tag_ == "VBN":
            out += [
                g for a in c.children if a.dep_ == "agent" for g in a.children if g.dep_ == "pobj"
            ]
    return out


def _mutual_variants(pattern: Pattern) -> list[Pattern]:
    """Variants of a mutual pattern ending in 'with $T': without it, for "X and Y agreed
    to share information" (the parties are the compound subject), and with 'between $T'
    for "the talks between X and Y" (the parties are that phrase's conjuncts)."""
    els = pattern.elements
    if len(els) < 2 or els[-1].slot != "T" or "with" not in els[-2].words:
        return []
    if any(e.any for e in els):
        return []  # "share * with $T" without its partner would be any sharing at all
    between = dataclasses.replace(els[-2], words=frozenset({"between", "among"}))
    return [
        dataclasses.replace(pattern, elements=(*els[:-2], between, els[-1])),
        dataclasses.replace(pattern, elements=els[:-2]),
    ]


def _rank(frames: list[tuple[int, Frame]]) -> list[Frame]:
    """The most specific pattern first ("expel diplomats" before "expel $T"); among equally
    specific ones, slots holding actor-like phrases, then other phrases, then no slots."""
    return [f for _rank, f in sorted(frames, key=lambda x: (-x[1].pattern.specificity, x[0]))]


# Prepositions that attach an object word to its owner or counterpart: "ceasefire with X"
# "by" and "from" name an author: "rejected accusations by the opposition"
_OWNER_PREPS = frozenset(
    {"of", "with", "on", "against", "between", "toward", "towards", "by", "from", "for"}
)
# Statements, verdicts and reactions name their topic in a prepositional phrase.
_TOPIC_ROOTS = frozenset({"01", "09", "11", "12"})
_TOPIC_PREPS = frozenset(
    {
        "about",
        "over",
        "at",
        "on",
        "regarding",
        "concerning",
        "of",
        "against",
        "toward",
        "towards",
        "with",
        "into",
    }
)

# Rule imposed on (or lifted from) a place: curfews, states of emergency, alerts
_RULE_OVER_PLACE_CODES = frozenset({"0813", "0814", "152", "1723", "1724"})
# Verbs that send people somewhere to do something there
_SENDING_VERBS = frozenset({"send", "dispatch", "deploy", "fly", "despatch", "rush"})
# Means given for a purpose: "funding to fight Ebola", "an appeal for $5m to help"
_MEANS_NOUNS = frozenset(
    {
        "aid",
        "assistance",
        "funding",
        "fund",
        "money",
        "million",
        "billion",
        "appeal",
        "grant",
        "loan",
        "donation",
        "package",
        "supply",
        "equipment",
        "increase",
    }
)
_PEACEKEEPING = frozenset({"peacekeeping", "peacekeeper", "peace-keeping", "peacekeepers"})
# Intent verbs that offer or accept rather than announce: what they govern needs the
# other side's consent, so troops sent under them protect rather than threaten
_CONSENTING = frozenset({"agree", "offer", "volunteer", "consent", "accept"})
# Acts whose object, even when it is no actor, is a thing the act is about (not the act
# itself, like "imposed sanctions") and stays as evidence: "rejected the proposal",
# "violated the ceasefire"
_THING_TARGET_ROOTS = frozenset({"12"})
# Pessimistic and optimistic comments: their topic stays as evidence even when it is no
# actor ("optimism about the talks")
_OUTLOOK_CODES = frozenset({"012", "013"})
# Mediation (offered, done, ended): the parties it stands between are its targets
_MEDIATION_CODES = frozenset({"0334", "039", "045", "165"})
# Claims of responsibility: the party an attack claimed was aimed at is their target
_CLAIM_CODES = frozenset({"015"})
_THING_TARGET_CODES = frozenset({"196"})
# Acts done to the people a pattern's own role word names: "expelled aid workers"
_DONE_TO_ROOTS = frozenset({"11", "12", "16", "17", "18", "19", "20"})
# Material acts, and appeals for a place ("called for calm in Kashmir"), whose place or
# party, named in a prepositional phrase, is their target.
_AFFECTED_ROOTS = frozenset({"02", "07", "08", "14", "15", "16", "17", "18", "19", "20"})
_AFFECTED_PREPS = frozenset(
    {"in", "into", "on", "against", "across", "at", "over", "near", "toward", "towards", "to"}
)

_REFLEXIVES = frozenset(
    "itself themselves himself herself ourselves myself yourself yourselves".split()
)

_PROPOSAL_NOUNS = frozenset(
    "demand request proposal offer plan call ultimatum initiative idea bid appeal "
    "condition terms suggestion".split()
)


def _same_actor(a: Mention, b: Mention) -> bool:
    if a.actor.start == b.actor.start and a.actor.end == b.actor.end:
        return True
    return a.actor.code is not None and a.actor.code == b.actor.code and a.kind == b.kind


def _confidence(f: Frame, s: Mention, t: Mention | None, kind: str) -> float:
    conf = 0.55
    conf += 0.15 if s.actor.code else -0.15
    if t is not None:
        conf += 0.1 if t.actor.code else -0.1
    conf += 0.05 * min(f.pattern.specificity, 2)
    if s.coreferent or (t is not None and t.coreferent):
        conf -= 0.1
    if kind != "act":
        conf -= 0.05
    if f.pattern.kind == "noun":
        conf -= 0.05
    return round(min(0.99, max(0.05, conf)), 2)


def _dedupe(drafts: list[Draft]) -> list[Draft]:
    best: dict[tuple[Any, ...], Draft] = {}
    for d in drafts:
        key = (
            d.code[:2],
            d.source.actor.start,
            d.source.actor.code,
            d.target.actor.start if d.target else None,
            d.target.actor.code if d.target else None,
        )
        if key not in best or d.confidence > best[key].confidence:
            best[key] = d
    kept = list(best.values())
    kept.sort(key=lambda d: (d.trigger_start, d.source.actor.start))
    return kept
