"""kill -9 in the middle of `dyad ingest`: nothing committed is lost, no half article is
left, and a rerun finishes the job with exactly what an uninterrupted run stores."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from dyad.store import Store

from .storekit import write_corpus

pytestmark = pytest.mark.slow

N_ARTICLES = 80
BATCH = 4


def ingest_cmd(corpus, db, *extra):
    return [
        sys.executable,
        "-m",
        "dyad.cli",
        "ingest",
        str(corpus),
        "--db",
        str(db),
        "--date",
        "2022-03-07",
        "--batch-size",
        str(BATCH),
        "--no-progress",
        # storekit's template stories repeat every 72 with only their number changed:
        # near-duplicates by design, which tests/test_ingest_crash.py covers
        "--no-near-duplicates",
        *extra,
    ]


def snapshot(db):
    """Everything that must match between two stores (ingestion times aside)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {
            "articles": con.execute(
                "select * exclude (ingested_at, coded_at) from articles order by all"
            ).fetchall(),
            "mentions": con.execute("select * from event_mentions order by all").fetchall(),
            "events": con.execute(
                "select * exclude (first_ingested_at) from events order by all"
            ).fetchall(),
            "rejects": con.execute(
                "select input, reason, message from rejects order by all"
            ).fetchall(),
        }
    finally:
        con.close()


def test_kill_9_mid_ingest_then_rerun(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, N_ARTICLES)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}

    # the reference: one uninterrupted run
    full = tmp_path / "full.duckdb"
    done = subprocess.run(
        ingest_cmd(corpus, full), capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    expected = snapshot(full)
    total = len(expected["articles"])
    assert total == N_ARTICLES + 6  # + the JSONL stories; the copy is a duplicate
    assert len(expected["mentions"]) > N_ARTICLES

    # the victim: killed with SIGKILL after a few batches were committed
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
            if committed == 3:
                time.sleep(0.15)  # land somewhere inside the next batch
                proc.send_signal(signal.SIGKILL)
                break
        assert time.monotonic() < deadline, "ingest did not commit three batches in time"
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it was killed"

    # the file opens, holds whole articles only, and nothing committed is lost
    with Store(crashed) as store:
        assert store.check() == []
        n = store.stats()["articles"]
    assert 3 * BATCH <= n < total
    partial = snapshot(crashed)
    full_articles = set(expected["articles"])
    assert set(partial["articles"]) <= full_articles
    assert set(partial["mentions"]) <= set(expected["mentions"])

    # a rerun finishes the job: the same articles, mentions and events, no duplicates
    rerun = subprocess.run(
        ingest_cmd(corpus, crashed), capture_output=True, text=True, env=env, timeout=300
    )
    assert rerun.returncode == 0, rerun.stderr
    assert "already stored" in rerun.stderr
    assert snapshot(crashed) == expected
    with Store(crashed) as store:
        assert store.check() == []
        ids = store.sql("select article_id, count(*) as n from articles group by 1 having n > 1")
        assert ids.empty


WRITER = """
import sys
sys.path.insert(0, {repo!r})
from tests.storekit import article, event
from dyad.store import Store

batch_size = {batch}
with Store.open({db!r}) as store:
    for b in range(1000):
        items = []
        for i in range(batch_size):
            n = b * batch_size + i
            aid = f"w{{n}}"
            evs = [event(aid, s, "190", "RUSMIL", "UKR", f"2022-03-{{1 + n % 28:02d}}")
                   for s in range(8)]
            items.append((article(aid, f"writer article {{n}}"), evs))
        store.add_batch(items)
        print("committed", b, flush=True)
"""


@pytest.mark.parametrize("delay", [0.0, 0.1, 0.15, 0.2])
def test_kill_9_inside_add_batch_leaves_whole_batches(tmp_path, delay):
    """Kill a process that does nothing but write: the store holds whole batches only."""
    from pathlib import Path

    repo = str(Path(__file__).resolve().parents[1])
    db = tmp_path / "w.duckdb"
    batch = 400
    code = WRITER.format(repo=repo, db=str(db), batch=batch)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        if line.startswith("committed"):
            seen += 1
            if seen == 2:
                time.sleep(delay)
                proc.send_signal(signal.SIGKILL)
                break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    with Store(db) as store:
        assert store.check() == []
        s = store.stats()
    assert s["articles"] % batch == 0 and s["articles"] >= 2 * batch
    assert s["event_mentions"] == 8 * s["articles"]
