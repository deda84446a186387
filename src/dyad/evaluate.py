"""Gold formats and metrics for `dyad eval`.

Formats: ``plv`` (PLV TSV with marked source/target spans and a PLOVER-style root),
``conflibert-class`` (sentence -> statement or quad class), ``conflibert-ner`` (CoNLL BIO
source/target/reciprocal spans), ``petrarch`` (PETRARCH unit-test records, JSONL or the
original XML) and ``dyad`` (our own JSONL: an article and its expected events).

Readers validate the whole file before anything is coded: a gold file with missing columns
or broken lines raises GoldFormatError naming the file, the line and what is wrong, so a
partial report is never presented as complete. See docs/eval.md for the metrics.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dyad.errors import GoldFormatError
from dyad.lexicon import ROLE_CODES
from dyad.ontology import penta_class
from dyad.records import Article, Event

FORMATS = ("plv", "conflibert-class", "conflibert-ner", "petrarch", "dyad")

# PLV's 15 categories by CAMEO root (dev README): 02 and 10 are REQUEST, 09 and 11 ACCUSE,
# 18-20 ASSAULT. CAMEO 01 (public statement) has no PLV category.
PLV_BY_ROOT = {
    "02": "REQUEST",
    "03": "AGREE",
    "04": "CONSULT",
    "05": "SUPPORT",
    "06": "COOPERATE",
    "07": "AID",
    "08": "YIELD",
    "09": "ACCUSE",
    "10": "REQUEST",
    "11": "ACCUSE",
    "12": "REJECT",
    "13": "THREATEN",
    "14": "PROTEST",
    "15": "MOBILIZE",
    "16": "SANCTION",
    "17": "COERCE",
    "18": "ASSAULT",
    "19": "ASSAULT",
    "20": "ASSAULT",
    "01": "STATEMENT",
}
PLV_LABELS = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "COOPERATE",
    "AID",
    "YIELD",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "MOBILIZE",
    "SANCTION",
    "COERCE",
    "ASSAULT",
)
NONE = "-"  # no event matched


def _fail(path: Path | str, line: int | None, what: str) -> GoldFormatError:
    where = f"{path}:{line}" if line is not None else f"{path}"
    return GoldFormatError(f"{where}: {what}")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# ============================================================================= readers


@dataclass(frozen=True)
class PlvPair:
    line: int
    text: str
    source_spans: tuple[tuple[int, int], ...]  # empty: implicit ("An actor")
    target_spans: tuple[tuple[int, int], ...]
    label: str
    quad: int


_TAG_RE = re.compile(r"</?[st]>")


def strip_marks(marked: str) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """Remove <s>/<t> tags; return the plain text and the source and target spans."""
    out: list[str] = []
    pos = 0
    open_at: dict[str, list[int]] = {"s": [], "t": []}
    spans: dict[str, list[tuple[int, int]]] = {"s": [], "t": []}
    i = 0
    for m in _TAG_RE.finditer(marked):
        chunk = marked[i : m.start()]
        out.append(chunk)
        pos += len(chunk)
        tag = m.group()
        kind = tag.strip("</>")
        if tag.startswith("</"):
            if not open_at[kind]:
                raise ValueError(f"closing {tag} without an opening tag")
            start = open_at[kind].pop()
            spans[kind].append((start, pos))
        else:
            open_at[kind].append(pos)
        i = m.end()
    out.append(marked[i:])
    if open_at["s"] or open_at["t"]:
        raise ValueError("a <s> or <t> tag is never closed")
    text = "".join(out)

    def trim(span: tuple[int, int]) -> tuple[int, int]:
        s, e = span
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        return s, e

    return (
        text,
        [trim(s) for s in spans["s"] if trim(s)[0] < trim(s)[1]],
        [trim(t) for t in spans["t"] if trim(t)[0] < trim(t)[1]],
    )


def read_plv(path: Path) -> list[PlvPair]:
    required = ("sentence", "marked_sentence", "source", "target", "gold_root", "gold_penta")
    text = _read_text(path)
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        raise _fail(path, None, "empty file")
    header = rows[0]
    missing = [c for c in required if c not in header]
    if missing:
        raise _fail(
            path, 1, f"missing column(s) {', '.join(missing)} (a PLV TSV has {', '.join(required)})"
        )
    col = {name: header.index(name) for name in required}
    pairs = []
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise _fail(path, n, f"{len(row)} columns where the header has {len(header)}")
        label = row[col["gold_root"]].strip()
        if label not in PLV_LABELS:
            raise _fail(path, n, f"gold_root {label!r} is not one of the 15 PLV categories")
        try:
            quad = int(row[col["gold_penta"]])
        except ValueError:
            raise _fail(path, n, f"gold_penta {row[col['gold_penta']]!r} is not 1-4") from None
        try:
            plain, src, tgt = strip_marks(row[col["marked_sentence"]])
        except ValueError as exc:
            raise _fail(path, n, f"marked_sentence: {exc}") from None
        sentence = row[col["sentence"]]
        if plain.strip() != sentence.strip():
            # marked text that differs from the sentence: locate the marked spans by text
            src = _relocate(src, plain, sentence)
            tgt = _relocate(tgt, plain, sentence)
        if not src:
            src = _find_named(sentence, row[col["source"]], "An actor")
        if not tgt:
            tgt = _find_named(sentence, row[col["target"]], "a recipient")
        pairs.append(PlvPair(n, sentence, tuple(src), tuple(tgt), label, quad))
    return pairs


def _relocate(spans: list[tuple[int, int]], plain: str, sentence: str) -> list[tuple[int, int]]:
    out = []
    for s, e in spans:
        k = sentence.find(plain[s:e])
        if k >= 0:
            out.append((k, k + e - s))
    return out


def _find_named(sentence: str, name: str, placeholder: str) -> list[tuple[int, int]]:
    name = name.strip()
    if not name or name == placeholder:
        return []
    k = sentence.find(name)
    return [(k, k + len(name))] if k >= 0 else []


@dataclass(frozen=True)
class ClassItem:
    line: int
    text: str
    label: int  # 0 statement, 1-4 quad class


def read_conflibert_class(path: Path) -> list[ClassItem]:
    items = []
    for n, raw in enumerate(_read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        parts = raw.rsplit("\t", 1)
        if len(parts) != 2:
            raise _fail(path, n, "expected 'sentence<TAB>label'")
        label = parts[1].strip()
        if label not in ("0", "1", "2", "3", "4"):
            raise _fail(path, n, f"label {label!r} is not 0-4")
        items.append(ClassItem(n, parts[0], int(label)))
    if not items:
        raise _fail(path, None, "no sentences")
    return items


@dataclass(frozen=True)
class NerItem:
    line: int  # line of the first token
    text: str
    spans: dict[str, tuple[tuple[int, int], ...]]  # S, T, R -> character spans in text


_NO_SPACE_BEFORE = frozenset(", . ; : ! ? % ) ] } 's ' n't 're 've 'll 'd 'm ’s ʼs ” ’".split())
_NO_SPACE_AFTER = frozenset("( [ { $ “ ‘".split())


_CONTRACTIONS = frozenset("s t re ve ll d m".split())


def _inner_hyphen(tokens: list[str], i: int) -> bool:
    """Token i is a '-' between two words ("Iran - backed")."""
    return (
        tokens[i] == "-"
        and 0 < i < len(tokens) - 1
        and tokens[i - 1][-1:].isalnum()
        and tokens[i + 1][:1].isalnum()
    )


def _split_word(tokens: list[str], i: int) -> bool:
    """Whether tokens[i - 1] and tokens[i] were one written word before tokenizing.

    The ConfliBERT class file holds the NER file's sentences untokenized: "EU ’ s" was
    "EU’s", "Iran - backed" "Iran-backed", "20 , 000" "20,000" and "1 . 5" "1.5".
    """
    prev, tok = tokens[i - 1], tokens[i]
    if prev in ("’", "'") and tok.lower() in _CONTRACTIONS:
        return True
    if _inner_hyphen(tokens, i) or _inner_hyphen(tokens, i - 1):
        return True
    if prev in (",", ".") and i >= 2 and tokens[i - 2].isdigit() and tok.isdigit():
        return prev == "." or len(tok) == 3
    return False


def detokenize(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Join tokens into plain text (no space before punctuation); token offsets too."""
    parts: list[str] = []
    offsets = []
    pos = 0
    prev = ""
    for i, tok in enumerate(tokens):
        space = i > 0 and tok not in _NO_SPACE_BEFORE and prev not in _NO_SPACE_AFTER
        if space and _split_word(tokens, i):
            space = False
        if space:
            parts.append(" ")
            pos += 1
        offsets.append((pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok)
        prev = tok
    return "".join(parts), offsets


def read_conflibert_ner(path: Path) -> list[NerItem]:
    items: list[NerItem] = []
    tokens: list[str] = []
    tags: list[str] = []
    first = 0

    def flush() -> None:
        if not tokens:
            return
        text, offs = detokenize(tokens)
        spans: dict[str, list[tuple[int, int]]] = {"S": [], "T": [], "R": []}
        cur: list[Any] | None = None
        for (s, e), tag in zip(offs, tags, strict=True):
            if tag.startswith("B-") or (
                tag.startswith("I-") and (cur is None or cur[0] != tag[2:])
            ):
                if cur:
                    spans[cur[0]].append((cur[1], cur[2]))
                cur = [tag[2:], s, e]
            elif tag.startswith("I-") and cur is not None:
                cur[2] = e
            else:
                if cur:
                    spans[cur[0]].append((cur[1], cur[2]))
                cur = None
        if cur:
            spans[cur[0]].append((cur[1], cur[2]))
        items.append(NerItem(first, text, {k: tuple(v) for k, v in spans.items()}))

    for n, raw in enumerate(_read_text(path).splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            tokens, tags = [], []
            continue
        parts = line.rsplit(None, 1)
        if len(parts) != 2:
            raise _fail(path, n, "expected 'token TAG'")
        tok, tag = parts
        if tag != "O" and not re.fullmatch(r"[BI]-[STR]", tag):
            raise _fail(path, n, f"tag {tag!r} is not O, B-/I- with S, T or R")
        if not tokens:
            first = n
        tokens.append(tok)
        tags.append(tag)
    flush()
    if not items:
        raise _fail(path, None, "no sentences")
    return items


@dataclass(frozen=True)
class TripleRecord:
    """A record scored on its set of (source, target, code) triples: petrarch and dyad gold."""

    line: int
    id: str
    text: str
    date: dt.date | None
    expected: frozenset[tuple[str, str, str]]
    noevents: bool = False
    skip: bool = False
    sentences: tuple[str, ...] = ()


def read_petrarch(path: Path) -> list[TripleRecord]:
    text = _read_text(path)
    if text.lstrip().startswith("<"):
        return _read_petrarch_xml(path, text)
    records = []
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _fail(path, n, f"not JSON ({exc.msg})") from None
        for key in ("id", "text", "expected"):
            if key not in rec:
                raise _fail(path, n, f"record has no {key!r}")
        flags = rec.get("flags") or {}
        expected = set()
        for e in rec["expected"]:
            try:
                expected.add((str(e["source"]), str(e["target"]), str(e["code"])))
            except (KeyError, TypeError):
                raise _fail(path, n, "each expected event needs source, target and code") from None
        records.append(
            TripleRecord(
                n,
                str(rec["id"]),
                rec["text"],
                _ymd(rec.get("date"), path, n),
                frozenset(expected),
                noevents=bool(flags.get("noevents")),
                skip=bool(flags.get("skip") or flags.get("error") or flags.get("discard")),
            )
        )
    return records


_SENT_RE = re.compile(r"<Sentence\b([^>]*)>(.*?)</Sentence>", re.S)
_ATTR_RE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def _read_petrarch_xml(path: Path, text: str) -> list[TripleRecord]:
    records = []
    for m in _SENT_RE.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        attrs = dict(_ATTR_RE.findall(m.group(1)))
        body = m.group(2)
        t = re.search(r"<Text>(.*?)</Text>", body, re.S)
        if t is None or "id" not in attrs:
            raise _fail(path, line, "a <Sentence> needs an id and a <Text>")
        expected = set()
        noevents = False
        for ec in re.finditer(r"<EventCoding\b([^>]*)/?>", body):
            a = dict(_ATTR_RE.findall(ec.group(1)))
            if a.get("noevents", "").lower() == "true":
                noevents = True
            elif "eventtext" in a:
                expected.add((a.get("sourcecode", ""), a.get("targetcode", ""), a["eventtext"]))
        records.append(
            TripleRecord(
                line,
                attrs["id"],
                " ".join(t.group(1).split()),
                _ymd(attrs.get("date"), path, line),
                frozenset(expected),
                noevents=noevents,
                skip=attrs.get("skip", "").lower() == "true",
            )
        )
    if not records:
        raise _fail(path, None, "no <Sentence> records found")
    return records


def read_dyad_gold(path: Path) -> list[TripleRecord]:
    """Our gold format, one article per line:
    {"id", "text", "date", "events": [{"source", "target" (or null), "code", "sentence"?}]}"""
    records = []
    for n, raw in enumerate(_read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            rec = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _fail(path, n, f"not JSON ({exc.msg})") from None
        if not isinstance(rec, dict):
            raise _fail(path, n, "a gold record must be an object")
        for key in ("id", "text", "events"):
            if key not in rec:
                raise _fail(path, n, f"record has no {key!r}")
        expected = set()
        for k, e in enumerate(rec["events"]):
            if not isinstance(e, dict) or "source" not in e or "code" not in e:
                raise _fail(path, n, f"events[{k}] needs at least source and code")
            expected.add((str(e["source"]), str(e.get("target") or ""), str(e["code"])))
        records.append(
            TripleRecord(
                n, str(rec["id"]), rec["text"], _ymd(rec.get("date"), path, n), frozenset(expected)
            )
        )
    if not records:
        raise _fail(path, None, "no records")
    return records


def _ymd(value: Any, path: Path, line: int) -> dt.date | None:
    from dyad.pipeline import parse_date

    try:
        return parse_date(value)
    except Exception:
        raise _fail(path, line, f"date {value!r} is not a date") from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise GoldFormatError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise GoldFormatError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except IsADirectoryError:
        raise GoldFormatError(f"{path}: is a folder, not a gold file") from None


# ============================================================================= metrics


@dataclass
class Report:
    """Metrics plus a confusion table and the error list; .text() and .as_dict()."""

    gold: str
    format: str
    n: int
    metrics: dict[str, float] = field(default_factory=dict)
    per_label: dict[str, dict[str, float]] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "format": self.format,
            "n": self.n,
            "metrics": self.metrics,
            "per_label": self.per_label,
            "confusion": self.confusion,
            "errors": self.errors,
            "notes": self.notes,
        }

    def text(self) -> str:
        out = [f"dyad eval: {self.gold} ({self.format}, {self.n} items)", ""]
        width = max((len(k) for k in self.metrics), default=10)
        for k, v in self.metrics.items():
            out.append(
                f"  {k:<{width}}  {v:.3f}" if isinstance(v, float) else f"  {k:<{width}}  {v}"
            )
        if self.per_label:
            out += ["", "  per label:       gold  coded  precision  recall     f1"]
            for label, m in self.per_label.items():
                out.append(
                    f"  {label:<14} {int(m['gold']):>6} {int(m['coded']):>6}"
                    f"  {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f}"
                )
        if self.confusion:
            cols = sorted(
                {c for row in self.confusion.values() for c in row}, key=lambda c: (c == NONE, c)
            )
            out += ["", "  confusion (rows: gold, columns: coded; '-' = no matching event):"]
            abbrev = {c: c[:5] for c in cols}
            out.append("  " + " " * 11 + "".join(f"{abbrev[c]:>6}" for c in cols))
            for g, row in self.confusion.items():
                out.append(f"  {g[:10]:<11}" + "".join(f"{row.get(c, 0) or '.':>6}" for c in cols))
        for note in self.notes:
            out += ["", f"  note: {note}"]
        if self.errors:
            out += ["", f"  errors ({len(self.errors)} shown):"]
            for e in self.errors:
                out.append(f"  - [{e['kind']}] {e['where']}: {e['text']}")
                out.append(f"      expected: {e['expected']}")
                out.append(f"      coded:    {e['coded']}")
        return "\n".join(out) + "\n"


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return round(p, 4), round(r, 4), round(f, 4)


def _describe(events: Iterable[Event]) -> str:
    parts = [
        f"{e.source.text!r}[{e.source.code}] {e.event_code} "
        f"{(repr(e.target.text) + '[' + str(e.target.code) + ']') if e.target else '-'}"
        for e in events
    ]
    return "; ".join(parts) or "(nothing)"


CodeFn = Callable[[list[Article]], Iterator[tuple[Article, list[Event]]]]


def _code_all(code: CodeFn, texts: list[tuple[str, str, dt.date | None]]) -> dict[str, list[Event]]:
    """Code each distinct text once; events by text id."""
    articles = [Article(id=i, text=t, date=d) for i, t, d in texts]
    return {a.id: evs for a, evs in code(articles)}


def eval_plv(pairs: list[PlvPair], code: CodeFn, n_errors: int) -> Report:
    texts: dict[str, str] = {}
    for p in pairs:
        texts.setdefault(p.text, f"s{len(texts)}")
    events = _code_all(code, [(i, t, None) for t, i in texts.items()])
    matched = correct = quad_ok = 0
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    errors: list[dict[str, Any]] = []
    for p in pairs:
        evs = events[texts[p.text]]
        hits = [e for e in evs if _pair_matches(e, p)]
        coded = NONE
        if hits:
            best = max(hits, key=lambda e: e.confidence)
            coded = PLV_BY_ROOT.get(best.root_code, NONE)
            matched += 1
            correct += coded == p.label
            quad_ok += best.quad_class == p.quad
        confusion[p.label][coded] += 1
        if coded != p.label:
            errors.append(
                {
                    "kind": "missed" if coded == NONE else "wrong root",
                    "where": f"line {p.line}",
                    "text": p.text,
                    "expected": f"{p.label}: "
                    + " / ".join([p.text[s:e] for s, e in p.source_spans[:1]] or ["(implicit)"])
                    + " -> "
                    + " / ".join([p.text[s:e] for s, e in p.target_spans[:1]] or ["(implicit)"]),
                    "coded": (coded + ": " if coded != NONE else "") + _describe(evs),
                }
            )
    n = len(pairs)
    report = Report("", "plv", n)
    report.metrics = {
        "pair recall": round(matched / n, 4),
        "root accuracy (all pairs)": round(correct / n, 4),
        "root accuracy (matched)": round(correct / matched, 4) if matched else 0.0,
        "quad accuracy (matched)": round(quad_ok / matched, 4) if matched else 0.0,
        "events per sentence": round(sum(len(v) for v in events.values()) / max(1, len(texts)), 3),
    }
    for label in PLV_LABELS:
        gold_n = sum(confusion[label].values())
        tp = confusion[label][label]
        coded_n = sum(confusion[g][label] for g in confusion)
        p_, r_, f_ = _prf(tp, coded_n, gold_n)
        report.per_label[label] = {
            "gold": gold_n,
            "coded": coded_n,
            "precision": p_,
            "recall": r_,
            "f1": f_,
        }
    report.confusion = {g: dict(confusion[g]) for g in PLV_LABELS if g in confusion}
    report.errors = _pick_errors(errors, n_errors)
    return report


def _pair_matches(e: Event, p: PlvPair) -> bool:
    src = (e.source.start, e.source.end)
    if p.source_spans and not any(_overlaps(src, s) for s in p.source_spans):
        return False
    if not p.target_spans:
        return True
    if e.target is None:
        return False
    tgt = (e.target.start, e.target.end)
    return any(_overlaps(tgt, t) for t in p.target_spans)


def _pick_errors(errors: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    """Wrong codes first (they show lexicon problems), then misses; file order within."""
    if n <= 0:
        return []
    ordered = [e for e in errors if e["kind"] != "missed"] + [
        e for e in errors if e["kind"] == "missed"
    ]
    return ordered[:n]


def sentence_class(events: list[Event]) -> int:
    """The class of a sentence from its events: 0 = statement (root 01), else the quad
    class of its main event (highest in the parse, then most confident); a sentence with
    no event is a statement. `Coder.sentence_class` also reads actions without actors."""
    if not events:
        return 0
    best = min(events, key=lambda e: (e.depth, -e.confidence, e.trigger.start))
    return penta_class(best.root_code)


ClassifyFn = Callable[[str], tuple[int, list[Event]]]


def eval_class(
    items: list[ClassItem],
    code: CodeFn,
    n_errors: int,
    classify: ClassifyFn | None = None,
) -> Report:
    if classify is None:
        coded = _code_all(code, [(f"c{k}", it.text, None) for k, it in enumerate(items)])
        results = {key: (sentence_class(evs), evs) for key, evs in coded.items()}
    else:
        results = {f"c{k}": classify(it.text) for k, it in enumerate(items)}
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    errors = []
    ok = 0
    for k, it in enumerate(items):
        pred, evs = results[f"c{k}"]
        confusion[str(it.label)][str(pred)] += 1
        if pred == it.label:
            ok += 1
        else:
            errors.append(
                {
                    "kind": f"{it.label} coded {pred}",
                    "where": f"line {it.line}",
                    "text": it.text,
                    "expected": f"class {it.label}",
                    "coded": f"class {pred}: {_describe(evs)}",
                }
            )
    labels = ["0", "1", "2", "3", "4"]
    report = Report("", "conflibert-class", len(items))
    f1s = []
    for label in labels:
        gold_n = sum(confusion[label].values())
        tp = confusion[label][label]
        coded_n = sum(confusion[g][label] for g in confusion)
        p_, r_, f_ = _prf(tp, coded_n, gold_n)
        f1s.append(f_)
        report.per_label[label] = {
            "gold": gold_n,
            "coded": coded_n,
            "precision": p_,
            "recall": r_,
            "f1": f_,
        }
    report.metrics = {
        "accuracy": round(ok / len(items), 4),
        "macro f1": round(sum(f1s) / len(f1s), 4),
    }
    report.confusion = {g: dict(confusion[g]) for g in labels if g in confusion}
    report.errors = errors[: max(0, n_errors)]
    report.notes.append(
        "classes: 0 statement, 1 verbal cooperation, 2 material cooperation, "
        "3 verbal conflict, 4 material conflict"
    )
    return report


def eval_ner(items: list[NerItem], code: CodeFn, n_errors: int) -> Report:
    events = _code_all(code, [(f"n{k}", it.text, None) for k, it in enumerate(items)])
    counts = {side: Counter[str]() for side in ("source", "target")}
    errors = []
    for k, it in enumerate(items):
        evs = events[f"n{k}"]
        pred = {
            "source": {(e.source.start, e.source.end) for e in evs},
            "target": {(e.target.start, e.target.end) for e in evs if e.target},
        }
        gold = {
            "source": set(it.spans["S"]) | set(it.spans["R"]),
            "target": set(it.spans["T"]) | set(it.spans["R"]),
        }
        missed = []
        for side in ("source", "target"):
            c = counts[side]
            c["gold"] += len(gold[side])
            c["found"] += sum(1 for g in gold[side] if any(_overlaps(g, p) for p in pred[side]))
            c["coded"] += len(pred[side])
            c["right"] += sum(1 for p in pred[side] if any(_overlaps(g, p) for g in gold[side]))
            missed += [
                f"{side} {it.text[s:e]!r}"
                for s, e in gold[side]
                if not any(_overlaps((s, e), p) for p in pred[side])
            ]
        if missed:
            errors.append(
                {
                    "kind": "missed span",
                    "where": f"line {it.line}",
                    "text": it.text,
                    "expected": ", ".join(missed),
                    "coded": _describe(evs),
                }
            )
    report = Report("", "conflibert-ner", len(items))
    for side in ("source", "target"):
        c = counts[side]
        p_, _r, _f = _prf(c["right"], c["coded"], c["gold"])
        report.metrics[f"{side} recall"] = round(c["found"] / c["gold"], 4) if c["gold"] else 0.0
        report.metrics[f"{side} precision"] = p_
    report.notes.append(
        "a span is found when a coded actor of that side overlaps it; "
        "reciprocal (R) spans count for either side"
    )
    report.errors = errors[: max(0, n_errors)]
    return report


def eval_triples(
    records: list[TripleRecord],
    code: CodeFn,
    n_errors: int,
    fmt: str,
    code_map: Callable[[str | None], str] = lambda c: c or "",
) -> Report:
    use = [r for r in records if not r.skip]
    events = _code_all(code, [(f"r{k}", r.text, r.date) for k, r in enumerate(use)])
    passed = 0
    tp = n_pred = n_gold = 0
    root_tp = 0
    loose_tp = 0
    per_root: dict[str, Counter[str]] = defaultdict(Counter)
    errors = []
    for k, r in enumerate(use):
        evs = events[f"r{k}"]
        got = {
            (code_map(e.source.code), code_map(e.target.code if e.target else None), e.event_code)
            for e in evs
        }
        exp = set(r.expected)
        ok = (not got) if r.noevents else got == exp
        passed += ok
        tp += len(got & exp)
        root_tp += len({(s, t, c[:2]) for s, t, c in got} & {(s, t, c[:2]) for s, t, c in exp})
        loose_tp += len(_loose(got) & _loose(exp))
        n_pred += len(got)
        n_gold += len(exp)
        for s, t, c in exp:
            per_root[c[:2]]["gold"] += 1
            per_root[c[:2]]["tp"] += (s, t, c) in got
        for _s, _t, c in got:
            per_root[c[:2]]["coded"] += 1
        if not ok:
            errors.append(
                {
                    "kind": "fail",
                    "where": f"{r.id} (line {r.line})",
                    "text": r.text,
                    "expected": "no events"
                    if r.noevents
                    else "; ".join(f"{s} {c} {t}" for s, t, c in sorted(exp)),
                    "coded": "; ".join(f"{s} {c} {t}" for s, t, c in sorted(got)) or "(nothing)",
                }
            )
    report = Report("", fmt, len(use))
    p_, r_, f_ = _prf(tp, n_pred, n_gold)
    rp, rr, _rf = _prf(root_tp, n_pred, n_gold)
    lp, lr, _lf = _prf(loose_tp, n_pred, n_gold)
    report.metrics = {
        "records passed": round(passed / len(use), 4) if use else 0.0,
        "event precision": p_,
        "event recall": r_,
        "event f1": f_,
        "root-level precision": rp,
        "root-level recall": rr,
        "root+country precision": lp,
        "root+country recall": lr,
    }
    for root in sorted(per_root):
        tally = per_root[root]
        pp, rr_, ff = _prf(tally["tp"], tally["coded"], tally["gold"])
        report.per_label[root] = {
            "gold": tally["gold"],
            "coded": tally["coded"],
            "precision": pp,
            "recall": rr_,
            "f1": ff,
        }
    skipped = len(records) - len(use)
    if skipped:
        report.notes.append(f"{skipped} records flagged skip/error/discard were not scored")
    report.errors = errors[: max(0, n_errors)]
    return report


def petrarch_code(code: str | None) -> str:
    """An actor code written as PETRARCH writes it: no actor is '---', an actor with a
    role but no country is '---' + role ('---GOV')."""
    if not code:
        return "---"
    return "---" + code if code[:3] in ROLE_CODES else code


def _loose(triples: Iterable[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """Triples at root level with actors cut to their first segment (RUSGOV -> RUS)."""
    return {(s[:3], t[:3], c[:2]) for s, t, c in triples}


def evaluate(
    path: str | Path,
    fmt: str,
    code: CodeFn,
    n_errors: int = 0,
    code_map: Callable[[str | None], str] | None = None,
    classify: ClassifyFn | None = None,
) -> Report:
    """Read and validate ``path`` in format ``fmt``, code it with ``code``, score it."""
    p = Path(path)
    if fmt not in FORMATS:
        raise GoldFormatError(f"unknown gold format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "plv":
        report = eval_plv(read_plv(p), code, n_errors)
    elif fmt == "conflibert-class":
        report = eval_class(read_conflibert_class(p), code, n_errors, classify)
    elif fmt == "conflibert-ner":
        report = eval_ner(read_conflibert_ner(p), code, n_errors)
    elif fmt == "petrarch":
        report = eval_triples(read_petrarch(p), code, n_errors, fmt, code_map or petrarch_code)
    else:
        report = eval_triples(
            read_dyad_gold(p), code, n_errors, fmt, code_map or (lambda c: c or "")
        )
    report.gold = str(p)
    return report
