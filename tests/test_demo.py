"""The bundled demo corpus and `dyad demo`."""

import json

import duckdb

from dyad.demo import demo_articles, demo_gold_records, run_demo
from dyad.evaluate import evaluate


def test_demo_corpus_covers_all_roots():
    articles = list(demo_articles())
    assert len(articles) >= 40
    assert all(a.date and 2014 <= a.date.year <= 2024 for a in articles)
    roots = {e["code"][:2] for r in demo_gold_records() for e in r["events"]}
    assert roots == {f"{n:02d}" for n in range(1, 21)}


def test_run_demo_writes_a_duckdb_file_and_a_summary(coder, tmp_path, capsys):
    db = tmp_path / "demo.duckdb"
    assert run_demo(db, progress=False) == 0
    out = capsys.readouterr().out
    assert "events per CAMEO root" in out and "top dyads" in out and "evidence" in out
    con = duckdb.connect(str(db), read_only=True)
    n_articles = con.execute("select count(*) from articles").fetchone()[0]
    n_events, n_roots = con.execute(
        "select count(*), count(distinct root_code) from events"
    ).fetchone()
    assert n_articles == len(list(demo_articles()))
    assert n_events > 100 and n_roots >= 15
    # the evidence sentence contains the actors' text
    rows = con.execute("select sentence, source_text, target_text from events").fetchall()
    for sentence, src, tgt in rows:
        assert src in sentence
        assert tgt is None or tgt in sentence


def test_demo_gold_agreement_floor(coder, tmp_path):
    """Our own hand-coded demo events: a floor on root+country recall and precision."""
    gold = tmp_path / "demo_gold.jsonl"
    gold.write_text("\n".join(json.dumps(r) for r in demo_gold_records()) + "\n", encoding="utf-8")
    report = evaluate(gold, "dyad", coder.code_articles)
    assert report.metrics["root+country recall"] >= 0.18
    assert report.metrics["root+country precision"] >= 0.22
