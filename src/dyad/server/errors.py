"""The server's errors: members of the one DyadError hierarchy, each with its HTTP status.

Every error the server answers with, whatever raised it (a route, request validation,
an unknown path, a wrong method, the size, time and token checks, a crash), is sent as
one canonical JSON body::

    {"error": {"code": "D602", "message": "no route GET /nope", "status": 404}}

Codes are stable (docs/server.md lists them): D5xx store, D6xx the client's request,
D7xx the server's own state.
"""

from __future__ import annotations

from typing import Any

from dyad.errors import DyadError, InputError, StoreError, UsageError


class InvalidRequest(UsageError):
    """A parameter or body that does not have the right type or shape (HTTP 422)."""

    code = "D601"
    status = 422


class NotFound(UsageError):
    """No such route, article or static file (HTTP 404)."""

    code = "D602"
    status = 404


class MethodNotAllowed(UsageError):
    """The route exists but not for this HTTP method (HTTP 405)."""

    code = "D603"
    status = 405


class PayloadTooLarge(UsageError):
    """A request body, or the text given to POST /code, is over the limit (HTTP 413)."""

    code = "D604"
    status = 413


class Unauthorized(UsageError):
    """The bearer token is missing or wrong (HTTP 401)."""

    code = "D605"
    status = 401


class ServerError(DyadError):
    """Something failed inside the server (HTTP 500); the log has the traceback."""

    code = "D700"
    status = 500


class RequestTimeout(ServerError):
    """The request took longer than the server's time limit (HTTP 503)."""

    code = "D701"
    status = 503


class CoderNotReady(ServerError):
    """POST /code before the coder has loaded, or when it failed or is off (HTTP 503)."""

    code = "D702"
    status = 503


# Status codes Starlette raises on its own (unknown route, wrong method...) -> our codes.
HTTP_STATUS_CODES: dict[int, str] = {
    400: UsageError.code,
    401: Unauthorized.code,
    404: NotFound.code,
    405: MethodNotAllowed.code,
    413: PayloadTooLarge.code,
    422: InvalidRequest.code,
    500: ServerError.code,
    503: RequestTimeout.code,
}


def status_of(exc: DyadError) -> int:
    """The HTTP status of a DyadError: its own, else by family."""
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return status
    if isinstance(exc, UsageError | InputError):
        return 400
    if isinstance(exc, StoreError):
        return 503 if "in use by another process" in exc.message else 500
    return 500


def error_body(code: str, message: str, status: int) -> dict[str, Any]:
    """The one JSON error body of every error response."""
    return {"error": {"code": code, "message": message, "status": status}}
