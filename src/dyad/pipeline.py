"""Article -> list[Event]: the core, and the spaCy component "dyad".

    coder = dyad.load()
    events = coder.code_text("Russian troops shelled Kharkiv.", date="2022-03-07")
    for article, events in coder.code_articles(articles): ...

The model and lexicons load once per process (`Coder.load` caches by options).
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from dyad.actors import DESCRIPTIONS, PRONOUNS, ActorResolver, ArticleMemory, Mention, dateline_end
from dyad.coder import Coder as SentenceCoder
from dyad.coder import Cues, Draft, SentenceContext, builtin_cues
from dyad.dates import DateMention, find_years, resolve_date
from dyad.errors import UsageError
from dyad.geo import PlaceIndex, locate
from dyad.lexicon import builtin_lexicon, load_lexicon
from dyad.lexicon.patterns import ActionLexicon, builtin_actions, load_actions
from dyad.nlp import irregular_verbs, load_nlp
from dyad.ontology import event_type, penta_class
from dyad.records import Actor, Article, Event, Location, Trigger, make_event_id
from dyad.tone import article_tone


def parse_date(value: str | dt.date | None, what: str = "date") -> dt.date | None:
    """Accept ISO dates (and datetimes), YYYYMMDD, or a date; UsageError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise UsageError(f"{what} {value!r} is not a date (use YYYY-MM-DD)") from None


@dataclass
class SentenceTrace:
    """What --explain prints for one sentence."""

    index: int
    text: str
    actors: list[str]
    lines: list[str]


_YEAR = re.compile(r"\d{4}")  # find_years needs a four-digit number to find anything


def _by_sentence(
    sentences: list[Any], matches: dict[int, Any], ents: Any
) -> tuple[list[list[Any]], list[list[Any]]]:
    """Gazetteer matches and entity spans grouped by sentence, computed once per doc."""
    starts = [s.start for s in sentences]
    names: list[list[Any]] = [[] for _ in sentences]
    found: list[list[Any]] = [[] for _ in sentences]
    for m in {id(m): m for m in matches.values()}.values():
        names[bisect.bisect_right(starts, m.start) - 1].append(m)
    for ent in ents:
        found[bisect.bisect_right(starts, ent.start) - 1].append(ent)
    return names, found


def event_day(when: DateMention | None, article_date: dt.date | None) -> dt.date | None:
    """The event's date: the expression that governs it, except that a vague one ("this
    year", "in March") that contains the article date yields the more precise article
    date; no expression -> the article date."""
    if when is None:
        return article_date
    if when.precision != "day" and article_date is not None:
        start = when.date
        if when.precision == "year":
            end = dt.date(start.year, 12, 31)
        else:
            nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
            end = nxt - dt.timedelta(days=1)
        if start <= article_date <= end:
            return article_date
    return when.date


def parse_text(text: str) -> str:
    """The text the parser sees: a wire dateline ("ALGIERS, Algeria - ") is blanked with
    spaces, so it cannot become a sentence's subject, and every offset stays the same."""
    end = dateline_end(text)
    return " " * end + text[end:] if end else text


