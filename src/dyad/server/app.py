"""The FastAPI app: dyad's HTTP API over a read-only Store, the live coder, the dashboard.

    from dyad.server import ServerConfig, create_app
    app = create_app(ServerConfig(db="events.duckdb", token=None))

Routes (docs/server.md has examples): GET /health, /stats, /events, /dyads, /timeseries,
/network, /places, /articles/{id}; POST /code; the dashboard at / with its assets under
/static/; OpenAPI at /openapi.json with offline Swagger UI at /docs.

Safety: the store is opened read-only and every client value reaches DuckDB as a bound
parameter through dyad.store.filters (no SQL from clients); LimitsMiddleware checks the
bearer token, caps the request body and the time a request may take before anything
else runs; static files come from a fixed list (no paths from clients); every error is
the canonical JSON body of dyad.server.errors.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import html
import json
import logging
import math
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dyad.errors import DyadError, UsageError
from dyad.server.errors import (
    HTTP_STATUS_CODES,
    CoderNotReady,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    RequestTimeout,
    ServerError,
    Unauthorized,
    error_body,
    status_of,
)
from dyad.store.filters import FILTER_KEYS

log = logging.getLogger("dyad.server")

MAX_PAGE = 1000
# The dashboard and its assets: the only files the server sends (no client paths).
STATIC_TYPES = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
    "world-110m.json": "application/json",
    "favicon.svg": "image/svg+xml",
    "ATTRIBUTION.txt": "text/plain; charset=utf-8",
}
DOCS_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# Paths that answer without the bearer token: the dashboard shell, its assets, the API
# description and the liveness probe. They hold no data from the store.
PUBLIC_PATHS = ("/", "/health", "/docs", "/redoc", "/openapi.json")
PUBLIC_PREFIXES = ("/static/", "/docs-assets/")
DASHBOARD_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'none'"
)


@dataclass(frozen=True)
class ServerConfig:
    """What `dyad serve` passes to create_app()."""

    db: str | Path
    token: str | None = None  # bearer token; None = no authentication (localhost only)
    load_coder: bool = True  # load the coder for POST /code (in the background)
    model: str | None = None  # spaCy pipeline for the coder
    ner: bool = False
    max_body: int = 1_000_000  # bytes in a request body
    max_text: int = 100_000  # characters of text for POST /code
    timeout: float = 30.0  # seconds a request may take
    # Host headers accepted (None = any). `dyad serve` on a loopback address accepts only
    # loopback names, so a web page cannot reach the API through DNS rebinding.
    allowed_hosts: tuple[str, ...] | None = None
    db_threads: int = 8  # concurrent store queries
    code_threads: int = 2  # requests waiting for or running the coder at once, per core


# ------------------------------------------------------------------------------ state


class ServerState:
    """The open store, the coder (loaded in the background) and the worker limits."""

    def __init__(self, config: ServerConfig, store: Any) -> None:
        self.config = config
        self.store = store
        self.coder: Any = None
        self.coder_status = "loading" if config.load_coder else "off"
        self.coder_error: str | None = None
        self.coder_seconds: float | None = None
        self.code_lock = threading.Lock()
        self.db_limiter = anyio.CapacityLimiter(config.db_threads)
        self.code_limiter = anyio.CapacityLimiter(max(1, config.code_threads))
        self.started = time.time()

    def load_coder(self) -> None:
        from dyad.pipeline import Coder

        t0 = time.perf_counter()
        try:
            self.coder = Coder.load(model=self.config.model, ner=self.config.ner)
            self.coder.code_text("Warm-up: France welcomed the agreement.", date="2020-01-01")
        except Exception as exc:  # reported on /health and by POST /code, never fatal
            self.coder_status = "failed"
            self.coder_error = str(exc) if isinstance(exc, DyadError) else repr(exc)
            log.error("dyad serve: the coder failed to load: %s", self.coder_error)
            return
        self.coder_seconds = round(time.perf_counter() - t0, 2)
        self.coder_status = "ready"


def _state(request: Request) -> ServerState:
    state: ServerState = request.app.state.dyad
    return state


async def _in_thread(limiter: anyio.CapacityLimiter, fn: Callable[..., Any], *args: Any) -> Any:
    """Run blocking work in a worker thread; on the time limit the request is answered and
    the thread is abandoned (it finishes its query on its own)."""
    return await anyio.to_thread.run_sync(fn, *args, limiter=limiter, abandon_on_cancel=True)


async def _json_in_thread(limiter: anyio.CapacityLimiter, build: Callable[[], Any]) -> Response:
    """Query, shape and encode in the worker thread: the event loop only sends bytes."""
    body = await _in_thread(limiter, lambda: _dumps(build()))
    return Response(body, media_type="application/json")


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


# ------------------------------------------------------------------------------ JSON


def _plain(v: Any) -> Any:
    """A JSON-safe Python value: numpy scalars unwrapped, NaN/NaT -> None, dates ISO."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if hasattr(v, "item") and not isinstance(v, dt.date):
        v = v.item()
    if isinstance(v, float):
        return None if math.isnan(v) or math.isinf(v) else v
    if isinstance(v, dt.datetime):
        if v != v:  # NaT
            return None
        return v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if v != v:
        return None
    return v


