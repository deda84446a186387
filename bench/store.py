"""The event store at scale: ingest rate, dyad time series and one-year network times.

Generates synthetic coded articles (no NLP: Event records as the coder makes them, with
real CAMEO codes and a skewed choice of countries so some dyads are busy), stores them
through ``Store.add_batch`` until the aggregated ``events`` table holds ``--events`` rows,
then times the queries the issue asks for on that file:

- a dyad-month time series (RUS <-> UKR, every month of five years), and
- a one-year country network with PageRank and strengths (networkx DiGraph),

each run once cold (first query after opening the file) and then five times warm.

    python bench/store.py [--events 1000000] [--db FILE] [--keep] [--json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

COUNTRIES = (
    "RUS UKR USA CHN GBR FRA DEU IRN ISR PSE SYR TUR IND PAK AFG IRQ SAU EGY JPN KOR PRK "
    "POL BLR GEO ARM AZE KAZ UZB VEN COL BRA ARG MEX CUB NGA ETH SOM SDN SSD KEN ZAF COD "
    "MLI NER BFA LBY TUN DZA MAR YEM LBN JOR QAT ARE OMN KWT BHR IDN MYS PHL VNM THA MMR "
    "BGD LKA NPL AUS NZL CAN ITA ESP PRT GRC NLD BEL SWE NOR FIN DNK EST LVA LTU HUN CZE "
    "SVK ROU BGR SRB HRV BIH MNE MKD ALB MDA CHE AUT IRL ISL"
).split()
ORGS = "UNO NAT EEC AFU ASN ARL IMF WBK WHO IAE".split()
ROLES = ("", "", "GOV", "GOV", "MIL", "REB", "OPP", "CVL", "BUS", "LEG", "COP")
PLACES = ((None, None, None, None),) * 6 + (
    ("Kyiv", "UKR", 50.45, 30.52),
    ("Moscow", "RUS", 55.76, 37.62),
    ("Gaza", "PSE", 31.5, 34.47),
    ("Beijing", "CHN", 39.9, 116.4),
)


def synthetic_articles(n_articles: int, per_article: int, seed: int = 1):
    """(Article, [Event]) pairs over five years in date order (``n_articles`` sets the pace);
    about one mention in five repeats an event another article reported that day."""
    from dyad.ontology import event_types
    from dyad.records import Actor, Article, Event, Location, Trigger, make_event_id

    rng = random.Random(seed)
    codes = [t for t in event_types().values() if len(t.code) >= 3]
    weights = [1.0 / (i + 1) ** 0.9 for i in range(len(COUNTRIES))]
    start = dt.date(2019, 1, 1)
    days = 5 * 365
    recent: list[tuple] = []  # events of the current day, which other articles report again
    current = None
    for i in range(10**9):
        day = start + dt.timedelta(days=min(days - 1, int(i * days / n_articles)))
        if day != current:
            current, recent = day, []
        aid = f"syn-{i:08d}"
        art = Article(
            id=aid,
            text=f"Synthetic article {i}. " + " ".join(rng.choices(COUNTRIES, k=12)),
            date=day,
            url=f"https://news{i % 40}.example/{i}",
            source=f"outlet{i % 40}",
            title=f"Synthetic {i}",
        )
        events = []
        for si in range(per_article):
            if recent and rng.random() < 0.2:
                key = rng.choice(recent)
            else:
                a, b = rng.choices(COUNTRIES, weights=weights, k=2)
                if rng.random() < 0.05:
                    b = rng.choice(ORGS)
                src_code = a + rng.choice(ROLES)
                tgt_code = b + (rng.choice(ROLES) if b not in ORGS else "")
                et = rng.choice(codes)
                key = (src_code, a, tgt_code, None if b in ORGS else b, et, rng.choice(PLACES))
                recent.append(key)
            src_code, a, tgt_code, b, et, place = key
            src = Actor(src_code, src_code, a, 0, len(src_code))
            tgt = Actor(tgt_code, tgt_code, b, 20, 20 + len(tgt_code))
            loc = Location(place[0], place[1], place[2], place[3]) if place[0] else None
            events.append(
                Event(
                    event_id=make_event_id(aid, si, 10, et.code, src_code, tgt_code, 0, 20),
                    article_id=aid,
                    sentence_index=si,
                    sentence=f"{src_code} did {et.name} to {tgt_code}.",
                    date=day.isoformat(),
                    event_code=et.code,
                    root_code=et.root,
                    quad_class=et.quad_class,
                    goldstein=et.goldstein,
                    plover=et.plover,
                    source=src,
                    target=tgt,
                    trigger=Trigger("did", 10, 13),
                    location=loc,
                    confidence=0.8,
                    rule="synthetic",
                )
            )
        yield art, events


def timed(fn, runs: int = 5):
    t0 = time.perf_counter()
    result = fn()
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    return result, cold, statistics.median(warm)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=1_000_000, help="aggregated events to store")
    ap.add_argument("--per-article", type=int, default=10, help="event mentions per article")
    ap.add_argument("--batch", type=int, default=500, help="articles per add_batch")
    ap.add_argument("--db", default=None, help="store file (default: a temporary file)")
    ap.add_argument("--keep", action="store_true", help="keep the store file")
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    args = ap.parse_args(argv)

    sys.path.insert(0, str(REPO / "src"))
    from dyad.store import Store

    tmp = None
    if args.db:
        db = Path(args.db)
        if db.exists():
            db.unlink()
    else:
        tmp = tempfile.TemporaryDirectory(prefix="dyad-bench-")
        db = Path(tmp.name) / "bench.duckdb"

    # ---- ingest: add_batch until the events table holds the target
    mentions = articles = 0
    ingest_seconds = 0.0
    # about 4 in 5 mentions make a new event: spread the dates over the expected articles
    expected = int(args.events / (args.per_article * 0.78)) + 1
    gen = synthetic_articles(expected, args.per_article)
    with Store.open(db) as store:
        n_events = 0
        while n_events < args.events:
            batch = [next(gen) for _ in range(args.batch)]
            t0 = time.perf_counter()
            res = store.add_batch(batch, coder_version="bench")
            ingest_seconds += time.perf_counter() - t0
            mentions += res.mentions
            articles += res.articles
            if articles % (args.batch * 40) == 0:
                n_events = store.stats()["events"]
                print(
                    f"  {articles:,} articles, {mentions:,} mentions, {n_events:,} events, "
                    f"{mentions / ingest_seconds:,.0f} mentions/s",
                    file=sys.stderr,
                    flush=True,
                )
        stats = store.stats()
    size_mb = db.stat().st_size / 1e6

    # ---- queries on a fresh read-only open (as the server would)
    with Store(db) as store:
        ts, ts_cold, ts_warm = timed(
            lambda: store.timeseries(source="RUS", target="UKR", both_directions=True)
        )
        net, net_cold, net_warm = timed(lambda: store.network(start="2022", end="2022"))
        ev, q_cold, q_warm = timed(
            lambda: store.events(actor="RUSGOV", code="19", start="2022-02", limit=100)
        )
        _dyads, d_cold, d_warm = timed(lambda: store.top_dyads(20, start="2022", end="2022"))

    out = {
        "articles": articles,
        "event_mentions": stats["event_mentions"],
        "events": stats["events"],
        "db_mb": round(size_mb, 1),
        "ingest_seconds": round(ingest_seconds, 1),
        "ingest_mentions_per_second": round(mentions / ingest_seconds),
        "ingest_articles_per_second": round(articles / ingest_seconds),
        "timeseries_dyad_month": {
            "rows": len(ts),
            "events": int(ts["events"].sum()),
            "cold_s": round(ts_cold, 3),
            "warm_s": round(ts_warm, 3),
        },
        "network_one_year": {
            "nodes": net.number_of_nodes(),
            "edges": net.number_of_edges(),
            "cold_s": round(net_cold, 3),
            "warm_s": round(net_warm, 3),
        },
        "events_query": {"rows": len(ev), "cold_s": round(q_cold, 3), "warm_s": round(q_warm, 3)},
        "top_dyads_one_year": {"cold_s": round(d_cold, 3), "warm_s": round(d_warm, 3)},
    }
    results = REPO / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "store.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(
            f"store: {out['articles']:,} articles, {out['event_mentions']:,} mentions, "
            f"{out['events']:,} events ({out['db_mb']} MB)\n"
            f"ingest: {out['ingest_mentions_per_second']:,} event mentions/s "
            f"({out['ingest_articles_per_second']:,} articles/s, {out['ingest_seconds']} s)\n"
            f"dyad-month time series RUS<->UKR ({len(ts)} months): "
            f"{ts_cold:.3f} s cold, {ts_warm:.3f} s warm\n"
            f"one-year network ({out['network_one_year']['nodes']} nodes, "
            f"{out['network_one_year']['edges']} edges, PageRank): "
            f"{net_cold:.3f} s cold, {net_warm:.3f} s warm\n"
            f"events query (RUSGOV, root 19, since 2022-02, 100 rows): "
            f"{q_cold:.3f} s cold, {q_warm:.3f} s warm\n"
            f"top 20 dyads of a year: {d_cold:.3f} s cold, {d_warm:.3f} s warm"
        )
    if tmp is not None and not args.keep:
        tmp.cleanup()
    elif args.keep:
        print(f"kept {db}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
