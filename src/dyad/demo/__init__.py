"""The bundled demo corpus: short wire-style stories written by the dyad team."""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from dyad.records import Article, Event


def demo_articles() -> Iterator[Article]:
    from dyad.pipeline import parse_date

    text = resources.files("dyad.demo").joinpath("corpus.jsonl").read_text("utf-8")
    for line in text.splitlines():
        if line.strip():
            rec = json.loads(line)
            yield Article(
                id=rec["id"],
                text=rec["text"],
                date=parse_date(rec.get("date")),
                url=rec.get("url"),
                source=rec.get("source"),
                title=rec.get("title"),
            )


def demo_gold_records() -> list[dict[str, object]]:
    """The demo corpus joined with its hand-coded events, in the `dyad` gold format."""
    gold = resources.files("dyad.demo").joinpath("gold.jsonl").read_text("utf-8")
    stories = {a.id: a for a in demo_articles()}
    out: list[dict[str, object]] = []
    for line in gold.splitlines():
        if line.strip():
            rec = json.loads(line)
            art = stories[rec["id"]]
            out.append(
                {
                    "id": art.id,
                    "text": art.text,
                    "date": art.date.isoformat() if art.date else None,
                    "events": rec["events"],
                }
            )
    return out


def run_demo(db: Path, model: str | None = None, progress: bool | None = None) -> int:
    """Code the demo corpus into ``db`` and print what was found."""
    from dyad.cli import _progress
    from dyad.ontology import root_name
    from dyad.pipeline import Coder
    from dyad.store import Store

    articles = list(demo_articles())
    print(f"dyad demo: coding {len(articles)} demo articles into {db} ...", flush=True)
    coder = Coder.load(model=model)
    all_events: list[Event] = []
    with Store.open(db) as store:
        store.clear()
        batch: list[tuple[Article, list[Event]]] = []
        for article, events in _progress(coder.code_articles(articles), progress):
            batch.append((article, events))
            all_events.extend(events)
            if len(batch) >= 50:
                store.add_batch(batch)
                batch = []
        store.add_batch(batch)
        n_aggregated = store.stats()["events"]
    print(
        f"\n{len(articles)} articles, {len(all_events)} events "
        f"({n_aggregated} after merging repeated reports)\n"
    )
    print("events per CAMEO root:")
    roots = Counter(e.root_code for e in all_events)
    for root in sorted(roots):
        print(f"  {root} {root_name(root):<40} {roots[root]:>4}")
    dyads = Counter(
        (e.source.code, e.target.code)
        for e in all_events
        if e.source.code and e.target and e.target.code
    )
    print("\ntop dyads (source -> target: events):")
    for (s, t), n in dyads.most_common(8):
        print(f"  {s} -> {t}: {n}")
    print("\nexample events with their evidence:")
    shown = 0
    seen_roots: set[str] = set()
    for e in sorted(all_events, key=lambda e: -e.confidence):
        if e.root_code in seen_roots or not e.target:
            continue
        seen_roots.add(e.root_code)
        print(
            f"  [{e.event_code} {e.plover or ''}] {e.source.text} ({e.source.code}) -> "
            f"{e.target.text} ({e.target.code}), {e.date}"
        )
        print(f'      "{e.sentence.strip()}"')
        shown += 1
        if shown == 3:
            break
    print(
        f"\nThe events are in {db}; explore them with dyad or DuckDB, e.g.\n"
        f"  dyad query --db {db} --actor RUS\n"
        f"  dyad dyads --db {db}\n"
        f'  duckdb {db} "select event_code, source_code, target_code, sentence from events '
        'limit 5"',
        file=sys.stdout,
    )
    dyad_cmd = ".venv/bin/dyad" if Path(sys.prefix).name == ".venv" else "dyad"
    print(
        f"\nOpen the dashboard (network, dyad timelines, events with their evidence, map, "
        f"live coding):\n"
        f"  {dyad_cmd} serve --db {db}\n"
        f"then browse to http://127.0.0.1:8000/ (Ctrl-C stops the server; API docs at /docs)",
        file=sys.stdout,
    )
    return 0
