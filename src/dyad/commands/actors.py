"""`dyad actors`: look up, browse, validate and import actor dictionaries.

    dyad actors lookup "TEXT" [--date D] [--actors FILE] [--json]
    dyad actors list [--kind K] [--grep STR] [--actors FILE] [--json]
    dyad actors validate FILE...
    dyad actors import-petrarch FILE... -o OUT.yaml

See docs/actors.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dyad.errors import LexiconError, UsageError

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
KINDS = ("countries", "regions", "places", "organisations", "people", "roles")


def register(
    subparsers: Any, common: Callable[[argparse.ArgumentParser], None]
) -> argparse.ArgumentParser:
    """Add `dyad actors ...` to the `dyad` parser."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "actors",
        help="look up, list, validate and import actor dictionaries",
        description="Work with dyad's actor knowledge: resolve the actors of a text, browse "
        "the built-in lexicon, validate your actor files, import PETRARCH/TABARI dictionaries.",
    )
    sub = parser.add_subparsers(dest="actors_command", metavar="SUBCOMMAND")
    parser.set_defaults(func=lambda _args: _usage(parser))

    def actor_files(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--actors",
            action="append",
            default=[],
            metavar="FILE",
            help="extra actor dictionary (YAML) loaded after the built-in one; repeatable",
        )

    p = sub.add_parser(
        "lookup",
        help="every actor mention of a text, as the coder resolves it",
        description="Resolve every actor mention of TEXT ('-' reads stdin) and print its "
        "code, country, character offsets and how it was resolved.",
    )
    p.add_argument("text", metavar="TEXT", help="the text; '-' reads it from stdin")
    p.add_argument(
        "--date", default=None, help="article date (YYYY-MM-DD): decides who held which office"
    )
    actor_files(p)
    p.add_argument("--json", action="store_true", help="print the mentions as JSON")
    common(p)
    p.set_defaults(func=cmd_lookup)

    p = sub.add_parser(
        "list",
        help="browse the actor lexicon",
        description="List the entries of the built-in actor lexicon (plus --actors files).",
    )
    p.add_argument("--kind", choices=KINDS, default=None, help="only this kind of entry")
    p.add_argument(
        "--grep",
        default=None,
        metavar="STR",
        help="only entries with STR in a name, alias, code or noun (case-insensitive)",
    )
    p.add_argument(
        "--date",
        default=None,
        help="show each person's code on this date (YYYY-MM-DD; default today)",
    )
    actor_files(p)
    p.add_argument("--json", action="store_true", help="print the entries as JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "validate",
        help="check actor files entry by entry",
        description="Check actor YAML files: every bad entry is reported with its file and "
        "entry; the exit status is 1 when any file has an error.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="actor files (YAML)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser(
        "import-petrarch",
        help="convert PETRARCH/TABARI actor and agent dictionaries to a dyad actor file",
        description="Read PETRARCH/TABARI dictionaries (actors, agents, discards; the kind is "
        "taken from the file name or content) and write one dyad actor file. Whatever cannot "
        "be carried over is reported as file:line warnings. See docs/actors.md.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="PETRARCH/TABARI dictionary files")
    p.add_argument("-o", "--output", default=None, help="the YAML file to write (default stdout)")
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 1 when anything could not be imported",
    )
    p.set_defaults(func=cmd_import_petrarch)
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _warn(message: str) -> None:
    print(f"dyad: warning: {message}", file=sys.stderr)


# ------------------------------------------------------------------------------ lookup


def cmd_lookup(args: argparse.Namespace) -> int:
    from dyad.pipeline import Coder, parse_date

    text = sys.stdin.read() if args.text == "-" else args.text
    day = parse_date(args.date, "--date") if args.date else None
    coder = Coder.load(model=args.model, actors=args.actors)
    mentions = coder.find_actors(text, day)
    rows = [
        {
            **m.actor.as_dict(),
            "kind": m.kind,
            "how": m.how,
            "coreferent": m.coreferent,
        }
        for m in mentions
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print("no actor mentions found", file=sys.stderr)
        return EXIT_OK
    table = [
        (f"{r['start']}-{r['end']}", r["text"], r["code"] or "?", r["country"] or "-", r["how"])
        for r in rows
    ]
    _print_table(("span", "text", "code", "country", "how resolved"), table)
    return EXIT_OK


def _print_table(header: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    widths[-1] = 0  # the last column is not padded
    for row in (header, *rows):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# ------------------------------------------------------------------------------ list


def _iter_entries(lex: Any, kinds: tuple[str, ...], day: dt.date) -> Iterator[dict[str, Any]]:
    if "countries" in kinds:
        for c in lex.countries:
            yield {
                "kind": "country",
                "code": c.code,
                "name": c.name,
                "names": list(c.names),
                "adjectives": list(c.adjectives),
                "demonyms": list(c.demonyms),
                "capitals": list(c.capitals),
                "seats": list(c.seats),
            }
    if "regions" in kinds:
        for r in lex.regions:
            yield {
                "kind": "region",
                "code": r.code,
                "name": r.names[0],
                "names": list(r.names[1:]),
                "adjectives": list(r.adjectives),
            }
    if "places" in kinds:
        for pl in lex.places:
            yield {
                "kind": "place",
                "code": pl.country,
                "name": pl.name,
                "aliases": list(pl.aliases),
                "place_kind": pl.kind,
            }
    if "organisations" in kinds:
        for o in lex.organisations:
            yield {
                "kind": "organisation",
                "code": o.code,
                "name": o.name,
                "aliases": list(o.aliases),
                "country": o.country,
                "org_kind": o.kind,
            }
    if "people" in kinds:
        for p in lex.people:
            yield {
                "kind": "person",
                "code": p.code_on(day),
                "name": p.name,
                "aliases": list(p.aliases),
                "country": p.country,
                "offices": [
                    {
                        "title": o.title,
                        "code": o.code,
                        "start": o.start.isoformat(),
                        "end": o.end.isoformat() if o.end else None,
                    }
                    for o in p.offices
                ],
            }
    if "roles" in kinds:
        for noun, role in sorted(lex.roles.items(), key=lambda kv: (kv[1], kv[0])):
            yield {"kind": "role", "code": role, "name": noun}


def _matches(entry: dict[str, Any], needle: str) -> bool:
    def strings(v: Any) -> Iterator[str]:
        if isinstance(v, str):
            yield v
        elif isinstance(v, list):
            for x in v:
                yield from strings(x)
        elif isinstance(v, dict):
            for x in v.values():
                yield from strings(x)

    return any(needle in s.lower() for k, v in entry.items() if k != "kind" for s in strings(v))


def _describe(e: dict[str, Any]) -> str:
    parts = []
    for key in ("names", "aliases", "adjectives", "demonyms", "capitals", "seats"):
        if e.get(key):
            parts.append(f"{key}: {', '.join(e[key])}")
    if e.get("org_kind"):
        parts.insert(0, e["org_kind"] + (f", {e['country']}" if e.get("country") else ""))
    if e.get("place_kind"):
        parts.insert(0, e["place_kind"])
    if e["kind"] == "person":
        offices = "; ".join(
            f"{o['title']} {o['code']} {o['start']}..{o['end'] or ''}" for o in e["offices"]
        )
        parts.insert(0, f"{e['country'] or '-'}; {offices}" if offices else e["country"] or "-")
    return " | ".join(parts)


def cmd_list(args: argparse.Namespace) -> int:
    from dyad.lexicon import builtin_lexicon, load_lexicon
    from dyad.pipeline import parse_date

    lex = load_lexicon(args.actors) if args.actors else builtin_lexicon()
    day = (parse_date(args.date, "--date") if args.date else None) or dt.date.today()
    kinds = (args.kind,) if args.kind else KINDS
    entries = list(_iter_entries(lex, kinds, day))
    if args.grep:
        needle = args.grep.lower()
        entries = [e for e in entries if _matches(e, needle)]
    if args.json:
        print(json.dumps(entries, indent=2, ensure_ascii=False))
    else:
        _print_table(
            ("kind", "code", "name", "details"),
            [(e["kind"], e["code"] or "?", e["name"], _describe(e)) for e in entries],
        )
    print(f"{len(entries)} entries", file=sys.stderr)
    return EXIT_OK


# ------------------------------------------------------------------------------ validate


def cmd_validate(args: argparse.Namespace) -> int:
    from dyad.lexicon import builtin_lexicon
    from dyad.lexicon.check import check_file

    builtin = builtin_lexicon()
    failed = 0
    for f in args.files:
        report = check_file(f, builtin)
        for p in report.problems:
            print(f"{report.path}: {p}", file=sys.stdout if p.level == "warning" else sys.stderr)
        if report.ok:
            held = ", ".join(f"{k} {v}" for k, v in report.counts.items()) or "no entries"
            print(f"{report.path}: ok ({held})")
        else:
            failed += 1
    if failed:
        print(f"dyad: {failed} of {len(args.files)} files have errors", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


# ------------------------------------------------------------------------------ import


def cmd_import_petrarch(args: argparse.Namespace) -> int:
    from dyad.lexicon import load_lexicon
    from dyad.lexicon.petrarch import import_petrarch

    result = import_petrarch(args.files)
    for w in result.warnings:
        _warn(str(w))
    if not result.document():
        raise LexiconError("nothing importable in " + ", ".join(args.files))
    text = result.to_yaml()
    if args.output in (None, "-"):
        sys.stdout.write(text)
    else:
        out = Path(args.output)
        try:
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{out}: cannot write output ({exc.strerror})") from None
        load_lexicon([out])  # the file must load as it is written
    kinds = ", ".join(f"{Path(p).name}: {k}" for p, k in result.files)
    print(
        f"dyad: {result.summary()} ({kinds})"
        + (f" -> {args.output}" if args.output not in (None, "-") else ""),
        file=sys.stderr,
    )
    return EXIT_ERROR if args.strict and result.warnings else EXIT_OK
