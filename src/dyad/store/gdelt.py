"""GDELT 2.0 event-table export: 61 tab-separated columns, no header, one event per line.

Existing GDELT tooling reads it as it reads GDELT's own ``*.export.CSV`` files. How our
events fill GDELT's columns (docs/store.md has the full table):

- GLOBALEVENTID: ``events.global_event_id`` (first 60 bits of the event key: stable).
- SQLDATE/MonthYear/Year/FractionDate from the event date (FractionDate as GDELT computes
  it: Year + (Month*30 + Day)/365).
- ActorNCode/Name/CountryCode: code, evidence text (upper-cased, as GDELT names are), and
  country. The code's 3-letter segments after the country fill KnownGroupCode (a segment
  that is not a CAMEO role type: UNO, AMN ...) and Type1-3Code (GOV, MIL, NGO ...).
  Ethnic and religion codes are empty: dyad does not code them.
- IsRootEvent: 1 when a mention is in an article's first sentence (its lead).
- NumMentions/NumSources/NumArticles/AvgTone: the aggregated columns (AvgTone empty
  until tone is coded).
- ActorNGeo_*: type 0 (dyad does not geolocate actors); ActionGeo_* from the event's
  location: type 4 (world city) with coordinates, 1 (country) without; CountryCode is
  the ISO3/CAMEO code, where GDELT writes FIPS 10-4.
- DATEADDED: first ingestion time, YYYYMMDDHHMMSS (UTC). SOURCEURL: the evidence
  article's url, else its outlet, else the input's id.
"""

from __future__ import annotations

from typing import Any

# The 61 columns of the GDELT 2.0 event table, in order (GDELT 2.0 codebook).
GDELT_COLUMNS: tuple[str, ...] = (
    "GLOBALEVENTID",
    "SQLDATE",
    "MonthYear",
    "Year",
    "FractionDate",
    *(
        f"Actor{n}{f}"
        for n in (1, 2)
        for f in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    ),
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
    *(
        f"{who}Geo_{f}"
        for who in ("Actor1", "Actor2", "Action")
        for f in (
            "Type",
            "FullName",
            "CountryCode",
            "ADM1Code",
            "ADM2Code",
            "Lat",
            "Long",
            "FeatureID",
        )
    ),
    "DATEADDED",
    "SOURCEURL",
)

# DuckDB types to read the file back (INTEGER columns of the codebook as BIGINT).
GDELT_TYPES: dict[str, str] = {
    c: (
        "BIGINT"
        if c
        in (
            "GLOBALEVENTID",
            "SQLDATE",
            "MonthYear",
            "Year",
            "IsRootEvent",
            "QuadClass",
            "NumMentions",
            "NumSources",
            "NumArticles",
            "Actor1Geo_Type",
            "Actor2Geo_Type",
            "ActionGeo_Type",
            "DATEADDED",
        )
        else "DOUBLE"
        if c
        in (
            "FractionDate",
            "GoldsteinScale",
            "AvgTone",
            "Actor1Geo_Lat",
            "Actor1Geo_Long",
            "Actor2Geo_Lat",
            "Actor2Geo_Long",
            "ActionGeo_Lat",
            "ActionGeo_Long",
        )
        else "VARCHAR"
    )
    for c in GDELT_COLUMNS
}

# CAMEO actor role/type codes (GDELT CAMEO.type.txt, plus dyad's PTY and REL): segments of
# an actor code that go to TypeNCode; any other segment after the country is a known group.
ACTOR_TYPES = frozenset(
    "COP GOV INS JUD MIL OPP REB SEP SPY UAF AGR BUS CRM CVL DEV EDU ELI ENV HLH HRI LAB "
    "LEG MED REF MOD RAD UIS IGO IMG INT MNC NGM NGO SET PTY REL".split()
)


def split_actor_code(code: str | None, country: str | None) -> tuple[str, str, str, str]:
    """(known_group, type1, type2, type3) from a CAMEO actor code and its country."""
    if not code:
        return "", "", "", ""
    segs = [code[i : i + 3] for i in range(0, len(code), 3)]
    if country and segs and segs[0] == country:
        segs = segs[1:]
    types = [s for s in segs if s in ACTOR_TYPES]
    groups = [s for s in segs if s not in ACTOR_TYPES]
    types += [""] * 3
    return (groups[0] if groups else ""), types[0], types[1], types[2]


def _clean(expr: str) -> str:
    """Tabs and line breaks inside a text field would break the TSV: make them spaces."""
    return f"regexp_replace(coalesce({expr}, ''), '[\\t\\r\\n]+', ' ', 'g')"