def _records(df: Any, date_columns: Sequence[str] = ()) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts; ``date_columns`` become YYYY-MM-DD."""
    out = []
    for rec in df.to_dict("records"):
        row = {k: _plain(v) for k, v in rec.items()}
        for c in date_columns:
            if isinstance(row.get(c), str):
                row[c] = row[c][:10]
        out.append(row)
    return out


def _arrow_records(table: Any) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in table.to_pylist()]


def _event_names(codes: Any) -> dict[str, str]:
    from dyad.ontology import event_types

    table = event_types()
    return {c: table[c].name for c in sorted({c for c in codes if c}) if c in table}


def error_response(
    code: str, message: str, status: int, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        error_body(code, message, status),
        status_code=status,
        headers={"X-Content-Type-Options": "nosniff", **(headers or {})},
    )


# ------------------------------------------------------------------------------ middleware


class LimitsMiddleware:
    """Before any route runs: the bearer token, the body size, then the time limit.

    A pure ASGI middleware (no BaseHTTPMiddleware), so its answers are the canonical error
    body and a request that is refused is never read further.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None,
        max_body: int,
        timeout: float,
        allowed_hosts: tuple[str, ...] | None = None,
    ):
        self.app = app
        self.token = token.encode() if token else None
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts else None
        self.max_body = max_body
        self.timeout = timeout

    @staticmethod
    def _public(path: str) -> bool:
        return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)

    def _host_allowed(self, scope: Scope) -> bool:
        if self.allowed_hosts is None:
            return True
        for name, value in scope.get("headers", []):
            if name == b"host":
                host = value.decode("latin-1").strip().lower()
                if host.startswith("["):
                    host = host.split("]")[0] + "]"
                else:
                    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
                return host in self.allowed_hosts
        return False

    def _authorised(self, scope: Scope) -> bool:
        if self.token is None or self._public(scope.get("path", "")):
            return True
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, given = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    return secrets.compare_digest(given.strip(), self.token)
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def refuse(err: DyadError, headers: dict[str, str] | None = None) -> None:
            status = status_of(err)
            await error_response(err.code, err.message, status, headers)(scope, receive, send)

        if not self._host_allowed(scope):
            await refuse(
                UsageError(
                    "unexpected Host header: this server answers only to "
                    + ", ".join(sorted(self.allowed_hosts or ()))
                )
            )
            return

        if not self._authorised(scope):
            await refuse(
                Unauthorized(
                    "this server needs a bearer token: send 'Authorization: Bearer TOKEN' "
                    "(the --token the server was started with)"
                ),
                {"WWW-Authenticate": 'Bearer realm="dyad"'},
            )
            return

        length = None
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await refuse(UsageError("Content-Length is not a number"))
                    return
        if length is not None and length > self.max_body:
            await refuse(self._too_large(length))
            return

        inner_receive = receive
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            try:
                read = await asyncio.wait_for(self._read_body(receive), self.timeout)
            except TimeoutError:
                await refuse(RequestTimeout(f"the request body took over {self.timeout:g} s"))
                return
            if read is None:  # the client went away
                return
            if isinstance(read, PayloadTooLarge):
                await refuse(read)
                return
            body = read
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            inner_receive = replay

        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                if not any(k == b"x-content-type-options" for k, _ in headers):
                    headers.append((b"x-content-type-options", b"nosniff"))
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await asyncio.wait_for(self.app(scope, inner_receive, tracking_send), self.timeout)
        except TimeoutError:
            log.warning(
                "%s %s: over the %.0f s limit", scope["method"], scope["path"], self.timeout
            )
            if not started:
                err = RequestTimeout(
                    f"the request took longer than the server's limit of {self.timeout:g} s; "
                    "narrow the query (dates, actors, a smaller limit) or shorten the text"
                )
                await error_response(err.code, err.message, err.status)(scope, receive, send)

    async def _read_body(self, receive: Receive) -> bytes | PayloadTooLarge | None:
        """The whole body (None if the client disconnects), refused once over the limit."""
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return self._too_large(None)
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        return b"".join(chunks)

    def _too_large(self, length: int | None) -> PayloadTooLarge:
        size = f" ({length} bytes)" if length is not None else ""
        return PayloadTooLarge(
            f"the request body{size} is over the limit of {self.max_body} bytes (--max-body)"
        )


