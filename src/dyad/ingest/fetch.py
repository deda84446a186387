"""Fetching web pages politely: timeouts, a size limit, one request per host per delay.

Only used when asked (``dyad ingest --fetch``): feed entries' linked pages and URL inputs.
A page that cannot be had is a FetchError with a reject reason (``fetch_error``, or
``too_large`` over the size limit); a host that fails to answer several times in a row is
not asked again in this run, so an offline machine fails fast instead of waiting for a
timeout per link.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dyad.ingest.base import DEFAULT_MAX_PAGE_BYTES

ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1"
)
MAX_REDIRECTS = 5
MAX_HOST_FAILURES = 3


def default_user_agent() -> str:
    from dyad import __version__

    return f"dyad/{__version__} (political event coder; polite fetcher)"


class FetchError(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Page:
    url: str  # as asked
    final_url: str  # after redirects
    status: int
    content_type: str  # lower-case media type, without parameters
    charset: str | None
    body: bytes


class Fetcher:
    """An HTTP client for dyad's readers (httpx underneath, created on first use)."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        max_bytes: int = DEFAULT_MAX_PAGE_BYTES,
        delay: float = 1.0,
        user_agent: str | None = None,
        max_host_failures: int = MAX_HOST_FAILURES,
        transport: Any = None,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.delay = delay
        self.user_agent = user_agent or default_user_agent()
        self.max_host_failures = max_host_failures
        self._transport = transport
        self._client: Any = None
        self._last: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self.owned_by_reader = False  # created by a reader, closed when it is done

    def _get_client(self) -> Any:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
                timeout=httpx.Timeout(self.timeout),
                headers={"User-Agent": self.user_agent, "Accept": ACCEPT},
                transport=self._transport,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _wait_for(self, host: str) -> None:
        """Sleep until this host may be asked again."""
        with self._lock:
            last = self._last.get(host)
            now = time.monotonic()
            wait = 0.0 if last is None else last + self.delay - now
            # reserve the slot now, so concurrent callers queue behind each other
            self._last[host] = now + max(wait, 0.0)
        if wait > 0:
            time.sleep(wait)

    def get(self, url: str) -> Page:
        """GET a page, or raise FetchError."""
        import httpx

        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("fetch_error", "not an http(s) URL")
        host = parts.hostname.lower()
        failures = self._failures.get(host, 0)
        if failures >= self.max_host_failures:
            raise FetchError(
                "fetch_error",
                f"{host} did not answer {failures} times in a row; not asked again in this run",
            )
        self._wait_for(host)
        started = time.monotonic()
        self.requests += 1
        try:
            with self._get_client().stream("GET", url) as resp:
                if resp.status_code >= 400:
                    raise FetchError("fetch_error", f"HTTP {resp.status_code} {resp.reason_phrase}")
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(
                        "too_large",
                        f"the page is {int(declared):,} bytes, over the limit of "
                        f"{self.max_bytes:,} (raise it with --max-page-bytes)",
                    )
                body = bytearray()
                for chunk in resp.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise FetchError(
                            "too_large",
                            f"the page is over the limit of {self.max_bytes:,} bytes "
                            "(raise it with --max-page-bytes)",
                        )
                    if time.monotonic() - started > 3 * self.timeout:
                        raise FetchError(
                            "fetch_error", f"too slow: not complete after {3 * self.timeout:g} s"
                        )
                ctype = resp.headers.get("content-type", "")
                media = ctype.split(";")[0].strip().lower()
                charset = None
                for param in ctype.split(";")[1:]:
                    key, _, value = param.partition("=")
                    if key.strip().lower() == "charset" and value.strip():
                        charset = value.strip().strip("\"'")
                page = Page(url, str(resp.url), resp.status_code, media, charset, bytes(body))
        except httpx.TimeoutException:
            self._failures[host] = failures + 1
            raise FetchError("fetch_error", f"timed out after {self.timeout:g} s") from None
        except httpx.TooManyRedirects:
            raise FetchError("fetch_error", f"more than {MAX_REDIRECTS} redirects") from None
        except httpx.HTTPError as exc:
            self._failures[host] = failures + 1
            raise FetchError("fetch_error", f"{type(exc).__name__}: {exc}"[:300]) from None
        finally:
            with self._lock:
                self._last[host] = max(self._last.get(host, 0.0), time.monotonic())
        self._failures[host] = 0
        return page
