"""kill -9 in the middle of `dyad ingest` on 500 articles in every format (text, JSONL, CSV,
HTML, RSS, Atom, WARC) with near-duplicates and bad inputs, then a rerun: the final store
equals the one an uninterrupted run writes, row for row (ingestion times aside)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from dyad.store import Store

from .ingestkit import (
    FRENCH,
    WIRE_STORY,
    atom,
    html_page,
    rss,
    story,
    wire_copy,
    write_csv_odd,
    write_warc,
)

pytestmark = pytest.mark.slow

BATCH = 10


def build(root):
    """500 stories and a wire story (the first copy met, in crawl.warc.gz, is its
    original), 5 more copies of it across formats, an identical story, 7 bad inputs."""
    root.mkdir(parents=True)
    texts = root / "texts"
    texts.mkdir()
    (texts / "000-wire.txt").write_text(WIRE_STORY, encoding="utf-8")
    for i in range(300):
        (texts / f"t{i:03d}.txt").write_text(story(1000 + i, 4), encoding="utf-8")
    (texts / "t999-copy.txt").write_text(story(1000, 4), encoding="utf-8")  # identical to t000
    with open(root / "records.jsonl", "w", encoding="utf-8") as fh:
        for i in range(80):
            rec = {
                "id": f"r{i}",
                "text": story(2000 + i, 4),
                "date": f"2022-04-{1 + i % 28:02d}",
                "url": f"https://records.example/{i}",
            }
            fh.write(json.dumps(rec) + "\n")
        fh.write(
            json.dumps(
                {
                    "id": "r-wire",
                    "text": wire_copy("Records Daily"),
                    "url": "https://records.example/wire",
                }
            )
            + "\n"
        )
        fh.write("{not json\n")
    write_csv_odd(
        root / "table.csv",
        [
            (
                f"C{i}",
                story(3000 + i, 4),
                f"2022-05-{1 + i % 28:02d}",
                f"https://csv.example/{i}",
                "CSV",
            )
            for i in range(50)
        ]
        + [
            (
                "Wire",
                wire_copy("CSV Wire", "Markets rose."),
                "2022-03-08",
                "https://csv.example/w",
                "CSV",
            )
        ],
    )
    pages = root / "pages"
    pages.mkdir()
    for i in range(30):
        (pages / f"p{i:02d}.html").write_text(
            html_page(
                f"Page {i}",
                [story(4000 + i, 4)],
                site="Pages Post",
                canonical=f"https://pages.example/2022/06/{1 + i % 28:02d}/p{i}",
            ),
            encoding="utf-8",
        )
    (pages / "wire.html").write_text(
        html_page("Wire", [wire_copy("Pages Post")], site="Pages Post"), encoding="utf-8"
    )
    (root / "feed.rss").write_bytes(
        rss(
            "Feed Wire",
            [
                {
                    "title": f"F{i}",
                    "link": f"https://feed.example/{i}",
                    "date": f"2022-07-{1 + i % 28:02d}T10:00:00",
                    "html": f"<p>{story(5000 + i, 4)}</p>",
                }
                for i in range(20)
            ]
            + [{"title": "W", "link": "https://feed.example/wire", "html": f"<p>{WIRE_STORY}</p>"}],
        )
    )
    (root / "news.atom").write_bytes(
        atom(
            "Atom",
            [
                {
                    "title": f"A{i}",
                    "link": f"https://atom.example/{i}",
                    "date": f"2022-08-{1 + i:02d}",
                    "html": f"<p>{story(6000 + i, 4)}</p>",
                }
                for i in range(10)
            ],
        )
    )
    write_warc(
        root / "crawl.warc.gz",
        [
            {
                "url": f"https://crawl.example/{i}",
                "body": html_page(f"W{i}", [story(7000 + i, 4)], site="Crawl").encode(),
            }
            for i in range(10)
        ]
        + [
            {
                "url": "https://crawl.example/wire",
                "body": html_page(
                    "Wire", [wire_copy("Crawl", "Shipping firms welcomed it.")]
                ).encode(),
            },
            {"url": "https://crawl.example/404", "status": "404 Not Found", "body": b"no"},
        ],
    )
    (root / "zz-empty.txt").write_bytes(b"")
    (root / "zz-french.txt").write_text(FRENCH, encoding="utf-8")
    (root / "zz-image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (root / "zz-broken.rss").write_bytes(b'<?xml version="1.0"?><rss><channel><item><title>x')


def ingest_args(corpus, db, *extra):
    return [
        "ingest", str(corpus), "--db", str(db),
        "--batch-size", str(BATCH), "--no-progress", "--text-column", "Body Text",
        "--date-column", "Published On", "--url-column", "Story URL", *extra,
    ]  # fmt: skip


def ingest_cmd(corpus, db, *extra):
    return [sys.executable, "-m", "dyad.cli", *ingest_args(corpus, db, *extra)]


def ingest_here(capsys, corpus, db):
    """An ingest in this process (its coder is loaded once per test session)."""
    from dyad.cli import main

    rc = main(ingest_args(corpus, db))
    _, err = capsys.readouterr()
    assert rc == 0, err
    return err


# coder_version is left out: it fingerprints the lexicon files, which a colleague may edit
# in a shared working tree between the runs; what the coder found must still be the same
TABLES = {
    "articles": "select * exclude (ingested_at, coded_at, coder_version) from articles",
    "event_mentions": "select * from event_mentions",
    "events": "select * exclude (first_ingested_at) from events",
    "rejects": "select input, reason, message from rejects",
    "duplicates": "select * exclude (ingested_at) from duplicates",
    "article_signatures": "select * from article_signatures",
    "signature_bands": "select * from signature_bands",
}


def snapshot(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(q + " order by all").fetchall() for t, q in TABLES.items()}
    finally:
        con.close()


def test_kill_9_mid_ingest_of_500_mixed_articles_then_rerun(tmp_path, capsys, coder):
    corpus = tmp_path / "corpus"
    build(corpus)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    # the reference: one uninterrupted run (in this process: the coder is loaded already)
    full = tmp_path / "full.duckdb"
    done = ingest_here(capsys, corpus, full)
    expected = snapshot(full)
    assert len(expected["articles"]) == 501  # 500 stories and the wire story
    assert len(expected["duplicates"]) == 6  # 5 copies of the wire story, 1 identical story
    assert len(expected["rejects"]) == 7 + 6  # 7 bad inputs, and the 6 duplicates
    assert len(expected["event_mentions"]) > 1000
    assert "stored 501 articles" in done

    crashed = tmp_path / "crashed.duckdb"
    proc = subprocess.Popen(
        [*ingest_cmd(corpus, crashed), "--verbose"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 240
    committed = 0
    for line in proc.stderr:
        if "committed batch" in line:
            committed += 1
            if committed == 15:
                time.sleep(0.2)  # somewhere inside the next batch
                proc.send_signal(signal.SIGKILL)
                break
        assert time.monotonic() < deadline, "ingest did not commit 15 batches in time"
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it was killed"

    with Store(crashed) as store:
        assert store.check() == []
        n = store.stats()["articles"]
    assert 15 * BATCH <= n < 501
    partial = snapshot(crashed)
    # whole rows of the uninterrupted run only (events are aggregates: they grow)
    for table in ("articles", "event_mentions", "duplicates", "article_signatures"):
        assert set(partial[table]) <= set(expected[table]), table

    # the victim was a process of its own; the rerun can be anything that runs the command
    rerun = ingest_here(capsys, corpus, crashed)
    assert "already stored" in rerun and f"stored {501 - n} articles" in rerun
    after = snapshot(crashed)
    for table in TABLES:
        assert after[table] == expected[table], table
    with Store(crashed) as store:
        assert store.check() == []
