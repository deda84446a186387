"""Near-duplicate articles: MinHash signatures of word shingles and LSH bands.

The same wire story republished by many outlets should count as more sources of the same
events, not as new events. Every stored article gets a signature (NUM_PERM MinHash values
of its word 5-gram shingles) and BANDS band hashes (ROWS values each) in the store
(``article_signatures``, ``signature_bands``). A new text is compared with the stored
articles that share at least one band with it (LSH: a pair with Jaccard similarity 0.8 is
found with probability 0.998, one with 0.5 with 0.27); when the estimated similarity of
the best one reaches the threshold (default 0.8), the new input is a **duplicate** of it:
not coded, stored in ``duplicates``, and counted as one more article and source of its
events (see docs/ingest.md).

Memory stays bounded: the index lives in the store; in memory are only the decisions not
committed yet. Texts with fewer than MIN_WORDS words get no signature (short texts are too
alike by chance); exact copies are found by their content hash whatever their length.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dyad.records import Article
from dyad.store.write import Duplicate, content_hash, duplicate_key

SHINGLE = 5
NUM_PERM = 120
BANDS = 20
ROWS = 6
MIN_WORDS = 25
DEFAULT_THRESHOLD = 0.8
PRIME = 4294967291  # the largest prime below 2**32
PARAMS = f"minhash-1 words={SHINGLE} perm={NUM_PERM} bands={BANDS}x{ROWS} min_words={MIN_WORDS}"

_WORD = re.compile(r"\w+")
_CHUNK = 4096  # shingles hashed at a time (bounds memory for huge texts)


def _coefficients() -> tuple[np.ndarray, np.ndarray]:
    """The permutations' (a, b), fixed forever: derived from SHA-256, not a random stream."""
    a, b = [], []
    for i in range(NUM_PERM):
        da = hashlib.sha256(f"dyad-minhash-a-{i}".encode()).digest()
        db = hashlib.sha256(f"dyad-minhash-b-{i}".encode()).digest()
        a.append(int.from_bytes(da[:8], "big") % (PRIME - 1) + 1)
        b.append(int.from_bytes(db[:8], "big") % PRIME)
    return np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64)


