"""Duplicates in the store (schema v2): extra sources of an article's events, not new events;
the signatures kept for near-duplicate search; the v1 -> v2 migration. No NLP."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from dyad.errors import StoreError
from dyad.ingest import dedup
from dyad.store import Duplicate, Store, content_hash, duplicate_key

from .ingestkit import WIRE_STORY, story, wire_copy
from .storekit import article, event


def _wire_items():
    """The wire story (two events) and an unrelated story (one event)."""
    wire = article("wire-1", WIRE_STORY, url="https://wire.example/1", outlet="Wire")
    other = article("other", story(1), outlet="Gazette")
    return [
        (
            wire,
            [
                event("wire-1", 0, "043", "RUSGOV", "UKRGOV", "2022-03-07"),
                event("wire-1", 2, "043", "TURGOV", "UNO", "2022-03-07"),
            ],
        ),
        (other, [event("other", 0, "190", "RUSMIL", "UKR", "2022-03-07")]),
    ]


def _dup(text, ext, url, outlet, original=WIRE_STORY, sim=0.9):
    h = content_hash(text)
    return Duplicate(
        duplicate_id=duplicate_key(h, ext, url),
        article_id=content_hash(original),
        text_hash=h,
        external_id=ext,
        url=url,
        outlet=outlet,
        title=None,
        date=dt.date(2022, 3, 8),
        similarity=sim,
    )


def _sig(text):
    row = dedup.signature_rows(content_hash(text), text)
    assert row is not None
    return row


def _wire_events(store):
    return store.events(article=content_hash(WIRE_STORY)).set_index("event_code")


def test_duplicates_are_extra_sources_not_new_events(tmp_path):
    db = tmp_path / "d.duckdb"
    with Store.open(db) as store:
        store.add_batch(_wire_items(), signatures=[_sig(WIRE_STORY)])
        before = store.stats()
        ev = _wire_events(store)
        assert list(ev["num_articles"]) == [1, 1] and list(ev["num_sources"]) == [1, 1]
        # two outlets republish it (later batches): one near copy, one exact copy
        herald = wire_copy("The Herald")
        res = store.add_batch(
            [],
            duplicates=[
                _dup(herald, "herald-1", "https://www.herald.example/x", None),
                _dup(WIRE_STORY, "mirror-1", "https://mirror.example/y", "Mirror", sim=1.0),
            ],
        )
        assert res.copies == 2 and res.articles == 0 and res.mentions == 0
        after = store.stats()
        assert after["events"] == before["events"] and after["duplicates"] == 2
        assert after["articles"] == before["articles"]
        assert after["event_mentions"] == before["event_mentions"]
        ev = _wire_events(store)
        assert list(ev["num_articles"]) == [3, 3]
        assert list(ev["num_sources"]) == [3, 3]  # Wire, herald.example (its host), Mirror
        assert list(ev["num_mentions"]) == [3, 3]
        assert set(ev["article_id"]) == {content_hash(WIRE_STORY)}  # the evidence stays
        other = store.events(article="other")
        assert list(other["num_articles"]) == [1]
        assert store.check() == []
        # the same duplicates again: nothing changes
        again = store.add_batch(
            [], duplicates=[_dup(herald, "herald-1", "https://www.herald.example/x", None)]
        )
        assert again.copies == 0
        assert list(_wire_events(store)["num_articles"]) == [3, 3]
        dups = store.duplicates()
        assert list(dups["original_external_id"]) == ["wire-1", "wire-1"]
        assert set(dups["external_id"]) == {"herald-1", "mirror-1"}
        assert len(store.duplicates(article="wire-1")) == 2
        assert len(store.duplicates(article="other")) == 0
        assert store.export(tmp_path / "dups.csv", "csv", "duplicates") == 2
        assert "herald-1" in (tmp_path / "dups.csv").read_text(encoding="utf-8")
        # rebuilding the events from the mentions keeps the counts
        store.rebuild_events()
        assert list(_wire_events(store)["num_articles"]) == [3, 3]
        assert store.check() == []


def test_a_duplicate_in_the_same_batch_as_its_original(tmp_path):
    with Store.open(tmp_path / "d.duckdb") as store:
        store.add_batch(
            _wire_items(),
            duplicates=[_dup(wire_copy("The Herald"), "h", "https://herald.example/x", "Herald")],
            signatures=[_sig(WIRE_STORY)],
        )
        ev = _wire_events(store)
        assert list(ev["num_articles"]) == [2, 2] and list(ev["num_sources"]) == [2, 2]
        assert store.check() == []


def test_check_finds_a_duplicate_without_its_original(tmp_path):
    db = tmp_path / "d.duckdb"
    with Store.open(db) as store:
        store.add_batch([], duplicates=[_dup(wire_copy("X"), "x", None, None)])
        assert any("without their original" in p for p in store.check())


def test_signatures_are_stored_and_found_again(tmp_path):
    db = tmp_path / "d.duckdb"
    with Store.open(db) as store:
        res = store.add_batch(
            _wire_items(),
            # the second is not in this batch: ignored
            signatures=[_sig(WIRE_STORY), _sig(story(99) + " " + story(98))],
        )
        assert res.articles == 2
        n = store.sql("select count(*) as n from article_signatures")["n"].iloc[0]
        assert n == 1
    with Store(db) as store:
        near = dedup.minhash(wire_copy("The Herald"))
        rows = store.signature_candidate_rows(dedup.band_hashes(near))
        assert {aid for _, aid, _ in rows} == {content_hash(WIRE_STORY)}
        sim = dedup.similarity(near, dedup.from_bytes(rows[0][2]))
        assert sim >= dedup.DEFAULT_THRESHOLD
        assert store.original_inputs([content_hash(WIRE_STORY), "nope"]) == {
            content_hash(WIRE_STORY): ("wire-1", "https://wire.example/1")
        }
        assert set(store.iter_urls()) == {"https://wire.example/1"}


def test_clear_removes_duplicates_and_signatures(tmp_path):
    with Store.open(tmp_path / "d.duckdb") as store:
        store.add_batch(
            _wire_items(),
            duplicates=[_dup(wire_copy("H"), "h", None, None)],
            signatures=[_sig(WIRE_STORY)],
        )
        store.clear()
        for table in ("duplicates", "article_signatures", "signature_bands", "articles"):
            assert store.sql(f"select count(*) as n from {table}")["n"].iloc[0] == 0


def test_a_v1_store_is_migrated_with_signatures(tmp_path):
    db = tmp_path / "v1.duckdb"
    with Store.open(db) as store:
        store.add_batch(_wire_items())
    # make it a version-1 file: no v2 tables, schema_version 1
    con = duckdb.connect(str(db))
    for table in ("duplicates", "article_signatures", "signature_bands"):
        con.execute(f"drop table {table}")
    con.execute("update dyad_meta set value = '1' where key = 'schema_version'")
    con.execute("delete from dyad_meta where key = 'dedup'")
    con.close()
    with pytest.raises(StoreError, match="dyad migrate"):
        Store(db)
    with Store.open(db) as store:
        assert store.schema_version == 2
        meta = dict(store.sql("select key, value from dyad_meta").values.tolist())
        assert meta["migrations"].startswith("1->2 ") and meta["dedup"] == dedup.PARAMS
        sigs = store.sql("select article_id from article_signatures")["article_id"].tolist()
        assert sorted(sigs) == sorted([content_hash(WIRE_STORY), content_hash(story(1))])
        bands = store.sql("select count(*) as n from signature_bands")["n"].iloc[0]
        assert bands == 2 * dedup.BANDS
        assert store.check() == []
