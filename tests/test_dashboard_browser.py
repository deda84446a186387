"""The dashboard in a real browser: Debian's chromium driven by playwright (no browser
download) against a real `dyad serve` on the demo store.

Skips with the reason on a machine without /usr/bin/chromium (`apt-get install chromium`);
in CI (CI=true), where .ci/run installs it, a missing browser fails instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .serverkit import demo_db, start_server, stop_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTICLE = (
    "KYIV, March 7 (Wire) - Russian troops attacked Ukrainian positions near Kharkiv on "
    "Monday, Ukraine said. Later, China and Russia signed a trade agreement in Beijing."
)
TOKEN = "browser-test-token"

pytestmark = pytest.mark.slow


def _need_browser() -> None:
    if not CHROMIUM.exists():
        reason = (
            f"needs Debian's chromium at {CHROMIUM} (apt-get install -y chromium; "
            ".ci/run installs it)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"in CI the browser test must run: {reason}")
        pytest.skip(reason)
    pytest.importorskip("playwright.sync_api", reason="needs the playwright package (dev extra)")


@pytest.fixture(scope="module")
def db(tmp_path_factory, coder):
    return demo_db(tmp_path_factory)


@pytest.fixture
def browser(tmp_path):
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"),  # a fresh user-data-dir
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


def _watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning")
            else None
        ),
    )
    page.on(
        "requestfailed",
        lambda req: problems.append(f"request failed: {req.url}"),
    )
    return problems


def test_dashboard_shows_the_demo_store_and_codes_a_pasted_article(db, browser, tmp_path):
    _need_browser()
    proc, url = start_server(db, tmp_path / "serve.log")
    try:
        page = browser.new_page()
        problems = _watch(page)
        requests: list[str] = []
        page.on("request", lambda req: requests.append(req.url))
        page.goto(url)
        page.wait_for_selector("body[data-ready='1']")

        summary = page.inner_text("#summary")
        assert "articles" in summary and "events" in summary

        # the network: nodes and edges coloured by cooperation/conflict
        assert page.locator("#network .node").count() >= 5
        edges = page.locator("#network .edge")
        assert edges.count() >= 5
        colours = {edges.nth(i).get_attribute("stroke") for i in range(edges.count())}
        assert len(colours) >= 2

        # the map, the dyad timeline
        assert page.locator("#map .country").count() > 150
        assert page.locator("#map .place").count() >= 3
        assert page.locator("#dyad-select option").count() >= 3
        assert page.locator("#timeline rect").count() >= 2

        # the event table, and the evidence of a row
        rows = page.locator("#events-table tbody tr")
        assert rows.count() >= 10
        first = rows.first.inner_text()
        assert first.strip()
        rows.first.click()
        page.wait_for_selector("#evidence-sentence mark.trigger")
        assert page.locator("#evidence-sentence mark.source").count() >= 1
        assert "rule" in page.inner_text("#evidence-meta")

        # the time window narrows the network
        n_edges = edges.count()
        page.locator("#win-start").fill(str(int(page.locator("#win-end").get_attribute("max")) - 6))
        page.wait_for_function(
            f"() => document.querySelectorAll('#network .edge').length < {n_edges}"
        )

        # a filter from the table form
        page.fill("#filters input[name=actor]", "RUS")
        page.click("#filters button[type=submit]")
        page.wait_for_function(
            "() => [...document.querySelectorAll('#events-table tbody tr')]"
            ".every(r => r.innerText.includes('RUS'))"
        )

        # back to the whole period for the screenshot
        page.locator("#win-start").fill("0")
        page.wait_for_function(
            f"() => document.querySelectorAll('#network .edge').length === {n_edges}"
        )

        # paste an article, code it live
        page.fill("#code-text", ARTICLE)
        page.fill("#code-date", "2022-03-07")
        page.click("#code-button")
        page.wait_for_selector("#code-events li")
        coded = page.inner_text("#code-events")
        assert "RUSMIL" in coded and "UKR" in coded
        assert "attacked" in page.inner_text("#code-highlighted mark.trigger >> nth=0")
        assert "event" in page.inner_text("#code-status")

        shot = tmp_path / "dashboard.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        assert not problems, problems
        outside = [u for u in requests if not u.startswith(url)]
        assert not outside, f"the dashboard fetched from elsewhere: {outside}"
    finally:
        stop_server(proc)


def test_dashboard_with_a_token(db, browser, tmp_path):
    _need_browser()
    proc, url = start_server(db, tmp_path / "serve.log", "--no-coder", "--token", TOKEN)
    try:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector("#token-bar:not(.hidden)")  # asks for the token
        page.fill("#token-input", TOKEN)
        page.click("#token-form button")
        page.wait_for_selector("body[data-ready='1']")
        assert page.locator("#events-table tbody tr").count() >= 10
        # or with the token in the URL fragment (never sent to the server)
        page2 = browser.new_page()
        page2.goto(url + "#token=" + TOKEN)
        page2.wait_for_selector("body[data-ready='1']")
        assert page2.locator("#network .edge").count() >= 5
        assert "token" not in page2.url
        # the OpenAPI docs render offline (Swagger UI from the fastapi-offline package)
        docs = browser.new_page()
        requests: list[str] = []
        docs.on("request", lambda req: requests.append(req.url))
        docs.goto(url + "docs")
        docs.wait_for_selector(".swagger-ui .opblock")
        assert docs.locator(".swagger-ui .opblock").count() >= 9
        assert docs.locator(".swagger-ui .btn.authorize").count() == 1
        outside = [u for u in requests if not u.startswith(url) and not u.startswith("data:")]
        assert not outside, f"the API docs fetched from elsewhere: {outside}"
    finally:
        stop_server(proc)
