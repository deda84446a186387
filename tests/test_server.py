"""The HTTP API (dyad.server) with httpx against the ASGI app, on the coded demo corpus.

Every endpoint with good and bad parameters; oversized bodies; the token; the canonical
error body on every error (test_every_route_* walk the app's routes); read-only store and
parameterised filters; static files without traversal; offline docs.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from dyad.records import EVENT_FIELDS
from dyad.server import ServerConfig, create_app
from dyad.server.app import PUBLIC_PATHS, STATIC_TYPES

from .serverkit import ApiClient, assert_error, demo_db, demo_output, start_server, stop_server

REPO = Path(__file__).resolve().parents[1]
TOKEN = "s3cret-token-for-tests"
PROBE = "Russian troops attacked Ukrainian positions near Kharkiv on Monday, Ukraine said."

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder):
    return demo_db(tmp_path_factory)


@pytest.fixture(scope="module")
def api(db):
    with ApiClient(create_app(ServerConfig(db=db))) as client:
        assert client.wait_ready()["coder"] == "ready"
        yield client


@pytest.fixture(scope="module")
def store(api):
    return api.app.state.dyad.store


# Good parameters for every API route: the route walk fails when a route has none, so a
# new endpoint cannot skip the walk.
SAMPLES = {
    ("GET", "/health"): {},
    ("GET", "/stats"): {},
    ("GET", "/events"): {"params": {"actor": "RUS", "limit": 5}},
    ("GET", "/dyads"): {"params": {"n": 5}},
    ("GET", "/timeseries"): {"params": {"source": "RUS", "target": "UKR"}},
    ("GET", "/network"): {"params": {"start": "2014", "end": "2024"}},
    ("GET", "/places"): {"params": {"limit": 5}},
    ("GET", "/articles/{article_id}"): {"path": {"article_id": "demo-001"}},
    ("POST", "/code"): {"json": {"text": PROBE, "date": "2022-03-07"}},
}


def api_routes(app):
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods):
                yield method, route.path


def sample_request(method, path):
    sample = SAMPLES[(method, path)]
    url = path.format(**sample.get("path", {}))
    kwargs = {k: v for k, v in sample.items() if k in ("params", "json")}
    return url, kwargs


# ------------------------------------------------------------------------------ health, stats


def test_health_reports_the_coder_and_a_read_only_store(api):
    body = api.get("/health").json()
    assert body["status"] == "ok" and body["coder"] == "ready"
    from dyad.store import SCHEMA_VERSION

    assert body["store"] == {"schema_version": SCHEMA_VERSION, "read_only": True}
    assert body["auth"] is False


def test_stats_match_the_store(api, store):
    body = api.get("/stats").json()
    stats = store.stats()
    for key in ("articles", "events", "event_mentions", "first_date", "last_date"):
        assert body[key] == stats[key]
    assert body["path"] == "demo.duckdb"  # the file name, not the server's folders


# ------------------------------------------------------------------------------ /events


def test_events_first_page(api, store):
    body = api.get("/events", params={"limit": 10}).json()
    assert body["table"] == "events" and body["total"] == store.count() > 100
    assert body["count"] == 10 and len(body["items"]) == 10 and body["next_cursor"]
    row = body["items"][0]
    for key in ("event_key", "date", "event_code", "source_code", "sentence", "article_id"):
        assert key in row
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["date"])
    assert set(body["event_names"]) == {r["event_code"] for r in body["items"]}
    dates = [r["date"] for r in body["items"]]
    assert dates == sorted(dates)


def test_events_cursor_walks_every_event_once(api, store):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 37, "order": "-date", "quad": [3, 4]}
        if cursor:
            params["cursor"] = cursor
        body = api.get("/events", params=params).json()
        seen += [r["event_key"] for r in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == store.count(quad=[3, 4]) == body["total"]
    assert pages == -(-len(seen) // 37)


def test_events_filters_reach_the_store(api, store):
    body = api.get("/events", params={"actor": "RUS", "limit": 1000}).json()
    assert body["total"] == store.count(actor="RUS") > 0
    for r in body["items"]:
        assert (r["source_code"] or "").startswith("RUS") or (r["target_code"] or "").startswith(
            "RUS"
        )
    body = api.get(
        "/events",
        params={"source": "RUS", "target": "UKR", "both_directions": "true", "limit": 1000},
    ).json()
    assert body["total"] == store.count(source="RUS", target="UKR", both_directions=True) > 0
    body = api.get("/events", params={"code": "19", "start": "2022", "end": "2022-12"}).json()
    assert body["items"] and all(
        r["event_code"].startswith("19") and r["date"].startswith("2022") for r in body["items"]
    )
    body = api.get("/events", params={"text": "missile", "limit": 1000}).json()
    assert body["items"] and all("missile" in r["sentence"].lower() for r in body["items"])


def test_events_mentions_and_orders(api, store):
    body = api.get("/events", params={"mentions": "true", "order": "article"}).json()
    assert body["table"] == "event_mentions"
    assert body["total"] == store.count("event_mentions")
    assert {"source_start", "trigger_text", "external_id"} <= set(body["items"][0])
    gold = [
        r["goldstein"] for r in api.get("/events", params={"order": "goldstein"}).json()["items"]
    ]
    assert gold == sorted(gold)
    body = api.get("/events", params={"order": "mentions", "min_mentions": 1}).json()
    assert body["count"] > 0


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"quad": "7"}, 400, "D600"),
        ({"quad": "x"}, 422, "D601"),
        ({"limit": "0"}, 422, "D601"),
        ({"limit": "100000"}, 422, "D601"),
        ({"limit": "ten"}, 422, "D601"),
        ({"start": "2022-99"}, 400, "D600"),
        ({"start": "last tuesday"}, 422, "D601"),
        ({"code": "abc"}, 400, "D600"),
        ({"root": "42"}, 400, "D600"),
        ({"order": "random"}, 422, "D601"),
        ({"order": "article"}, 400, "D600"),
        ({"mentions": "true", "min_mentions": "2"}, 400, "D600"),
        ({"min_confidence": "2"}, 422, "D601"),
        ({"actr": "RUS"}, 400, "D600"),
        ({"cursor": "not-a-cursor"}, 400, "D600"),
        ({"text": "x" * 500}, 422, "D601"),
        ({"stats": "1"}, 400, "D600"),
        ({"actor": "R" * 300}, 422, "D601"),
    ],
)
def test_events_bad_parameters(api, params, status, code):
    err = assert_error(api.get("/events", params=params), status, code)
    assert "Traceback" not in err["message"]


def test_events_cursor_of_another_query_is_refused(api):
    cursor = api.get("/events", params={"limit": 2}).json()["next_cursor"]
    err = assert_error(
        api.get("/events", params={"limit": 2, "actor": "USA", "cursor": cursor}), 400, "D600"
    )
    assert "another query" in err["message"]


def test_filters_are_parameters_not_sql(api, store, db):
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    n = store.count()
    for value in ("RUS'; DROP TABLE events; --", "x') OR 1=1 --", "%", "_"):
        body = api.get("/events", params={"actor": value, "text": value}).json()
        assert body["total"] == 0
        assert api.get(f"/articles/{value}").status_code == 404
    assert store.count() == n
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert store.read_only


# ------------------------------------------------------------------------------ analysis


def test_dyads(api, store):
    body = api.get("/dyads", params={"n": 5}).json()
    expected = store.top_dyads(5)
    assert [(d["source"], d["target"], d["events"]) for d in body["items"]] == list(
        zip(expected["source"], expected["target"], expected["events"], strict=True)
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", body["items"][0]["first_date"])
    undirected = api.get("/dyads", params={"directed": "false", "n": 50}).json()["items"]
    assert all(d["source"] <= d["target"] for d in undirected)
    assert_error(api.get("/dyads", params={"level": "planet"}), 422, "D601")
    assert_error(api.get("/dyads", params={"n": "0"}), 422, "D601")


def test_timeseries(api, store):
    params = {"source": "RUS", "target": "UKR", "both_directions": "true", "freq": "month"}
    body = api.get("/timeseries", params=params).json()
    items = body["items"]
    assert body["freq"] == "month" and items
    assert all(re.fullmatch(r"\d{4}-\d{2}-01", i["period"]) for i in items)
    total = store.count(source="RUS", target="UKR", both_directions=True)
    assert sum(i["events"] for i in items) == total > 0
    empty = [i for i in items if i["events"] == 0]
    assert empty and all(i["goldstein_mean"] is None for i in empty)  # NaN -> null
    assert_error(api.get("/timeseries", params={"freq": "year"}), 422, "D601")
    assert_error(api.get("/timeseries", params={"end": "2022-13"}), 400, "D600")


def test_network(api, store):
    body = api.get("/network").json()
    g = store.network()
    assert body["total_nodes"] == g.number_of_nodes() and body["total_links"] == g.number_of_edges()
    ids = {n["id"] for n in body["nodes"]}
    assert all(link["source"] in ids and link["target"] in ids for link in body["links"])
    link = body["links"][0]
    for key in ("events", "net_cooperation", "goldstein_mean", "verbal_conflict", "weight"):
        assert key in link
    small = api.get("/network", params={"max_nodes": 3}).json()
    assert len(small["nodes"]) == 3 and small["truncated"]
    ranks = [n["pagerank"] for n in small["nodes"]]
    assert ranks == sorted(ranks, reverse=True)
    windowed = api.get("/network", params={"start": "2022-02", "end": "2022-03"}).json()
    assert 0 < windowed["total_links"] < body["total_links"]
    assert_error(api.get("/network", params={"max_nodes": "-1"}), 422, "D601")


def test_places(api, store):
    items = api.get("/places").json()["items"]
    n_located = store.sql("SELECT count(*) AS n FROM events WHERE location_lat IS NOT NULL")
    assert sum(p["events"] for p in items) == int(n_located["n"].iloc[0])
    assert all(-90 <= p["lat"] <= 90 and -180 <= p["lon"] <= 180 for p in items)
    kyiv = api.get("/places", params={"place": "UKR"}).json()["items"]
    assert kyiv and all(p["country"] == "UKR" for p in kyiv)


# ------------------------------------------------------------------------------ articles


def test_article_with_highlighted_events(api, store):
    ev = api.get("/events", params={"actor": "RUS", "limit": 1}).json()["items"][0]
    body = api.get(f"/articles/{ev['article_id']}").json()
    art = body["article"]
    assert art["article_id"] == ev["article_id"] and art["text"]
    text = art["text"]
    assert body["events"] and all(set(EVENT_FIELDS) <= set(e) for e in body["events"])
    match = [e for e in body["events"] if e["event_id"] == ev["event_id"]]
    assert len(match) == 1
    e = match[0]
    s = e["sentence_start"]
    assert text[s : s + len(e["sentence"])] == e["sentence"]
    assert text[e["trigger"]["start"] : e["trigger"]["end"]] == e["trigger"]["text"]
    roles = {h["role"] for h in body["highlights"]}
    assert {"source", "trigger"} <= roles
    for h in body["highlights"]:
        assert 0 <= h["start"] < h["end"] <= len(text)
    # the input's own id finds it too
    same = api.get(f"/articles/{art['external_id']}").json()
    assert same["article"]["article_id"] == art["article_id"]
    page = api.get(f"/articles/{art['article_id']}", params={"format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<mark class="trigger"' in page.text


def test_article_not_found_and_bad_ids(api):
    err = assert_error(api.get("/articles/" + "0" * 64), 404, "D602")
    assert "no article" in err["message"]
    assert_error(api.get("/articles/" + "a" * 300), 422, "D601")
    assert_error(api.get("/articles/demo-001", params={"format": "pdf"}), 422, "D601")


# ------------------------------------------------------------------------------ POST /code


def test_code_returns_the_jsonl_records(api):
    r = api.post("/code", json={"text": PROBE, "date": "2022-03-07", "id": "probe-1"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["article_id"] == "probe-1" and body["date"] == "2022-03-07"
    assert body["count"] == len(body["events"]) >= 1
    e = body["events"][0]
    assert list(e) == list(EVENT_FIELDS)  # exactly Event.as_dict(), the JSONL contract
    assert (e["source"]["code"], e["event_code"], e["target"]["code"]) == ("RUSMIL", "190", "UKR")
    assert PROBE[e["trigger"]["start"] : e["trigger"]["end"]] == e["trigger"]["text"]
    assert body["event_names"]["190"]


def test_code_text_without_events(api):
    body = api.post("/code", json={"text": "The weather was fine."}).json()
    assert body["count"] == 0 and body["events"] == [] and body["date"] is None


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 422, "D601"),
        ({"text": ""}, 422, "D601"),
        ({"text": 42}, 422, "D601"),
        ({"text": "x", "unknown": 1}, 422, "D601"),
        ({"text": "x", "date": "yesterday"}, 400, "D600"),
        ([1, 2], 422, "D601"),
    ],
)
def test_code_bad_bodies(api, payload, status, code):
    assert_error(api.post("/code", json=payload), status, code)


def test_code_not_json(api):
    r = api.post("/code", content=b"text=hello", headers={"content-type": "application/json"})
    assert_error(r, 422, "D601")


def test_oversized_bodies_and_texts(db):
    app = create_app(ServerConfig(db=db, load_coder=False, max_body=2000, max_text=100))
    with ApiClient(app) as client:
        # Content-Length over the limit: refused before it is read
        err = assert_error(client.post("/code", json={"text": "x" * 5000}), 413, "D604")
        assert "2000 bytes" in err["message"]

        # no Content-Length (chunked): counted while read
        async def chunks():
            for _ in range(10):
                yield b"x" * 500

        r = client.post("/code", content=chunks(), headers={"content-type": "application/json"})
        assert_error(r, 413, "D604")
        # the body fits, the text does not
        err = assert_error(client.post("/code", json={"text": "word " * 50}), 413, "D604")
        assert "characters" in err["message"]
        bad = client.post("/code", content=b"{}", headers={"content-length": "abc"})
        assert_error(bad, 400, "D600")


def test_code_before_the_coder_is_ready(db):
    with ApiClient(create_app(ServerConfig(db=db, load_coder=False))) as client:
        assert client.get("/health").json()["coder"] == "off"
        r = client.post("/code", json={"text": PROBE})
        err = assert_error(r, 503, "D702")
        assert "--no-coder" in err["message"]
        assert r.headers["retry-after"] == "5"


# ------------------------------------------------------------------------------ token


def test_token_is_required_and_checked(db):
    app = create_app(ServerConfig(db=db, load_coder=False, token=TOKEN))
    with ApiClient(app) as client:
        r = client.get("/events")
        err = assert_error(r, 401, "D605")
        assert "Bearer" in err["message"] and r.headers["www-authenticate"].startswith("Bearer")
        assert_error(client.get("/events", headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(client.get("/events", headers={"Authorization": TOKEN}), 401)
        assert_error(client.get("/no/such/route"), 401, "D605")  # reveals no routes
        ok = client.get("/events", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
        # public: liveness, the dashboard shell and its assets, the API description
        for path in ("/health", "/", "/static/app.js", "/openapi.json", "/docs"):
            assert client.get(path).status_code == 200, path
        assert client.get("/health").json()["auth"] is True
        schemes = client.get("/openapi.json").json()["components"]["securitySchemes"]
        assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_loopback_server_answers_only_to_loopback_host_names(db):
    app = create_app(
        ServerConfig(db=db, load_coder=False, allowed_hosts=("127.0.0.1", "localhost", "[::1]"))
    )
    with ApiClient(app) as client:
        assert client.get("/stats").status_code == 200
        for host in ("localhost:8000", "[::1]:8000", "127.0.0.1"):
            assert client.get("/stats", headers={"Host": host}).status_code == 200, host
        for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
            err = assert_error(client.get("/stats", headers={"Host": host}), 400, "D600")
            assert "Host" in err["message"]


# ------------------------------------------------------------------------------ the route walk


def test_every_route_has_a_sample(api):
    routes = set(api_routes(api.app))
    assert routes == set(SAMPLES), "add the new route to SAMPLES (and to docs/server.md)"


def test_every_route_answers_its_sample(api):
    for method, path in api_routes(api.app):
        url, kwargs = sample_request(method, path)
        r = api.request(method, url, **kwargs)
        assert r.status_code == 200, (method, path, r.text)
        assert r.headers["x-content-type-options"] == "nosniff"


def test_every_route_refuses_a_wrong_method_an_unknown_parameter_and_a_missing_token(api, db):
    for method, path in api_routes(api.app):
        url, kwargs = sample_request(method, path)
        other = "DELETE" if method == "GET" else "PUT"
        r = api.request(other, url)
        err = assert_error(r, 405, "D603")
        assert other in err["message"] and method in r.headers["allow"]
        params = {**kwargs.get("params", {}), "bogus": "1"}
        err = assert_error(api.request(method, url, **{**kwargs, "params": params}), 400)
        assert "bogus" in err["message"]
    app = create_app(ServerConfig(db=db, load_coder=False, token=TOKEN))
    with ApiClient(app) as client:
        for method, path in api_routes(app):
            url, kwargs = sample_request(method, path)
            r = client.request(method, url, **kwargs)
            if path in PUBLIC_PATHS:
                assert r.status_code == 200
            else:
                assert_error(r, 401, "D605")


def test_unknown_paths_and_static_traversal(api):
    assert_error(api.get("/nope"), 404, "D602")
    assert_error(api.post("/nope"), 404, "D602")
    for path in (
        "/static/app.py",
        "/static/..%2Fapp.py",
        "/static/%2e%2e/app.py",
        "/static/..%2F..%2F..%2Fpyproject.toml",
        "/static/../server/app.py",
        "/static/%2Fetc%2Fpasswd",
        "/static/",
        "/docs-assets/..%2F__init__.py",
        "/docs-assets/core.py",
    ):
        r = api.get(path)
        assert_error(r, 404, "D602")
    for name in STATIC_TYPES:
        r = api.get(f"/static/{name}")
        assert r.status_code == 200 and r.content, name


def test_internal_errors_are_canonical_and_do_not_leak(db, monkeypatch):
    app = create_app(ServerConfig(db=db, load_coder=False))
    store = app.state.dyad.store

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals /root/path")

    monkeypatch.setattr(store, "stats", boom)
    with ApiClient(app) as client:
        err = assert_error(client.get("/stats"), 500, "D700")
        assert "secret" not in err["message"] and "RuntimeError" in err["message"]


def test_requests_over_the_time_limit(db, monkeypatch):
    app = create_app(ServerConfig(db=db, load_coder=False, timeout=0.3))
    store = app.state.dyad.store
    real = store.top_dyads

    def slow(*args, **kwargs):
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "top_dyads", slow)
    with ApiClient(app) as client:
        t0 = time.monotonic()
        err = assert_error(client.get("/dyads"), 503, "D701")
        assert time.monotonic() - t0 < 1.2
        assert "0.3 s" in err["message"]
        assert client.get("/health").status_code == 200
        time.sleep(1.5)  # let the abandoned query finish before the store closes


def test_a_body_sent_too_slowly_is_cut_off(db):
    app = create_app(ServerConfig(db=db, load_coder=False, timeout=0.3))

    async def trickle():
        import asyncio

        yield b'{"text": '
        await asyncio.sleep(1.0)
        yield b'"late"}'

    with ApiClient(app) as client:
        r = client.post("/code", content=trickle(), headers={"content-type": "application/json"})
        assert "body" in assert_error(r, 503, "D701")["message"]


# ------------------------------------------------------------------------------ docs, dashboard


def test_openapi_and_offline_docs(api):
    spec = api.get("/openapi.json").json()
    assert {p for p in spec["paths"]} == {p for _, p in SAMPLES}
    docs = api.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in docs and "/openapi.json" in docs
    assert not re.search(r"(src|href)=[\"']https?://", docs), "docs must not load from a CDN"
    assert api.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    redoc = api.get("/redoc").text
    assert "/docs-assets/redoc.standalone.js" in redoc and "fonts.googleapis" not in redoc


def test_dashboard_is_offline(api):
    page = api.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert not re.search(r"(src|href)=[\"']https?://", page.text)
    js = api.get("/static/app.js").text
    urls = set(re.findall(r"https?://[^\s\"'`)]+", js))
    assert urls <= {"http://www.w3.org/2000/svg"}, urls  # the SVG namespace, not a fetch
    world = api.get("/static/world-110m.json").json()
    assert world["type"] == "Topology" and len(world["objects"]["countries"]["geometries"]) > 150
    assert "Natural Earth" in api.get("/static/ATTRIBUTION.txt").text


# ------------------------------------------------------------------------------ the command


def test_store_in_use_by_a_writer_is_a_clear_error(tmp_path):
    from dyad.errors import StoreError

    path = tmp_path / "busy.duckdb"
    code = (
        "import sys, time, dyad.store\n"
        f"s = dyad.store.Store.open({str(path)!r})\n"
        "print('open', flush=True)\n"
        "time.sleep(30)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="in use by another process"):
            create_app(ServerConfig(db=path, load_coder=False))
        out = subprocess.run(
            [sys.executable, "-m", "dyad.cli", "serve", "--db", str(path), "--no-coder"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 1
        assert "[D500]" in out.stderr and "dyad ingest" in out.stderr
    finally:
        writer.kill()
        writer.wait()


def test_serve_refuses_bad_setups(tmp_path, db):
    def serve(*args, env=None):
        return subprocess.run(
            [sys.executable, "-m", "dyad.cli", "serve", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )

    out = serve("--db", str(tmp_path / "missing.duckdb"), "--no-coder")
    assert out.returncode == 1 and "[D500]" in out.stderr and "no such database" in out.stderr
    out = serve("--db", str(db), "--host", "0.0.0.0", "--no-coder")
    assert out.returncode == 2 and "[D600]" in out.stderr and "--token" in out.stderr
    out = serve("--db", str(db), "--token", "short", "--no-coder")
    assert out.returncode == 2 and "too short" in out.stderr


def test_serve_runs_a_real_server(db, tmp_path):
    """`dyad serve --port 0` prints its URL and answers over real HTTP."""
    import httpx

    proc, url = start_server(db, tmp_path / "serve.log", "--no-coder")
    try:
        assert "read-only" in (tmp_path / "serve.log").read_text()
        assert httpx.get(url + "health").json()["coder"] == "off"
        assert httpx.get(url + "events", params={"limit": 1}).json()["count"] == 1
        assert_error(httpx.get(url + "nope"), 404, "D602")
    finally:
        stop_server(proc)


def test_every_serve_option_is_documented():
    from dyad.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    serve = sub.choices["serve"]
    doc = (REPO / "docs" / "server.md").read_text(encoding="utf-8")
    for action in serve._actions:
        for opt in action.option_strings:
            if opt.startswith("--") and opt != "--help":
                assert opt in doc, f"docs/server.md does not mention {opt}"
    for _, path in SAMPLES:
        assert path.split("{")[0].rstrip("/") in doc


def test_demo_ends_with_how_to_open_the_dashboard(db):
    out = demo_output()
    last = out.strip().splitlines()[-3:]
    assert any(f"dyad serve --db {db}" in line for line in last), last
    assert any("http://127.0.0.1:8000/" in line for line in last), last


def test_json_bodies_are_strict_json(api):
    """NaN never reaches the wire (JSON has no NaN)."""

    def refuse(constant):
        raise AssertionError(f"{constant} in JSON")

    for url in ("/timeseries?actor=USA", "/dyads", "/network", "/events?limit=200"):
        json.loads(api.get(url).text, parse_constant=refuse)
