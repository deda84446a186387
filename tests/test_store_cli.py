"""Every store command through `dyad` (cli.main) on real DuckDB files."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from dyad.cli import build_parser, main
from dyad.store import Store

from .storekit import sample_items, write_corpus
from .test_store import _legacy_file

REPO = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    rc = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture(scope="module")
def syn(tmp_path_factory):
    """A store of hand-made events (no NLP) for the read commands."""
    path = tmp_path_factory.mktemp("cli") / "syn.duckdb"
    with Store.open(path) as store:
        store.add_batch(sample_items())
    return path


# ------------------------------------------------------------------ ingest and recode (NLP)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, coder):
    root = tmp_path_factory.mktemp("ingest")
    write_corpus(root / "corpus", 12)
    db = root / "store.duckdb"
    rc = main(
        [
            "ingest",
            str(root / "corpus"),
            "--db",
            str(db),
            "--date",
            "2022-03-07",
            "--no-progress",
            "--batch-size",
            "4",
        ]
    )
    assert rc == 0
    return root, db


def test_ingest_stores_articles_mentions_and_rejects(ingested, capsys):
    _, db = ingested
    with Store(db) as store:
        s = store.stats()
        assert s["articles"] == 12 + 6  # the copy is a duplicate: an extra source, not coded
        assert s["event_mentions"] > 20 and 0 < s["events"] <= s["event_mentions"]
        assert s["rejects"] == {"binary": 1, "duplicate": 1} and s["duplicates"] == 1
        assert store.check() == []
        arts = store.articles()
        assert set(arts["external_id"]) >= {"story_000.txt", "dated-12"}
        dated = arts[arts["external_id"] == "dated-12"].iloc[0]
        assert str(dated["date"])[:10] == "2022-01-13"


def test_reingest_adds_nothing(ingested, capsys):
    root, db = ingested
    with Store(db) as store:
        before = store.stats()
    rc, _, err = run(
        capsys, "ingest", root / "corpus", "--db", db, "--date", "2022-03-07", "--no-progress"
    )
    assert rc == 0, err
    assert "stored 0 articles" in err and "19 already stored" in err
    with Store(db) as store:
        after = store.stats()
    for k in ("articles", "event_mentions", "events"):
        assert after[k] == before[k]


def test_query_mentions_jsonl_is_what_dyad_code_writes(ingested, capsys):
    root, db = ingested
    rc, coded, _ = run(capsys, "code", root / "corpus" / "dated.jsonl", "--no-progress")
    assert rc == 0
    ids = [a for i in range(12, 18) for a in ("--article", f"dated-{i}")]
    rc, stored, err = run(capsys, "query", "--db", db, "--mentions", "--format", "jsonl", *ids)
    assert rc == 0, err
    key = lambda line: json.loads(line)["event_id"]  # noqa: E731
    expected = {key(x): json.loads(x) for x in coded.splitlines()}
    got = {key(x): json.loads(x) for x in stored.splitlines()}
    assert got == expected and got


def test_recode_after_a_lexicon_change(ingested, capsys, tmp_path):
    root, _ = ingested
    db = tmp_path / "recode.duckdb"
    story = root / "hector"
    story.mkdir()
    (story / "h.txt").write_text("France hectored Iran on Tuesday.\n", encoding="utf-8")
    assert run(capsys, "ingest", story, "--db", db, "--no-progress")[0] == 0
    with Store(db) as store:
        assert store.count(code="111") == 0
    patterns = tmp_path / "more.yaml"
    patterns.write_text('verbs:\n  "111": [hector $T]\n', encoding="utf-8")
    rc, _, err = run(capsys, "recode", "--db", db, "--patterns", patterns, "--no-progress")
    assert rc == 0, err
    assert "re-coded 1 articles" in err
    with Store(db) as store:
        ev = store.events(code="111")
        assert len(ev) == 1 and ev.iloc[0]["source_code"] == "FRA"
        version = next(iter(store.stats()["coder_versions"]))
    # --stale: nothing to do with the same lexicon; the default lexicon differs
    rc, _, err = run(capsys, "recode", "--db", db, "--patterns", patterns, "--stale")
    assert "re-coded 0 articles" in err
    rc, _, err = run(capsys, "recode", "--db", db, "--stale", "-v")
    assert "re-coded 1 articles" in err
    with Store(db) as store:
        assert store.count(code="111") == 0
        assert next(iter(store.stats()["coder_versions"])) != version


# ------------------------------------------------------------------ query


def test_query_table(syn, capsys):
    rc, out, err = run(capsys, "query", "--db", syn, "--actor", "RUS", "--limit", "3")
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["date", "source_code", "target_code", "event_code"]
    assert len(lines) == 1 + 3 + 1 and "(3 of 10 events" in lines[-1]
    rc, out, _ = run(capsys, "query", "--db", syn, "--mentions", "--source", "name:putin")
    assert "Putin" in out and "(1 event mentions)" in out


def test_query_formats(syn, capsys, tmp_path):
    rc, out, _ = run(capsys, "query", "--db", syn, "--quad", "4", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 4 and rows[0]["date"] == "2022-02-24"
    assert {r["quad_class"] for r in rows} == {"4"}
    rc, out, _ = run(capsys, "query", "--db", syn, "--code", "19", "--format", "jsonl")
    recs = [json.loads(x) for x in out.splitlines()]
    assert len(recs) == 3 and recs[0]["date"] == "2022-02-24" and recs[0]["num_mentions"] == 2
    target = tmp_path / "q.parquet"
    rc, _, _ = run(capsys, "query", "--db", syn, "--format", "parquet", "-o", target)
    assert rc == 0 and pq.read_table(target).num_rows == 11
    rc, out, _ = run(
        capsys,
        "query",
        "--db",
        syn,
        "--mentions",
        "--format",
        "csv",
        "--start",
        "2022-03",
        "--end",
        "2022-03",
        "--order",
        "article",
    )
    assert len(list(csv.DictReader(io.StringIO(out)))) == 4


def test_query_with_no_match(syn, capsys):
    rc, out, _ = run(capsys, "query", "--db", syn, "--actor", "ZZZ")
    assert rc == 0 and "(no rows)" in out


# ------------------------------------------------------------------ analysis commands


def test_timeseries_command(syn, capsys):
    rc, out, err = run(
        capsys,
        "timeseries",
        "--db",
        syn,
        "--source",
        "RUS",
        "--target",
        "UKR",
        "--both-directions",
        "--format",
        "csv",
    )
    assert rc == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["period"] for r in rows] == [
        "2022-02-01",
        "2022-03-01",
        "2022-04-01",
        "2022-05-01",
        "2022-06-01",
    ]
    assert [int(r["events"]) for r in rows] == [2, 1, 0, 0, 1]
    rc, out, _ = run(capsys, "timeseries", "--db", syn, "--actor", "CHN", "--freq", "week")
    assert rc == 0 and out.splitlines()[0].split()[:3] == ["period", "events", "mentions"]
    rc, out, _ = run(capsys, "timeseries", "--db", syn, "--weight", "mentions", "--format", "jsonl")
    assert json.loads(out.splitlines()[0])["mentions"] == 5


def test_network_command(syn, capsys, tmp_path):
    rc, out, err = run(capsys, "network", "--db", syn, "--betweenness")
    assert rc == 0, err
    assert out.splitlines()[0].split()[0] == "node" and "4 nodes" in out
    for fmt in ("graphml", "gexf", "json"):
        path = tmp_path / f"n.{fmt}"
        rc, _, err = run(capsys, "network", "--db", syn, "--format", fmt, "-o", path)
        assert rc == 0 and path.stat().st_size > 200, err
    rc, out, _ = run(capsys, "network", "--db", syn, "--format", "json", "--level", "code")
    data = json.loads(out)
    assert {n["id"] for n in data["nodes"]} >= {"RUSMIL", "UKR"}
    rc, _, err = run(capsys, "network", "--db", syn, "--format", "gexf")
    assert rc == 2 and "-o" in err


def test_dyads_command(syn, capsys):
    rc, out, _ = run(capsys, "dyads", "--db", syn, "-n", "2")
    assert rc == 0
    assert out.splitlines()[1].split()[:3] == ["CHN", "RUS", "3"]
    rc, out, _ = run(capsys, "dyads", "--db", syn, "--undirected", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert ("RUS", "UKR", "4") in {(r["source"], r["target"], r["events"]) for r in rows}


def test_plot_commands(syn, capsys, tmp_path):
    ts = tmp_path / "ts.png"
    rc, _, err = run(capsys, "plot", "timeseries", "--db", syn, "--actor", "RUS", "-o", ts)
    assert rc == 0, err
    assert ts.read_bytes()[:4] == b"\x89PNG"
    net = tmp_path / "net.svg"
    rc, _, err = run(capsys, "plot", "network", "--db", syn, "-o", net, "--top", "3")
    assert rc == 0, err
    assert b"<svg" in net.read_bytes()[:400]
    rc, _, err = run(capsys, "plot", "network", "--db", syn, "-o", tmp_path / "n.bmp")
    assert rc == 2 and "[D600]" in err
    rc, _, err = run(capsys, "plot")
    assert rc == 2 and "timeseries" in err


# ------------------------------------------------------------------ export, stats, migrate


def test_export_command(syn, capsys, tmp_path):
    out = tmp_path / "pq"
    rc, _, err = run(capsys, "export", "--db", syn, "--format", "parquet", "-o", out)
    assert rc == 0 and "11 events rows" in err
    assert sorted(p.name for p in out.iterdir())[0] == "month=2022-02"
    gd = tmp_path / "g.tsv"
    rc, _, err = run(capsys, "export", "--db", syn, "--format", "gdelt", "-o", gd, "--actor", "RUS")
    assert rc == 0 and len(gd.read_text().splitlines()) == 10
    rc, _, err = run(capsys, "export", "--db", syn, "--format", "gdelt", "-o", gd)
    assert rc == 2 and "exists" in err
    rc, _, err = run(capsys, "export", "--db", syn, "--format", "gdelt", "-o", gd, "--overwrite")
    assert rc == 0 and len(gd.read_text().splitlines()) == 11
    m = tmp_path / "m.jsonl"
    rc, _, _ = run(
        capsys, "export", "--db", syn, "--format", "jsonl", "--table", "mentions", "-o", m
    )
    assert len(m.read_text().splitlines()) == 12
    a = tmp_path / "a.csv"
    rc, _, _ = run(capsys, "export", "--db", syn, "--format", "csv", "--table", "articles", "-o", a)
    assert rc == 0 and len(list(csv.DictReader(a.open()))) == 5
    rc, _, err = run(
        capsys,
        "export",
        "--db",
        syn,
        "--format",
        "csv",
        "--table",
        "articles",
        "-o",
        tmp_path / "b.csv",
        "--actor",
        "RUS",
    )
    assert rc == 2


def test_stats_command(syn, capsys):
    rc, out, _ = run(capsys, "stats", "--db", syn)
    assert rc == 0 and "events: 11" in out and "schema_version: 2" in out
    rc, out, _ = run(capsys, "stats", "--db", syn, "--json", "--check")
    s = json.loads(out)
    assert s["problems"] == [] and s["event_mentions"] == 12


def test_stats_check_fails_on_a_damaged_store(syn, capsys, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(syn.read_bytes())
    con = duckdb.connect(str(copy))
    con.execute("delete from event_mentions where external_id = 'a3'")
    con.close()
    rc, out, _ = run(capsys, "stats", "--db", copy, "--check")
    assert rc == 1 and "expects 4 mentions, has 0" in out


def test_migrate_command(capsys, tmp_path):
    old = tmp_path / "v0.duckdb"
    _legacy_file(old)
    rc, _, err = run(capsys, "query", "--db", old)
    assert rc == 1 and "dyad migrate" in err
    rc, _, err = run(capsys, "migrate", "--db", old)
    assert rc == 0 and "schema v2" in err
    rc, out, _ = run(capsys, "stats", "--db", old, "--check")
    assert rc == 0 and "articles: 5" in out


# ------------------------------------------------------------------ errors


def test_store_errors_are_one_line(capsys, tmp_path):
    rc, out, err = run(capsys, "query", "--db", tmp_path / "missing.duckdb")
    assert rc == 1 and out == ""
    assert err.strip().count("\n") == 0 and "[D500]" in err and "no such database" in err
    junk = tmp_path / "junk.duckdb"
    junk.write_text("hello")
    rc, _, err = run(capsys, "stats", "--db", junk)
    assert rc == 1 and "[D500]" in err and "not a DuckDB database" in err
    foreign = tmp_path / "f.duckdb"
    con = duckdb.connect(str(foreign))
    con.execute("create table t (x int)")
    con.close()
    rc, _, err = run(capsys, "ingest", "--db", foreign, tmp_path / "nothing-here")
    assert rc == 1 and err.count("\n") == 1


def test_bad_filter_values_are_usage_errors(syn, capsys):
    rc, _, err = run(capsys, "query", "--db", syn, "--start", "March")
    assert rc == 2 and "[D600]" in err
    rc, _, err = run(capsys, "query", "--db", syn, "--code", "nineteen")
    assert rc == 2 and "[D600]" in err


# ------------------------------------------------------------------ documentation


STORE_COMMANDS = (
    "ingest",
    "recode",
    "query",
    "timeseries",
    "network",
    "dyads",
    "plot",
    "export",
    "stats",
    "migrate",
)


def _subparsers(parser):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return action.choices
    return {}


def test_every_store_command_and_option_is_documented():
    # `dyad ingest`'s reading options are documented in docs/ingest.md
    doc = "\n".join(
        (REPO / "docs" / name).read_text(encoding="utf-8") for name in ("store.md", "ingest.md")
    )
    cmds = _subparsers(build_parser())
    # the coder options every coding command shares are documented with `dyad code`
    shared = {o for a in cmds["code"]._actions for o in a.option_strings} & {
        o for a in cmds["eval"]._actions for o in a.option_strings
    }
    todo = [(name, cmds[name]) for name in STORE_COMMANDS]
    todo += [(f"plot {k}", v) for k, v in _subparsers(cmds["plot"]).items()]
    for name, parser in todo:
        assert re.search(rf"dyad {name}\b", doc), f"`dyad {name}` is not in docs/store.md"
        for action in parser._actions:
            for opt in action.option_strings:
                if opt.startswith("--") and opt != "--help" and opt not in shared:
                    assert opt in doc, f"{name} {opt} is not in docs/store.md"
