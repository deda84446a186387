"""The store's commands: ingest, recode, query, timeseries, network, dyads, plot, export,
stats, migrate. docs/store.md describes each with examples."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import IO, Any

from dyad.errors import Rejection, UsageError

EXIT_OK = 0
DEFAULT_DB = "dyad.duckdb"
TABLE_LIMIT = 20

# ------------------------------------------------------------------------------ arguments


def _db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", default=DEFAULT_DB, metavar="FILE", help=f"store file (default {DEFAULT_DB})"
    )


def _add_filters(p: argparse.ArgumentParser, *, events: bool = True) -> None:
    g = p.add_argument_group(
        "filters",
        "Actors: an upper-case code is a code prefix (RUS matches RUSGOV, RUSMIL ...); other "
        "text matches the actor's words in the evidence; force with code:X or name:X. "
        "Repeat an option for 'any of'.",
    )
    g.add_argument("--actor", action="append", metavar="ACTOR", help="source or target")
    g.add_argument("--source", action="append", metavar="ACTOR", help="source actor")
    g.add_argument("--target", action="append", metavar="ACTOR", help="target actor")
    g.add_argument(
        "--both-directions",
        action="store_true",
        help="with --source/--target: also the reverse dyad",
    )
    g.add_argument("--code", action="append", help="CAMEO event code prefix (19, 190, 0311)")
    g.add_argument("--root", action="append", help="CAMEO root code (01-20)")
    g.add_argument("--quad", action="append", type=int, choices=[1, 2, 3, 4], help="quad class 1-4")
    g.add_argument("--plover", action="append", help="PLOVER type (ASSAULT, CONSULT ...)")
    g.add_argument("--start", help="first date: YYYY, YYYY-MM or YYYY-MM-DD")
    g.add_argument("--end", help="last date (inclusive): YYYY, YYYY-MM or YYYY-MM-DD")
    g.add_argument("--place", action="append", help="location country code or name")
    g.add_argument("--text", help="the evidence sentence contains this (case-insensitive)")
    g.add_argument("--article", action="append", help="article content hash or input id")
    if events:
        g.add_argument("--min-mentions", type=int, help="events with at least N mentions")
    g.add_argument("--min-confidence", type=float, help="confidence at least x (0-1)")


def _filters(args: argparse.Namespace, *, mentions: bool = False) -> dict[str, Any]:
    keys = [
        "actor",
        "source",
        "target",
        "code",
        "root",
        "quad",
        "plover",
        "start",
        "end",
        "place",
        "text",
        "article",
        "min_confidence",
    ]
    if not mentions:
        keys.append("min_mentions")
    out = {k: getattr(args, k, None) for k in keys}
    out = {k: v for k, v in out.items() if v not in (None, [], "")}
    if getattr(args, "both_directions", False):
        out["both_directions"] = True
    return out


def _output(p: argparse.ArgumentParser, formats: list[str], default: str = "table") -> None:
    p.add_argument(
        "--format", choices=formats, default=default, help=f"output format (default {default})"
    )
    p.add_argument("-o", "--output", default=None, help="output file (default stdout)")


def _open_store(path: str, read_only: bool = True) -> Any:
    from dyad.store import Store

    return Store.open(path, read_only=read_only)


# ------------------------------------------------------------------------------ output


def _json_default(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def _frame_to_arrow(df: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            s = df[col]
            if (s.dropna() == s.dropna().dt.normalize()).all():
                df[col] = s.dt.date
    return pa.Table.from_pandas(df, preserve_index=False)


def _display(df: Any, columns: list[str] | None, width: int = 70) -> str:
    import pandas as pd

    if columns:
        df = df[[c for c in columns if c in df.columns]]
    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_datetime64_any_dtype(df[col]):
            s = df[col]
            if (s.dropna() == s.dropna().dt.normalize()).all():
                df[col] = s.dt.strftime("%Y-%m-%d")
        elif df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].map(lambda v: _cell(v, width))
    if df.empty:
        return "(no rows)\n"
    return df.to_string(index=False, na_rep="", float_format=lambda x: f"{x:.2f}") + "\n"


def _cell(v: Any, width: int) -> Any:
    if v is None or v != v:
        return ""
    text = str(v)
    return v if len(text) <= width else text[: width - 1] + "…"


def _write(
    table: Any,
    fmt: str,
    output: str | None,
    *,
    columns: list[str] | None = None,
    footer: str | None = None,
) -> None:
    """Write a pyarrow Table (or DataFrame) as table, csv, jsonl or parquet."""
    import pyarrow as pa

    from dyad.cli import _open_out

    if not isinstance(table, pa.Table):
        table = _frame_to_arrow(table)
    if fmt == "table":
        stream, close = _open_out(output, "table")
        try:
            stream.write(_display(table.to_pandas(), columns))
            if footer:
                stream.write(footer + "\n")
        finally:
            if close:
                stream.close()
        return
    stream, close = _open_out(output, fmt)
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(table, stream)
        elif fmt == "csv":
            import csv

            writer = csv.writer(stream)
            writer.writerow(table.column_names)
            for batch in table.to_batches(10_000):
                for row in batch.to_pylist():
                    writer.writerow(["" if v is None else _csv_value(v) for v in row.values()])
        elif fmt == "jsonl":
            for batch in table.to_batches(10_000):
                for row in batch.to_pylist():
                    stream.write(json.dumps(row, ensure_ascii=False, default=_json_default) + "\n")
        else:
            raise UsageError(f"unknown output format {fmt!r}")
        stream.flush()
    finally:
        if close:
            stream.close()


def _csv_value(v: Any) -> Any:
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v != v:
        return ""
    return v


def _say(message: str) -> None:
    print(f"dyad: {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------ ingest


def _coder(args: argparse.Namespace) -> tuple[str, Any]:
    """The coder the coding options ask for, and its version string for the store."""
    from dyad.pipeline import Coder
    from dyad.store import coder_version

    options: dict[str, Any] = {"actors": args.actors, "patterns": args.patterns}
    model = args.model
    if getattr(args, "ner", False):  # the shared --ner option of the coding commands
        options["ner"] = True
        model_tag = f"{model or ''}+ner"
    else:
        model_tag = model
    coder = Coder.load(model=model, **options)
    return coder_version(model_tag, args.actors, args.patterns), coder


def add_read_arguments(p: argparse.ArgumentParser) -> None:
    """The reading options (dyad.ingest.ReadOptions) as command-line options."""
    from dyad.ingest import INPUT_FORMATS
    from dyad.ingest.base import (
        DEFAULT_MAX_BYTES,
        DEFAULT_MAX_FEED_BYTES,
        DEFAULT_MAX_PAGE_BYTES,
        RECORD_FIELDS,
    )

    g = p.add_argument_group("reading")
    g.add_argument(
        "--input-format",
        choices=list(INPUT_FORMATS),
        default="auto",
        help="how to read the inputs (default auto: by suffix and content)",
    )
    g.add_argument("--date", default=None, help="date (YYYY-MM-DD) for inputs that carry none")
    g.add_argument("--strict", action="store_true", help="stop at the first malformed record")
    g.add_argument(
        "--max-bytes",
        type=int,
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help=f"largest text article or record, in bytes (default {DEFAULT_MAX_BYTES // 2**20} MB)",
    )
    g.add_argument(
        "--max-page-bytes",
        type=int,
        default=DEFAULT_MAX_PAGE_BYTES,
        metavar="N",
        help="largest HTML page (file, archive record or fetched), in bytes "
        f"(default {DEFAULT_MAX_PAGE_BYTES // 2**20} MB)",
    )
    g.add_argument(
        "--max-feed-bytes",
        type=int,
        default=DEFAULT_MAX_FEED_BYTES,
        metavar="N",
        help=f"largest RSS/Atom file, in bytes (default {DEFAULT_MAX_FEED_BYTES // 2**20} MB)",
    )
    for name in RECORD_FIELDS:
        g.add_argument(
            f"--{name}-column",
            default=None,
            metavar="NAME",
            help=f"CSV/JSONL column holding the {name} (default: the first of "
            + ", ".join(RECORD_FIELDS[name][:4])
            + " ...)",
        )
    g.add_argument(
        "--delimiter", default=None, help="CSV delimiter (default: sniffed; tab for .tsv)"
    )
    g.add_argument(
        "--no-language-check",
        dest="check_language",
        action="store_false",
        help="do not reject non-English articles",
    )
    w = p.add_argument_group("web")
    w.add_argument(
        "--fetch",
        action="store_true",
        help="fetch feed entries' linked pages and URL inputs (needs a network)",
    )
    w.add_argument(
        "--fetch-timeout", type=float, default=10.0, metavar="S", help="seconds (default 10)"
    )
    w.add_argument(
        "--fetch-delay",
        type=float,
        default=1.0,
        metavar="S",
        help="seconds between two requests to one host (default 1)",
    )
    w.add_argument("--user-agent", default=None, help="the User-Agent the fetcher sends")


def read_options(
    args: argparse.Namespace,
    on_reject: Callable[[Rejection], None],
    on_warning: Callable[[str], None],
) -> Any:
    """ReadOptions from the options add_read_arguments added."""
    from dyad.ingest import ReadOptions
    from dyad.ingest.base import RECORD_FIELDS
    from dyad.pipeline import parse_date

    for opt in ("max_bytes", "max_page_bytes", "max_feed_bytes"):
        if getattr(args, opt) < 1:
            raise UsageError(f"--{opt.replace('_', '-')} must be at least 1")
    if args.fetch_timeout <= 0 or args.fetch_delay < 0:
        raise UsageError("--fetch-timeout must be positive and --fetch-delay not negative")
    columns = {
        name: getattr(args, f"{name}_column")
        for name in RECORD_FIELDS
        if getattr(args, f"{name}_column", None)
    }
    return ReadOptions(
        input_format=args.input_format,
        strict=args.strict,
        max_bytes=args.max_bytes,
        max_page_bytes=args.max_page_bytes,
        max_feed_bytes=args.max_feed_bytes,
        default_date=parse_date(args.date, "--date") if args.date else None,
        on_reject=on_reject,
        on_warning=on_warning,
        columns=columns,
        csv_delimiter=args.delimiter,
        check_language=args.check_language,
        fetch=args.fetch,
        fetch_timeout=args.fetch_timeout,
        fetch_delay=args.fetch_delay,
        user_agent=args.user_agent,
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    from dyad.cli import _reject, _warn
    from dyad.ingest.run import IngestSummary, ingest

    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if not 0.0 < args.dedup_threshold <= 1.0:
        raise UsageError("--dedup-threshold must be in (0, 1]")
    if args.from_parquet is not None:
        if args.inputs:
            raise UsageError("give INPUTs or --from-parquet DIR, not both")
        from dyad.commands.batch import load_command

        return load_command(
            args.from_parquet,
            args.db,
            dedup_threshold=args.dedup_threshold,
            near_duplicates=args.near_duplicates,
            progress=args.progress,
        )
    opts = read_options(args, _reject, _warn)

    def on_batch(s: IngestSummary) -> None:
        if args.verbose:
            _say(
                f"committed batch {s.batches}: total {s.articles} articles, {s.mentions} "
                f"mentions, {s.duplicates} duplicates, {s.rejected} rejects"
            )

    with _open_store(args.db, read_only=False) as store:
        version, coder = _coder(args)
        summary = ingest(
            args.inputs,
            store,
            coder,
            opts,
            batch_size=args.batch_size,
            coder_version=version,
            dedup_threshold=args.dedup_threshold,
            near_duplicates=args.near_duplicates,
            progress=args.progress,
            on_batch=on_batch,
        )
        stats = store.stats()
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(summary.rejects.items()))
    _say(
        f"stored {summary.articles} articles with {summary.mentions} event mentions"
        + (
            f"; {summary.duplicates} duplicates counted as extra sources"
            if summary.duplicates
            else ""
        )
        + (f"; {summary.already} already stored" if summary.already else "")
        + (f"; skipped {summary.rejected} inputs ({skipped})" if summary.rejected else "")
        + f" in {summary.seconds:.1f} s -> {args.db} ({stats['articles']} articles, "
        f"{stats['events']} events in all)"
    )
    return EXIT_OK


def cmd_recode(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from dyad.store import RecodeResult

    with _open_store(args.db, read_only=False) as store:
        version, coder = _coder(args)
        todo = store.stats()["articles"]
        if args.stale:
            todo -= store.stats()["coder_versions"].get(version, 0)
        bar = tqdm(
            total=todo,
            unit="article",
            file=sys.stderr,
            delay=1.0,
            disable=True if args.progress is False else (False if args.progress else None),
        )
        done = [0]

        def on_batch(step: RecodeResult) -> None:
            done[0] += step.articles
            bar.update(step.articles)
            if args.verbose:
                _say(f"re-coded {done[0]} articles")

        try:
            res = store.recode(
                coder,
                coder_version=version,
                stale_only=args.stale,
                batch_size=args.batch_size,
                on_batch=on_batch,
            )
        finally:
            bar.close()
        stats = store.stats()
    _say(
        f"re-coded {res.articles} articles with {version}: event mentions "
        f"{res.mentions_before} -> {res.mentions_after}; {stats['events']} events in {args.db}"
    )
    return EXIT_OK


# ------------------------------------------------------------------------------ query

EVENT_DISPLAY = [
    "date",
    "source_code",
    "target_code",
    "event_code",
    "quad_class",
    "goldstein",
    "num_mentions",
    "num_articles",
    "sentence",
]
MENTION_DISPLAY = [
    "date",
    "source_code",
    "source_text",
    "event_code",
    "target_code",
    "target_text",
    "external_id",
    "sentence",
]


def cmd_query(args: argparse.Namespace) -> int:
    from dyad.cli import _open_out

    filters = _filters(args, mentions=args.mentions)
    limit = args.limit
    if limit is None and args.format == "table":
        limit = TABLE_LIMIT
    with _open_store(args.db) as store:
        if args.mentions and args.format == "jsonl":
            stream, close = _open_out(args.output, "jsonl")
            try:
                for ev in store.iter_event_records(
                    limit=limit, offset=args.offset, order=args.order, **filters
                ):
                    stream.write(json.dumps(ev.as_dict(), ensure_ascii=False) + "\n")
            finally:
                if close:
                    stream.close()
            return EXIT_OK
        get = store.event_mentions if args.mentions else store.events
        table = get(limit=limit, offset=args.offset, order=args.order, as_arrow=True, **filters)
        footer = None
        if args.format == "table":
            total = store.count("event_mentions" if args.mentions else "events", **filters)
            what = "event mentions" if args.mentions else "events"
            if total > table.num_rows:
                footer = f"({table.num_rows} of {total} {what}; --limit N or --format csv for more)"
            else:
                footer = f"({total} {what})"
    _write(
        table,
        args.format,
        args.output,
        columns=MENTION_DISPLAY if args.mentions else EVENT_DISPLAY,
        footer=footer,
    )
    return EXIT_OK


# ------------------------------------------------------------------------------ analysis


def _selection_title(f: dict[str, Any]) -> str:
    parts = []
    if f.get("source") or f.get("target"):
        arrow = " <-> " if f.get("both_directions") else " -> "
        parts.append(
            "/".join(f.get("source") or ["*"]) + arrow + "/".join(f.get("target") or ["*"])
        )
    if f.get("actor"):
        parts.append("actor " + "/".join(f["actor"]))
    if f.get("start") or f.get("end"):
        parts.append(f"{f.get('start') or '…'} to {f.get('end') or '…'}")
    return ", ".join(parts) or "all events"


def cmd_timeseries(args: argparse.Namespace) -> int:
    filters = _filters(args)
    with _open_store(args.db) as store:
        ts = store.timeseries(freq=args.freq, weight=args.weight, **filters)
    _write(ts, args.format, args.output)
    return EXIT_OK


def _network_opts(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "level": args.level,
        "weight": args.weight,
        "min_events": args.min_events,
        "self_loops": args.self_loops,
    }


def cmd_network(args: argparse.Namespace) -> int:
    from dyad import analysis

    filters = _filters(args)
    with _open_store(args.db) as store:
        g = store.network(betweenness=args.betweenness, **_network_opts(args), **filters)
    if args.format == "table":
        df = analysis.centrality(g, betweenness=args.betweenness)
        footer = (
            f"({g.number_of_nodes()} nodes, {g.number_of_edges()} edges; "
            f"{_selection_title(filters)}; showing the top {min(args.top, len(df))} by PageRank)"
        )
        _write(df.head(args.top), "table", args.output, footer=footer)
        return EXIT_OK
    if args.format == "json" and args.output in (None, "-"):
        json.dump(analysis.graph_to_json(g), sys.stdout, ensure_ascii=False, default=_json_default)
        sys.stdout.write("\n")
        return EXIT_OK
    if args.output in (None, "-"):
        raise UsageError(f"--format {args.format} writes a file: give it with -o")
    analysis.write_graph(g, args.output, args.format)
    _say(f"{g.number_of_nodes()} nodes, {g.number_of_edges()} edges -> {args.output}")
    return EXIT_OK


def cmd_dyads(args: argparse.Namespace) -> int:
    filters = _filters(args)
    with _open_store(args.db) as store:
        df = store.top_dyads(
            args.n,
            level=args.level,
            weight=args.weight,
            directed=not args.undirected,
            self_loops=args.self_loops,
            min_events=args.min_events,
            **filters,
        )
    _write(df, args.format, args.output)
    return EXIT_OK


def cmd_plot_timeseries(args: argparse.Namespace) -> int:
    from dyad.plots import _check_path, plot_timeseries

    _check_path(args.output)
    filters = _filters(args)
    with _open_store(args.db) as store:
        ts = store.timeseries(freq=args.freq, weight=args.weight, **filters)
    title = args.title or f"{_selection_title(filters)}: {args.weight} per {args.freq}"
    plot_timeseries(ts, args.output, title=title, freq=args.freq, weight=args.weight)
    _say(f"time series of {int(ts['events'].sum())} events -> {args.output}")
    return EXIT_OK


def cmd_plot_network(args: argparse.Namespace) -> int:
    from dyad.plots import _check_path, plot_network

    _check_path(args.output)
    filters = _filters(args)
    with _open_store(args.db) as store:
        g = store.network(betweenness=False, **_network_opts(args), **filters)
    title = args.title or f"{_selection_title(filters)} ({args.level} level, {args.weight})"
    plot_network(g, args.output, top=args.top, title=title)
    _say(f"network of {g.number_of_nodes()} nodes (top {args.top} drawn) -> {args.output}")
    return EXIT_OK


# ------------------------------------------------------------------------------ export etc.


def cmd_export(args: argparse.Namespace) -> int:
    table = "event_mentions" if args.table == "mentions" else args.table
    filters = _filters(args, mentions=table != "events") if table != "articles" else {}
    if table in ("articles", "rejects", "duplicates"):
        given = _filters(args)
        if given:
            raise UsageError(f"filters apply to events and mentions, not to {table}")
        filters = {}
    with _open_store(args.db) as store:
        n = store.export(args.output, args.format, table, overwrite=args.overwrite, **filters)
    _say(f"{n} {table.replace('_', ' ')} rows -> {args.output}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    with _open_store(args.db) as store:
        stats = store.stats()
        problems = store.check() if args.check else None
    if problems is not None:
        stats["problems"] = problems
    if args.json:
        print(json.dumps(stats, indent=2, ensure_ascii=False))
    else:
        out: IO[str] = sys.stdout
        for key, value in stats.items():
            if isinstance(value, dict):
                out.write(f"{key}:\n")
                for k, v in value.items():
                    out.write(f"  {k}: {v}\n")
            elif isinstance(value, list):
                out.write(f"{key}: {'none' if not value else ''}\n")
                for v in value:
                    out.write(f"  {v}\n")
            else:
                out.write(f"{key}: {value}\n")
    if problems:
        return 1
    return EXIT_OK


def cmd_migrate(args: argparse.Namespace) -> int:
    with _open_store(args.db, read_only=False) as store:
        version = store.schema_version
    _say(f"{args.db} is at store schema v{version}")
    return EXIT_OK


# ------------------------------------------------------------------------------ parser


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the store's subcommands to `dyad`'s subparsers."""
    sub = subparsers

    p = sub.add_parser(
        "ingest",
        help="code articles and store them in a DuckDB event store",
        description="Code text, JSONL, CSV, HTML pages, RSS/Atom feeds and WARC archives "
        "(files or folders; formats are sniffed) into the store. Inputs already stored are "
        "skipped, so re-running adds nothing and a run that was killed can simply be run "
        "again. Near-duplicates of stored articles count as extra sources of their events. "
        "Each batch is one transaction. See docs/ingest.md.",
    )
    p.add_argument(
        "inputs", nargs="*", metavar="INPUT", help="files, folders, URLs (--fetch); '-' is stdin"
    )
    _db(p)
    p.add_argument(
        "--from-parquet",
        default=None,
        metavar="DIR",
        help="store the output folder of `dyad batch` (manifest and Parquet partitions) "
        "instead of coding INPUTs; one transaction per partition, rerunning adds nothing",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=50,
        metavar="N",
        help="articles per transaction (default 50)",
    )
    add_read_arguments(p)
    d = p.add_argument_group("duplicates")
    d.add_argument(
        "--dedup-threshold",
        type=float,
        default=0.8,
        metavar="X",
        help="estimated shingle similarity (0-1) from which an article is a near-duplicate "
        "of a stored one (default 0.8)",
    )
    d.add_argument(
        "--no-near-duplicates",
        dest="near_duplicates",
        action="store_false",
        help="only identical texts are duplicates",
    )
    add_lexicon_arguments(p)
    p.add_argument("-v", "--verbose", action="store_true", help="one line per committed batch")
    common(p)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser(
        "recode",
        help="re-code the stored articles (after a lexicon change)",
        description="Re-code every stored article (or with --stale only those coded by "
        "another coder version) and replace their mentions; events follow.",
    )
    _db(p)
    p.add_argument(
        "--stale", action="store_true", help="only articles coded by another coder version"
    )
    p.add_argument("--batch-size", type=int, default=100, metavar="N", help="per transaction")
    add_lexicon_arguments(p)
    p.add_argument("-v", "--verbose", action="store_true", help="one line per batch")
    common(p)
    p.set_defaults(func=cmd_recode)

    p = sub.add_parser(
        "query",
        help="find events (or every mention) in the store",
        description="Aggregated events (one row per date+source+target+code+place) or, with "
        "--mentions, every coded event with its sentence. JSONL mentions are the same "
        "records `dyad code` writes.",
    )
    _db(p)
    p.add_argument("--mentions", action="store_true", help="every mention, not aggregated")
    _add_filters(p)
    _output(p, ["table", "csv", "jsonl", "parquet"])
    p.add_argument("--limit", type=int, default=None, help=f"at most N rows (table: {TABLE_LIMIT})")
    p.add_argument("--offset", type=int, default=0, help="skip the first N rows")
    p.add_argument(
        "--order",
        default="date",
        choices=["date", "-date", "mentions", "goldstein", "-goldstein", "article"],
        help="row order (default date)",
    )
    p.set_defaults(func=cmd_query)

    p = sub.add_parser(
        "timeseries",
        help="events per day/week/month by quad class, Goldstein, net cooperation",
        description="A time series for a dyad (--source A --target B [--both-directions]), an "
        "actor (--actor A) or any selection.",
    )
    _db(p)
    _add_filters(p)
    _ts_opts(p)
    _output(p, ["table", "csv", "jsonl", "parquet"])
    p.set_defaults(func=cmd_timeseries)

    p = sub.add_parser(
        "network",
        help="the directed weighted actor network with centrality",
        description="Nodes are countries (or full actor codes with --level code); edges "
        "carry events, mentions, quad counts and Goldstein. Export GraphML, GEXF or JSON.",
    )
    _db(p)
    _add_filters(p)
    _net_opts(p)
    p.add_argument("--top", type=int, default=20, help="table: nodes shown (default 20)")
    p.add_argument(
        "--betweenness", action="store_true", help="also betweenness (slow on large graphs)"
    )
    _output(p, ["table", "graphml", "gexf", "json"])
    p.set_defaults(func=cmd_network)

    p = sub.add_parser("dyads", help="the busiest dyads (source -> target)")
    _db(p)
    _add_filters(p)
    _net_opts(p)
    p.add_argument("-n", type=int, default=20, help="how many dyads (default 20)")
    p.add_argument("--undirected", action="store_true", help="count A->B and B->A together")
    _output(p, ["table", "csv", "jsonl", "parquet"])
    p.set_defaults(func=cmd_dyads)

    p = sub.add_parser("plot", help="draw a time series or a network to PNG/SVG/PDF")
    plot_sub = p.add_subparsers(dest="plot", metavar="WHAT")
    p.set_defaults(func=lambda a: _missing_plot(p))
    pt = plot_sub.add_parser("timeseries", help="cooperation/conflict bars and Goldstein")
    _db(pt)
    _add_filters(pt)
    _ts_opts(pt)
    pt.add_argument("-o", "--output", required=True, help="image file (.png, .svg, .pdf)")
    pt.add_argument("--title", default=None, help="plot title")
    pt.set_defaults(func=cmd_plot_timeseries)
    pn = plot_sub.add_parser("network", help="the actor network, top nodes by PageRank")
    _db(pn)
    _add_filters(pn)
    _net_opts(pn)
    pn.add_argument("--top", type=int, default=30, help="nodes drawn (default 30)")
    pn.add_argument("-o", "--output", required=True, help="image file (.png, .svg, .pdf)")
    pn.add_argument("--title", default=None, help="plot title")
    pn.set_defaults(func=cmd_plot_network)

    p = sub.add_parser(
        "export",
        help="export to Parquet (by month), CSV, JSONL or GDELT 2.0 TSV",
        description="parquet writes a folder partitioned by month (month=YYYY-MM/); gdelt "
        "writes GDELT 2.0's 61-column event TSV (no header) that GDELT tools read.",
    )
    _db(p)
    p.add_argument(
        "--format", required=True, choices=["parquet", "csv", "jsonl", "gdelt"], help="format"
    )
    p.add_argument("-o", "--output", required=True, help="output file (folder for parquet)")
    p.add_argument(
        "--table",
        default="events",
        choices=["events", "mentions", "articles", "rejects", "duplicates"],
        help="what to export (default events)",
    )
    p.add_argument("--overwrite", action="store_true", help="replace an existing output")
    _add_filters(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="what the store holds")
    _db(p)
    p.add_argument("--json", action="store_true", help="as JSON")
    p.add_argument(
        "--check", action="store_true", help="also check consistency (exit 1 on a problem)"
    )
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("migrate", help="upgrade a store file to this dyad's schema version")
    _db(p)
    p.set_defaults(func=cmd_migrate)


