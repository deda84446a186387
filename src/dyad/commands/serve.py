"""`dyad serve`: the HTTP API and the dashboard over a store (docs/server.md).

dyad serve --db events.duckdb                      # http://127.0.0.1:8000/
dyad serve --db events.duckdb --port 0             # any free port (printed)
DYAD_TOKEN=secret dyad serve --db events.duckdb --host 0.0.0.0
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import socket
import sys
from collections.abc import Callable
from typing import Any

from dyad.errors import StoreError, UsageError

EXIT_OK = 0
TOKEN_ENV = "DYAD_TOKEN"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add `dyad serve` to the `dyad` parser."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "serve",
        help="HTTP API and dashboard for a store (FastAPI + uvicorn)",
        description="Serve a store read-only over HTTP: the JSON API (OpenAPI docs at /docs), "
        "live coding with POST /code, and the dashboard at /. Binds 127.0.0.1:8000 by "
        "default; any other address needs a bearer token (--token or $DYAD_TOKEN).",
    )
    p.add_argument(
        "--db", default="dyad.duckdb", metavar="FILE", help="store file (default dyad.duckdb)"
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine)"
    )
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    p.add_argument(
        "--token",
        default=None,
        help=f"require 'Authorization: Bearer TOKEN' on the API (default ${TOKEN_ENV}); "
        "needed when --host is not a loopback address",
    )
    p.add_argument(
        "--no-coder",
        dest="load_coder",
        action="store_false",
        help="do not load the coder (faster start, less memory; POST /code answers 503)",
    )
    p.add_argument(
        "--max-body",
        type=int,
        default=1_000_000,
        metavar="BYTES",
        help="largest request body (default 1000000)",
    )
    p.add_argument(
        "--max-text",
        type=int,
        default=100_000,
        metavar="CHARS",
        help="longest text POST /code accepts (default 100000 characters)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="time limit of one request (default 30)",
    )
    p.add_argument(
        "--access-log", action="store_true", help="log every request to stderr (default off)"
    )
    common(p)
    p.set_defaults(func=cmd_serve)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket here, so a busy port is one clear error."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host!r}: cannot resolve it ({exc.strerror})") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from dyad.server import ServerConfig, create_app

    token = args.token or os.environ.get(TOKEN_ENV) or None
    if not is_loopback(args.host) and not token:
        raise UsageError(
            f"--host {args.host} lets other machines connect: give a bearer token with "
            f"--token or ${TOKEN_ENV} (or keep the default 127.0.0.1)"
        )
    if token is not None and len(token) < 8:
        raise UsageError("--token is too short: use at least 8 characters")
    for name in ("max_body", "max_text", "timeout"):
        if getattr(args, name) <= 0:
            raise UsageError(f"--{name.replace('_', '-')} must be positive")
    if args.port < 0 or args.port > 65535:
        raise UsageError(f"--port {args.port} is not a port number (0-65535)")
    loopback = is_loopback(args.host)
    config = ServerConfig(
        db=args.db,
        allowed_hosts=(*LOOPBACK_NAMES, args.host.lower()) if loopback else None,
        token=token,
        load_coder=args.load_coder,
        model=args.model,
        ner=args.ner,
        max_body=args.max_body,
        max_text=args.max_text,
        timeout=args.timeout,
    )
    try:
        app = create_app(config)
    except StoreError as exc:
        if "in use by another process" in exc.message:
            raise StoreError(
                f"{exc.message}. The server reads the store read-only, which DuckDB allows "
                "only while no process writes it: wait for `dyad ingest` to finish"
            ) from None
        raise
    sock = _listen(args.host, args.port)
    port = sock.getsockname()[1]
    shown = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{shown}:{port}/"
    print(
        f"dyad: serving {args.db} (read-only) at {url}\n"
        f"dyad: dashboard {url}  API docs {url}docs"
        + ("  (bearer token required)" if token else "")
        + ("" if args.load_coder else "  (coder off: POST /code answers 503)")
        + "\ndyad: Ctrl-C stops the server",
        file=sys.stderr,
        flush=True,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            log_level="warning",
            access_log=args.access_log,
            timeout_keep_alive=5,
            timeout_graceful_shutdown=5,
            limit_concurrency=1000,
            server_header=False,
        )
    )
    server.run(sockets=[sock])
    return EXIT_OK