class Coder:
    """The whole coder: spaCy pipeline + actor resolver + sentence coder."""

    _cache: ClassVar[dict[tuple[Any, ...], Coder]] = {}

    def __init__(
        self,
        nlp: Any,
        actions: ActionLexicon,
        resolver: ActorResolver,
        cues: Cues,
        places: PlaceIndex | None = None,
    ) -> None:
        self.places = places or PlaceIndex.default()
        self.nlp = nlp
        self.actions = actions
        self.resolver = resolver
        self.cues = cues
        self.sentence_coder = SentenceCoder(actions, resolver, cues, irregular_verbs(nlp))

    @classmethod
    def load(
        cls,
        model: str | None = None,
        actors: Iterable[str | Path] = (),
        patterns: Iterable[str | Path] = (),
        ner: bool = False,
    ) -> Coder:
        """A Coder for the spaCy pipeline ``model`` with the built-in lexicons plus the
        user's ``actors`` and ``patterns`` files; ``ner=True`` also runs spaCy's NER
        (slower, slightly better recall on unknown names). Cached per arguments."""
        key = (model, tuple(map(str, actors)), tuple(map(str, patterns)), ner)
        if key not in cls._cache:
            nlp = load_nlp(model, ner=ner)
            lexicon = load_lexicon(actors) if key[1] else builtin_lexicon()
            actions = load_actions(patterns) if key[2] else builtin_actions()
            places = PlaceIndex.build(lexicon) if key[1] else PlaceIndex.default()
            cls._cache[key] = cls(nlp, actions, ActorResolver(lexicon, nlp), builtin_cues(), places)
        return cls._cache[key]

    # ------------------------------------------------------------------ public API

    def code_text(
        self, text: str, date: str | dt.date | None = None, article_id: str = "text"
    ) -> list[Event]:
        """Code one text; ``date`` anchors event dates (the article date)."""
        article = Article(id=article_id, text=text, date=parse_date(date))
        return self.code_article(article)

    def code_article(
        self, article: Article, explain: list[SentenceTrace] | None = None
    ) -> list[Event]:
        doc = self.nlp(parse_text(article.text))
        return self.code_doc(doc, article, explain)

    def code_articles(
        self, articles: Iterable[Article], batch_size: int = 32
    ) -> Iterator[tuple[Article, list[Event]]]:
        """Stream (article, events) pairs; spaCy parses in batches."""
        pairs = ((parse_text(a.text), a) for a in articles)
        for doc, article in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            yield article, self.code_doc(doc, article)

    def sentence_class(self, text: str) -> tuple[int, list[Event]]:
        """A sentence's penta class (see ontology.penta_class) from its main event: the coded
        event highest in the parse, else the highest action whatever its actors, else 0."""
        doc = self.nlp(parse_text(text))
        events = self.code_doc(doc, Article(id="s", text=text))
        if events:
            main = min(events, key=lambda e: (e.depth, -e.confidence, e.trigger.start))
            return penta_class(main.root_code), events
        actions = [a for sent in doc.sents for a in self.sentence_coder.sentence_actions(sent)]
        if actions:
            return penta_class(min(actions)[1][:2]), events
        return 0, events

    # ------------------------------------------------------------------ the core

    def code_doc(
        self, doc: Any, article: Article, explain: list[SentenceTrace] | None = None
    ) -> list[Event]:
        """The pure core: a parsed article in, its events out."""
        matches = self.resolver.index(doc)
        memory = ArticleMemory(dateline_end=dateline_end(article.text))
        events: list[Event] = []
        sentences = list(doc.sents)
        tone = article_tone(s.text for s in sentences) if sentences else None
        names, ents = _by_sentence(sentences, matches, doc.ents)
        context_year: int | None = None  # the last year the article named ("that year")
        for si, sent in enumerate(sentences):
            lines: list[str] | None = [] if explain is not None else None
            ctx = SentenceContext(matches, memory, article.date, si, 0, lines, names[si], ents[si])
            seen = [
                f"{m.actor.text} [{m.actor.code or '?'}] ({m.how})"
                for m in self._remember_actors(sent, ctx)
            ]
            drafts = self.sentence_coder.code_sentence(sent, ctx)
            for d in drafts:
                memory.events.append((si, d.code, d.source.actor))
                when = resolve_date(
                    sent.text,
                    d.trigger_start - sent.start_char,
                    article.date,
                    context_year=context_year,
                )
                day = event_day(when, article.date)
                where = self._where(sent, d, ctx)
                events.append(self._event(d, article, si, sent.text.strip(), day, where, tone))
                if lines is not None and when is not None:
                    lines.append(f"    date {day} from '{when.text}' ({when.rule})")
            years = find_years(sent.text) if _YEAR.search(sent.text) else []
            if years:
                context_year = years[-1]
            if explain is not None and lines is not None:
                explain.append(SentenceTrace(si, sent.text.strip(), seen, lines))
        return events

    def _where(self, sent: Any, d: Draft, ctx: SentenceContext) -> Location | None:
        """Where the event happened: the target when it is a place ("attacked Mariupol"),
        else a place in a prepositional phrase of the sentence ("in Kharkiv") that is not
        an actor's head, resolved in the actors' countries' context."""
        doc = sent.doc
        context = {
            c for c in (d.source.actor.country, d.target.actor.country if d.target else None) if c
        }
        if d.target is not None:
            m = ctx.matches.get(d.target.head)
            if m is not None and m.entries[0].kind in ("place", "capital"):
                span = doc[m.start : m.end]
                return locate(
                    span.text, 0, [(span.text, 0, len(span.text))], context, index=self.places
                )
        heads = {d.source.head} | ({d.target.head} if d.target is not None else set())
        base = sent.start_char
        spans: dict[tuple[int, int], str] = {}
        for m in ctx.names:
            if m.entries[0].kind in ("place", "capital", "country", "region"):
                span = doc[m.start : m.end]
                if span.root.dep_ == "pobj" and span.root.i not in heads:
                    spans[(span.start_char, span.end_char)] = span.text
        for ent in ctx.ents:
            if (
                ent.label_ in ("GPE", "LOC", "FAC")
                and ent.root.dep_ == "pobj"
                and ent.root.i not in heads
            ):
                spans.setdefault((ent.start_char, ent.end_char), ent.text)
        candidates = [(name, s - base, e - base) for (s, e), name in spans.items()]
        if not candidates:
            return None
        return locate(sent.text, d.trigger_start - base, candidates, context, index=self.places)

    def find_actors(self, text: str, date: str | dt.date | None = None) -> list[Mention]:
        """Every actor mention of a text, resolved as the coder sees it (for lookups)."""
        day = parse_date(date)
        doc = self.nlp(parse_text(text))
        matches = self.resolver.index(doc)
        memory = ArticleMemory(dateline_end=dateline_end(text))
        sentences = list(doc.sents)
        names, ents = _by_sentence(sentences, matches, doc.ents)
        found: list[Mention] = []
        for si, sent in enumerate(sentences):
            ctx = SentenceContext(matches, memory, day, si, 0, None, names[si], ents[si])
            found += self._remember_actors(sent, ctx)
        return found

    def _remember_actors(self, sent: Any, ctx: SentenceContext) -> list[Mention]:
        """Resolve every actor-like phrase head once so later pronouns can point back."""
        heads: dict[int, Any] = {}
        spans = [sent.doc[m.start : m.end] for m in ctx.names]
        spans += [e for e in ctx.ents if e.label_ in ("PERSON", "ORG", "NORP", "GPE")]
        roles = self.resolver.roles
        for tok in sent:
            # role nouns ("protesters", "the defence minister"), names seen before, and the
            # heads of proper names when the pipeline has no NER component
            if (
                (tok.pos_ == "PRON" and tok.lower_ in PRONOUNS)
                or (tok.pos_ == "NOUN" and roles.is_role_word(tok))
                or (tok.pos_ == "NOUN" and tok.lemma_.lower() in DESCRIPTIONS)
                or (tok.pos_ == "PROPN" and tok.text in ctx.memory.names)
                or (
                    tok.pos_ == "PROPN"
                    and not tok.ent_type_
                    and tok.dep_ not in ("compound", "flat")
                )
            ):
                spans.append(sent.doc[tok.i : tok.i + 1])
        for span in spans:
            head = span.root
            # climb to the head of the phrase ("Joe" -> "Biden", "Russian" -> "troops")
            while head.dep_ in ("compound", "flat", "amod") and head.head.i != head.i:
                head = head.head
            heads[head.i] = head
        found: list[Mention] = []
        for i in sorted(heads):
            mention = self.resolver.resolve(
                heads[i], ctx.matches, ctx.day, ctx.memory, ctx.sent_index, ctx.offset
            )
            if mention is not None:
                ctx.memory.remember(ctx.sent_index, mention, heads[i])
                found.append(mention)
        return found

    @staticmethod
    def _event(
        d: Draft,
        article: Article,
        si: int,
        sentence: str,
        day: dt.date | None,
        where: Location | None,
        tone: float | None,
    ) -> Event:
        et = event_type(d.code)
        src: Actor = d.source.actor
        tgt: Actor | None = d.target.actor if d.target else None
        return Event(
            event_id=make_event_id(
                article.id,
                si,
                d.trigger_start,
                d.code,
                src.code,
                tgt.code if tgt else None,
                src.start,
                tgt.start if tgt else None,
            ),
            article_id=article.id,
            sentence_index=si,
            sentence=sentence,
            date=day.isoformat() if day else None,
            event_code=d.code,
            root_code=et.root,
            quad_class=et.quad_class,
            goldstein=et.goldstein,
            plover=et.plover,
            source=src,
            target=tgt,
            trigger=Trigger(d.trigger_text, d.trigger_start, d.trigger_end),
            location=where,
            confidence=d.confidence,
            rule=d.rule,
            notes=d.notes,
            depth=d.depth,
            tone=tone,
        )