def _missing_plot(p: argparse.ArgumentParser) -> int:
    raise UsageError("dyad plot needs what to draw: `dyad plot timeseries` or `dyad plot network`")


def add_lexicon_arguments(p: argparse.ArgumentParser) -> None:
    """--actors and --patterns: the user dictionaries every coding command takes."""
    p.add_argument(
        "--actors",
        action="append",
        default=[],
        metavar="FILE",
        help="extra actor dictionary (YAML); repeatable",
    )
    p.add_argument(
        "--patterns",
        action="append",
        default=[],
        metavar="FILE",
        help="extra verb/noun pattern file (YAML); repeatable",
    )


def _ts_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--freq", choices=["day", "week", "month"], default="month", help="default month"
    )
    p.add_argument(
        "--weight",
        choices=["events", "mentions"],
        default="events",
        help="count events, or weight each by its mentions (default events)",
    )


def _net_opts(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--level",
        choices=["country", "code"],
        default="country",
        help="nodes: countries/organisations (default) or full actor codes",
    )
    p.add_argument(
        "--weight",
        choices=["events", "mentions"],
        default="events",
        help="edge weight (default events)",
    )
    p.add_argument("--min-events", type=int, default=1, help="drop edges with fewer events")
    p.add_argument("--self-loops", action="store_true", help="keep A -> A (domestic) events")