_A, _B = _coefficients()


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def shingles(tokens: Sequence[str], k: int = SHINGLE) -> np.ndarray:
    """The distinct 32-bit hashes of a text's word k-grams."""
    if len(tokens) < k:
        grams = [" ".join(tokens)] if tokens else []
    else:
        grams = [" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)]
    return np.unique(np.fromiter((zlib.crc32(g.encode()) for g in grams), dtype=np.uint64))


def minhash(text: str) -> np.ndarray | None:
    """A text's MinHash signature (NUM_PERM uint32), or None below MIN_WORDS words."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return None
    x = shingles(tokens) % np.uint64(PRIME)
    sig = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    for start in range(0, len(x), _CHUNK):
        part = x[start : start + _CHUNK]
        # a < 2**32 and x < 2**32, so a*x + b stays below 2**64
        hashed = (_A[:, None] * part[None, :] + _B[:, None]) % np.uint64(PRIME)
        np.minimum(sig, hashed.min(axis=1), out=sig)
    return sig.astype(np.uint32)


def band_hashes(sig: np.ndarray) -> list[int]:
    """The signature's LSH band hashes (signed 64-bit, as DuckDB BIGINT stores them)."""
    out = []
    for i in range(BANDS):
        chunk = sig[i * ROWS : (i + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([i]) + chunk, digest_size=8).digest()
        out.append(int.from_bytes(digest, "big", signed=True))
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """The estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def to_bytes(sig: np.ndarray) -> bytes:
    return sig.astype("<u4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<u4").astype(np.uint32)


def signature_rows(article_id: str, text: str) -> tuple[str, bytes, list[int]] | None:
    """What the store keeps for an article: (article_id, minhash bytes, band hashes)."""
    sig = minhash(text)
    if sig is None:
        return None
    return article_id, to_bytes(sig), band_hashes(sig)


# ---------------------------------------------------------------------- decisions


@dataclass
class Verdict:
    """What to do with one article: code it (``new``), skip it (``already``: this input is
    stored), or store it as a ``duplicate`` of a stored or pending article."""

    kind: str  # "new" | "already" | "duplicate"
    article_id: str  # its content hash
    duplicate: Duplicate | None = None
    original_external_id: str | None = None
    signature: tuple[str, bytes, list[int]] | None = None


@dataclass
class _Pending:
    """Decisions made in this run and not committed yet (their rows are not in the store)."""

    originals: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    signatures: dict[str, np.ndarray] = field(default_factory=dict)
    bands: dict[int, set[str]] = field(default_factory=dict)
    duplicates: set[str] = field(default_factory=set)


class Deduplicator:
    """Decides, article by article and in input order, whether a text is new, an input
    stored before (a rerun), or a duplicate of an article stored or about to be stored.

    ``store`` is a dyad Store (or anything with its four look-ups: original_inputs,
    stored_duplicate_ids, signature_candidates, and nothing else). Decisions depend only on
    what was decided before in input order, so a run that is killed and run again decides
    exactly as an uninterrupted run.
    """

    def __init__(self, store: Any, *, threshold: float = DEFAULT_THRESHOLD, near: bool = True):
        if not 0.0 < threshold <= 1.0:
            raise ValueError("the near-duplicate threshold must be in (0, 1]")
        self.store = store
        self.threshold = threshold
        self.near = near
        self.pending = _Pending()

    # -------------------------------------------------------------- deciding

    def decide(self, articles: Sequence[Article]) -> list[Verdict]:
        """Verdicts for a chunk of articles (the store is asked once per chunk)."""
        hashes = [content_hash(a.text) for a in articles]
        dup_ids = [duplicate_key(h, a.id, a.url) for h, a in zip(hashes, articles, strict=True)]
        stored = self.store.original_inputs(hashes)
        stored_dups = self.store.stored_duplicate_ids(dup_ids)
        sigs: list[np.ndarray | None] = [minhash(a.text) for a in articles]
        bands: list[list[int]] = [band_hashes(s) if s is not None else [] for s in sigs]
        candidates: dict[int, dict[str, np.ndarray]] = {}
        if self.near:
            wanted = {b for bs, h in zip(bands, hashes, strict=True) if h not in stored for b in bs}
            for band, aid, blob in self._candidate_rows(wanted):
                candidates.setdefault(band, {})[aid] = from_bytes(blob)
        verdicts = []
        for a, h, dup_id, sig, bs in zip(articles, hashes, dup_ids, sigs, bands, strict=True):
            verdicts.append(
                self._decide_one(a, h, dup_id, sig, bs, stored, stored_dups, candidates)
            )
        return verdicts

    def _candidate_rows(self, bands: Iterable[int]) -> list[tuple[int, str, bytes]]:
        wanted = sorted(set(bands))
        if not wanted:
            return []
        rows: list[tuple[int, str, bytes]] = self.store.signature_candidate_rows(wanted)
        return rows

    def _decide_one(
        self,
        a: Article,
        h: str,
        dup_id: str,
        sig: np.ndarray | None,
        bands: list[int],
        stored: dict[str, tuple[str | None, ...]],
        stored_dups: set[str],
        candidates: dict[int, dict[str, np.ndarray]],
    ) -> Verdict:
        p = self.pending
        if dup_id in stored_dups or dup_id in p.duplicates:
            return Verdict("already", h)
        known = stored.get(h) or p.originals.get(h)
        if known is not None:
            if (known[0], known[1]) == (a.id, a.url):
                return Verdict("already", h)
            return self._duplicate(a, h, dup_id, h, 1.0, known[0])
        if self.near and sig is not None:
            best: tuple[float, str] | None = None
            pool: dict[str, np.ndarray] = {}
            for band in bands:
                pool.update(candidates.get(band, {}))
                for aid in p.bands.get(band, ()):
                    pool[aid] = p.signatures[aid]
            for aid in sorted(pool):
                sim = similarity(sig, pool[aid])
                if sim >= self.threshold and (best is None or sim > best[0]):
                    best = (sim, aid)
            if best is not None:
                sim, original = best
                ext = (stored.get(original) or p.originals.get(original) or (None,))[0]
                if ext is None and original not in p.originals:
                    ext = self._external_id(original)
                return self._duplicate(a, h, dup_id, original, sim, ext)
        # new: remember it until it is committed
        p.originals[h] = (a.id, a.url)
        row = None
        if sig is not None:
            p.signatures[h] = sig
            for band in bands:
                p.bands.setdefault(band, set()).add(h)
            row = (h, to_bytes(sig), bands)
        return Verdict("new", h, signature=row)

    def _external_id(self, article_id: str) -> str | None:
        got = self.store.original_inputs([article_id]).get(article_id)
        return got[0] if got else None

    def _duplicate(
        self, a: Article, h: str, dup_id: str, original: str, sim: float, ext: str | None
    ) -> Verdict:
        self.pending.duplicates.add(dup_id)
        dup = Duplicate(
            duplicate_id=dup_id,
            article_id=original,
            text_hash=h,
            external_id=a.id,
            url=a.url,
            outlet=a.source,
            title=a.title,
            date=a.date,
            similarity=round(sim, 4),
        )
        return Verdict("duplicate", h, duplicate=dup, original_external_id=ext)

    # -------------------------------------------------------------- bookkeeping

    def is_pending(self, article_id: str) -> bool:
        """Was this article decided new in this run and not committed yet?"""
        return article_id in self.pending.originals

    def committed(self, article_ids: Iterable[str], duplicate_ids: Iterable[str] = ()) -> None:
        """These rows are in the store now: forget them (the store answers for them)."""
        p = self.pending
        for h in article_ids:
            p.originals.pop(h, None)
            sig = p.signatures.pop(h, None)
            if sig is not None:
                for band in band_hashes(sig):
                    members = p.bands.get(band)
                    if members is not None:
                        members.discard(h)
                        if not members:
                            del p.bands[band]
        for d in duplicate_ids:
            p.duplicates.discard(d)
