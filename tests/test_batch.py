"""`dyad batch` on dask.distributed: partitions, atomic Parquet, the manifest, retries, a
killed worker, reruns, and loading the result into a real DuckDB store.

The corpus is written here, in our own words. Fast tests use an in-process Dask cluster
(threads; the model is already loaded in this process); the ones marked slow start real
LocalClusters with two worker processes that each load spaCy (~10 s).
"""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dyad import batch
from dyad.batch import (
    CoderOptions,
    ReadSpec,
    load_batch_dir,
    parse_size,
    plan_partitions,
    read_manifest,
    run_batch,
)
from dyad.cli import build_parser, main
from dyad.errors import InputNotFound, Rejection, UsageError
from dyad.store import Store

REPO = Path(__file__).resolve().parents[1]
DATE = "2023-05-02"

STORIES = [
    "Russian troops shelled the Ukrainian city of Kharkiv on Tuesday, officials said. "
    "Ukraine condemned the attack and asked its allies for more air defence systems.",
    "President Xi Jinping met Russian President Vladimir Putin in Moscow on Monday. "
    "The two leaders signed an agreement on energy cooperation.",
    "Israeli aircraft struck targets in the Gaza Strip overnight, the army said. "
    "Hamas fired rockets at southern Israel in response.",
    "The European Union imposed new sanctions on Iran over its drone deliveries. "
    "Tehran rejected the accusation and summoned the German ambassador.",
    "Indian and Chinese commanders held talks on the disputed border in Ladakh. "
    "Both sides agreed to keep talking, a statement from New Delhi said.",
    "Protesters marched through the capital of Kenya against rising taxes. "
    "Police fired tear gas at the crowd near parliament.",
    "Japan and South Korea agreed to resume regular security dialogue. "
    "Tokyo praised Seoul for its new approach to the wartime labour dispute.",
    "The United States sent humanitarian aid to Turkey after the earthquake. "
    "Ankara thanked Washington for the rapid assistance.",
    "North Korea fired a ballistic missile into the sea, South Korea's military said. "
    "Washington criticised Pyongyang and called for a return to talks.",
    "Sudanese army units clashed with paramilitary fighters in Khartoum. "
    "The United Nations appealed for a ceasefire to let civilians leave.",
    "France and Germany pledged more military aid to Ukraine on Thursday. "
    "Kyiv welcomed the promise of tanks and artillery.",
    "Brazil's president visited Beijing and met Chinese officials. "
    "China praised Brazil as a strategic partner.",
]


def write_corpus(root: Path) -> list[str]:
    """Text files, a JSONL feed (with one broken line) and a nested folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "nested").mkdir()
    for i, text in enumerate(STORIES[:5]):
        (root / f"story-{i:02d}.txt").write_text(text, encoding="utf-8")
    for i, text in enumerate(STORIES[5:8], start=5):
        (root / "nested" / f"story-{i:02d}.txt").write_text(text, encoding="utf-8")
    lines = [
        json.dumps({"id": f"feed-{i}", "text": t, "date": DATE}) for i, t in enumerate(STORIES)
    ]
    lines.insert(3, "{this is not json")
    lines.append(json.dumps({"text": STORIES[0] + " Moscow denied it."}))  # no id: file:line
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [str(root)]


def single_process(coder, inputs: list[str], date: str = DATE):
    """The single-process path (what `dyad code` does): events and rejects."""
    from dyad.ingest import ReadOptions, read_inputs

    rejects: list[Rejection] = []
    opts = ReadOptions(default_date=date, on_reject=rejects.append)
    events = [e for _, evs in coder.code_articles(read_inputs(inputs, opts)) for e in evs]
    return events, rejects


def batch_events(out: Path) -> list[dict]:
    files = sorted(out.glob("part-*.parquet"))
    return [r for f in files for r in pq.read_table(f).to_pylist()]


def flat(events) -> list[dict]:
    from dyad.records import flat_row

    return [{**flat_row(e), "tone": e.tone} for e in events]


def strip(rows: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "article_hash"} for r in rows]


@pytest.fixture()
def inproc():
    """An in-process Dask cluster (one worker thread): fast, shares this process's coder."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


# ------------------------------------------------------------------ planning (no Dask)


def test_parse_size():
    assert parse_size("2MB") == 2 * 1024 * 1024
    assert parse_size("512kb") == 512 * 1024
    assert parse_size("1.5K") == 1536
    assert parse_size("100") == 100
    with pytest.raises(UsageError):
        parse_size("lots")