def gdelt_select(where: str) -> str:
    """SELECT of the 61 GDELT columns over ``events e`` joined with the actor-code table
    ``_dyad_actor_codes`` (code, country, kg, t1, t2, t3) that ``register_actor_codes``
    makes."""
    actor_cols = []
    for n, side in ((1, "source"), (2, "target")):
        a = f"a{n}"
        actor_cols += [
            f"e.{side}_code AS Actor{n}Code",
            f"{_clean(f'upper(e.{side}_text)')} AS Actor{n}Name",
            f"e.{side}_country AS Actor{n}CountryCode",
            f"{a}.kg AS Actor{n}KnownGroupCode",
            f"NULL AS Actor{n}EthnicCode",
            f"NULL AS Actor{n}Religion1Code",
            f"NULL AS Actor{n}Religion2Code",
            f"{a}.t1 AS Actor{n}Type1Code",
            f"{a}.t2 AS Actor{n}Type2Code",
            f"{a}.t3 AS Actor{n}Type3Code",
        ]
    geo_cols = []
    for who in ("Actor1", "Actor2"):
        geo_cols += [
            f"0 AS {who}Geo_Type",
            *(
                f"NULL AS {who}Geo_{f}"
                for f in ("FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long")
            ),
            f"NULL AS {who}Geo_FeatureID",
        ]
    geo_cols += [
        "CASE WHEN e.location_name IS NULL THEN 0 WHEN e.location_lat IS NULL THEN 1 "
        "ELSE 4 END AS ActionGeo_Type",
        f"CASE WHEN e.location_name IS NULL THEN NULL ELSE {_clean('e.location_name')} END "
        "AS ActionGeo_FullName",
        "e.location_country AS ActionGeo_CountryCode",
        "NULL AS ActionGeo_ADM1Code",
        "NULL AS ActionGeo_ADM2Code",
        "e.location_lat AS ActionGeo_Lat",
        "e.location_lon AS ActionGeo_Long",
        "NULL AS ActionGeo_FeatureID",
    ]
    cols = [
        "e.global_event_id AS GLOBALEVENTID",
        "CAST(strftime(e.date, '%Y%m%d') AS BIGINT) AS SQLDATE",
        "CAST(strftime(e.date, '%Y%m') AS BIGINT) AS MonthYear",
        "year(e.date) AS Year",
        "round(year(e.date) + (month(e.date) * 30 + day(e.date)) / 365.0, 4) AS FractionDate",
        *actor_cols,
        "CAST(e.is_root_event AS INTEGER) AS IsRootEvent",
        "e.event_code AS EventCode",
        "left(e.event_code, 3) AS EventBaseCode",
        "e.root_code AS EventRootCode",
        "e.quad_class AS QuadClass",
        "e.goldstein AS GoldsteinScale",
        "e.num_mentions AS NumMentions",
        "e.num_sources AS NumSources",
        "e.num_articles AS NumArticles",
        "e.avg_tone AS AvgTone",
        *geo_cols,
        "CAST(strftime(e.first_ingested_at, '%Y%m%d%H%M%S') AS BIGINT) AS DATEADDED",
        f"{_clean('coalesce(e.source_url, ar.outlet, ar.external_id)')} AS SOURCEURL",
    ]
    assert len(cols) == len(GDELT_COLUMNS)
    return (
        "SELECT "
        + ",\n  ".join(cols)
        + "\nFROM events e"
        + "\nLEFT JOIN _dyad_actor_codes a1 ON a1.code IS NOT DISTINCT FROM e.source_code"
        + " AND a1.country IS NOT DISTINCT FROM e.source_country"
        + "\nLEFT JOIN _dyad_actor_codes a2 ON a2.code IS NOT DISTINCT FROM e.target_code"
        + " AND a2.country IS NOT DISTINCT FROM e.target_country"
        + "\nLEFT JOIN articles ar ON ar.article_id = e.article_id"
        + f"\nWHERE {where}\nORDER BY e.date NULLS LAST, e.global_event_id"
    )


def register_actor_codes(cur: Any) -> None:
    """A temporary table of every (code, country) in events with its split segments."""
    import pyarrow as pa

    pairs = cur.execute(
        "SELECT DISTINCT source_code, source_country FROM events UNION "
        "SELECT DISTINCT target_code, target_country FROM events"
    ).fetchall()
    rows = [(c, k, *split_actor_code(c, k)) for c, k in pairs if c]
    names = ["code", "country", "kg", "t1", "t2", "t3"]
    cols = {n: [r[i] or None for r in rows] for i, n in enumerate(names)}
    cols["code"] = [r[0] for r in rows]
    cols["country"] = [r[1] for r in rows]
    tbl = pa.table({n: pa.array(cols[n], type=pa.string()) for n in names})
    cur.register("_dyad_actor_codes_arrow", tbl)
    cur.execute(
        "CREATE OR REPLACE TEMP TABLE _dyad_actor_codes AS SELECT * FROM _dyad_actor_codes_arrow"
    )
    cur.unregister("_dyad_actor_codes_arrow")
