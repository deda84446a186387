"""Team-written inputs for the ingest tests: stories, HTML pages with boilerplate, RSS and
Atom feeds, WARC archives (written with warcio), CSV with odd columns, and bad files."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import random
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

COUNTRIES = (
    ("Russia", "Russian", "Moscow"),
    ("Ukraine", "Ukrainian", "Kyiv"),
    ("France", "French", "Paris"),
    ("China", "Chinese", "Beijing"),
    ("Iran", "Iranian", "Tehran"),
    ("Turkey", "Turkish", "Ankara"),
    ("Germany", "German", "Berlin"),
    ("Japan", "Japanese", "Tokyo"),
    ("India", "Indian", "New Delhi"),
    ("Brazil", "Brazilian", "Brasilia"),
    ("Egypt", "Egyptian", "Cairo"),
    ("Poland", "Polish", "Warsaw"),
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

LEADS = (
    "{A} troops attacked {b} positions near the border on {day}, officials in {capB} said.",
    "The {a} foreign minister met his {b} counterpart in {capA} on {day} to discuss trade.",
    "{A} accused {B} of violating the ceasefire, a government spokesman said on {day}.",
    "{A} agreed to send humanitarian aid to {B} after floods hit the region on {day}.",
    "{A} expelled two {b} diplomats on {day}, the foreign ministry in {capA} said.",
    "{A} signed a trade agreement with {B} in {capA} on {day}.",
    "The {a} president praised {B} for its help during a visit to {capB} on {day}.",
    "{A} imposed new sanctions on {B} on {day}, citing security concerns.",
)
MIDDLES = (
    "Analysts said the move reflected months of tension over energy prices and shipping.",
    "The talks lasted several hours and ended without a joint statement, diplomats said.",
    "Officials from both governments declined to comment on the details of the meeting.",
    "Markets in the region fell slightly after the announcement, traders said.",
    "A spokesman said further meetings were planned for the coming weeks.",
    "The United Nations urged both sides to show restraint and keep talking.",
    "Opposition lawmakers criticised the decision and called for a parliamentary debate.",
    "Local media reported that security had been tightened around government buildings.",
    "The ministry said it would publish a full report on the incident next month.",
    "Farmers and exporters welcomed the news, saying it would ease delays at ports.",
    "Several international observers were present and described the mood as calm.",
    "Independent experts said it was too early to judge the impact of the measures.",
)
CLOSERS = (
    "{B} said it would respond in due course.",
    "{A} denied any wrongdoing.",
    "Neither side gave figures on casualties.",
    "The next round of negotiations is expected in {capB}.",
    "Both leaders said they hoped to meet again before the end of the year.",
    "Officials in {capA} said the decision was final.",
)


def story(i: int, sentences: int = 6) -> str:
    """A distinct news-like story number i (no two are near-duplicates)."""
    rng = random.Random(i * 7919 + 17)
    A, a, capA = COUNTRIES[i % len(COUNTRIES)]
    B, b, capB = COUNTRIES[(i // len(COUNTRIES) + 1 + i) % len(COUNTRIES)]
    if A == B:
        B, b, capB = COUNTRIES[(i + 5) % len(COUNTRIES)]
    fill = dict(A=A, a=a, capA=capA, B=B, b=b, capB=capB, day=DAYS[i % 7])
    parts = [LEADS[i % len(LEADS)].format(**fill)]
    middles = rng.sample(MIDDLES, k=min(len(MIDDLES), sentences - 2))
    parts += middles
    parts.append(CLOSERS[rng.randrange(len(CLOSERS))].format(**fill))
    parts.append(f"(Report number {i}, filed by correspondent {rng.randrange(10_000)}.)")
    return " ".join(parts)


WIRE_STORY = (
    "Russian and Ukrainian negotiators met in Istanbul on Tuesday for a new round of talks "
    "on grain exports, officials from both delegations said. Turkey hosted the meeting and "
    "the United Nations sent an envoy to observe it. The Ukrainian delegation demanded "
    "guarantees for ships leaving Odesa, while the Russian side asked for the easing of "
    "sanctions on its fertiliser exports. Turkish officials said the atmosphere was "
    "constructive and that a further meeting was planned for next week. Diplomats said a "
    "deal could allow millions of tonnes of grain to leave Black Sea ports before winter, "
    "easing food prices across Africa and the Middle East."
)


def wire_copy(outlet: str, extra: str = "") -> str:
    """The wire story as another outlet republished it (small edits)."""
    return f"{WIRE_STORY} {extra}".strip() + f" Reporting for {outlet}."


FRENCH = (
    "Les négociateurs russes et ukrainiens se sont retrouvés mardi à Istanbul pour une "
    "nouvelle série de discussions sur les exportations de céréales, ont indiqué les deux "
    "délégations. La Turquie a accueilli la réunion et les Nations unies ont envoyé un "
    "émissaire pour y assister. Selon les diplomates, un accord pourrait permettre de "
    "débloquer des millions de tonnes de blé avant l'hiver."
)

SPANISH = (
    "El presidente de Brasil se reunió el martes con su homólogo argentino en Buenos Aires "
    "para hablar del comercio entre los dos países y de la crisis energética en la región. "
    "Ambos gobiernos firmaron un acuerdo para ampliar el gasoducto y prometieron reducir los "
    "aranceles sobre los productos agrícolas antes de fin de año, según un comunicado."
)


def html_page(
    title: str,
    paragraphs: list[str],
    *,
    site: str = "The Daily Planet",
    published: str | None = "2022-03-07T10:00:00Z",
    canonical: str | None = None,
) -> str:
    """A news page with navigation, cookie banner, related links and footer around it."""
    meta = f'<meta property="og:site_name" content="{escape(site)}">\n'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">\n'
    if canonical:
        meta += f'<link rel="canonical" href="{canonical}">\n'
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)} | {escape(site)}</title>
{meta}<script>window.dataLayer = [{{"page": "article"}}];</script>
<style>body {{ font-family: serif; }}</style></head>
<body>
<header><nav class="menu"><ul>
<li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/subscribe">Subscribe today for only 1 dollar</a></li></ul></nav></header>
<div class="cookie-banner">We use cookies to personalise content and ads. Accept all cookies
to continue browsing our website.</div>
<main><article>
<h1>{escape(title)}</h1>
<div class="byline">By Staff Reporter</div>
{body}
</article>
<aside class="related"><h3>Most read</h3><ul>
<li><a href="/a">Ten summer recipes you must try this weekend</a></li>
<li><a href="/b">Celebrity wedding photos from the coast</a></li>
<li><a href="/c">Sign up for our free morning newsletter</a></li></ul></aside>
</main>
<footer><p>Copyright 2022 {escape(site)}. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></p></footer>
</body></html>
"""


