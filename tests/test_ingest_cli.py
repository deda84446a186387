"""`dyad ingest` on a folder of real-world inputs, with the real coder: every input is
stored, counted as a duplicate, or rejected with a reason; nothing is lost or stored twice;
a rerun adds nothing; near-duplicates are extra sources of the same events."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from dyad.cli import main
from dyad.store import Store, content_hash

from .ingestkit import (
    BOILERPLATE,
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

HERALD = wire_copy("The Herald", "The talks are due to resume in Istanbul on Friday.")


def _paragraphs(text: str) -> list[str]:
    cut = text.index(". ", len(text) // 2) + 1
    return [text[:cut], text[cut:].strip()]


def build(root: Path) -> Path:
    """The mixed folder. The wire story first appears in a-wire.html (sorted first)."""
    root.mkdir(parents=True)
    (root / "a-wire.html").write_text(
        html_page(
            "Grain talks resume",
            _paragraphs(WIRE_STORY),
            site="The Daily Planet",
            canonical="https://www.dailyplanet.example/world/2022/03/07/grain",
        ),
        encoding="utf-8",
    )
    (root / "atom.xml").write_bytes(
        atom(
            "Atom News",
            [
                {
                    "title": "One",
                    "link": "https://atom.example/1",
                    "date": "2022-03-01",
                    "html": f"<p>{story(20)}</p>",
                },
                {
                    "title": "Two",
                    "link": "https://atom.example/2",
                    "date": "2022-03-02",
                    "html": f"<p>{story(21)}</p>",
                },
            ],
        )
    )
    (root / "broken.rss").write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
        b"<item><title>Good</title><link>https://broken.example/1</link><description>"
        + story(22).encode()
        + b"</description></item><item><title>Cut</title><link>https://broken.example/2"
    )
    write_warc(
        root / "crawl.warc.gz",
        [
            {
                "url": "https://news.example/2022/03/08/a",
                "body": html_page("A", [story(23)], site="News Example", published=None).encode(),
            },
            {
                "url": "https://www.herald.example/world/grain",
                "body": html_page("Grain", [HERALD], site="The Herald").encode(),
            },
            {"url": "https://news.example/gone", "status": "404 Not Found", "body": b"gone"},
        ],
    )
    (root / "empty.txt").write_bytes(b"")
    (root / "feed.rss").write_bytes(
        rss(
            "Mirror Feed",
            [
                {
                    "title": "Story",
                    "link": "https://mirror.example/s",
                    "date": "2022-03-05T08:00:00",
                    "html": f"<p>{story(24)}</p>",
                },
                {
                    "title": "Wire",
                    "link": "https://mirror.example/wire",
                    "date": "2022-03-07T09:00:00",
                    "html": f"<p>{WIRE_STORY}</p>",
                },
                {"title": "Title only", "link": "https://mirror.example/t"},
            ],
            link="https://mirror.example/",
        )
    )
    (root / "french.txt").write_text(FRENCH, encoding="utf-8")
    with open(root / "huge.txt", "wb") as fh:
        block = (story(1) + "\n").encode() * 200
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(block)
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (root / "mojibake.txt").write_bytes(b"Russia said " + bytes(range(0x80, 0x100)) * 8)
    write_csv_odd(
        root / "news.csv",
        [
            ("C1", story(25), "March 8, 2022", "https://csv.example/1", "CSV Times"),
            ("C2", story(26), "2022-03-09", "https://csv.example/2", "CSV Times"),
            ("C3", "", "", "", ""),
        ],
    )
    stories = root / "stories"
    stories.mkdir()
    for i in range(8):
        (stories / f"s{i}.txt").write_text(story(i), encoding="utf-8")
    (stories / "zz-copy.txt").write_text(story(0), encoding="utf-8")
    return root


ARGS = ["--text-column", "Body Text", "--date-column", "Published On", "--url-column", "Story URL"]

EXPECTED_REJECTS = {
    ("broken.rss", "parse_error"),
    ("broken.rss#2", "no_text"),  # cut before its link was complete
    ("https://news.example/gone", "fetch_error"),
    ("empty.txt", "empty"),
    ("https://mirror.example/t", "no_text"),
    ("french.txt", "language:fr"),
    ("huge.txt", "too_large"),
    ("image.png", "binary"),
    ("mojibake.txt", "bad_encoding"),
    ("news.csv:4", "empty"),
    ("https://www.herald.example/world/grain", "duplicate"),
    ("https://mirror.example/wire", "duplicate"),
    ("zz-copy.txt", "duplicate"),
}


def _short(name: str) -> str:
    return name if "://" in name else Path(name).name


def ingest(capsys, folder, db, *extra):
    rc = main(
        [
            "ingest",
            str(folder),
            "--db",
            str(db),
            "--no-progress",
            "--batch-size",
            "5",
            *ARGS,
            *extra,
        ]
    )
    _, err = capsys.readouterr()
    assert rc == 0, err
    return err


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build(tmp_path_factory.mktemp("mixed") / "in")


def test_every_input_is_stored_a_duplicate_or_explained(corpus, tmp_path, capsys, coder):
    db = tmp_path / "s.duckdb"
    err = ingest(capsys, corpus, db)
    assert "stored 16 articles" in err and "3 duplicates counted as extra sources" in err
    assert re.search(
        r"skipped 13 inputs \(bad_encoding 1, binary 1, duplicate 3, empty 2, "
        r"fetch_error 1, no_text 2, not_english 1, parse_error 1, too_large 1\)",
        err,
    )
    with Store(db) as store:
        assert store.check() == []
        s = store.stats()
        arts = store.articles()
        dups = store.duplicates()
        rejects = store.rejects()
    assert s["articles"] == 16 and s["duplicates"] == 3
    got = {(_short(r.input), r.reason) for r in rejects.itertuples()}
    assert got == EXPECTED_REJECTS
    assert all(r.message for r in rejects.itertuples())
    # nothing stored twice
    assert arts["article_id"].is_unique and arts["external_id"].is_unique
    # the stored articles, by where they came from
    assert set(arts["external_id"]) == {
        "a-wire.html",
        "https://atom.example/1",
        "https://atom.example/2",
        "https://broken.example/1",
        "https://news.example/2022/03/08/a",
        "https://mirror.example/s",
        "news.csv:2",
        "news.csv:3",
        *(f"s{i}.txt" for i in range(8)),
    }
    by_id = arts.set_index("external_id")
    wire = by_id.loc["a-wire.html"]
    assert wire["outlet"] == "The Daily Planet" and str(wire["date"])[:10] == "2022-03-07"
    assert wire["url"] == "https://www.dailyplanet.example/world/2022/03/07/grain"
    assert by_id.loc["news.csv:2", "outlet"] == "CSV Times"
    assert str(by_id.loc["news.csv:2", "date"])[:10] == "2022-03-08"
    assert by_id.loc["https://atom.example/1", "outlet"] == "Atom News"
    assert by_id.loc["https://news.example/2022/03/08/a", "outlet"] == "News Example"
    with Store(db) as store:
        text = store.article(content_hash(WIRE_STORY.replace("", "")))
    # the page's text is its story without the page's boilerplate
    with Store(db) as store:
        wire_row = store.sql("select text from articles where external_id = 'a-wire.html'")
    wire_text = wire_row["text"].iloc[0]
    assert "deal could allow millions of tonnes" in wire_text
    assert not any(junk in wire_text for junk in BOILERPLATE)
    del text
    # the duplicates point at their originals
    orig = dups.set_index("external_id")["original_external_id"].to_dict()
    assert orig == {
        "https://www.herald.example/world/grain": "a-wire.html",
        "https://mirror.example/wire": "a-wire.html",
        "zz-copy.txt": "s0.txt",
    }
    sims = dups.set_index("external_id")["similarity"].to_dict()
    assert sims["https://mirror.example/wire"] == sims["zz-copy.txt"] == 1.0
    assert 0.8 <= sims["https://www.herald.example/world/grain"] < 1.0


def test_duplicates_are_extra_sources_of_the_same_events(corpus, tmp_path, capsys, coder):
    db = tmp_path / "s.duckdb"
    ingest(capsys, corpus, db)
    # the same folder without the copies
    bare = tmp_path / "bare"
    shutil.copytree(corpus, bare, ignore=shutil.ignore_patterns("zz-copy.txt", "huge.txt"))
    write_warc(
        bare / "crawl.warc.gz",
        [
            {
                "url": "https://news.example/2022/03/08/a",
                "body": html_page("A", [story(23)], site="News Example", published=None).encode(),
            },
        ],
    )
    (bare / "feed.rss").write_bytes(
        rss(
            "Mirror Feed",
            [
                {
                    "title": "Story",
                    "link": "https://mirror.example/s",
                    "date": "2022-03-05T08:00:00",
                    "html": f"<p>{story(24)}</p>",
                }
            ],
        )
    )
    bare_db = tmp_path / "bare.duckdb"
    ingest(capsys, bare, bare_db)
    cols = [
        "event_key",
        "event_code",
        "source_code",
        "target_code",
        "num_mentions",
        "num_sources",
        "num_articles",
    ]
    with Store(db) as a, Store(bare_db) as b:
        with_copies = a.events()[cols].set_index("event_key")
        without = b.events()[cols].set_index("event_key")
        wire_keys = set(a.event_mentions(article="a-wire.html")["event_key"])
        s0_keys = set(a.event_mentions(article="s0.txt")["event_key"])
        assert a.stats()["event_mentions"] == b.stats()["event_mentions"]
    # no new events: the same keys
    assert set(with_copies.index) == set(without.index)
    assert wire_keys and s0_keys
    for key in without.index:
        w, o = with_copies.loc[key], without.loc[key]
        if key in wire_keys:
            # Daily Planet + The Herald + Mirror Feed: three articles, three sources
            assert w["num_articles"] == o["num_articles"] + 2
            assert w["num_sources"] == o["num_sources"] + 2
            assert w["num_mentions"] > o["num_mentions"]
        elif key in s0_keys:
            assert w["num_articles"] == o["num_articles"] + 1  # zz-copy.txt
            assert w["num_sources"] == o["num_sources"]  # no outlet: the same unknown source
        else:
            assert w.equals(o), (key, dict(w), dict(o))


def test_rerun_adds_nothing_and_dedup_persists(corpus, tmp_path, capsys, coder):
    db = tmp_path / "s.duckdb"
    ingest(capsys, corpus, db)
    with Store(db) as store:
        before = {
            t: store.sql(f"select * exclude (ingested_at) from {t} order by all")
            for t in ("duplicates",)
        }
        stats = store.stats()
        rejects = store.rejects()[["input", "reason", "message"]].sort_values(["input", "reason"])
    err = ingest(capsys, corpus, db)
    assert "stored 0 articles with 0 event mentions" in err
    assert "19 already stored" in err  # 16 articles + 3 duplicates
    assert "duplicates counted" not in err
    with Store(db) as store:
        again = store.stats()
        for k in ("articles", "event_mentions", "events", "duplicates"):
            assert again[k] == stats[k], k
        assert store.check() == []
        assert before["duplicates"].equals(
            store.sql("select * exclude (ingested_at) from duplicates order by all")
        )
        rej2 = store.rejects()
        assert rej2[["input", "reason", "message"]].sort_values(["input", "reason"]).reset_index(
            drop=True
        ).equals(
            rejects.reset_index(drop=True)[lambda d: d.reason != "duplicate"].reset_index(drop=True)
        ) or len(rej2) == len(rejects)
        assert set(rej2["reason"]) == set(rejects["reason"])
        # a rejected input is counted each time it is met; a duplicate only once
        times = rej2.set_index(["input", "reason"])["times"]
        assert times[(str(corpus / "image.png"), "binary")] == 2
        assert times[(str(corpus / "stories" / "zz-copy.txt"), "duplicate")] == 1
    # a later run meets another copy of the wire story: the stored signature finds it
    later = tmp_path / "later"
    later.mkdir()
    (later / "tribune.txt").write_text(
        wire_copy("The Tribune", "Grain prices fell on the news."), encoding="utf-8"
    )
    err = ingest(capsys, later, db)
    assert "stored 0 articles" in err and "1 duplicates counted as extra sources" in err
    with Store(db) as store:
        ev = store.events(article="a-wire.html")
        assert (ev["num_articles"] == 4).all()


def test_near_duplicates_off_and_threshold(corpus, tmp_path, capsys, coder):
    db = tmp_path / "s.duckdb"
    err = ingest(capsys, corpus, db, "--no-near-duplicates")
    # the Herald's copy and the feed's (the same words, other line breaks) are coded
    assert "stored 18 articles" in err
    with Store(db) as store:
        assert store.stats()["duplicates"] == 1  # the identical text still is one
    db2 = tmp_path / "t.duckdb"
    err = ingest(capsys, corpus, db2, "--dedup-threshold", "0.99")
    assert "stored 17 articles" in err


def test_progress_bar_shows_rates(tmp_path, capsys, coder):
    folder = tmp_path / "few"
    folder.mkdir()
    for i in range(3):
        (folder / f"s{i}.txt").write_text(story(100 + i), encoding="utf-8")
    (folder / "bad.bin").write_bytes(bytes(range(256)))
    rc = main(["ingest", str(folder), "--db", str(tmp_path / "p.duckdb"), "--progress"])
    _, err = capsys.readouterr()
    assert rc == 0
    assert "article" in err and "events" in err and "/s" in err and "rejects 1" in err


def test_dyad_code_reads_the_new_formats(corpus, capsys, coder):
    rc = main(["code", str(corpus / "atom.xml"), str(corpus / "crawl.warc.gz"), "--no-progress"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    ids = {line.split('"article_id": "')[1].split('"')[0] for line in out.splitlines()}
    assert "https://atom.example/1" in ids and "https://news.example/2022/03/08/a" in ids
    assert "fetch_error" in err  # the 404 record
