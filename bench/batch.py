"""Scaling of `dyad batch`: the same corpus on 1 and 2 Dask worker processes.

The corpus is our demo stories, plus the dev sentences of ../shared (grouped into
article-sized texts, measuring only) when they are here, repeated to --articles and written
as JSONL to a temp folder. For each worker count a LocalCluster (one thread per worker)
is started and warmed (model loaded) first, so the timing is the coding of the partitions
through `dyad.batch.run_batch` -- planning, Parquet writing and the manifest included.
A single-process run of `Coder.code_articles` on the same articles is the baseline.

Prints the speedup 1 -> 2 workers, the peak resident memory of each worker process (from
the workers themselves) and the articles per day this machine would code; writes
bench/results/batch.json.

    python bench/batch.py [--articles 1600] [--partitions 16] [--repeat 2] [--no-baseline]

Both clusters stay up and the runs alternate (1, 2, 1, 2 workers): the best time of each
is kept, so load from other processes disturbs both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "dev"
RESULTS = REPO / "bench" / "results" / "batch.json"


def corpus(n_articles: int) -> list[dict]:
    from dyad.demo import demo_articles

    base = [
        {"text": a.text, "date": a.date.isoformat() if a.date else None} for a in demo_articles()
    ]
    plv = DEV / "conflibert_cameo_class_train.tsv"
    if plv.exists():
        lines = [ln.rsplit("\t", 1)[0] for ln in plv.read_text(encoding="utf-8").splitlines()]
        groups = range(0, len(lines), 8)
        base += [{"text": " ".join(lines[i : i + 8]), "date": None} for i in groups]
    out = []
    i = 0
    while len(out) < n_articles:
        rec = base[i % len(base)]
        out.append({"id": f"bench-{len(out):06d}", **rec})
        i += 1
    return out


CORES = os.cpu_count() or 1


def _cpu_seconds() -> float:
    """CPU time (user + system) of this process and its threads so far."""
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


class Cluster:
    """A warmed LocalCluster of n worker processes, one thread each."""

    def __init__(self, n: int) -> None:
        from distributed import Client, LocalCluster

        from dyad.batch import CoderOptions, warm_worker

        self.n = n
        self.cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            silence_logs=40,
        )
        self.client = Client(self.cluster)
        t0 = time.perf_counter()
        self.warm = self.client.run(warm_worker, CoderOptions())
        self.startup = time.perf_counter() - t0
        self.times: list[float] = []
        self.idle: list[float] = []
        self.cpu_runs: list[dict] = []
        self.report = None

    def run(self, inputs: list[str], out: Path, partition_bytes: int) -> float:
        from dyad.batch import ReadSpec, run_batch

        cpu0 = self.client.run(_cpu_seconds)
        driver0 = _cpu_seconds()
        t0 = time.perf_counter()
        rep = run_batch(
            inputs,
            out,
            read=ReadSpec(date="2022-01-01"),
            client=self.client,
            partition_bytes=partition_bytes,
        )
        seconds = time.perf_counter() - t0
        driver = _cpu_seconds() - driver0
        cpu = {w: c - cpu0.get(w, 0.0) for w, c in self.client.run(_cpu_seconds).items()}
        if not rep.ok:
            raise SystemExit(f"batch failed: {rep.failed}")
        self.times.append(seconds)
        # what the run would take on an idle machine with a core per worker: the busiest
        # worker's CPU time, or all CPU time (driver and scheduler included) over the cores
        idle = max(max(cpu.values()), (sum(cpu.values()) + driver) / max(self.n, CORES))
        self.cpu_runs.append({"workers_cpu": sorted(cpu.values()), "driver_cpu": driver})
        self.idle.append(idle)
        self.report = rep
        return seconds

    def result(self) -> dict:
        from dyad.batch import peak_rss_mb

        rep = self.report
        assert rep is not None
        best = min(self.times)
        peaks = self.client.run(peak_rss_mb)
        return {
            "workers": self.n,
            "seconds": round(best, 2),
            "all_seconds": [round(t, 2) for t in self.times],
            "articles": rep.articles,
            "events": rep.events,
            "partitions": rep.partitions,
            "articles_per_second": round(rep.articles / best, 1),
            "cpu_seconds": [
                {
                    "workers": [round(x, 2) for x in run["workers_cpu"]],
                    "driver_and_scheduler": round(run["driver_cpu"], 2),
                }
                for run in self.cpu_runs
            ],
            "idle_machine_seconds": round(min(self.idle), 2),
            "model_load_seconds": round(self.startup, 1),
            "peak_rss_mb_per_worker": sorted(peaks.values()),
            "load_seconds_per_worker": sorted(w["load_seconds"] for w in self.warm.values()),
        }

    def close(self) -> None:
        self.client.close()
        self.cluster.close()


def baseline(records: list[dict]) -> dict:
    from dyad.pipeline import Coder, parse_date
    from dyad.records import Article

    coder = Coder.load()
    arts = [Article(r["id"], r["text"], parse_date(r["date"] or "2022-01-01")) for r in records]
    for _ in coder.code_articles(arts[:20]):
        pass
    t0 = time.perf_counter()
    n = sum(len(evs) for _, evs in coder.code_articles(arts))
    seconds = time.perf_counter() - t0
    return {
        "seconds": round(seconds, 2),
        "events": n,
        "articles_per_second": round(len(arts) / seconds, 1),
    }


def _rate(run: dict) -> str:
    return f"{run['seconds']:7.1f} s  {run['articles_per_second']:6.1f} articles/s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1600, help="corpus size")
    parser.add_argument("--partitions", type=int, default=16, help="about this many")
    parser.add_argument("--repeat", type=int, default=2, help="runs per worker count (best)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the 1-process run")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()

    import logging

    import distributed  # noqa: F401  (configures its loggers on import: quiet them after)

    logging.getLogger("distributed").setLevel(logging.ERROR)
    load_start = [round(x, 2) for x in os.getloadavg()]
    records = corpus(args.articles)
    with tempfile.TemporaryDirectory(prefix="dyad-bench-batch-") as tmp:
        root = Path(tmp)
        feed = root / "in" / "corpus.jsonl"
        feed.parent.mkdir()
        with open(feed, "w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        size = feed.stat().st_size
        part_bytes = max(1024, size // args.partitions + 1)
        clusters = {n: Cluster(n) for n in (1, 2)}
        try:
            for r in range(args.repeat):  # interleaved, so both see the same machine load
                for n, cluster in clusters.items():
                    print(f"run {r + 1}/{args.repeat}: {n} worker(s) ...", file=sys.stderr)
                    cluster.run([str(feed)], root / f"out-{n}-{r}", part_bytes)
            runs = {n: c.result() for n, c in clusters.items()}
        finally:
            for c in clusters.values():
                c.close()
    result: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_start": load_start,
            "load_average_end": [round(x, 2) for x in os.getloadavg()],
        },
        "corpus": {
            "articles": len(records),
            "bytes": size,
            "words": sum(len(r["text"].split()) for r in records),
            "dev_texts": (DEV / "conflibert_cameo_class_train.tsv").exists(),
        },
        "one_worker": runs[1],
        "two_workers": runs[2],
        "speedup_1_to_2": round(runs[1]["seconds"] / runs[2]["seconds"], 2),
        # the same from CPU times: what an idle machine would show (other processes'
        # load does not enter)
        "speedup_1_to_2_cpu_projection": round(
            runs[1]["idle_machine_seconds"] / runs[2]["idle_machine_seconds"], 2
        ),
        "peak_rss_mb_per_worker": max(runs[2]["peak_rss_mb_per_worker"]),
        "articles_per_day": int(runs[2]["articles_per_second"] * 86400),
    }
    if not args.no_baseline:
        print("single process baseline ...", file=sys.stderr)
        result["single_process"] = baseline(records)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    one, two = runs[1], runs[2]
    print(f"corpus: {len(records)} articles, {size / 1e6:.1f} MB, {two['partitions']} partitions")
    if "single_process" in result:
        sp = result["single_process"]
        print(f"single process (no Dask): {_rate(sp)}")
    print(f"1 worker:                 {_rate(one)}")
    print(f"2 workers:                {_rate(two)}")
    print(f"speedup 1 -> 2 workers:   {result['speedup_1_to_2']:.2f}x (wall clock)")
    print(
        f"                          {result['speedup_1_to_2_cpu_projection']:.2f}x (projected "
        "for an idle machine from the workers' and driver's CPU times)"
    )
    print(f"peak memory per worker:   {two['peak_rss_mb_per_worker']} MB")
    print(f"articles per day (2 workers, this machine): {result['articles_per_day']:,}")
    m = result["machine"]
    start, end = m["load_average_start"], m["load_average_end"]
    print(f"load average (1, 5, 15 min): {start} at start, {end} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())
