"""Helpers for the server tests: the demo store (built once per session) and a synchronous
httpx client driving the ASGI app in-process, lifespan included."""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx

_DEMO: dict[str, Any] = {}


def demo_db(tmp_path_factory: Any) -> Path:
    """dyad's demo corpus coded into a store (`make demo`'s file), built once per session."""
    if "db" not in _DEMO:
        from dyad.demo import run_demo

        path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert run_demo(path, progress=False) == 0
        _DEMO["db"] = path
        _DEMO["out"] = out.getvalue()
    db: Path = _DEMO["db"]
    return db


def demo_output() -> str:
    """What run_demo printed when demo_db() built the store."""
    out: str = _DEMO["out"]
    return out


class ApiClient:
    """httpx.AsyncClient over httpx.ASGITransport, called synchronously through an anyio
    portal; the app's lifespan runs (the coder loads, the store closes at the end)."""

    def __init__(self, app: Any, headers: dict[str, str] | None = None) -> None:
        self.app = app
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self.portal = self._portal_cm.__enter__()
        self._lifespan = app.router.lifespan_context(app)
        self.portal.call(self._lifespan.__aenter__)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        self.client = httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1:8000", headers=headers or {}
        )

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            return await self.client.request(method, url, **kwargs)

        return self.portal.call(go)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def wait_ready(self, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            health = self.get("/health").json()
            if health["coder"] != "loading" or time.monotonic() > deadline:
                return health
            time.sleep(0.1)

    def close(self) -> None:
        self.portal.call(self.client.aclose)
        self.portal.call(self._lifespan.__aexit__, None, None, None)
        self._portal_cm.__exit__(None, None, None)

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The canonical error body: {"error": {"code", "message", "status"}} and nothing else."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["x-content-type-options"] == "nosniff"
    body = response.json()
    assert set(body) == {"error"}, body
    err = body["error"]
    assert set(err) == {"code", "message", "status"}, err
    assert err["status"] == status
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["code"], str) and err["code"].startswith("D") and len(err["code"]) == 4
    if code is not None:
        assert err["code"] == code, err
    return err


def start_server(db: Path, log: Path, *args: str, timeout: float = 120.0) -> tuple[Any, str]:
    """`dyad serve --db DB --port 0 ARGS` in a subprocess; returns (process, base URL) once
    /health answers (and, unless --no-coder, once the coder is ready)."""
    import re
    import subprocess
    import sys

    fh = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "dyad.cli", "serve", "--db", str(db), "--port", "0", *args],
        stdout=fh,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + timeout
    url = None
    try:
        while url is None:
            found = re.search(r"http://127\.0\.0\.1:\d+/", log.read_text(encoding="utf-8"))
            if found:
                url = found[0]
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dyad serve did not start:\n{log.read_text()}")
            time.sleep(0.05)
        while True:
            try:
                health = httpx.get(url + "health", timeout=5).json()
                if health["coder"] != "loading":
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dyad serve did not become ready:\n{log.read_text()}")
            time.sleep(0.1)
    except BaseException:
        stop_server(proc)
        raise
    return proc, url


def stop_server(proc: Any) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except Exception:
        proc.kill()
        proc.wait()
