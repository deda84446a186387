"""Hand-made coded articles for the store tests (no NLP): Event records as the coder makes them."""

from __future__ import annotations

import datetime as dt

from dyad.ontology import event_type
from dyad.records import Actor, Article, Event, Location, Trigger, make_event_id

COUNTRY = {"RUS", "UKR", "USA", "CHN", "FRA", "DEU", "IRN", "ISR", "PSE", "TUR"}


def actor(code: str | None, text: str | None = None, start: int = 0) -> Actor:
    country = code[:3] if code and code[:3] in COUNTRY else None
    words = text or (code or "someone")
    return Actor(words, code, country, start, start + len(words))


def event(
    article_id: str,
    sentence_index: int,
    code: str,
    source: str | None,
    target: str | None,
    date: str | None = "2022-03-07",
    *,
    source_text: str | None = None,
    target_text: str | None = None,
    place: tuple[str, str | None, float | None, float | None] | None = None,
    confidence: float = 0.8,
    sentence: str | None = None,
) -> Event:
    et = event_type(code)
    src = actor(source, source_text, 0)
    tgt = actor(target, target_text, 40) if target else None
    trig = Trigger("acted", 20, 25)
    return Event(
        event_id=make_event_id(
            article_id, sentence_index, trig.start, code, source, target, 0, 40 if tgt else None
        ),
        article_id=article_id,
        sentence_index=sentence_index,
        sentence=sentence or f"{src.text} acted ({code}) towards {tgt.text if tgt else 'no one'}.",
        date=date,
        event_code=code,
        root_code=et.root,
        quad_class=et.quad_class,
        goldstein=et.goldstein,
        plover=et.plover,
        source=src,
        target=tgt,
        trigger=trig,
        location=Location(*place) if place else None,
        confidence=confidence,
        rule=f"test:{code}",
    )


def article(
    article_id: str,
    text: str | None = None,
    date: str | None = "2022-03-07",
    *,
    url: str | None = None,
    outlet: str | None = None,
    title: str | None = None,
) -> Article:
    return Article(
        id=article_id,
        text=text if text is not None else f"The text of article {article_id}.",
        date=dt.date.fromisoformat(date) if date else None,
        url=url,
        source=outlet,
        title=title,
    )


def sample_items() -> list[tuple[Article, list[Event]]]:
    """A small corpus: RUS-UKR conflict, CHN-RUS cooperation, a repeated report, places."""
    kyiv = ("Kyiv", "UKR", 50.45, 30.52)
    return [
        (
            article("a1", url="https://www.wire.example/a1", outlet="Wire"),
            [
                event("a1", 0, "190", "RUSMIL", "UKR", "2022-02-24", place=kyiv),
                event("a1", 1, "042", "RUSGOV", "CHNGOV", "2022-02-24", source_text="Putin"),
                event("a1", 2, "111", "UKRGOV", "RUS", "2022-02-24"),
            ],
        ),
        (
            article("a2", url="https://paper.example/a2"),
            [
                # the same event as a1's first: same date, actors, code and place
                event("a2", 0, "190", "RUSMIL", "UKR", "2022-02-24", place=kyiv, confidence=0.9),
                event("a2", 3, "036", "CHNGOV", "RUSGOV", "2022-02-24"),
            ],
        ),
        (
            article("a3", date="2022-03-15", outlet="Gazette"),
            [
                event("a3", 0, "190", "RUSMIL", "UKR", "2022-03-15"),
                event("a3", 1, "057", "CHNGOV", "RUSGOV", "2022-03-15", source_text="Xi"),
                event("a3", 2, "173", "RUSCOP", "RUSCVL", "2022-03-15"),
                event("a3", 4, "112", "USAGOV", "RUSGOV", "2022-03-15"),
            ],
        ),
        (
            article("a4", date="2022-06-02", outlet="Wire"),
            [
                event("a4", 0, "061", "CHN", "RUS", "2022-06-02"),
                event("a4", 1, "193", "UKRMIL", "RUSMIL", "2022-06-02", place=kyiv),
                event("a4", 2, "010", "GOV", None, "2022-06-02", source_text="the government"),
            ],
        ),
        (article("a5", date="2023-01-10", outlet="Wire"), []),
    ]


# Team-written news-like sentences for the tests that run the real coder.
_LEADS = (
    "{a} troops attacked {b} positions near the border on Monday, officials said.",
    "The {a} foreign minister met his {b} counterpart in Geneva on Tuesday.",
    "{A} accused {B} of violating the ceasefire, a government spokesman said.",
    "{A} agreed to send humanitarian aid to {B} after the floods.",
    "{A} expelled two {b} diplomats on Wednesday.",
    "{A} signed a trade agreement with {B} in the capital.",
)
_PLACES = (
    ("Russia", "Russian"),
    ("Ukraine", "Ukrainian"),
    ("France", "French"),
    ("China", "Chinese"),
    ("Iran", "Iranian"),
    ("Turkey", "Turkish"),
    ("Germany", "German"),
    ("Japan", "Japanese"),
)


def story(i: int) -> str:
    """A short, distinct, two-sentence story (number i)."""
    (A, a) = _PLACES[i % len(_PLACES)]
    (B, b) = _PLACES[(i * 3 + 1) % len(_PLACES)]
    if A == B:
        (B, b) = _PLACES[(i * 3 + 2) % len(_PLACES)]
    first = _LEADS[i % len(_LEADS)].format(A=A, a=a, B=B, b=b)
    second = _LEADS[(i // len(_LEADS) + 1) % len(_LEADS)].format(A=B, a=b, B=A, b=a)
    return f"{first} {second} (Report {i}.)\n"


def write_corpus(folder, n: int) -> None:
    """n small text articles, a duplicate of one of them, a JSONL file of dated stories
    and a binary file (rejected)."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"story_{i:03d}.txt").write_text(story(i), encoding="utf-8")
    (folder / "story_copy.txt").write_text(story(0), encoding="utf-8")
    with open(folder / "dated.jsonl", "w", encoding="utf-8") as fh:
        for i in range(n, n + 6):
            day = f"2022-0{1 + i % 6}-1{i % 9}"
            fh.write(json.dumps({"id": f"dated-{i}", "text": story(i), "date": day}) + "\n")
    (folder / "image.bin").write_bytes(bytes(range(256)) * 8)