def test_partitions_are_deterministic_and_follow_the_inputs(tmp_path):
    inputs = write_corpus(tmp_path / "in")
    a = plan_partitions(inputs, ReadSpec(), 600)
    b = plan_partitions(inputs, ReadSpec(), 600)
    assert [(p.index, p.key, p.pieces) for p in a] == [(p.index, p.key, p.pieces) for p in b]
    assert len(a) > 3
    # every byte of every file is in exactly one piece, in reading order
    files = batch.list_files(inputs)
    covered: dict[str, int] = {}
    for p in a:
        for piece in p.pieces:
            end = piece.size if piece.end is None else piece.end
            assert piece.start == covered.get(piece.path, 0)
            covered[piece.path] = end
    assert covered == {str(f.resolve()): f.stat().st_size for f in files}
    # the big JSONL file is cut at line boundaries and the pieces know their line numbers
    feed = tmp_path / "in" / "feed.jsonl"
    data = feed.read_bytes()
    chunks = [x for p in a for x in p.pieces if x.path == str(feed.resolve())]
    assert len(chunks) > 1
    for c in chunks:
        assert c.start == 0 or data[c.start - 1 : c.start] == b"\n"
        assert data[: c.start].count(b"\n") == c.line
    # changing a file (same size here) changes the key of its partition only
    part = next(p for p in a if p.pieces[-1].path.endswith("story-04.txt"))
    first = Path(part.pieces[-1].path)
    first.write_text(first.read_text(encoding="utf-8").replace("Tuesday", "Tuesdax"), "utf-8")
    os.utime(first, ns=(first.stat().st_atime_ns, first.stat().st_mtime_ns + 10**9))
    c = plan_partitions(inputs, ReadSpec(), 600)
    changed = [p.index for p, q in zip(a, c, strict=False) if p.key != q.key]
    assert changed == [part.index]
    # reading options are part of the key too
    d = plan_partitions(inputs, ReadSpec(date="2020-01-01"), 600)
    assert all(p.key != q.key for p, q in zip(c, d, strict=True))


def test_the_reading_options_of_ingest_reach_the_workers(tmp_path):
    from dyad.commands.store import read_options

    args = build_parser().parse_args(
        ["batch", "x", "-o", "out", "--no-language-check", "--text-column", "body",
         "--date", "2020-02-03", "--max-page-bytes", "1000"]
    )  # fmt: skip
    spec = ReadSpec.from_options(read_options(args, print, print))
    spec.check()
    opts = spec.options(print, print)
    assert opts.check_language is False and opts.columns == {"text": "body"}
    assert opts.max_page_bytes == 1000 and str(opts.default_date) == "2020-02-03"
    import pickle

    assert pickle.loads(pickle.dumps(spec)) == spec
    with pytest.raises(UsageError):
        ReadSpec(extra=(("no_such_option", 1),)).check()


def test_missing_input_and_stdin_are_refused(tmp_path):
    with pytest.raises(InputNotFound):
        plan_partitions([str(tmp_path / "nope")])
    with pytest.raises(UsageError):
        plan_partitions(["-"])
    with pytest.raises(UsageError, match="not URLs"):
        plan_partitions(["https://news.example/feed.xml"])


def test_a_partition_codes_like_the_single_process_path(tmp_path, coder):
    """code_partition (the Dask task), called directly, writes what `dyad code` codes,
    split at JSONL line boundaries and all."""
    inputs = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    read = ReadSpec(date=DATE)
    parts = plan_partitions(inputs, read, 700)
    results = [batch.code_partition(p, str(out), CoderOptions(), read) for p in parts]
    expected, rejects = single_process(coder, inputs)
    assert expected
    assert strip(batch_events(out)) == flat(expected)
    assert sum(r["events"] for r in results) == len(expected)
    got_rejects = [r for p in parts for r in pq.read_table(out / p.files()["rejects"]).to_pylist()]
    assert [(r["input"], r["reason"]) for r in got_rejects] == [
        (r.input, r.reason) for r in rejects
    ]
    assert rejects[0].input.endswith("feed.jsonl:4")
    # the record without an id keeps the id its line number gives it
    ids = {r["article_id"] for r in batch_events(out)}
    assert f"feed.jsonl:{len(STORIES) + 2}" in ids
    # nothing temporary is left
    assert not list(out.rglob(".*tmp-*"))