# ------------------------------------------------------------------------------ parameters

# the store's filters; min_mentions is a parameter of its own on the endpoints that take it
FILTER_PARAMS = tuple(k for k in FILTER_KEYS if k != "min_mentions")


def event_filters(
    actor: Annotated[
        list[str] | None,
        Query(description="source or target: a code prefix (RUS) or words (Putin); repeatable"),
    ] = None,
    source: Annotated[list[str] | None, Query(description="source actor; repeatable")] = None,
    target: Annotated[list[str] | None, Query(description="target actor; repeatable")] = None,
    both_directions: Annotated[
        bool, Query(description="with source and target: also the reverse dyad")
    ] = False,
    code: Annotated[
        list[str] | None, Query(description="CAMEO code prefix: 19, 190, 0311; repeatable")
    ] = None,
    root: Annotated[list[str] | None, Query(description="CAMEO root 01-20; repeatable")] = None,
    quad: Annotated[list[int] | None, Query(description="quad class 1-4; repeatable")] = None,
    plover: Annotated[list[str] | None, Query(description="PLOVER type; repeatable")] = None,
    start: Annotated[
        str | None, Query(description="first date: YYYY, YYYY-MM or YYYY-MM-DD", max_length=10)
    ] = None,
    end: Annotated[
        str | None, Query(description="last date, inclusive (YYYY = to 31 Dec)", max_length=10)
    ] = None,
    place: Annotated[
        list[str] | None, Query(description="location country code (UKR) or name; repeatable")
    ] = None,
    text: Annotated[
        str | None, Query(description="the evidence sentence contains this", max_length=200)
    ] = None,
    article: Annotated[
        list[str] | None, Query(description="article content hash or input id; repeatable")
    ] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
) -> dict[str, Any]:
    """The filters of `dyad query` (docs/store.md#filters), as query parameters."""
    raw: dict[str, Any] = {
        "actor": actor,
        "source": source,
        "target": target,
        "code": code,
        "root": root,
        "quad": quad,
        "plover": plover,
        "start": start,
        "end": end,
        "place": place,
        "text": text,
        "article": article,
        "min_confidence": min_confidence,
    }
    for key in ("actor", "source", "target", "code", "root", "plover", "place", "article"):
        for v in raw[key] or ():
            if len(v) > 200:
                raise InvalidRequest(f"query parameter {key!r}: longer than 200 characters")
    if sum(len(raw[k] or ()) for k in raw if isinstance(raw[k], list)) > 100:
        raise InvalidRequest("too many filter values (at most 100 in all)")
    out = {k: v for k, v in raw.items() if v not in (None, [], "")}
    if both_directions:
        out["both_directions"] = True
    return out


Filters = Annotated[dict[str, Any], Depends(event_filters)]


def known_params(*extra: str, filters: bool = True) -> Callable[[Request], None]:
    """A dependency refusing query parameters the route does not know (typos would
    otherwise be ignored silently and return everything)."""
    allowed = (set(FILTER_PARAMS) if filters else set()) | set(extra)

    def check(request: Request) -> None:
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise UsageError(
                f"unknown query parameter {', '.join(map(repr, unknown))}; this route takes "
                f"{', '.join(sorted(allowed)) or 'none'}"
            )

    return check


