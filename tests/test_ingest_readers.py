"""The readers without the coder: format sniffing, decoding, every format's reader, dates,
outlets, language, MinHash, and the fetcher against a local HTTP server."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from dyad.errors import MalformedRecord
from dyad.ingest import ReadOptions, read_articles, read_inputs
from dyad.ingest.detect import EncodingError, decode, sniff
from dyad.ingest.meta import date_from_text, date_from_url, outlet_from_url, parse_loose_date

from .ingestkit import (
    BOILERPLATE,
    FRENCH,
    SPANISH,
    WIRE_STORY,
    atom,
    html_page,
    rss,
    story,
    wire_copy,
    write_csv_odd,
    write_jsonl,
    write_warc,
)


class Seen:
    """What a read reported: articles (with their input names), rejects, warnings, skips."""

    def __init__(self, **options):
        self.rejects = []
        self.warnings = []
        self.skipped = []
        self.opts = ReadOptions(
            on_reject=self.rejects.append,
            on_warning=self.warnings.append,
            on_skip=self.skipped.append,
            **options,
        )

    def read(self, *paths):
        return list(read_articles([str(p) for p in paths], self.opts))

    def reasons(self):
        return {
            (Path(r.input).name if "://" not in r.input else r.input, r.reason)
            for r in self.rejects
        }


# ------------------------------------------------------------------ sniffing and decoding


@pytest.mark.parametrize(
    "head, name, fmt",
    [
        (b"Russia attacked Ukraine.", "a.txt", "text"),
        (b"Russia attacked Ukraine.", "a", "text"),
        (b'{"id": 1, "text": "x"}\n', "a.txt", "text"),  # the suffix says text
        (b'{"id": 1, "text": "x"}\n', "records", "jsonl"),
        (b"id,text\n1,x\n", "a.csv", "csv"),
        (b"<!DOCTYPE html><html><body>x</body></html>", "a.txt", "html"),
        (b"\n  <html><head></head></html>", "page", "html"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel>', "feed.xml", "feed"),
        (b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">', "x", "feed"),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "crawl.bin", "warc"),
        (b"%PDF-1.7 binary", "report.txt", "binary"),
        (b"\x89PNG\r\n\x1a\n....", "image.html", "binary"),
        (b"\x00\x01\x02\x03" * 100, "data.jsonl", "binary"),
        (b"   \n\t ", "a.txt", "empty"),
    ],
)
def test_sniff_by_content_and_suffix(head, name, fmt):
    assert sniff(head, name) == fmt


def test_sniff_gzip_is_warc_only_when_it_holds_one(tmp_path):
    import gzip

    assert sniff(gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\n"), "x.gz") == "warc"
    assert sniff(gzip.compress(b"plain text inside"), "x.gz") == "gzip"


def test_decode_utf8_cp1252_and_garbage():
    warnings = []
    assert decode("Café".encode(), "a", warnings.append) == "Café" and not warnings
    assert decode(b"\xef\xbb\xbfBOM text", "a", warnings.append) == "BOM text"
    assert decode("UTF-16 text".encode("utf-16"), "a", warnings.append) == "UTF-16 text"
    legacy = "The minister said \u201cno\u201d, Fran\u00e7ois added.".encode("cp1252")
    assert decode(legacy, "old.txt", warnings.append) == (
        "The minister said \u201cno\u201d, Fran\u00e7ois added."
    )
    assert len(warnings) == 1 and "old.txt" in warnings[0] and "Windows-1252" in warnings[0]
    with pytest.raises(EncodingError):
        decode(b"Russia said " + bytes(range(0x80, 0x100)) * 8, "junk.txt", warnings.append)


# ------------------------------------------------------------------ dates and outlets


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2022-03-07", "2022-03-07"),
        ("2022-03-07T23:30:00Z", "2022-03-07"),
        ("20220307", "2022-03-07"),
        ("Mon, 07 Mar 2022 10:00:00 GMT", "2022-03-07"),
        ("March 7, 2022", "2022-03-07"),
        ("7 March 2022", "2022-03-07"),
        ("Mar. 7, 2022", "2022-03-07"),
        ("03/07/2022", "2022-03-07"),  # US order
        ("25/12/2021", "2021-12-25"),  # day first when it cannot be a month
        (1646650800, "2022-03-07"),
        ("1646650800000", "2022-03-07"),
        ("", None),
        (None, None),
    ],
)
def test_parse_loose_date(value, expected):
    got = parse_loose_date(value)
    assert (got.isoformat() if got else None) == expected


@pytest.mark.parametrize("bad", ["yesterday-ish", "2022-13-45", "3000-01-01", True])
def test_parse_loose_date_refuses_non_dates(bad):
    with pytest.raises(ValueError):
        parse_loose_date(bad)


def test_dates_from_urls_and_datelines():
    assert date_from_url("https://x.example/world/2022/03/07/talks.html") == dt.date(2022, 3, 7)
    assert date_from_url("https://x.example/news/2021-11-05-summit") == dt.date(2021, 11, 5)
    assert date_from_url("https://x.example/a/20200115_story") == dt.date(2020, 1, 15)
    assert date_from_url("https://x.example/2022/13/45/x") is None
    assert date_from_url("https://x.example/story-123456789") is None
    assert date_from_text("MOSCOW, March 18, 2022 (Reuters) - Russia said ...") == dt.date(
        2022, 3, 18
    )
    assert date_from_text("Published 5 June 2021. Iran and France met.") == dt.date(2021, 6, 5)
    # a date deep in the story is about its events, not its day
    assert date_from_text("x " * 300 + "on March 3, 2020") is None
    assert date_from_text("In 2014 Russia annexed Crimea.") is None


def test_outlets_from_urls():
    assert outlet_from_url("https://www.reuters.example/world/x") == "reuters.example"
    assert outlet_from_url("http://m.bbc.example/news") == "bbc.example"
    assert outlet_from_url("https://news.example.co.uk/a") == "news.example.co.uk"
    assert outlet_from_url(None) is None and outlet_from_url("not a url") is None


# ------------------------------------------------------------------ language


def test_language_detection_rejects_only_clear_cases():
    from dyad.ingest.lang import non_english

    assert non_english(WIRE_STORY) is None
    assert non_english(story(3)) is None
    fr = non_english(FRENCH)
    assert fr is not None and fr.language == "fr" and fr.confidence > 0.9
    es = non_english(SPANISH)
    assert es is not None and es.language == "es"
    # short texts are never rejected on a guess, whatever they look like
    assert non_english("Merkel und Macron trafen sich in Berlin.") is None
    assert non_english("Xi Jinping met Vladimir Putin in Moscow.") is None
    # English full of foreign names stays English
    names = (
        "Recep Tayyip Erdogan, Mohammad Javad Zarif, Sergei Lavrov and Wang Yi met in "
        "Ankara on Tuesday, where Zarif and Lavrov discussed the Astana process with "
        "Erdogan's adviser Ibrahim Kalin and Turkish Foreign Minister Mevlut Cavusoglu."
    )
    assert non_english(names) is None


def test_language_speed():
    from dyad.ingest.lang import identify

    identify("warm up the model")
    started = time.perf_counter()
    for _ in range(100):
        identify(WIRE_STORY * 4)
    per_article = (time.perf_counter() - started) / 100
    assert per_article < 0.02  # about 1-2 ms on the project machine


# ------------------------------------------------------------------ MinHash


def test_minhash_finds_copies_and_tells_stories_apart():
    from dyad.ingest import dedup

    a = dedup.minhash(WIRE_STORY)
    b = dedup.minhash(wire_copy("The Gazette", "Officials gave no further details."))
    c = dedup.minhash(story(1) + " " + story(2))
    assert a is not None and b is not None and c is not None
    assert a.dtype.name == "uint32" and len(a) == dedup.NUM_PERM
    assert dedup.similarity(a, b) >= 0.8
    assert dedup.similarity(a, c) < 0.2
    assert set(dedup.band_hashes(a)) & set(dedup.band_hashes(b))
    assert dedup.minhash("Too short to compare.") is None
    # stable: the same text always gives the same signature (it is stored)
    assert dedup.to_bytes(dedup.minhash(WIRE_STORY)) == dedup.to_bytes(a)
    assert (dedup.from_bytes(dedup.to_bytes(a)) == a).all()


def test_minhash_of_a_huge_text_is_bounded():
    from dyad.ingest import dedup

    big = " ".join(story(i) for i in range(2000))  # ~250,000 words
    started = time.perf_counter()
    assert dedup.minhash(big) is not None
    assert time.perf_counter() - started < 10


class FakeStore:
    """The Deduplicator's view of a store, in memory."""

    def __init__(self):
        self.articles = {}  # hash -> (external_id, url)
        self.sigs = {}  # hash -> (minhash bytes, bands)
        self.dups = set()

    def original_inputs(self, hashes):
        return {h: self.articles[h] for h in hashes if h in self.articles}

    def stored_duplicate_ids(self, ids):
        return {i for i in ids if i in self.dups}

    def signature_candidate_rows(self, bands):
        wanted = set(bands)
        return [(b, h, blob) for h, (blob, bs) in self.sigs.items() for b in bs if b in wanted]

    def commit(self, dedup, verdicts, articles):
        for v, a in zip(verdicts, articles, strict=True):
            if v.kind == "new":
                self.articles[v.article_id] = (a.id, a.url)
                if v.signature:
                    self.sigs[v.article_id] = (v.signature[1], v.signature[2])
            elif v.kind == "duplicate":
                self.dups.add(v.duplicate.duplicate_id)
        dedup.committed(
            [v.article_id for v in verdicts if v.kind == "new"],
            [v.duplicate.duplicate_id for v in verdicts if v.kind == "duplicate"],
        )


