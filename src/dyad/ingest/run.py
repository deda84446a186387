"""`dyad ingest`'s engine: read, skip what is stored, find duplicates, code, commit.

    summary = ingest(["news/"], store, coder, ReadOptions(), batch_size=50)

Resumable and idempotent by construction:

- every batch (its articles with their mentions and signatures, the duplicates whose
  original is stored by then, and the rejects met meanwhile) is ONE transaction, so a
  crash or Ctrl-C loses only the batch in progress;
- every decision depends only on the inputs before it (in input order) and on what is
  stored, so a rerun skips what was committed (``already``) and decides the rest exactly
  as an uninterrupted run would: the final store is the same.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dyad.errors import Rejection
from dyad.ingest.base import ReadOptions, reason_group
from dyad.ingest.dedup import DEFAULT_THRESHOLD, Deduplicator, Verdict
from dyad.records import Article, Event
from dyad.store.write import Duplicate

CHUNK = 128  # articles decided together (one look-up in the store for all of them)


@dataclass
class IngestSummary:
    articles: int = 0  # articles coded and stored
    mentions: int = 0  # event mentions stored with them
    duplicates: int = 0  # inputs stored as duplicates (extra sources) of an article
    already: int = 0  # inputs stored by an earlier run (or repeated in this one)
    rejects: Counter[str] = field(default_factory=Counter)  # by reason group
    batches: int = 0
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return sum(self.rejects.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "mentions": self.mentions,
            "duplicates": self.duplicates,
            "already": self.already,
            "rejects": dict(sorted(self.rejects.items())),
            "batches": self.batches,
            "seconds": round(self.seconds, 3),
        }


class UrlIndex:
    """The URLs stored, or read in this run, as 64-bit hashes (8 bytes per stored URL in a
    sorted array, plus a set for this run's). A rejected input's URL is not added: a later
    input with the same URL is read."""

    def __init__(self, urls: Iterable[str] = ()) -> None:
        import numpy as np

        self._np = np
        hashed = np.fromiter((self._hash(u) for u in urls), dtype=np.int64)
        self._stored = np.unique(hashed)
        self._run: set[int] = set()

    @staticmethod
    def _hash(url: str) -> int:
        import hashlib

        digest = hashlib.blake2b(url.strip().encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big", signed=True)

    def __len__(self) -> int:
        return len(self._stored) + len(self._run)

    def seen(self, url: str) -> bool:
        """Was this URL stored, or read in this run?"""
        h = self._hash(url)
        if h in self._run:
            return True
        i = int(self._np.searchsorted(self._stored, h))
        return i < len(self._stored) and int(self._stored[i]) == h

    def add(self, url: str) -> None:
        """An article with this URL was read (it will be stored, or is a duplicate)."""
        self._run.add(self._hash(url))


class _Progress:
    """tqdm on stderr: articles/s, and events/s, rejects and duplicates as its postfix.
    ``enabled``: True always, False never, None when the run lasts more than a second."""

    def __init__(self, enabled: bool | None) -> None:
        self.bar: Any = None
        self.started = time.monotonic()
        if enabled is False:
            return
        from tqdm import tqdm

        self.bar = tqdm(
            unit=" articles",
            file=sys.stderr,
            delay=0.0 if enabled else 1.0,
            dynamic_ncols=True,
            disable=False if enabled else None,
        )

    def update(self, summary: IngestSummary, articles: int = 0) -> None:
        if self.bar is None:
            return
        elapsed = max(time.monotonic() - self.started, 1e-6)
        self.bar.set_postfix_str(
            f"events {summary.mentions} ({summary.mentions / elapsed:.1f}/s), "
            f"rejects {summary.rejected} ({summary.rejected / elapsed:.1f}/s), "
            f"duplicates {summary.duplicates}",
            refresh=False,
        )
        self.bar.update(articles)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def ingest(
    inputs: Iterable[str],
    store: Any,
    coder: Any,
    opts: ReadOptions,
    *,
    batch_size: int = 50,
    coder_version: str | None = None,
    dedup_threshold: float = DEFAULT_THRESHOLD,
    near_duplicates: bool = True,
    progress: bool | None = False,
    on_batch: Callable[[IngestSummary], None] | None = None,
) -> IngestSummary:
    """Read ``inputs``, code what is new with ``coder`` and store it in ``store`` (a writable
    dyad Store), a transaction per ``batch_size`` coded articles. ``opts``' callbacks are
    wrapped (the caller's are still called). Returns what was done."""
    from dyad.store import content_hash

    summary = IngestSummary()
    started = time.monotonic()
    bar = _Progress(progress)
    pending_rejects: list[Rejection] = []
    waiting: list[tuple[Duplicate, Rejection]] = []  # duplicates whose original is pending
    signatures: dict[str, tuple[str, bytes, list[int]]] = {}
    dedup = Deduplicator(store, threshold=dedup_threshold, near=near_duplicates)
    urls = UrlIndex(store.iter_urls())

    saved = (opts.on_reject, opts.on_skip, opts.seen_url, opts.add_url)
    user_reject, user_skip = opts.on_reject, opts.on_skip

    def on_reject(r: Rejection) -> None:
        pending_rejects.append(r)
        summary.rejects[reason_group(r.reason)] += 1
        user_reject(r)

    def on_skip(name: str) -> None:
        summary.already += 1
        user_skip(name)

    opts.on_reject = on_reject
    opts.on_skip = on_skip
    opts.seen_url = urls.seen
    opts.add_url = urls.add

    def decided(pairs: Iterator[tuple[Article, str]]) -> Iterator[Article]:
        """The articles to code; duplicates and stored ones are set aside."""
        chunk: list[tuple[Article, str]] = []
        for pair in pairs:
            chunk.append(pair)
            if len(chunk) >= CHUNK:
                yield from _apply(chunk, dedup.decide([a for a, _ in chunk]))
                chunk = []
        if chunk:
            yield from _apply(chunk, dedup.decide([a for a, _ in chunk]))

    def _apply(chunk: list[tuple[Article, str]], verdicts: list[Verdict]) -> Iterator[Article]:
        for (article, where), v in zip(chunk, verdicts, strict=True):
            if v.kind == "already":
                on_skip(where)
            elif v.kind == "duplicate":
                assert v.duplicate is not None
                what = (
                    "the same text as"
                    if v.duplicate.similarity >= 1.0
                    else (f"a near-duplicate (similarity {v.duplicate.similarity:.2f}) of")
                )
                r = Rejection(
                    where,
                    "duplicate",
                    f"{what} {v.original_external_id or v.duplicate.article_id[:16]}; counted "
                    "as one more source of its events",
                )
                waiting.append((v.duplicate, r))
                summary.duplicates += 1
                user_reject(r)
                summary.rejects["duplicate"] += 1
            else:
                if v.signature is not None:
                    signatures[v.article_id] = v.signature
                yield article

    batch: list[tuple[Article, list[Event]]] = []

    def flush(final: bool = False) -> None:
        hashes = [content_hash(a.text) for a, _ in batch]
        in_batch = set(hashes)
        ready = [
            (d, r)
            for d, r in waiting
            if final or d.article_id in in_batch or not dedup.is_pending(d.article_id)
        ]
        if not batch and not pending_rejects and not ready:
            return
        ready_ids = {d.duplicate_id for d, _ in ready}
        res = store.add_batch(
            batch,
            [*pending_rejects, *(r for _, r in ready)],
            coder_version=coder_version,
            duplicates=[d for d, _ in ready],
            signatures=[signatures.pop(h) for h in hashes if h in signatures],
        )
        dedup.committed(hashes, ready_ids)
        waiting[:] = [(d, r) for d, r in waiting if d.duplicate_id not in ready_ids]
        summary.articles += res.articles
        summary.already += res.duplicates
        summary.batches += 1
        batch.clear()
        pending_rejects.clear()
        if on_batch is not None:
            on_batch(summary)

    from dyad.ingest import read_articles

    try:
        for article, events in coder.code_articles(decided(read_articles(inputs, opts))):
            batch.append((article, events))
            summary.mentions += len({e.event_id for e in events})
            bar.update(summary, 1)
            if len(batch) >= batch_size:
                flush()
        flush(final=True)
    finally:
        bar.close()
        opts.on_reject, opts.on_skip, opts.seen_url, opts.add_url = saved
        summary.seconds = time.monotonic() - started
    return summary