def _fingerprint(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(offset: int, total: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "t": total, "q": fingerprint}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> tuple[int, int]:
    """The (offset, total) a cursor stands for; it must come from the same query. The total
    rides along: the store is read-only while served, so it cannot change between pages."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        offset, total, fp = int(data["o"]), int(data["t"]), str(data["q"])
    except (ValueError, TypeError, KeyError, json.JSONDecodeError):
        raise UsageError("cursor is not valid: pass next_cursor from a previous page") from None
    if fp != fingerprint or offset < 0 or total < 0:
        raise UsageError(
            "cursor belongs to another query: keep the filters and order of the first page"
        )
    return offset, total


# ------------------------------------------------------------------------------ bodies


class CodeRequest(BaseModel):
    """POST /code: a text to code, with its date (anchors relative dates)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "text": "Russian troops attacked Ukrainian positions near Kharkiv on Monday.",
                    "date": "2022-03-07",
                    "id": "probe-1",
                }
            ]
        },
    )

    text: str = Field(min_length=1, description="the article or sentence, plain text")
    date: str | None = Field(None, max_length=32, description="article date, YYYY-MM-DD")
    id: str | None = Field(None, max_length=200, description="echoed as the events' article_id")


# ------------------------------------------------------------------------------ the app


def create_app(config: ServerConfig, store: Any = None) -> FastAPI:
    """The app over ``config.db`` opened read-only (or an open ``store``).

    Opening the store happens here, so a missing, locked or foreign file fails before the
    server listens (``StoreError``). The coder loads in the background once the app starts.
    """
    from dyad import __version__
    from dyad.store import Store

    if store is None:
        store = Store(config.db)  # read-only
    state = ServerState(config, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.load_coder and state.coder is None:
            threading.Thread(target=state.load_coder, name="dyad-coder-load", daemon=True).start()
        try:
            yield
        finally:
            state.store.close()

    app = FastAPI(
        title="dyad",
        version=__version__,
        summary="CAMEO/PLOVER political events coded from news: who did what to whom.",
        description=(
            "Read-only access to a dyad event store, and live coding of text. Errors are "
            '`{"error": {"code", "message", "status"}}` with stable codes. When the server '
            "was started with `--token`, send `Authorization: Bearer TOKEN` (Authorize "
            "button). See docs/server.md."
        ),
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.dyad = state
    app.add_middleware(
        LimitsMiddleware,
        token=config.token,
        max_body=config.max_body,
        timeout=config.timeout,
        allowed_hosts=config.allowed_hosts,
    )
    _install_error_handlers(app)
    bearer = HTTPBearer(auto_error=False, description="the --token of `dyad serve`")
    # The middleware enforces the token; the dependency puts it into the OpenAPI schema.
    secured = [Depends(bearer)]

    # ---------------------------------------------------------------- meta

    @app.get(
        "/health",
        tags=["meta"],
        summary="Liveness and whether the coder is ready (no token needed)",
        dependencies=[Depends(known_params(filters=False))],
    )
    async def health(request: Request) -> dict[str, Any]:
        st = _state(request)
        return {
            "status": "ok" if st.coder_status in ("ready", "off", "loading") else "degraded",
            "version": __version__,
            "coder": st.coder_status,
            "coder_error": st.coder_error,
            "coder_load_seconds": st.coder_seconds,
            "store": {"schema_version": st.store.schema_version, "read_only": st.store.read_only},
            "auth": config.token is not None,
            "uptime_seconds": round(time.time() - st.started, 1),
        }

    @app.get(
        "/stats",
        tags=["meta"],
        summary="What the store holds",
        dependencies=[*secured, Depends(known_params(filters=False))],
    )
    async def stats(request: Request) -> dict[str, Any]:
        st = _state(request)
        out: dict[str, Any] = await _in_thread(st.db_limiter, st.store.stats)
        out["path"] = Path(out["path"]).name
        return {k: _plain(v) for k, v in out.items()}

    # ---------------------------------------------------------------- events

    @app.get(
        "/events",
        tags=["events"],
        summary="Events matching the filters, a page at a time",
        dependencies=[
            *secured,
            Depends(known_params("mentions", "min_mentions", "order", "limit", "cursor")),
        ],
    )
    async def events(
        request: Request,
        filters: Filters,
        mentions: Annotated[
            bool, Query(description="every mention (with its sentence) instead of events")
        ] = False,
        min_mentions: Annotated[int | None, Query(ge=1, description="events only")] = None,
        order: Annotated[
            Literal["date", "-date", "mentions", "goldstein", "-goldstein", "article"],
            Query(description="mentions: events only; article: mentions only"),
        ] = "date",
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
        cursor: Annotated[
            str | None, Query(max_length=200, description="next_cursor of the previous page")
        ] = None,
    ) -> Response:
        st = _state(request)
        table = "event_mentions" if mentions else "events"
        if min_mentions is not None:
            if mentions:
                raise UsageError("min_mentions applies to events, not to mentions")
            filters["min_mentions"] = min_mentions
        if order == "mentions" and mentions:
            raise UsageError("order=mentions applies to events; for mentions use article")
        if order == "article" and not mentions:
            raise UsageError("order=article applies to mentions (mentions=true)")
        fingerprint = _fingerprint(table, order, filters)
        offset, known = decode_cursor(cursor, fingerprint) if cursor else (0, None)

        def query() -> tuple[int, Any]:
            reader = st.store.event_mentions if mentions else st.store.events
            rows = reader(limit=limit, offset=offset, order=order, as_arrow=True, **filters)
            if known is not None:
                return known, rows
            if offset == 0 and rows.num_rows < limit:
                return rows.num_rows, rows  # one page holds them all: no count needed
            return st.store.count(table, **filters), rows

        def build() -> dict[str, Any]:
            total, rows = query()
            items = _arrow_records(rows)
            nxt = offset + len(items)
            more = nxt < total and bool(items)
            return {
                "table": table,
                "total": total,
                "offset": offset,
                "count": len(items),
                "next_cursor": encode_cursor(nxt, total, fingerprint) if more else None,
                "items": items,
                "event_names": _event_names(r["event_code"] for r in items),
            }

        return await _json_in_thread(st.db_limiter, build)

    @app.get(
        "/dyads",
        tags=["analysis"],
        summary="The busiest dyads (source -> target)",
        dependencies=[
            *secured,
            Depends(
                known_params(
                    "n", "level", "weight", "directed", "self_loops", "min_events", "min_mentions"
                )
            ),
        ],
    )
    async def dyads(
        request: Request,
        filters: Filters,
        n: Annotated[int, Query(ge=1, le=500)] = 20,
        level: Literal["country", "code"] = "country",
        weight: Literal["events", "mentions"] = "events",
        directed: bool = True,
        self_loops: bool = False,
        min_events: Annotated[int, Query(ge=1)] = 1,
        min_mentions: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        st = _state(request)
        if min_mentions is not None:
            filters["min_mentions"] = min_mentions

        def build() -> dict[str, Any]:
            df = st.store.top_dyads(
                n,
                level=level,
                weight=weight,
                directed=directed,
                self_loops=self_loops,
                min_events=min_events,
                **filters,
            )
            return {
                "level": level,
                "weight": weight,
                "directed": directed,
                "items": _records(df, ("first_date", "last_date")),
            }

        return await _json_in_thread(st.db_limiter, build)

    @app.get(
        "/timeseries",
        tags=["analysis"],
        summary="Events per period, per quad class, with Goldstein",
        dependencies=[*secured, Depends(known_params("freq", "weight", "fill", "min_mentions"))],
    )
    async def timeseries(
        request: Request,
        filters: Filters,
        freq: Literal["day", "week", "month"] = "month",
        weight: Literal["events", "mentions"] = "events",
        fill: Annotated[bool, Query(description="include empty periods")] = True,
        min_mentions: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        st = _state(request)
        if min_mentions is not None:
            filters["min_mentions"] = min_mentions

        def build() -> dict[str, Any]:
            full = fill
            if full and freq == "day" and not (filters.get("start") and filters.get("end")):
                full = _fill_is_small(st, filters)
            df = st.store.timeseries(freq=freq, weight=weight, fill=full, **filters)
            return {"freq": freq, "weight": weight, "items": _records(df, ("period",))}

        return await _json_in_thread(st.db_limiter, build)

    @app.get(
        "/network",
        tags=["analysis"],
        summary="The actor network: nodes with centrality, edges with cooperation/conflict",
        dependencies=[
            *secured,
            Depends(
                known_params(
                    "level", "weight", "min_events", "self_loops", "max_nodes", "min_mentions"
                )
            ),
        ],
    )
    async def network(
        request: Request,
        filters: Filters,
        level: Literal["country", "code"] = "country",
        weight: Literal["events", "mentions"] = "events",
        min_events: Annotated[int, Query(ge=1)] = 1,
        self_loops: bool = False,
        max_nodes: Annotated[
            int, Query(ge=1, le=1000, description="keep the top nodes by PageRank")
        ] = 60,
        min_mentions: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        st = _state(request)
        if min_mentions is not None:
            filters["min_mentions"] = min_mentions

        def build() -> dict[str, Any]:
            g = st.store.network(
                level=level,
                weight=weight,
                min_events=min_events,
                self_loops=self_loops,
                **filters,
            )
            ranked = sorted(g.nodes(data=True), key=lambda nd: (-nd[1].get("pagerank", 0), nd[0]))
            keep = {node for node, _ in ranked[:max_nodes]}
            nodes = [
                {"id": node, **{k: _plain(v) for k, v in data.items() if k != "betweenness"}}
                for node, data in ranked
                if node in keep
            ]
            links = [
                {"source": u, "target": v, **_plain(dict(d))}
                for u, v, d in g.edges(data=True)
                if u in keep and v in keep
            ]
            return {
                "level": level,
                "weight": weight,
                "total_nodes": g.number_of_nodes(),
                "total_links": g.number_of_edges(),
                "truncated": g.number_of_nodes() > len(nodes),
                "nodes": nodes,
                "links": links,
            }

        return await _json_in_thread(st.db_limiter, build)

    @app.get(
        "/places",
        tags=["analysis"],
        summary="Where events happened: one point per place, for the map",
        dependencies=[*secured, Depends(known_params("limit", "min_mentions"))],
    )
    async def places(
        request: Request,
        filters: Filters,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
        min_mentions: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        from dyad.store.filters import compile_filters

        st = _state(request)
        if min_mentions is not None:
            filters["min_mentions"] = min_mentions
        where, params = compile_filters(filters, kind="events")
        sql = (
            "SELECT e.location_name AS name, e.location_country AS country,\n"
            "  avg(e.location_lat) AS lat, avg(e.location_lon) AS lon,\n"
            "  count(*) AS events, sum(e.num_mentions)::BIGINT AS mentions,\n"
            "  count(*) FILTER (WHERE e.quad_class <= 2) AS cooperation,\n"
            "  count(*) FILTER (WHERE e.quad_class >= 3) AS conflict,\n"
            "  avg(e.goldstein) AS goldstein_mean, min(e.date) AS first_date,\n"
            "  max(e.date) AS last_date\n"
            f"FROM events e WHERE ({where}) AND e.location_lat IS NOT NULL\n"
            "  AND e.location_lon IS NOT NULL\n"
            "GROUP BY 1, 2 ORDER BY events DESC, name LIMIT ?"
        )

        def build() -> dict[str, Any]:
            df = st.store.sql(sql, [*params, limit])
            return {"items": _records(df, ("first_date", "last_date"))}

        return await _json_in_thread(st.db_limiter, build)

    @app.get(
        "/articles/{article_id}",
        tags=["events"],
        summary="An article's text with its events, and the spans to highlight",
        dependencies=[*secured, Depends(known_params("format", filters=False))],
        responses={200: {"content": {"text/html": {}}}},
    )
    async def article(
        request: Request,
        article_id: str,
        format: Literal["json", "html"] = "json",
    ) -> Any:
        st = _state(request)
        if len(article_id) > 200:
            raise InvalidRequest("article id is longer than 200 characters")
        found = await _in_thread(st.db_limiter, _load_article, st.store, article_id)
        if found is None:
            raise NotFound(f"no article {article_id!r} (give its content hash or input id)")
        if format == "html":
            return HTMLResponse(
                _article_html(found),
                headers={
                    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"
                },
            )
        return Response(
            await _in_thread(st.db_limiter, _dumps, found), media_type="application/json"
        )

    # ---------------------------------------------------------------- coding

    @app.post(
        "/code",
        tags=["coding"],
        summary="Code a text into events (the JSONL records of `dyad code`)",
        dependencies=[*secured, Depends(known_params(filters=False))],
    )
    async def code(request: Request, body: CodeRequest) -> Response:
        from dyad.pipeline import parse_date

        st = _state(request)
        if len(body.text) > config.max_text:
            raise PayloadTooLarge(
                f"text has {len(body.text)} characters; the limit is {config.max_text} "
                "(--max-text); code longer texts with `dyad code` or `dyad ingest`"
            )
        date = parse_date(body.date, "date")
        if st.coder_status != "ready":
            raise CoderNotReady(
                {
                    "loading": "the coder is still loading; try again in a few seconds "
                    "(GET /health says when it is ready)",
                    "off": "this server was started with --no-coder",
                }.get(st.coder_status, f"the coder failed to load: {st.coder_error}")
            )
        t0 = time.perf_counter()

        def build() -> dict[str, Any]:
            # one text at a time through the spaCy pipeline (not thread-safe)
            if not st.code_lock.acquire(timeout=config.timeout):
                raise RequestTimeout("the coder is busy; try again")
            try:
                found = st.coder.code_text(body.text, date=date, article_id=body.id or "text")
            finally:
                st.code_lock.release()
            events = [e.as_dict() for e in found]
            return {
                "article_id": body.id or "text",
                "date": date.isoformat() if date else None,
                "count": len(events),
                "elapsed_ms": round((time.perf_counter() - t0) * 1000, 1),
                "events": events,
                "event_names": _event_names(e["event_code"] for e in events),
            }

        return await _json_in_thread(st.code_limiter, build)

    # ---------------------------------------------------------------- dashboard, docs

    @app.get("/", include_in_schema=False)
    async def dashboard() -> Response:
        return Response(
            _static_bytes("index.html"),
            media_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": DASHBOARD_CSP, "Cache-Control": "no-cache"},
        )

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        if name not in STATIC_TYPES:
            raise NotFound(f"no static file {name!r}")
        return Response(
            _static_bytes(name),
            media_type=STATIC_TYPES[name],
            headers={"Cache-Control": "no-cache"},
        )

    @app.get("/docs-assets/{name}", include_in_schema=False)
    async def docs_assets(name: str) -> Response:
        if name not in DOCS_ASSETS:
            raise NotFound(f"no documentation asset {name!r}")
        return Response(
            _docs_asset(name),
            media_type=DOCS_ASSETS[name],
            headers={"Cache-Control": "max-age=86400"},
        )

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="dyad API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="dyad API",
            redoc_js_url="/docs-assets/redoc.standalone.js",
            redoc_favicon_url="/static/favicon.svg",
            with_google_fonts=False,
        )

    return app


def _fill_is_small(st: ServerState, filters: dict[str, Any]) -> bool:
    """Daily series are filled only over at most ~20 years of days."""
    stats = st.store.stats()
    if not stats["first_date"] or not stats["last_date"]:
        return True
    span = dt.date.fromisoformat(stats["last_date"]) - dt.date.fromisoformat(stats["first_date"])
    return span.days <= 7500


# ------------------------------------------------------------------------------ articles


def _load_article(store: Any, article_id: str) -> dict[str, Any] | None:
    rec = store.article(article_id)
    if rec is None:
        df = store.articles(external_id=article_id, limit=1, with_text=True)
        if len(df) == 0:
            return None
        rec = store.article(str(df["article_id"].iloc[0]))
        if rec is None:
            return None
    text: str = rec.get("text") or ""
    events = []
    highlights = []
    for e in store.iter_event_records(article=rec["article_id"], order="article"):
        d = e.as_dict()
        d["sentence_start"] = _sentence_start(text, e.sentence, e.trigger.start, e.trigger.end)
        events.append(d)
        for role, span in (("source", e.source), ("target", e.target), ("trigger", e.trigger)):
            if span is not None and 0 <= span.start < span.end <= len(text):
                highlights.append(
                    {"start": span.start, "end": span.end, "role": role, "event_id": e.event_id}
                )
    highlights.sort(key=lambda h: (h["start"], -h["end"]))
    return {
        "article": _plain(rec),
        "events": events,
        "highlights": highlights,
        "event_names": _event_names(e["event_code"] for e in events),
    }


def _sentence_start(text: str, sentence: str, start: int, end: int) -> int | None:
    """Where the evidence sentence starts in the article: the occurrence holding the trigger."""
    if not sentence:
        return None
    pos = text.rfind(sentence, 0, start + 1)
    if pos >= 0 and pos + len(sentence) >= end:
        return pos
    pos = text.find(sentence)
    return pos if pos >= 0 else None


def _article_html(found: dict[str, Any]) -> str:
    art = found["article"]
    text: str = art.get("text") or ""
    # non-overlapping marks: take spans left to right, skip any that overlap one taken
    taken_end = -1
    marks = []
    for h in found["highlights"]:
        if h["start"] >= taken_end:
            marks.append(h)
            taken_end = h["end"]
    pieces = []
    pos = 0
    for h in marks:
        pieces.append(html.escape(text[pos : h["start"]]))
        pieces.append(
            f'<mark class="{h["role"]}" title="{h["role"]} of event {html.escape(h["event_id"])}">'
            f"{html.escape(text[h['start'] : h['end']])}</mark>"
        )
        pos = h["end"]
    pieces.append(html.escape(text[pos:]))
    title = html.escape(art.get("title") or art.get("external_id") or art["article_id"])
    return (
        "<!doctype html><meta charset='utf-8'><title>" + title + "</title>"
        "<style>body{font:16px/1.5 sans-serif;max-width:48em;margin:2em auto}"
        "mark.source{background:#cde4ff}mark.target{background:#ffd9b3}"
        "mark.trigger{background:#fff1a8;font-weight:bold}</style>"
        f"<h1>{title}</h1><p>{html.escape(str(art.get('date') or ''))} "
        f"{html.escape(art.get('outlet') or '')}</p>"
        f"<p style='white-space:pre-wrap'>{''.join(pieces)}</p>"
    )


# ------------------------------------------------------------------------------ files


def _static_bytes(name: str) -> bytes:
    return resources.files("dyad.server").joinpath("static", name).read_bytes()


def _docs_asset(name: str) -> bytes:
    return resources.files("fastapi_offline").joinpath("static", name).read_bytes()


# ------------------------------------------------------------------------------ errors


def _install_error_handlers(app: FastAPI) -> None:
    async def dyad_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DyadError)
        status = status_of(exc)
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc)
        headers = {"Retry-After": "5"} if isinstance(exc, CoderNotReady) else None
        return error_response(exc.code, exc.message, status, headers)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(
            InvalidRequest.code, _validation_message(exc.errors()), InvalidRequest.status
        )

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code
        code = HTTP_STATUS_CODES.get(status, "D600" if status < 500 else ServerError.code)
        if status == 404:
            message = f"no route {request.method} {request.url.path} (see /docs)"
        elif status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        else:
            message = str(exc.detail)
        return error_response(code, message, status, dict(exc.headers or {}) or None)

    async def crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error_response(
            ServerError.code,
            f"internal error ({type(exc).__name__}); the server log has the details",
            500,
        )

    handlers: list[tuple[type[Exception], Callable[[Request, Exception], Awaitable[Response]]]]
    handlers = [
        (DyadError, dyad_error),
        (RequestValidationError, validation_error),
        (StarletteHTTPException, http_error),
        (Exception, crash),
    ]
    for exc_type, handler in handlers:
        app.add_exception_handler(exc_type, handler)


def _validation_message(errors: Sequence[Any]) -> str:
    parts = []
    for err in list(errors)[:5]:
        loc = [str(x) for x in err.get("loc", ())]
        where = loc[0] if loc else "request"
        name = ".".join(loc[1:])
        kind = {"query": "query parameter", "path": "path parameter", "body": "body field"}.get(
            where, where
        )
        label = f"{kind} {name!r}" if name else ("request body" if where == "body" else kind)
        msg = err.get("msg", "invalid")
        if "input" in err and err.get("type") != "missing" and not isinstance(err["input"], dict):
            given = repr(err["input"])
            msg += f" (got {given[:60]})"
        parts.append(f"{label}: {msg}")
    more = len(errors) - 5
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")
