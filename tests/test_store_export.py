"""Exports read back with DuckDB: Parquet by month, CSV, JSONL and the GDELT 2.0 TSV."""

from __future__ import annotations

import json

import duckdb
import pytest

from dyad.errors import UsageError
from dyad.store import Store
from dyad.store.gdelt import GDELT_COLUMNS, GDELT_TYPES, split_actor_code

from .conftest import shared_file
from .storekit import article, event, sample_items


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "events.duckdb"
    items = sample_items()
    # a name with a tab, a quote and a line break must not break the TSV
    items.append(
        (
            article("odd", date="2022-06-02", url="https://odd.example/x\ty"),
            [
                event(
                    "odd",
                    0,
                    "043",
                    "FRAGOV",
                    "UNO",
                    "2022-06-02",
                    source_text='the "French"\tgovernment\nin Paris',
                )
            ],
        )
    )
    with Store.open(path) as store:
        store.add_batch(items)
    return path


def _events(con, table="events"):
    return con.execute(f"select * from {table} order by all").fetchall()


def test_parquet_is_partitioned_by_month_and_reads_back(db, tmp_path):
    out = tmp_path / "events_pq"
    with Store(db) as store:
        n = store.export(out, "parquet")
        assert n == store.count()
    months = sorted(p.name for p in out.iterdir())
    assert months == ["month=2022-02", "month=2022-03", "month=2022-06"]
    con = duckdb.connect(str(db), read_only=True)
    back = con.execute(
        f"select * exclude (month) from read_parquet('{out}/**/*.parquet', "
        "hive_partitioning = true) order by all"
    ).fetchall()
    assert back == _events(con)
    feb = con.execute(
        f"select count(*) from read_parquet('{out}/month=2022-02/*.parquet')"
    ).fetchone()[0]
    assert feb == 4


def test_mentions_parquet_and_filters(db, tmp_path):
    out = tmp_path / "m"
    with Store(db) as store:
        assert store.export(out, "parquet", "event_mentions", actor="UKR") == 5
    con = duckdb.connect()
    rows = con.execute(
        f"select distinct external_id from read_parquet('{out}/**/*.parquet') order by 1"
    ).fetchall()
    assert rows == [("a1",), ("a2",), ("a3",), ("a4",)]


def test_csv_reads_back(db, tmp_path):
    out = tmp_path / "events.csv"
    with Store(db) as store:
        store.export(out, "csv")
    con = duckdb.connect(str(db), read_only=True)
    back = con.execute(
        f"select event_key, num_mentions, sentence from read_csv('{out}') order by 1"
    ).fetchall()
    assert (
        back
        == con.execute("select event_key, num_mentions, sentence from events order by 1").fetchall()
    )


def test_jsonl_mentions_are_the_event_contract(db, tmp_path):
    out = tmp_path / "m.jsonl"
    with Store(db) as store:
        store.export(out, "jsonl", "event_mentions")
    got = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        got[rec["event_id"]] = rec
    for _, events in sample_items():
        for e in events:
            assert got[e.event_id] == e.as_dict()


def test_jsonl_events_and_other_tables(db, tmp_path):
    with Store(db) as store:
        assert store.export(tmp_path / "e.jsonl", "jsonl") == store.count()
        assert store.export(tmp_path / "a.csv", "csv", "articles") == 6
        assert store.export(tmp_path / "r.csv", "csv", "rejects") == 0
        with pytest.raises(UsageError):
            store.export(tmp_path / "a2.csv", "csv", "articles", actor="RUS")
        with pytest.raises(UsageError, match="exists"):
            store.export(tmp_path / "e.jsonl", "jsonl")
        assert store.export(tmp_path / "e.jsonl", "jsonl", overwrite=True) == store.count()
        with pytest.raises(UsageError):
            store.export(tmp_path / "x", "xlsx")
        with pytest.raises(UsageError):
            store.export(tmp_path / "g.tsv", "gdelt", "event_mentions")
    first = json.loads((tmp_path / "e.jsonl").read_text().splitlines()[0])
    assert first["date"] == "2022-02-24" and "num_mentions" in first