BOILERPLATE = (
    "Accept all cookies",
    "Subscribe today",
    "Ten summer recipes",
    "All rights reserved",
    "Privacy policy",
    "dataLayer",
    "Most read",
)


def rss(channel: str, items: list[dict], link: str = "https://wire.example/") -> bytes:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">',
        f"<channel><title>{escape(channel)}</title><link>{link}</link>",
        "<description>News</description>",
    ]
    for it in items:
        out.append("<item>")
        out.append(f"<title>{escape(it['title'])}</title>")
        if it.get("link"):
            out.append(f"<link>{escape(it['link'])}</link><guid>{escape(it['link'])}</guid>")
        if it.get("date"):
            when = dt.datetime.fromisoformat(it["date"]).replace(tzinfo=dt.UTC)
            out.append(f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>")
        if it.get("summary"):
            out.append(f"<description>{escape(it['summary'])}</description>")
        if it.get("html"):
            out.append(f"<content:encoded><![CDATA[{it['html']}]]></content:encoded>")
        out.append("</item>")
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def atom(title: str, entries: list[dict]) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:dyad:test:{escape(title)}</id>",
        "<updated>2022-03-08T00:00:00Z</updated>",
    ]
    for i, e in enumerate(entries):
        out.append("<entry>")
        out.append(f"<title>{escape(e['title'])}</title>")
        out.append(f'<link href="{escape(e["link"])}"/><id>{escape(e["link"])}#{i}</id>')
        out.append(f"<published>{e['date']}T09:00:00Z</published>")
        out.append(f"<updated>{e['date']}T12:00:00Z</updated>")
        out.append(f'<content type="html">{escape(e["html"])}</content>')
        out.append("</entry>")
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")


def write_warc(path: Path, records: list[dict], *, gz: bool = True) -> None:
    """A WARC file as Common Crawl News writes them: warcinfo, then request + response
    pairs. Each record: url, body (bytes), status (default 200), ctype, date."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "dyad-tests"}))
        for r in records:
            req = StatusAndHeaders(
                "GET / HTTP/1.1", [("Host", "example")], protocol="HTTP/1.1", is_http_request=True
            )
            writer.write_record(writer.create_warc_record(r["url"], "request", http_headers=req))
            status = r.get("status", "200 OK")
            headers = StatusAndHeaders(
                status,
                [("Content-Type", r.get("ctype", "text/html; charset=utf-8"))],
                protocol="HTTP/1.1",
            )
            rec = writer.create_warc_record(
                r["url"],
                "response",
                payload=io.BytesIO(r["body"]),
                http_headers=headers,
                warc_headers_dict={"WARC-Date": r.get("date", "2022-03-09T08:00:00Z")},
            )
            writer.write_record(rec)


def write_csv_odd(path: Path, rows: list[tuple[str, str, str, str, str]]) -> None:
    """Semicolon-separated, odd column names, a BOM, quoted multi-line text, an extra column."""
    import csv

    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Headline", "Body Text", "Published On", "Story URL", "Publisher", "Notes"])
        for title, body, date, url, outlet in rows:
            w.writerow([title, body, date, url, outlet, "n/a"])


def write_jsonl(path: Path, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec) + "\n")


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)