def _articles():
    from dyad.records import Article

    return [
        Article("w1", WIRE_STORY, url="https://wire.example/1", source="Wire"),
        Article("s1", story(1)),
        Article("g1", wire_copy("The Gazette"), url="https://gazette.example/1"),
        Article("w1-again", WIRE_STORY, url="https://mirror.example/1"),  # exact copy
        Article("s2", story(2)),
        Article("w1", WIRE_STORY, url="https://wire.example/1"),  # the same input again
        Article("h1", wire_copy("The Herald", "The talks will resume."), url="https://h.example"),
    ]


def test_deduplicator_decides_new_copies_and_reruns():
    from dyad.ingest.dedup import Deduplicator

    store = FakeStore()
    dd = Deduplicator(store)
    arts = _articles()
    verdicts = dd.decide(arts)
    kinds = [v.kind for v in verdicts]
    assert kinds == ["new", "new", "duplicate", "duplicate", "new", "already", "duplicate"]
    original = verdicts[0].article_id
    for v in (verdicts[2], verdicts[3], verdicts[6]):
        assert v.duplicate.article_id == original and v.original_external_id == "w1"
    assert verdicts[3].duplicate.similarity == 1.0 and verdicts[2].duplicate.similarity < 1.0
    store.commit(dd, verdicts, arts)
    assert not dd.pending.originals and not dd.pending.duplicates and not dd.pending.bands
    # a rerun: everything is already there
    again = Deduplicator(store).decide(arts)
    assert [v.kind for v in again] == ["already"] * len(arts)