# ---------------------------------------------------------------------- spaCy component


class DyadComponent:
    """`nlp.add_pipe("dyad")`: sets ``doc._.events`` (dates from ``doc._.dyad_date``)."""

    def __init__(self, nlp: Any, name: str, actors: list[str], patterns: list[str]) -> None:
        from spacy.tokens import Doc

        for ext in ("events", "dyad_date"):
            if not Doc.has_extension(ext):
                Doc.set_extension(ext, default=None)
        lexicon = load_lexicon(actors)
        actions = load_actions(patterns) if patterns else builtin_actions()
        self.coder = Coder(nlp, actions, ActorResolver(lexicon, nlp), builtin_cues())
        self.name = name

    def __call__(self, doc: Any) -> Any:
        date = parse_date(doc._.dyad_date)
        article = Article(id=str(doc.user_data.get("id", "doc")), text=doc.text, date=date)
        doc._.events = self.coder.code_doc(doc, article)
        return doc


def make_dyad_component(
    nlp: Any, name: str, actors: list[str], patterns: list[str]
) -> DyadComponent:
    return DyadComponent(nlp, name, actors, patterns)


def _register() -> None:
    from spacy.language import Language

    if not Language.has_factory("dyad"):
        Language.factory(
            "dyad",
            default_config={"actors": [], "patterns": []},
        )(make_dyad_component)


_register()