def _read_gdelt(path):
    cols = ", ".join(f"'{c}': '{GDELT_TYPES[c]}'" for c in GDELT_COLUMNS)
    con = duckdb.connect()
    rel = con.execute(
        f"select * from read_csv('{path}', delim = '\t', header = false, quote = '', "
        f"escape = '', columns = {{{cols}}}) order by GLOBALEVENTID"
    )
    names = [d[0] for d in rel.description]
    return [dict(zip(names, r, strict=True)) for r in rel.fetchall()]


def test_gdelt_tsv_has_61_columns_and_reads_back(db, tmp_path):
    out = tmp_path / "events.export.CSV"
    with Store(db) as store:
        n = store.export(out, "gdelt")
        events = {r["global_event_id"]: r for r in store.events().to_dict("records")}
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == n == len(events)
    assert all(line.count("\t") == 60 for line in lines)
    rows = _read_gdelt(out)
    assert len(rows) == n
    for r in rows:
        e = events[r["GLOBALEVENTID"]]
        assert r["SQLDATE"] == int(e["date"].strftime("%Y%m%d"))
        assert r["MonthYear"] == int(e["date"].strftime("%Y%m"))
        assert r["Year"] == e["date"].year
        assert r["FractionDate"] == pytest.approx(
            e["date"].year + (e["date"].month * 30 + e["date"].day) / 365, abs=1e-4
        )
        assert r["Actor1Code"] == e["source_code"]
        assert r["EventCode"] == e["event_code"] and r["EventRootCode"] == e["root_code"]
        assert r["EventBaseCode"] == e["event_code"][:3]
        assert r["QuadClass"] == e["quad_class"] and r["GoldsteinScale"] == e["goldstein"]
        assert (r["NumMentions"], r["NumSources"], r["NumArticles"]) == (
            e["num_mentions"],
            e["num_sources"],
            e["num_articles"],
        )
        assert r["AvgTone"] is None
        assert r["IsRootEvent"] == int(e["is_root_event"])
        assert len(str(r["DATEADDED"])) == 14
    kyiv = [r for r in rows if r["ActionGeo_FullName"] == "Kyiv"]
    assert kyiv and all(r["ActionGeo_Type"] == 4 for r in kyiv)
    assert kyiv[0]["ActionGeo_Lat"] == pytest.approx(50.45)
    rus = next(r for r in rows if r["Actor1Code"] == "RUSMIL")
    assert (rus["Actor1CountryCode"], rus["Actor1Type1Code"]) == ("RUS", "MIL")
    assert rus["Actor1KnownGroupCode"] is None
    odd = next(r for r in rows if r["Actor2Code"] == "UNO")
    assert odd["Actor2KnownGroupCode"] == "UNO"
    assert odd["Actor1Name"] == 'THE "FRENCH" GOVERNMENT IN PARIS'
    assert odd["SOURCEURL"] == "https://odd.example/x y"


def test_gdelt_column_names_are_the_codebook(db):
    fields = shared_file("cameo", "gdelt_event_fields.tsv").read_text().splitlines()[1:]
    assert tuple(line.split("\t")[1] for line in fields if line.strip()) == GDELT_COLUMNS


def test_gdelt_export_of_an_empty_store(tmp_path):
    path = tmp_path / "empty.duckdb"
    Store.open(path).close()
    with Store(path) as store:
        assert store.export(tmp_path / "g.tsv", "gdelt") == 0
        assert store.export(tmp_path / "pq", "parquet") == 0
    assert (tmp_path / "g.tsv").read_text() == ""
    assert (tmp_path / "pq").is_dir()


@pytest.mark.parametrize(
    ("code", "country", "expected"),
    [
        ("RUSMIL", "RUS", ("", "MIL", "", "")),
        ("USAGOVMIL", "USA", ("", "GOV", "MIL", "")),
        ("UNO", None, ("UNO", "", "", "")),
        ("NGOAMN", None, ("AMN", "NGO", "", "")),
        ("PSEHAM", "PSE", ("HAM", "", "", "")),
        ("WSTGOV", "WST", ("", "GOV", "", "")),
        (None, None, ("", "", "", "")),
    ],
)
def test_split_actor_code(code, country, expected):
    assert split_actor_code(code, country) == expected