def test_deduplicator_does_not_depend_on_chunking():
    from dyad.ingest.dedup import Deduplicator

    arts = _articles()
    whole = [v.kind for v in Deduplicator(FakeStore()).decide(arts)]
    one_by_one_store = FakeStore()
    dd = Deduplicator(one_by_one_store)
    single = []
    for i, a in enumerate(arts):
        vs = dd.decide([a])
        single += [v.kind for v in vs]
        if i % 2:  # commit every other one: stored and pending look the same
            one_by_one_store.commit(dd, vs, [a])
    assert single == whole


def test_near_duplicates_can_be_switched_off():
    from dyad.ingest.dedup import Deduplicator

    kinds = [v.kind for v in Deduplicator(FakeStore(), near=False).decide(_articles())]
    assert kinds == ["new", "new", "new", "duplicate", "new", "already", "new"]


# ------------------------------------------------------------------ the readers, one by one


def test_html_page_main_text_without_boilerplate(tmp_path):
    page = tmp_path / "talks.html"
    page.write_text(
        html_page(
            "Grain talks resume in Istanbul",
            [WIRE_STORY[:260], WIRE_STORY[260:]],
            canonical="https://www.dailyplanet.example/world/grain-talks",
        ),
        encoding="utf-8",
    )
    seen = Seen()
    [(a, where)] = seen.read(page)
    assert where == str(page) and a.id == "talks.html"
    assert a.text.startswith("Russian and Ukrainian negotiators met in Istanbul")
    assert "deal could allow millions of tonnes" in a.text
    for junk in BOILERPLATE:
        assert junk not in a.text, junk
    assert a.title == "Grain talks resume in Istanbul"
    assert a.date == dt.date(2022, 3, 7)  # article:published_time
    assert a.source == "The Daily Planet"  # og:site_name
    assert a.url == "https://www.dailyplanet.example/world/grain-talks"
    assert not seen.rejects