def write_warc(path: Path, pages: list[tuple[str, str]]) -> None:
    """A small WARC.gz the way Common Crawl News writes them (request + response pairs)."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, html in pages:
            req = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True
            )
            writer.write_record(writer.create_warc_record(url, "request", http_headers=req))
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(html.encode("utf-8")),
                    http_headers=headers,
                    warc_headers_dict={"WARC-Date": "2023-05-03T08:00:00Z"},
                )
            )


def test_a_warc_archive_is_one_partition_coded_like_dyad_code(tmp_path, coder):
    pytest.importorskip("warcio")
    pages = []
    for i in range(0, 12, 3):
        body = "".join(f"<p>{t}</p>" for t in STORIES[i : i + 3])
        html = (
            f"<html><head><title>World news {i}</title></head><body><article>"
            f"<h1>World news {i}</h1>{body}</article></body></html>"
        )
        pages.append((f"https://news.example/2023/05/02/story-{i}.html", html))
    folder = tmp_path / "ccnews"
    folder.mkdir()
    write_warc(folder / "CC-NEWS-20230502000000-00001.warc.gz", pages[:2])
    write_warc(folder / "CC-NEWS-20230502010000-00002.warc.gz", pages[2:])
    parts = plan_partitions([str(folder)], ReadSpec(), 100)  # archives are never cut
    assert [len(p.pieces) for p in parts] == [1, 1]
    out = tmp_path / "out"
    out.mkdir()
    for p in parts:
        batch.code_partition(p, str(out), CoderOptions(), ReadSpec())
    expected, _ = single_process(coder, [str(folder)], date=None)
    assert expected
    assert strip(batch_events(out)) == flat(expected)
    arts = pq.read_table(out / "articles" / "part-00000.parquet").to_pylist()
    assert [a["url"] for a in arts] == [u for u, _ in pages[:2]]


# ------------------------------------------------------------------ the driver (in-process)


def test_batch_manifest_rerun_and_load(tmp_path, coder, inproc):
    inputs = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    rep = run_batch(inputs, out, read=ReadSpec(date=DATE), client=inproc, partition_bytes=700)
    assert rep.ok and rep.done == rep.partitions > 3 and rep.skipped == 0
    m = read_manifest(out)
    assert m["summary"]["done"] == rep.partitions
    for e in m["partitions"]:
        assert e["status"] == "done" and e["attempts"] == 1 and e["error"] is None
        assert e["inputs"] and e["articles"] is not None
        for rel in e["files"].values():
            assert (out / rel).is_file()
    expected, _ = single_process(coder, inputs)
    assert [r["event_id"] for r in batch_events(out)] == [e.event_id for e in expected]

    # a rerun skips every finished partition and leaves their files untouched
    stamp = {f: f.stat().st_mtime_ns for f in out.glob("part-*.parquet")}
    again = run_batch(inputs, out, read=ReadSpec(date=DATE), client=inproc, partition_bytes=700)
    assert again.skipped == again.partitions == rep.partitions
    assert {f: f.stat().st_mtime_ns for f in out.glob("part-*.parquet")} == stamp

    # load into a real DuckDB store, twice: the second load adds nothing
    db = tmp_path / "events.duckdb"
    with Store.open(db) as store:
        first = load_batch_dir(store, out)
        stats = store.stats()
        assert first.partitions == rep.partitions and not first.incomplete
        # the corpus repeats its texts (files and feed) and has one near-copy: each text is
        # stored once, the copies count as more sources of its events (as `dyad ingest`)
        assert (first.articles, first.copies) == (len(STORIES), 9)
        assert first.mentions == stats["event_mentions"] > 0
        assert first.rejects == 1 + 9  # the broken line, the duplicates
        second = load_batch_dir(store, out)
        assert (second.articles, second.mentions, second.copies, second.rejects) == (0, 0, 0, 0)
        assert second.already == len(STORIES) + 9
        assert store.stats()["event_mentions"] == stats["event_mentions"]
        assert set(store.rejects()["times"]) == {1}
        assert not store.check()
    # the store holds what `dyad ingest` of the same inputs writes
    db2 = tmp_path / "ingest.duckdb"
    assert main(["ingest", *inputs, "--db", str(db2), "--date", DATE, "--no-progress"]) == 0
    with Store(db) as a, Store(db2) as b:
        for q in SAME_AS_INGEST:
            assert a.sql(q).equals(b.sql(q)), q


SAME_AS_INGEST = [
    "SELECT * EXCLUDE (ingested_at, coded_at) FROM articles ORDER BY article_id",
    "SELECT * FROM event_mentions ORDER BY event_id",
    "SELECT * EXCLUDE (first_ingested_at) FROM events ORDER BY event_key",
    "SELECT * EXCLUDE (ingested_at) FROM duplicates ORDER BY duplicate_id",
    "SELECT * EXCLUDE (rejected_at) FROM rejects ORDER BY input, reason",
    "SELECT * FROM article_signatures ORDER BY article_id",
    "SELECT * FROM signature_bands ORDER BY band_hash, article_id",
]


def test_a_failing_partition_is_retried_then_reported(tmp_path, coder, inproc, monkeypatch):
    inputs = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    poison = "story-02.txt"
    real = batch._piece_articles

    def flaky(piece, read, collect):
        if piece.path.endswith(poison):
            raise OSError(f"cannot read {piece.path}: simulated disk error")
        return real(piece, read, collect)

    monkeypatch.setattr(batch, "_piece_articles", flaky)
    rep = run_batch(
        inputs, out, read=ReadSpec(date=DATE), client=inproc, partition_bytes=700, retries=2
    )
    assert not rep.ok
    plan = plan_partitions(inputs, ReadSpec(date=DATE), 700)
    index = next(p.index for p in plan if any(x.path.endswith(poison) for x in p.pieces))
    assert [name for name, _ in rep.failed] == [f"part-{index:05d}"]
    m = read_manifest(out)
    bad = m["partitions"][index]
    assert bad["status"] == "failed" and bad["attempts"] == 3
    assert "simulated disk error" in bad["error"] and "OSError" in bad["error"]
    assert not (out / bad["files"]["events"]).exists()
    assert m["summary"]["failed"] == 1 and m["summary"]["done"] == rep.partitions - 1

    # loading reports the partition that is not done and loads the rest
    with Store.open(tmp_path / "db.duckdb") as store:
        res = load_batch_dir(store, out)
        assert res.partitions == rep.partitions - 1
        assert res.incomplete == [(bad["name"], "failed", bad["error"])]

    # the disk is fixed: a rerun codes only the failed partition
    monkeypatch.setattr(batch, "_piece_articles", real)
    seen: list[str] = []
    rerun = run_batch(
        inputs,
        out,
        read=ReadSpec(date=DATE),
        client=inproc,
        partition_bytes=700,
        on_message=seen.append,
    )
    assert rerun.ok and rerun.skipped == rep.partitions - 1
    assert f"{rep.partitions - 1} of {rep.partitions} partitions already done; 1 to code" in seen
    expected, _ = single_process(coder, inputs)
    assert [r["event_id"] for r in batch_events(out)] == [e.event_id for e in expected]


def test_cli_exit_status_and_another_coder(tmp_path, coder, inproc, capsys):
    inputs = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    addr = inproc.scheduler.address
    base = ["batch", *inputs, "-o", str(out), "--scheduler", addr, "--date", DATE]
    # --strict: the broken JSONL line fails its partition on every attempt -> exit 1
    rc = main([*base, "--strict", "--retries", "1", "--partition-size", "700", "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 1
    assert re.search(r"FAILED part-\d+: MalformedRecord: \[D103\] .*feed\.jsonl:4", err)
    failed = [e for e in read_manifest(out)["partitions"] if e["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["attempts"] == 2
    # another coder's results are not mixed in silently
    other = tmp_path / "extra.yaml"
    other.write_text("organisations: []\n", encoding="utf-8")
    rc = main([*base, "--actors", str(other), "--partition-size", "700", "--no-progress"])
    assert rc == 2 and "results of another coder" in capsys.readouterr().err
    # without --strict everything is coded; load through the CLI, twice
    assert main([*base, "--partition-size", "700", "--no-progress"]) == 0
    db = tmp_path / "cli.duckdb"
    assert main(["batch", "load", str(out), "--db", str(db)]) == 0
    assert main(["batch", "load", str(out), "--db", str(db)]) == 0
    err = capsys.readouterr().err
    assert "loaded" in err and "0 articles with 0 event mentions" in err
    assert main(["batch", "load", str(tmp_path / "nothing"), "--db", str(db)]) == 1
    assert "no such folder" in capsys.readouterr().err
    # `dyad ingest --from-parquet` stores the same folder the same way
    via_ingest = tmp_path / "ingest.duckdb"
    assert main(["ingest", "--from-parquet", str(out), "--db", str(via_ingest)]) == 0
    with Store(db, read_only=True) as a, Store(via_ingest, read_only=True) as b:
        assert a.stats()["events"] == b.stats()["events"] > 0
    assert main(["ingest", *inputs, "--from-parquet", str(out), "--db", str(via_ingest)]) == 2
    assert "not both" in capsys.readouterr().err


def test_output_folder_that_is_not_a_batch_is_refused(tmp_path, inproc):
    inputs = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UsageError, match="not empty"):
        run_batch(inputs, out, client=inproc)
    assert (out / "precious.txt").read_text(encoding="utf-8") == "keep me"


def test_a_scheduler_without_workers_is_a_clear_error(tmp_path, monkeypatch):
    from distributed import LocalCluster

    inputs = write_corpus(tmp_path / "in")
    monkeypatch.setattr(batch, "WAIT_FOR_WORKERS", 1)
    cluster = LocalCluster(n_workers=0, processes=False, dashboard_address=":0")
    with cluster, pytest.raises(UsageError, match="no Dask worker joined"):
        run_batch(inputs, tmp_path / "out", scheduler=cluster.scheduler_address)
    assert read_manifest(tmp_path / "out")["summary"]["pending"] > 0


# ------------------------------------------------------------------ real worker processes


@pytest.mark.slow
def test_two_worker_processes_give_the_single_process_events(tmp_path, coder):
    inputs = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    rep = run_batch(inputs, out, read=ReadSpec(date=DATE), workers=2, partition_bytes=700)
    assert rep.ok and rep.workers == 2 and rep.done == rep.partitions > 3
    expected, _ = single_process(coder, inputs)
    rows = batch_events(out)
    assert [r["event_id"] for r in rows] == [e.event_id for e in expected]
    assert strip(rows) == flat(expected)
    m = read_manifest(out)
    workers = {e["worker"] for e in m["partitions"]}
    assert len(workers) == 2  # both processes coded
    assert all(0 < mb < 1024 for mb in rep.peak_rss_mb.values())


def _kill_at_first_commit(marker: str) -> None:
    """Installed in each worker: the first partition to reach its first rename kills its
    own worker process (SIGKILL) with its temp files written; only once in all."""
    real = batch._AtomicParquet.commit

    def commit(self):
        try:
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return real(self)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os.kill(os.getpid(), signal.SIGKILL)

    batch._AtomicParquet.commit = commit


@pytest.mark.slow
def test_a_killed_worker_does_not_lose_a_partition(tmp_path, coder):
    from distributed import Client, LocalCluster

    inputs = write_corpus(tmp_path / "in")
    out = tmp_path / "out"
    marker = tmp_path / "killed.pid"
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    try:
        with Client(cluster) as client:
            pids = set(client.run(os.getpid).values())
            client.run(_kill_at_first_commit, str(marker))
            rep = run_batch(
                inputs,
                out,
                read=ReadSpec(date=DATE),
                scheduler=cluster.scheduler_address,
                partition_bytes=700,
            )
    finally:
        cluster.close()
    assert marker.exists() and int(marker.read_text()) in pids  # a worker really died
    assert rep.ok and rep.done == rep.partitions
    m = read_manifest(out)
    assert all(e["status"] == "done" for e in m["partitions"])
    assert max(e["attempts"] for e in m["partitions"]) >= 2  # the killed one ran again
    expected, _ = single_process(coder, inputs)
    assert [r["event_id"] for r in batch_events(out)] == [e.event_id for e in expected]
    assert not list(out.rglob(".*tmp-*"))


# ------------------------------------------------------------------ docs


def _subparsers(parser):
    for action in parser._actions:
        if action.__class__.__name__ == "_SubParsersAction":
            return action.choices
    return {}


def test_every_batch_option_is_documented():
    doc = (REPO / "docs" / "batch.md").read_text(encoding="utf-8")
    cmds = _subparsers(build_parser())
    # the coder and reading options are those of `dyad code` and `dyad ingest`
    shared = {o for a in cmds["code"]._actions for o in a.option_strings}
    shared |= {o for a in cmds["ingest"]._actions for o in a.option_strings} - {"--db"}
    assert "dyad batch load" in doc
    for action in cmds["batch"]._actions:
        for opt in action.option_strings:
            if opt.startswith("--") and opt != "--help" and opt not in shared:
                assert opt in doc, f"batch {opt} is not in docs/batch.md"
