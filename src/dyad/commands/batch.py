"""`dyad batch`: code a corpus on Dask into a folder of Parquet partitions with a manifest;
`dyad batch load DIR --db FILE` stores such a folder. docs/batch.md describes both."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from dyad.errors import UsageError

EXIT_OK, EXIT_FAILED = 0, 1
DEFAULT_DB = "dyad.duckdb"


def _say(message: str) -> None:
    print(f"dyad: {message}", file=sys.stderr, flush=True)


def register(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser(
        "batch",
        help="code a corpus on a Dask cluster into Parquet partitions (and load them)",
        description="Code INPUT files and folders on dask.distributed: a LocalCluster of "
        "--workers processes (default one per CPU) or the cluster at --scheduler. Inputs are "
        "split into partitions; each is written to DIR as Parquet, atomically, and recorded "
        "in DIR/manifest.json, so a rerun skips finished partitions. A failing partition is "
        "retried, then reported (exit 1). `dyad batch load DIR --db FILE` stores the result.",
        epilog="examples: dyad batch news/ -o out/ --workers 2;  "
        "dyad batch feeds/*.jsonl -o out/ --scheduler tcp://10.0.0.5:8786;  "
        "dyad batch load out/ --db events.duckdb",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="files or folders to code; or `load DIR` to store a batch folder",
    )
    p.add_argument("-o", "--output", metavar="DIR", help="output folder (created if needed)")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="worker processes of the local cluster, one thread each (default: CPU count)",
    )
    where.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="use the running Dask scheduler at ADDRESS (tcp://host:8786) instead",
    )
    p.add_argument(
        "--partition-size",
        default="2MB",
        metavar="SIZE",
        help="input bytes per partition, e.g. 512KB, 2MB (default 2MB); larger JSONL "
        "files are cut at line boundaries",
    )
    p.add_argument(
        "--retries",
        type=int,
        default=2,
        metavar="N",
        help="retries of a failing partition before it is reported (default 2)",
    )
    p.add_argument(
        "--restart",
        action="store_true",
        help="code every partition again, ignoring what DIR/manifest.json says is done",
    )
    from dyad.commands.store import add_lexicon_arguments, add_read_arguments

    add_read_arguments(p)  # the reading options of `dyad ingest` (docs/ingest.md)
    add_lexicon_arguments(p)
    p.add_argument(
        "--db",
        default=None,
        metavar="FILE",
        help=f"with `load`: the store file (default {DEFAULT_DB})",
    )
    p.add_argument(
        "--dedup-threshold",
        type=float,
        default=None,
        metavar="X",
        help="with `load`: similarity (0-1) from which an article is a near-duplicate of a "
        "stored one, as for `dyad ingest` (default 0.8)",
    )
    p.add_argument(
        "--no-near-duplicates",
        dest="near_duplicates",
        action="store_false",
        help="with `load`: only identical texts are duplicates",
    )
    common(p)
    p.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    if args.inputs[0] == "load":
        return cmd_batch_load(args)
    from dyad.batch import CoderOptions, ReadSpec, parse_size, run_batch
    from dyad.commands.store import read_options

    if not args.output:
        raise UsageError("dyad batch needs an output folder: -o DIR")
    if args.db or args.dedup_threshold is not None or not args.near_duplicates:
        raise UsageError("--db and the dedup options go with `dyad batch load DIR --db FILE`")
    _quiet_dask()
    report = run_batch(
        args.inputs,
        args.output,
        coder=CoderOptions.make(args.model, args.ner, args.actors, args.patterns),
        read=ReadSpec.from_options(read_options(args, _ignore, _ignore)),
        workers=args.workers,
        scheduler=args.scheduler,
        retries=args.retries,
        partition_bytes=parse_size(args.partition_size),
        restart=args.restart,
        progress=args.progress,
        on_message=_say,
    )
    peak = max(report.peak_rss_mb.values(), default=0.0)
    _say(
        f"{report.done} of {report.partitions} partitions done"
        + (f" ({report.skipped} from an earlier run)" if report.skipped else "")
        + f": {report.events} events from {report.articles} articles"
        + (f", {_n(report.rejects, 'input')} skipped" if report.rejects else "")
        + f" -> {report.out_dir} in {report.seconds:.1f} s"
        + (f"; peak worker memory {peak:.0f} MB" if peak else "")
    )
    if report.failed:
        for name, error in report.failed:
            _say(f"FAILED {name}: {error}")
        _say(
            f"{_n(len(report.failed), 'partition')} failed; see {report.out_dir}/manifest.json and "
            "rerun the same command to retry only those"
        )
        return EXIT_FAILED
    return EXIT_OK


def cmd_batch_load(args: argparse.Namespace) -> int:
    if len(args.inputs) != 2:
        raise UsageError("usage: dyad batch load DIR --db FILE (one batch folder)")
    if args.output:
        raise UsageError("dyad batch load writes to --db FILE, not -o")
    return load_command(
        args.inputs[1],
        args.db or DEFAULT_DB,
        dedup_threshold=args.dedup_threshold,
        near_duplicates=args.near_duplicates,
        progress=args.progress,
    )


def load_command(
    directory: str,
    db: str,
    *,
    dedup_threshold: float | None = None,
    near_duplicates: bool = True,
    progress: bool | None = None,
) -> int:
    """Store a `dyad batch` output folder in ``db`` and report on stderr; the exit status.
    Shared by `dyad batch load DIR` and `dyad ingest --from-parquet DIR`."""
    from tqdm import tqdm

    from dyad.batch import load_batch_dir, read_manifest
    from dyad.store import Store

    manifest = read_manifest(directory)  # a clear error before the store file is created
    t = dedup_threshold
    if t is not None and not 0.0 < t <= 1.0:
        raise UsageError("--dedup-threshold must be in (0, 1]")
    bar = tqdm(
        total=len(manifest.get("partitions", [])),
        unit="part",
        desc="loading",
        file=sys.stderr,
        delay=1.0,
        disable=True if progress is False else (False if progress else None),
    )
    try:
        with Store.open(db) as store:
            report = load_batch_dir(
                store,
                directory,
                dedup_threshold=t,
                near_duplicates=near_duplicates,
                on_partition=lambda name, res: bar.update(1),
            )
            stats = store.stats()
    finally:
        bar.close()
    _say(
        f"loaded {_n(report.partitions, 'partition')} from {directory}: "
        f"{report.articles} articles with {report.mentions} event mentions"
        + (f"; {report.copies} duplicates counted as extra sources" if report.copies else "")
        + (f"; {report.already} already stored" if report.already else "")
        + (f"; {_n(report.rejects, 'reject')} recorded" if report.rejects else "")
        + f" -> {db} ({stats['articles']} articles, {stats['events']} events in all)"
    )
    if report.incomplete:
        for name, status, error in report.incomplete:
            _say(f"NOT LOADED {name}: {status}" + (f" ({error})" if error else ""))
        _say(
            f"{_n(len(report.incomplete), 'partition')} not done; rerun `dyad batch` on the "
            "same inputs, then load again"
        )
        return EXIT_FAILED
    return EXIT_OK


def _ignore(_: Any) -> None:
    return None


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _quiet_dask() -> None:
    """Dask's INFO lines (cluster start, worker registration) are noise on a terminal;
    warnings such as a restarted worker stay."""
    import logging

    for name in ("distributed", "distributed.scheduler", "distributed.nanny"):
        logging.getLogger(name).setLevel(logging.WARNING)