def test_html_dates_from_url_and_no_copyright_guess(tmp_path):
    page = tmp_path / "p.htm"
    page.write_text(
        html_page(
            "T",
            [story(4)],
            published=None,
            canonical="https://x.example/2021/11/05/t",
            site="https://x.example",  # a URL is not a site name: the host is used
        ),
        encoding="utf-8",
    )
    [(a, _)] = Seen().read(page)
    assert a.date == dt.date(2021, 11, 5) and a.source == "x.example"
    undated = tmp_path / "u.html"
    undated.write_text(html_page("T", [story(5)], published=None), encoding="utf-8")
    [(b, _)] = Seen().read(undated)
    assert b.date is None  # the footer's "Copyright 2022" is not a date


def test_html_without_an_article_is_no_text(tmp_path):
    nav = tmp_path / "index.html"
    nav.write_text(
        "<html><body><nav><a href='/'>Home</a> | <a href='/w'>World</a></nav></body></html>",
        encoding="utf-8",
    )
    seen = Seen()
    assert seen.read(nav) == []
    assert seen.reasons() == {("index.html", "no_text")}


def test_rss_and_atom_entries(tmp_path):
    feed = tmp_path / "wire.rss"
    feed.write_bytes(
        rss(
            "World Wire",
            [
                {
                    "title": "Deal signed",
                    "link": "https://wire.example/2022/02/04/deal",
                    "date": "2022-02-04T10:00:00",
                    "summary": "<p>Short summary.</p>",
                    "html": f"<p>{story(7)}</p><script>track()</script><p>Second paragraph.</p>",
                },
                {
                    "title": "Summary only",
                    "link": "https://wire.example/b",
                    "date": "2022-02-05T10:00:00",
                    "summary": f"<p>{story(8)}</p>",
                },
                {"title": "Title only", "link": "https://wire.example/c"},
            ],
        )
    )
    at = tmp_path / "news.atom"
    at.write_bytes(
        atom(
            "Atom News",
            [
                {
                    "title": "Iran",
                    "link": "https://atom.example/iran",
                    "date": "2022-03-01",
                    "html": f"<p>{story(9)}</p>",
                }
            ],
        )
    )
    seen = Seen()
    got = seen.read(feed, at)
    assert [a.id for a, _ in got] == [
        "https://wire.example/2022/02/04/deal",
        "https://wire.example/b",
        "https://atom.example/iran",
    ]
    deal, summ, iran = (a for a, _ in got)
    assert deal.text.startswith(story(7)[:40]) and "Second paragraph." in deal.text
    assert "track()" not in deal.text and "Short summary" not in deal.text
    assert deal.date == dt.date(2022, 2, 4) and deal.source == "World Wire"
    assert deal.title == "Deal signed"
    assert summ.text.startswith(story(8)[:40])
    assert iran.date == dt.date(2022, 3, 1) and iran.source == "Atom News"
    assert seen.reasons() == {("https://wire.example/c", "no_text")}


def test_broken_xml_feed(tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b"<item><title>Good</title><link>https://b.example/1</link><description>"
        + story(3).encode()
        + b"</description></item><item><title>Cut</title><description>Russia attac"
    )
    garbage = tmp_path / "garbage.xml"
    garbage.write_bytes(b'<?xml version="1.0"?><rss><channel><<<>>>')
    seen = Seen()
    got = seen.read(broken, garbage)
    assert [a.id for a, _ in got] == ["https://b.example/1"]
    reasons = seen.reasons()
    assert ("broken.xml", "parse_error") in reasons and ("garbage.xml", "parse_error") in reasons
    msg = next(r.message for r in seen.rejects if r.input == str(broken))
    assert "malformed feed" in msg and "entries before the error were read" in msg


