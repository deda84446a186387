"""The event store's Python API on real DuckDB files (no NLP: hand-made Event records)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import duckdb
import pytest

import dyad
from dyad.errors import Rejection, StoreError, UsageError
from dyad.records import flat_row
from dyad.store import SCHEMA_VERSION, Store, content_hash
from dyad.store.schema import TABLES
from dyad.store.write import event_from_row, mention_columns

from .storekit import article, event, sample_items


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "events.duckdb"
    with Store.open(path) as store:
        store.add_batch(sample_items(), [Rejection("junk.bin", "binary", "looks binary")])
    return path


def test_dyad_store_is_exposed_lazily():
    code = (
        "import sys, dyad; assert 'duckdb' not in sys.modules and 'pandas' not in sys.modules; "
        "from dyad.store import Store; assert dyad.Store is Store; "
        "assert 'duckdb' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_new_store_has_the_documented_schema(tmp_path):
    path = tmp_path / "new.duckdb"
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 2
        stats = store.stats()
    assert stats["articles"] == stats["events"] == stats["event_mentions"] == 0
    con = duckdb.connect(str(path), read_only=True)
    meta = dict(con.execute("select key, value from dyad_meta").fetchall())
    assert meta["application"] == "dyad" and meta["schema_version"] == "2"
    for table, cols in TABLES.items():
        got = [r[0] for r in con.execute(f"describe {table}").fetchall()]
        assert got == [c for c, _ in cols], table


def test_articles_are_keyed_by_the_sha256_of_their_text(db):
    with Store(db) as store:
        arts = store.articles()
        assert set(arts["external_id"]) == {"a1", "a2", "a3", "a4", "a5"}
        h = content_hash("The text of article a1.")
        assert len(h) == 64 and store.has_article(h)
        rec = store.article(h)
        assert rec is not None
        assert rec["external_id"] == "a1" and rec["outlet"] == "Wire"
        assert rec["url"] == "https://www.wire.example/a1" and rec["date"] == "2022-03-07"
        assert rec["n_mentions"] == 3 and rec["language"] == "en"
        assert rec["coder_version"].startswith(f"dyad {dyad.__version__}+")
        assert rec["text"] == "The text of article a1."
        assert store.article("0" * 64) is None
        assert not store.has_article("nope")
        assert store.stored_ids([h, "x"]) == {h}


def test_reingesting_adds_nothing(db):
    with Store.open(db) as store:
        before = store.stats()
        res = store.add_batch(sample_items())
        assert (res.articles, res.mentions, res.duplicates) == (0, 0, 5)
        after = store.stats()
    assert {k: before[k] for k in ("articles", "event_mentions", "events")} == {
        k: after[k] for k in ("articles", "event_mentions", "events")
    }


def test_same_text_under_another_id_is_a_duplicate(tmp_path):
    with Store.open(tmp_path / "d.duckdb") as store:
        a = article("one", "Same words.")
        b = article("two", "Same words.")
        res = store.add_batch([(a, [event("one", 0, "190", "RUS", "UKR")]), (b, [])])
        assert (res.articles, res.duplicates) == (1, 1)
        assert store.articles()["external_id"].tolist() == ["one"]


def test_a_failing_batch_stores_nothing(tmp_path, monkeypatch):
    import dyad.store as store_mod

    path = tmp_path / "t.duckdb"
    with Store.open(path) as store:

        def boom(*a, **k):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(store_mod, "upsert_rejects", boom)
        with pytest.raises(RuntimeError):
            store.add_batch(sample_items(), [Rejection("x", "binary", "m")])
        monkeypatch.undo()
        assert store.stats()["articles"] == 0
        assert store.stats()["event_mentions"] == 0
        # and the connection is usable afterwards
        assert store.add_batch(sample_items()).articles == 5


def test_mentions_aggregate_into_gdelt_style_events(db):
    with Store(db) as store:
        ev = store.events(source="RUSMIL", target="UKR", code="190")
        assert len(ev) == 2  # 2022-02-24 in Kyiv (two reports) and 2022-03-15
        first = ev.iloc[0]
        assert first["num_mentions"] == 2 and first["num_articles"] == 2
        # outlets: "Wire" and the host of a2's url
        assert first["num_sources"] == 2
        assert first["location_name"] == "Kyiv"
        # the evidence is the most confident mention (a2's, 0.9)
        assert first["confidence"] == pytest.approx(0.9)
        assert first["is_root_event"]
        assert first["source_url"] == "https://paper.example/a2"
        assert first["global_event_id"] == int(first["event_key"][:15], 16)
        assert ev.iloc[1]["num_mentions"] == 1
        assert store.count() == 11 and store.count("event_mentions") == 12
        assert store.check() == []


def test_check_names_each_broken_invariant(db):
    # break the store behind its back: an article gone, an event's count off
    con = duckdb.connect(str(db))
    article_id = con.execute("SELECT article_id FROM event_mentions LIMIT 1").fetchone()[0]
    con.execute("DELETE FROM articles WHERE article_id = ?", [article_id])
    con.execute(
        "UPDATE events SET num_mentions = num_mentions + 5 WHERE event_key IN "
        "(SELECT event_key FROM events LIMIT 1)"
    )
    con.close()
    with Store(db) as store:
        problems = store.check()
    assert any("mentions without their article" in p for p in problems)
    assert any("events disagree with their mentions" in p for p in problems)


def test_avg_tone_is_null_until_tone_is_coded(db):
    with Store(db) as store:
        assert store.events()["avg_tone"].isna().all()
        assert store.event_mentions()["tone"].isna().all()


def test_avg_tone_averages_the_mentions_tone(tmp_path):
    from dataclasses import replace

    with Store.open(tmp_path / "tone.duckdb") as store:
        store.add_batch(
            [
                (article("t1"), [replace(event("t1", 0, "190", "RUS", "UKR"), tone=-2.0)]),
                (article("t2"), [replace(event("t2", 0, "190", "RUS", "UKR"), tone=-5.0)]),
            ]
        )
        assert store.events()["avg_tone"].tolist() == [-3.5]
        assert sorted(e.tone for e in store.iter_event_records()) == [-5.0, -2.0]


def test_a_different_place_is_a_different_event(tmp_path):
    with Store.open(tmp_path / "p.duckdb") as store:
        store.add_batch(
            [
                (article("x"), [event("x", 0, "190", "RUS", "UKR", place=("Kyiv", "UKR", 1, 2))]),
                (article("y"), [event("y", 0, "190", "RUS", "UKR", place=("Lviv", "UKR", 3, 4))]),
                (article("z"), [event("z", 0, "190", "RUS", "UKR")]),
            ]
        )
        assert store.count() == 3


def test_mention_rows_are_flat_rows(db):
    """event_mentions stores every field of the Event record, as flat_row names them."""
    items = sample_items()
    art, events = items[0]
    cols = mention_columns(content_hash(art.text), events)
    for i, e in enumerate(events):
        row = flat_row(e)
        for k, v in row.items():
            got = cols["external_id" if k == "article_id" else k][i]
            if k == "date":
                got = got.isoformat()
            assert got == v, k
    assert set(flat_row(events[0])) - {"article_id"} <= set(cols)


def test_mentions_read_back_as_the_same_event_records(db):
    with Store(db) as store:
        back = {e.event_id: e for e in store.iter_event_records()}
    for _, events in sample_items():
        for e in events:
            assert back[e.event_id].as_dict() == e.as_dict()


def test_event_from_a_flat_row_round_trips():
    e = event("q", 2, "0311", "USAGOV", "IRN", place=("Vienna", "AUT", 48.2, 16.4))
    assert event_from_row(flat_row(e)).as_dict() == e.as_dict()


FILTER_CASES = [
    ({"actor": "RUS"}, 10),
    ({"actor": "RUSGOV"}, 4),
    ({"actor": ["USA", "TUR"]}, 1),
    ({"actor": "name:putin"}, 1),
    ({"actor": "Xi"}, 1),
    ({"source": "CHN", "target": "RUS"}, 3),
    ({"source": "CHN", "target": "RUS", "both_directions": True}, 4),
    ({"source": "RUS"}, 4),
    ({"target": "UKR"}, 2),
    ({"code": "19"}, 3),
    ({"code": ["04", "05"]}, 2),
    ({"code": "190"}, 2),
    ({"root": 19}, 3),
    ({"root": "1"}, 1),
    ({"quad": 4}, 4),
    ({"quad": [1, 2]}, 5),
    ({"plover": "assault"}, 3),
    ({"start": "2022-03"}, 7),
    ({"start": "2022-03", "end": "2022-03"}, 4),
    ({"start": "2022-02-24", "end": "2022-02-24"}, 4),
    ({"end": "2022"}, 11),
    ({"start": "2023"}, 0),
    ({"place": "Kyiv"}, 2),
    ({"place": "kyi"}, 2),
    ({"place": "UKR"}, 2),
    ({"text": "(057)"}, 1),
    ({"article": "a2"}, 2),
    ({"article": content_hash("The text of article a3.")}, 4),
    ({"min_mentions": 2}, 1),
    ({"min_confidence": 0.85}, 1),
    ({"actor": "RUS", "quad": 4, "start": "2022-03"}, 3),
]


@pytest.mark.parametrize(("filters", "n"), FILTER_CASES)
def test_event_filters(db, filters, n):
    with Store(db) as store:
        assert len(store.events(**filters)) == n
        assert store.count(**filters) == n


def test_mention_filters(db):
    with Store(db) as store:
        assert len(store.event_mentions(source="RUSMIL", code="190")) == 3
        assert len(store.event_mentions(article="a1")) == 3
        assert len(store.event_mentions(text="towards")) == 12
        assert store.event_mentions(limit=2, offset=1, order="article").shape[0] == 2
        with pytest.raises(UsageError):
            store.event_mentions(min_mentions=2)


def test_filters_are_parameters_not_sql(db):
    nasty = "RUS'; DROP TABLE events; --"
    with Store(db) as store:
        for key in ("actor", "source", "target", "place", "text", "article"):
            assert store.events(**{key: nasty}).empty
        assert store.events(text="%").empty  # LIKE wildcards are literal
        assert store.events(text="_").empty
        assert store.count() == 11


@pytest.mark.parametrize(
    "bad",
    [
        {"colour": "red"},
        {"quad": 5},
        {"quad": "x"},
        {"root": "21"},
        {"code": "19a"},
        {"start": "March"},
        {"end": "2022-13"},
        {"min_mentions": "many"},
    ],
)
def test_bad_filters_are_usage_errors(db, bad):
    with Store(db) as store, pytest.raises(UsageError) as err:
        store.events(**bad)
    assert str(err.value).startswith("[D600]")


def test_pagination_and_order(db):
    with Store(db) as store:
        all_ = store.events(order="-date")
        assert all_["date"].is_monotonic_decreasing
        page = store.events(order="-date", limit=3, offset=2)
        assert page["event_key"].tolist() == all_["event_key"].tolist()[2:5]
        assert store.events(order="mentions").iloc[0]["num_mentions"] == 2
        table = store.events(as_arrow=True, limit=4)
        assert table.num_rows == 4 and "event_key" in table.column_names
        with pytest.raises(UsageError):
            store.events(order="random()")
        with pytest.raises(UsageError):
            store.events(limit=-1)


def test_rejects_are_recorded_once_per_input_and_reason(db):
    with Store.open(db) as store:
        store.add_reject(Rejection("junk.bin", "binary", "still binary"))
        store.add_batch([], [Rejection("big.txt", "too_large", "3 MB")])
        rej = store.rejects()
    assert len(rej) == 2
    junk = rej[rej["input"] == "junk.bin"].iloc[0]
    assert junk["times"] == 2 and junk["message"] == "still binary"
    assert isinstance(junk["rejected_at"].to_pydatetime(), dt.datetime)


def test_read_only_store_refuses_writes(db):
    with Store(db) as store:
        assert store.read_only
        with pytest.raises(StoreError, match="read-only"):
            store.add_batch(sample_items())


def test_stats(db):
    with Store(db) as store:
        s = store.stats()
    assert s["articles"] == 5 and s["articles_without_events"] == 1
    assert s["event_mentions"] == 12 and s["events"] == 11
    assert (s["first_date"], s["last_date"]) == ("2022-02-24", "2022-06-02")
    assert s["rejects"] == {"binary": 1}
    assert sum(s["coder_versions"].values()) == 5


def test_an_empty_store_answers_everything_with_nothing(tmp_path):
    path = tmp_path / "empty.duckdb"
    Store.open(path).close()
    with Store(path) as store:
        assert store.events().empty and store.events().columns[0] == "event_key"
        assert store.event_mentions().empty
        assert store.timeseries().empty
        assert store.network().number_of_nodes() == 0
        assert store.top_dyads().empty
        assert store.centrality().empty
        assert store.check() == []
        assert store.stats()["first_date"] is None


# ------------------------------------------------------------------ bad files


def test_missing_file_read_only(tmp_path):
    with pytest.raises(StoreError, match=r"\[D500\].*no such database file"):
        Store(tmp_path / "nope.duckdb")


def test_corrupt_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database\n" * 500)
    for read_only in (True, False):
        with pytest.raises(StoreError, match="not a DuckDB database file"):
            Store.open(bad, read_only=read_only)


def test_truncated_store_is_a_clear_error(db, tmp_path):
    cut = tmp_path / "cut.duckdb"
    data = db.read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(StoreError) as err:
        Store(cut)
    assert str(err.value).startswith("[D500]")


def test_foreign_duckdb_file_is_refused(tmp_path):
    path = tmp_path / "foreign.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table sales (id int, amount double)")
    con.close()
    for read_only in (True, False):
        with pytest.raises(StoreError, match="not a dyad store") as err:
            Store.open(path, read_only=read_only)
        assert "sales" in str(err.value)
    con = duckdb.connect(str(path), read_only=True)
    assert [r[0] for r in con.execute("show tables").fetchall()] == ["sales"]  # untouched


def test_another_application_meta_is_refused(tmp_path):
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create table dyad_meta (key varchar, value varchar)")
    con.execute("insert into dyad_meta values ('application', 'something-else')")
    con.close()
    with pytest.raises(StoreError, match="not a dyad store"):
        Store(path)


def test_newer_schema_is_refused(db):
    con = duckdb.connect(str(db))
    con.execute("update dyad_meta set value = '99' where key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="newer dyad"):
        Store.open(db)


def test_damaged_store_missing_a_table(db):
    con = duckdb.connect(str(db))
    con.execute("drop table rejects")
    con.close()
    with pytest.raises(StoreError, match="table rejects is missing"):
        Store(db)


def test_a_file_held_by_a_writer_gives_a_clear_error(db, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                from dyad.store import Store
                s = Store.open({str(db)!r})
                print("ready", flush=True)
                sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(StoreError, match="in use by another process"):
            Store(db)
    finally:
        holder.communicate("\n", timeout=30)


# ------------------------------------------------------------------ migrations

LEGACY_V0 = """
CREATE TABLE articles (
    article_id VARCHAR PRIMARY KEY, url VARCHAR, source VARCHAR, title VARCHAR,
    date DATE, text VARCHAR, ingested_at TIMESTAMP
);
CREATE TABLE events (
    event_id VARCHAR PRIMARY KEY, article_id VARCHAR, sentence_index INTEGER,
    sentence VARCHAR, date DATE, event_code VARCHAR, root_code VARCHAR, quad_class INTEGER,
    goldstein DOUBLE, plover VARCHAR, confidence DOUBLE, rule VARCHAR,
    source_text VARCHAR, source_code VARCHAR, source_country VARCHAR, source_start INTEGER,
    source_end INTEGER, target_text VARCHAR, target_code VARCHAR, target_country VARCHAR,
    target_start INTEGER, target_end INTEGER, trigger_text VARCHAR, trigger_start INTEGER,
    trigger_end INTEGER, location_name VARCHAR, location_country VARCHAR,
    location_lat DOUBLE, location_lon DOUBLE
);
"""


def _legacy_file(path):
    con = duckdb.connect(str(path))
    con.execute(LEGACY_V0)
    for art, events in sample_items():
        con.execute(
            "insert into articles values (?, ?, ?, ?, ?, ?, ?)",
            [art.id, art.url, art.source, art.title, art.date, art.text, dt.datetime(2024, 1, 2)],
        )
        for e in events:
            row = flat_row(e)
            cols = list(row)
            con.execute(
                f"insert into events ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})",
                [row[c] for c in cols],
            )
    con.close()


def test_the_first_demo_layout_is_migrated(tmp_path, db):
    old = tmp_path / "v0.duckdb"
    _legacy_file(old)
    with pytest.raises(StoreError, match="dyad migrate"):
        Store(old)  # read-only cannot upgrade
    with Store.open(old) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.check() == []
        migrated = store.events().drop(columns=["first_ingested_at"])
        assert store.articles()["ingested_at"].iloc[0].year == 2024
        meta = dict(store.sql("select key, value from dyad_meta").values.tolist())
    assert meta["migrations"].startswith("0->1 ")
    with Store(db) as fresh:
        expected = fresh.events().drop(columns=["first_ingested_at"])
    assert migrated.equals(expected)
    with Store(old) as store:  # now opens read-only too
        assert store.stats()["articles"] == 5


# ------------------------------------------------------------------ recode


class FakeCoder:
    """Codes every article as one 'RUS 042 CHN' event (stands in for a new lexicon)."""

    def code_articles(self, articles):
        for a in articles:
            yield a, [event(a.id, 0, "042", "RUS", "CHN", a.date.isoformat() if a.date else None)]


def test_recode_replaces_mentions_and_events(db):
    with Store.open(db) as store:
        res = store.recode(FakeCoder(), coder_version="fake 1", batch_size=2)
        assert (res.articles, res.mentions_before, res.mentions_after) == (5, 12, 5)
        assert store.check() == []
        ev = store.events()
        assert set(ev["event_code"]) == {"042"} and len(ev) == 4  # a1/a2 share a date
        assert ev["num_mentions"].sum() == 5
        assert store.stats()["coder_versions"] == {"fake 1": 5}
        # external ids survive: Event.article_id still echoes the input id
        assert {e.article_id for e in store.iter_event_records()} == {"a1", "a2", "a3", "a4", "a5"}
        again = store.recode(FakeCoder(), coder_version="fake 1", stale_only=True)
        assert again.articles == 0


def test_rebuild_events_gives_the_same_table(db):
    with Store.open(db) as store:
        before = store.events()
        assert store.rebuild_events() == 11
        assert store.events().equals(before)
