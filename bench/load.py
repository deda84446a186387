"""Load test of `dyad serve`: concurrent clients on loopback against /events and /code.

Starts a real server (`dyad serve --port 0`, a subprocess, coder loaded) on a store, then
runs ``--clients`` concurrent keep-alive clients (default 20) for ``--seconds`` (default
60). Each request is GET /events (rotating filters, orders and cursor pages) or, with
probability ``--code-share`` (default 0.25), POST /code with a short wire story. Prints
requests per second, p50/p99 latency and errors per endpoint and in all, and writes them
to bench/results/load.json. Only 127.0.0.1 is contacted; the run stops by itself.

    python bench/load.py [--db FILE] [--clients 20] [--seconds 60] [--code-share 0.25]

Without --db the demo corpus is coded into a temporary store first (`make demo`'s file).
Exit status 1 when any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

EVENT_QUERIES: list[dict[str, object]] = [
    {"limit": 50},
    {"limit": 50, "order": "-date"},
    {"actor": "RUS", "limit": 25},
    {"source": "USA", "target": "IRN", "both_directions": "true"},
    {"quad": [3, 4], "start": "2020", "limit": 100},
    {"code": "19", "order": "goldstein"},
    {"text": "minister", "limit": 20},
    {"place": "UKR"},
    {"mentions": "true", "order": "article", "limit": 100},
    {"actor": "Putin"},
]
ARTICLES = [
    "Russian troops attacked Ukrainian positions near Kharkiv on Monday, Ukraine said.",
    "China and Russia signed a trade agreement in Beijing on Tuesday.",
    "The United Nations urged Israel and Hamas to agree a ceasefire in Gaza.",
    "Iran accused the United States of violating the nuclear deal, state media reported.",
    "German Chancellor Olaf Scholz met French President Emmanuel Macron in Paris to discuss "
    "aid to Ukraine. Macron later said France would send more air defence systems.",
    "Protesters gathered outside the parliament in Tbilisi, and police used tear gas against "
    "them, Georgia's interior ministry said.",
]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def build_demo_store(folder: Path) -> Path:
    from dyad.demo import run_demo

    path = folder / "demo.duckdb"
    with contextlib.redirect_stdout(io.StringIO()):
        run_demo(path, progress=False)
    return path


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux /proc), None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    fh = open(log, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the server
    proc = subprocess.Popen(
        [sys.executable, "-m", "dyad.cli", "serve", "--db", str(db), "--port", "0"],
        stdout=fh,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 180
    url = None
    while url is None:
        m = re.search(r"http://127\.0\.0\.1:\d+/", log.read_text(encoding="utf-8"))
        if m:
            url = m[0]
        elif proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"dyad serve did not start:\n{log.read_text()}")
        else:
            time.sleep(0.05)
    while True:
        try:
            if httpx.get(url + "health", timeout=5).json()["coder"] == "ready":
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"dyad serve did not become ready:\n{log.read_text()}")
        time.sleep(0.2)


async def client(
    idx: int,
    http: object,
    stop_at: float,
    code_share: float,
    results: dict[str, list[float]],
    errors: dict[str, list[str]],
) -> None:
    import httpx

    assert isinstance(http, httpx.AsyncClient)
    rng = random.Random(idx)
    cursors: dict[int, str] = {}
    while time.monotonic() < stop_at:
        if rng.random() < code_share:
            name = "/code"
            t0 = time.perf_counter()
            try:
                r = await http.post(
                    "/code", json={"text": rng.choice(ARTICLES), "date": "2022-03-07"}
                )
                ok = r.status_code == 200 and "events" in r.json()
                why = f"HTTP {r.status_code}: {r.text[:200]}"
            except httpx.HTTPError as exc:
                ok, why = False, repr(exc)
        else:
            name = "/events"
            q = rng.randrange(len(EVENT_QUERIES))
            params = dict(EVENT_QUERIES[q])
            if q in cursors and rng.random() < 0.5:
                params["cursor"] = cursors.pop(q)
            t0 = time.perf_counter()
            try:
                r = await http.get("/events", params=params)  # type: ignore[arg-type]
                body = r.json()
                ok = r.status_code == 200 and "items" in body
                why = f"HTTP {r.status_code}: {r.text[:200]}"
                if ok and body.get("next_cursor"):
                    cursors[q] = body["next_cursor"]
            except httpx.HTTPError as exc:
                ok, why = False, repr(exc)
        elapsed = time.perf_counter() - t0
        if ok:
            results[name].append(elapsed)
        else:
            errors[name].append(why)


async def run_load(url: str, clients: int, seconds: float, code_share: float) -> dict:
    import httpx

    results: dict[str, list[float]] = {"/events": [], "/code": []}
    errors: dict[str, list[str]] = {"/events": [], "/code": []}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        # warm-up: each query once, one text coded
        for q in EVENT_QUERIES:
            (await http.get("/events", params=q)).raise_for_status()  # type: ignore[arg-type]
        (await http.post("/code", json={"text": ARTICLES[0]})).raise_for_status()
        t0 = time.monotonic()
        stop_at = t0 + seconds
        await asyncio.gather(
            *(client(i, http, stop_at, code_share, results, errors) for i in range(clients))
        )
        wall = time.monotonic() - t0
    report: dict[str, object] = {
        "url": url,
        "clients": clients,
        "seconds": round(wall, 1),
        "code_share": code_share,
    }
    every = results["/events"] + results["/code"]
    for name, lat in (*results.items(), ("all", every)):
        errs = errors.get(name, errors["/events"] + errors["/code"])
        report[name] = {
            "requests": len(lat) + len(errs),
            "rps": round((len(lat) + len(errs)) / wall, 1),
            "p50_ms": round(percentile(lat, 0.5) * 1000, 1),
            "p99_ms": round(percentile(lat, 0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(lat) * 1000, 1) if lat else None,
            "errors": len(errs),
            "first_errors": errs[:3],
        }
    return report


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=None, help="store (default: code the demo corpus)")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--code-share", type=float, default=0.25)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "load.json")
    args = ap.parse_args()
    if not 1 <= args.clients <= 200 or not 0 < args.seconds <= 600:
        raise SystemExit("bench/load.py: 1-200 clients, at most 600 seconds")

    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or build_demo_store(Path(tmp))
        proc, url = start_server(db, Path(tmp) / "serve.log")
        load_before = os.getloadavg()[0]  # other work on the machine skews the numbers
        try:
            print(
                f"load: {args.clients} clients for {args.seconds:g} s against {url} "
                f"(/events, and /code with probability {args.code_share})",
                flush=True,
            )
            cpu0 = cpu_seconds(proc.pid)
            report = asyncio.run(run_load(url, args.clients, args.seconds, args.code_share))
            cpu1 = cpu_seconds(proc.pid)
            if cpu0 is not None and cpu1 is not None:
                report["server_cpu_seconds"] = round(cpu1 - cpu0, 1)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        report["db"] = db.name
        report["cpus"] = os.cpu_count()
        report["load_average_1min_before_after"] = [
            round(load_before, 2),
            round(os.getloadavg()[0], 2),
        ]

    print(
        f"{'endpoint':<10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for name in ("/events", "/code", "all"):
        r = report[name]
        assert isinstance(r, dict)
        print(
            f"{name:<10} {r['requests']:>9} {r['rps']:>8} {r['p50_ms']:>8} {r['p99_ms']:>8} "
            f"{r['errors']:>7}"
        )
        for e in r["first_errors"] if name != "all" else []:
            print(f"  error: {e}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"-> {args.out}")
    total = report["all"]
    assert isinstance(total, dict)
    return 1 if total["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