def test_warc_records(tmp_path):
    arc = tmp_path / "CC-NEWS-20220309.warc.gz"
    write_warc(
        arc,
        [
            {
                "url": "https://news.example/2022/03/08/a",
                "body": html_page("A", [story(20)], site="News Example", published=None).encode(),
            },
            {
                "url": "https://news.example/undated",
                "body": html_page("B", [story(21)], published=None).encode(),
            },
            {"url": "https://news.example/gone", "status": "404 Not Found", "body": b"gone"},
            {"url": "https://news.example/r.pdf", "ctype": "application/pdf", "body": b"%PDF-1.4"},
            {
                "url": "https://news.example/nav",
                "body": b"<html><body><nav>Home</nav></body></html>",
            },
            {"url": "https://news.example/fr", "body": html_page("Fr", [FRENCH]).encode()},
        ],
    )
    plain = tmp_path / "plain.warc"
    write_warc(
        plain,
        [{"url": "https://p.example/x", "body": html_page("X", [story(22)]).encode()}],
        gz=False,
    )
    seen = Seen()
    got = {a.id: a for a, _ in seen.read(arc, plain)}
    assert set(got) == {
        "https://news.example/2022/03/08/a",
        "https://news.example/undated",
        "https://p.example/x",
    }
    a = got["https://news.example/2022/03/08/a"]
    assert a.date == dt.date(2022, 3, 8) and a.source == "News Example"
    assert a.text.startswith(story(20)[:40])
    assert got["https://news.example/undated"].date == dt.date(2022, 3, 9)  # the crawl date
    assert seen.reasons() == {
        ("https://news.example/gone", "fetch_error"),
        ("https://news.example/r.pdf", "binary"),
        ("https://news.example/nav", "no_text"),
        ("https://news.example/fr", "language:fr"),
    }


def test_damaged_warc_is_read_up_to_the_damage(tmp_path):
    arc = tmp_path / "d.warc.gz"
    write_warc(
        arc,
        [
            {"url": f"https://d.example/{i}", "body": html_page("T", [story(30 + i)]).encode()}
            for i in range(3)
        ],
    )
    data = arc.read_bytes()
    for cut in (0.5, 0.8, 0.95):
        arc.write_bytes(data[: int(len(data) * cut)])
        seen = Seen()
        got = seen.read(arc)
        assert len(got) < 3
        assert ("d.warc.gz", "parse_error") in seen.reasons()
    plain = tmp_path / "d.warc"
    write_warc(
        plain,
        [{"url": "https://d.example/p", "body": html_page("T", [story(33)]).encode()}],
        gz=False,
    )
    data = plain.read_bytes()
    plain.write_bytes(data[:-300])
    seen = Seen()
    assert seen.read(plain) == [] and ("d.warc", "parse_error") in seen.reasons()


def test_csv_with_odd_columns(tmp_path):
    odd = tmp_path / "export.csv"
    write_csv_odd(
        odd,
        [
            (
                "Talks",
                story(40) + "\nA second line inside the cell.",
                "March 8, 2022",
                "https://csv.example/1",
                "CSV Times",
            ),
            ("Empty", "", "2022-03-08", "", ""),
            ("Bad date", story(41), "someday", "https://csv.example/2", ""),
        ],
    )
    mapping = {"text": "Body Text", "date": "published on", "url": "Story URL"}
    seen = Seen(columns=mapping)
    got = seen.read(odd)
    assert [a.id for a, _ in got] == ["export.csv:2", "export.csv:5"]  # a quoted line break
    a = got[0][0]
    assert a.text.endswith("A second line inside the cell.") and a.title == "Talks"
    assert a.date == dt.date(2022, 3, 8) and a.url == "https://csv.example/1"
    assert a.source == "CSV Times"  # "Publisher" is a default outlet column
    b = got[1][0]
    assert b.date is None and b.source == "csv.example"  # the outlet from the URL
    assert seen.reasons() == {("export.csv:4", "empty")}
    assert any("someday" in w for w in seen.warnings)
    # without a text column: the file is rejected, naming its columns
    seen = Seen()
    assert seen.read(odd) == []
    [r] = seen.rejects
    assert r.reason == "no_text" and "--text-column" in r.message and "'Body Text'" in r.message
    # a named column that does not exist, and no default one
    seen = Seen(columns={"text": "nope"})
    assert seen.read(odd) == [] and seen.rejects[0].reason == "no_text"
    assert "'nope'" in seen.rejects[0].message
    # a named column that one file lacks: its default columns are read, with a warning
    plain = tmp_path / "plain.csv"
    plain.write_text(f"id,text\nx1,{story(44)}\n", encoding="utf-8")
    seen = Seen(columns=mapping)
    assert [a.id for a, _ in seen.read(plain)] == ["x1"]
    assert any("no column 'Body Text'" in w and "'text' instead" in w for w in seen.warnings)


def test_tsv_and_default_columns(tmp_path):
    tsv = tmp_path / "x.tsv"
    tsv.write_text(
        "ID\tTitle\tBody\tDate\tLink\n"
        f"n1\tOne\t{story(42)}\t2022-01-02\thttps://www.tsv.example/n1\n",
        encoding="utf-8",
    )
    [(a, where)] = Seen().read(tsv)
    assert (a.id, a.title, a.date, a.source) == ("n1", "One", dt.date(2022, 1, 2), "tsv.example")
    assert where == f"{tsv}:2"


def test_jsonl_mapping_and_strict(tmp_path):
    f = tmp_path / "news.jsonl"
    write_jsonl(
        f,
        [
            {
                "id": "j1",
                "maintext": story(43),
                "date_publish": "2022-04-01 10:00:00",
                "source_domain": "x",
            },
            {"id": "j2", "text": ""},
            {"id": "j3"},
        ],
    )
    seen = Seen()
    [(a, _)] = seen.read(f)
    assert a.id == "j1" and a.date == dt.date(2022, 4, 1)
    assert seen.reasons() == {("news.jsonl:2", "empty"), ("news.jsonl:3", "no_text")}
    with pytest.raises(MalformedRecord):
        Seen(strict=True).read(f)


def test_bad_files_are_explained(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_text("  \n\n\t\n", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    (tmp_path / "data.bin").write_bytes(bytes(range(256)) * 16)
    (tmp_path / "notes.txt.gz").write_bytes(__import__("gzip").compress(b"hello"))
    (tmp_path / "mojibake.txt").write_bytes(b"Russia said " + bytes(range(0x80, 0x100)) * 8)
    (tmp_path / "french.txt").write_text(FRENCH, encoding="utf-8")
    (tmp_path / "short-german.txt").write_text("Merkel traf Macron in Berlin.", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("never read", encoding="utf-8")
    seen = Seen()
    got = seen.read(tmp_path)
    assert [a.id for a, _ in got] == ["short-german.txt"]  # too short to reject on a guess
    assert seen.reasons() == {
        ("empty.txt", "empty"),
        ("blank.txt", "empty"),
        ("photo.jpg", "binary"),
        ("data.bin", "binary"),
        ("notes.txt.gz", "binary"),
        ("mojibake.txt", "bad_encoding"),
        ("french.txt", "language:fr"),
    }
    # without the language check the French article is read
    seen = Seen(check_language=False)
    assert "french.txt" in {a.id for a, _ in seen.read(tmp_path)}


def test_a_50_mb_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        line = (story(1) + "\n").encode()
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(line * 100)
    small = tmp_path / "small.txt"
    small.write_text(story(2), encoding="utf-8")
    seen = Seen()
    started = time.perf_counter()
    got = seen.read(tmp_path)
    assert time.perf_counter() - started < 5
    assert [a.id for a, _ in got] == ["small.txt"]
    [r] = seen.rejects
    assert (r.input, r.reason) == (str(big), "too_large") and "--max-bytes" in r.message
    # a bigger limit reads it
    seen = Seen(max_bytes=60 * 1024 * 1024, check_language=False)
    assert len(seen.read(big)) == 1


def test_dates_fall_back_from_metadata_to_url_text_and_default(tmp_path):
    f = tmp_path / "d.jsonl"
    write_jsonl(
        f,
        [
            {
                "id": "meta",
                "text": story(50),
                "date": "2022-05-01",
                "url": "https://x.example/2021/01/01/a",
            },
            {"id": "url", "text": story(51), "url": "https://x.example/2021/01/01/b"},
            {"id": "text", "text": "KYIV, June 3, 2022 - " + story(52)},
            {"id": "default", "text": story(53)},
        ],
    )
    seen = Seen(default_date=dt.date(2020, 2, 2))
    dates = {a.id: a.date.isoformat() for a, _ in seen.read(f)}
    assert dates == {
        "meta": "2022-05-01",
        "url": "2021-01-01",
        "text": "2022-06-03",
        "default": "2020-02-02",
    }


def test_stdin_is_sniffed(monkeypatch):
    import io
    import sys

    for data, kind in (
        (rss("S", [{"title": "t", "link": "https://s.example/1", "html": story(60)}]), "feed"),
        ((json.dumps({"id": "x", "text": story(61)}) + "\n").encode(), "jsonl"),
        (html_page("H", [story(62)]).encode(), "html"),
        (b"\n\n" + story(63).encode(), "text"),
    ):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        got = list(read_inputs([], ReadOptions()))
        assert len(got) == 1, kind


def test_leading_blank_lines_do_not_hide_jsonl(tmp_path):
    f = tmp_path / "chunk"
    f.write_bytes(b"\n" * 20000 + (json.dumps({"id": "late", "text": story(64)}) + "\n").encode())
    [(a, where)] = Seen().read(f)
    assert a.id == "late" and where == f"{f}:20001"


def test_urls_need_fetch(tmp_path):
    from dyad.errors import InputNotFound

    with pytest.raises(InputNotFound, match="--fetch"):
        Seen().read("https://example.org/feed")


def test_seen_urls_are_skipped_before_extraction(tmp_path):
    arc = tmp_path / "a.warc.gz"
    write_warc(
        arc,
        [
            {"url": "https://k.example/known", "body": html_page("K", [story(65)]).encode()},
            {"url": "https://k.example/new", "body": html_page("N", [story(66)]).encode()},
        ],
    )
    seen = Seen()
    known = {"https://k.example/known"}
    seen.opts.seen_url = known.__contains__
    seen.opts.add_url = known.add
    got = seen.read(arc, arc)
    assert [a.id for a, _ in got] == ["https://k.example/new"]
    assert seen.skipped == ["https://k.example/known"] * 2 + ["https://k.example/new"]


# ------------------------------------------------------------------ fetching (local server)


class _Handler(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict] = {}
    hits: ClassVar[list] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        type(self).hits.append((self.path, time.monotonic()))
        if self.path == "/slow":
            time.sleep(1.5)
        if self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(200):
                self.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
            return
        if self.path not in self.pages:
            self.send_response(404)
            self.end_headers()
            return
        ctype, body = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    _Handler.pages = {}
    _Handler.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield base, _Handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_fetcher_limits(server):
    from dyad.ingest.fetch import Fetcher, FetchError

    base, handler = server
    handler.pages["/a"] = ("text/html; charset=utf-8", html_page("A", [story(70)]).encode())
    handler.pages["/b"] = ("text/html", b"<html>b</html>")
    with Fetcher(timeout=0.5, max_bytes=100_000, delay=0.3) as f:
        page = f.get(base + "/a")
        assert page.status == 200 and page.content_type == "text/html"
        assert page.charset == "utf-8" and b"Report number 70" in page.body
        f.get(base + "/b")
        (_, t1), (_, t2) = handler.hits[-2:]
        assert t2 - t1 >= 0.25  # one request per host per delay
        with pytest.raises(FetchError) as e:
            f.get(base + "/missing")
        assert e.value.reason == "fetch_error" and "404" in e.value.message
        with pytest.raises(FetchError) as e:
            f.get(base + "/huge")
        assert e.value.reason == "too_large"
        with pytest.raises(FetchError) as e:
            f.get(base + "/slow")
        assert e.value.reason == "fetch_error" and "timed out" in e.value.message
        with pytest.raises(FetchError):
            f.get("ftp://example.org/x")


def test_unreachable_hosts_fail_fast():
    from dyad.ingest.fetch import Fetcher, FetchError

    with Fetcher(timeout=0.5, delay=0.0, max_host_failures=2) as f:
        messages = []
        for _ in range(4):
            with pytest.raises(FetchError) as e:
                f.get("http://127.0.0.1:9/nothing-listens-here")
            messages.append(e.value.message)
        assert f.requests == 2 and "not asked again" in messages[-1]


def test_feed_with_fetch_reads_the_linked_pages(server, tmp_path):
    base, handler = server
    handler.pages["/full"] = (
        "text/html",
        html_page("Full story", [story(71), story(72)], site="Linked Site").encode(),
    )
    feed = tmp_path / "f.rss"
    feed.write_bytes(
        rss(
            "Feed Title",
            [
                {
                    "title": "Full story",
                    "link": base + "/full",
                    "date": "2022-03-02T00:00:00",
                    "summary": "A teaser.",
                },
                {"title": "Gone", "link": base + "/gone", "summary": story(73)},
                {"title": "Nothing", "link": base + "/also-gone"},
            ],
        )
    )
    seen = Seen(fetch=True, fetch_delay=0.0, fetch_timeout=2.0)
    got = {a.id: a for a, _ in seen.read(feed)}
    full = got[base + "/full"]
    assert story(71)[:50] in full.text and story(72)[:50] in full.text
    assert full.date == dt.date(2022, 3, 2) and full.title == "Full story"
    assert full.source == "Feed Title"
    assert got[base + "/gone"].text.startswith(story(73)[:40])  # its own text instead
    assert {(r.input, r.reason) for r in seen.rejects} == {
        (base + "/gone", "fetch_error"),
        (base + "/also-gone", "fetch_error"),
        (base + "/also-gone", "no_text"),
    }
    # without --fetch nothing is asked
    handler.hits.clear()
    seen = Seen()
    assert len(seen.read(feed)) == 2 and handler.hits == []


def test_url_inputs_with_fetch(server):
    base, handler = server
    handler.pages["/feed.xml"] = (
        "application/rss+xml",
        rss("Served", [{"title": "x", "link": base + "/p", "summary": story(74)}]),
    )
    handler.pages["/page"] = ("text/html", html_page("P", [story(75)]).encode())
    seen = Seen(fetch=True, fetch_delay=0.0)
    got = seen.read(base + "/feed.xml", base + "/page", base + "/nope")
    assert [a.id for a, _ in got] == [base + "/p", base + "/page"]
    assert {(r.input, r.reason) for r in seen.rejects} == {
        (base + "/nope", "fetch_error"),
        (base + "/p", "fetch_error"),  # the feed entry's page: it keeps its own text
    }


def test_reject_reasons_and_ingest_options_are_documented():
    from dyad.errors import Rejection
    from dyad.ingest import REASONS

    doc = (Path(__file__).resolve().parents[1] / "docs" / "ingest.md").read_text(encoding="utf-8")
    for reason in REASONS:
        assert f"`{reason}`" in doc, reason
        assert reason in (Rejection.__doc__ or ""), reason
    assert "`language:xx`" in doc


def test_a_rejected_input_does_not_hide_its_url(tmp_path):
    arc = tmp_path / "r.warc.gz"
    page = html_page("R", [story(67)]).encode()
    url = "https://r.example/x"
    write_warc(
        arc,
        [
            {"url": url, "status": "503 Service Unavailable", "body": b"busy"},
            {"url": url, "body": page},
            {"url": url, "body": page},  # the same page again
        ],
    )
    from dyad.ingest.run import UrlIndex

    index = UrlIndex(["https://stored.example/a"])
    assert index.seen("https://stored.example/a") and not index.seen(url)
    seen = Seen()
    seen.opts.seen_url, seen.opts.add_url = index.seen, index.add
    assert [a.id for a, _ in seen.read(arc)] == [url]
    assert seen.reasons() == {(url, "fetch_error")} and seen.skipped == [url]
