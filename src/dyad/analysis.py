"""Analysis over the event store: time series, networks, centrality, top dyads.

Pure functions: each takes a DuckDB connection (or cursor) on a dyad store and a filter
(``where`` SQL over the ``events`` table aliased ``e``, with its ``params``, as made by
``dyad.store.filters.compile_filters``), or a pandas/networkx object, and returns a pandas
DataFrame or a networkx graph. They never write. ``dyad.Store`` wraps them with keyword
filters; call them directly to analyse any DuckDB relation with the events columns.

Definitions (docs/store.md):
- weight "events" counts aggregated events; "mentions" weights each by num_mentions.
- cooperation = quad classes 1+2, conflict = 3+4; net_cooperation = cooperation - conflict.
- goldstein_sum = sum(goldstein x weight); goldstein_mean = goldstein_sum / total weight.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dyad.errors import UsageError

FREQS = {"day": "D", "week": "W-MON", "month": "MS"}
WEIGHTS = ("events", "mentions")
LEVELS = ("country", "code")
QUAD_COLUMNS = (
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
)


def _weight_sql(weight: str) -> str:
    if weight not in WEIGHTS:
        raise UsageError(f"unknown weight {weight!r}; use one of {', '.join(WEIGHTS)}")
    return "1" if weight == "events" else "e.num_mentions"


def _node_sql(side: str, level: str) -> str:
    """The node an actor belongs to. Country level: its country, else its own code unless
    that code is only role segments (GOV, CVL, REB ...: no one in particular)."""
    from dyad.store.gdelt import ACTOR_TYPES

    if level not in LEVELS:
        raise UsageError(f"unknown level {level!r}; use one of {', '.join(LEVELS)}")
    if level == "country":
        roles = "|".join(sorted(ACTOR_TYPES))
        return (
            f"coalesce(e.{side}_country, CASE WHEN regexp_full_match(e.{side}_code, "
            f"'(?:{roles})+') THEN NULL ELSE e.{side}_code END)"
        )
    return f"e.{side}_code"


def _measures(w: str) -> str:
    quads = ",\n".join(
        f"  sum(CASE WHEN e.quad_class = {i} THEN {w} ELSE 0 END)::BIGINT AS {name}"
        for i, name in enumerate(QUAD_COLUMNS, start=1)
    )
    return (
        "  count(*)::BIGINT AS events,\n"
        "  sum(e.num_mentions)::BIGINT AS mentions,\n"
        f"{quads},\n"
        f"  sum(e.goldstein * {w})::DOUBLE AS goldstein_sum,\n"
        f"  sum({w})::DOUBLE AS _weight"
    )


def _finish(df: Any) -> Any:
    coop = df["verbal_cooperation"] + df["material_cooperation"]
    conf = df["verbal_conflict"] + df["material_conflict"]
    df["net_cooperation"] = coop - conf
    w = df.pop("_weight")
    df["goldstein_mean"] = (df["goldstein_sum"] / w.where(w > 0)).astype("float64")
    return df


# ---------------------------------------------------------------------- time series


def timeseries(
    con: Any,
    where: str = "TRUE",
    params: list[Any] | None = None,
    *,
    freq: str = "month",
    weight: str = "events",
    fill: bool = True,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Any:
    """Events per period: counts per quad class, Goldstein sum and mean, net cooperation.

    Columns: period (first day of the day/week/month), events, mentions, the four quad
    class columns, goldstein_sum, net_cooperation, goldstein_mean. With ``fill`` every
    period from ``start`` (or the first event) to ``end`` (or the last) is present, empty
    ones with zeros.
    """
    import pandas as pd

    if freq not in FREQS:
        raise UsageError(f"unknown frequency {freq!r}; use one of {', '.join(FREQS)}")
    w = _weight_sql(weight)
    sql = (
        f"SELECT CAST(date_trunc('{freq}', e.date) AS DATE) AS period,\n{_measures(w)}\n"
        f"FROM events e WHERE e.date IS NOT NULL AND ({where})\n"
        "GROUP BY period ORDER BY period"
    )
    df = con.execute(sql, params or []).df()
    df["period"] = pd.to_datetime(df["period"])
    if fill:
        lo = pd.Timestamp(start) if start else (df["period"].min() if len(df) else None)
        hi = pd.Timestamp(end) if end else (df["period"].max() if len(df) else None)
        if lo is not None and hi is not None and lo <= hi:
            lo = _truncate(lo, freq)
            idx = pd.date_range(lo, hi, freq=FREQS[freq], name="period")
            df = df.set_index("period").reindex(idx, fill_value=0).reset_index()
    for c in ("events", "mentions", *QUAD_COLUMNS):
        df[c] = df[c].astype("int64")
    df["goldstein_sum"] = df["goldstein_sum"].astype("float64")
    df["_weight"] = df["_weight"].astype("float64")
    return _finish(df)


def _truncate(ts: Any, freq: str) -> Any:
    import pandas as pd

    ts = pd.Timestamp(ts).normalize()
    if freq == "month":
        return ts.replace(day=1)
    if freq == "week":
        return ts - pd.Timedelta(days=ts.weekday())
    return ts


# ---------------------------------------------------------------------- networks


def network_edges(
    con: Any,
    where: str = "TRUE",
    params: list[Any] | None = None,
    *,
    level: str = "country",
    weight: str = "events",
    min_events: int = 1,
    self_loops: bool = False,
) -> Any:
    """Directed edges source -> target with events, mentions, quad counts, Goldstein."""
    w = _weight_sql(weight)
    src, tgt = _node_sql("source", level), _node_sql("target", level)
    loops = "" if self_loops else f" AND {src} <> {tgt}"
    sql = (
        f"SELECT {src} AS source, {tgt} AS target,\n{_measures(w)}\n"
        f"FROM events e WHERE ({where}) AND {src} IS NOT NULL AND {tgt} IS NOT NULL{loops}\n"
        "GROUP BY 1, 2 HAVING count(*) >= ? ORDER BY 1, 2"
    )
    df = con.execute(sql, [*(params or []), int(min_events)]).df()
    df = _finish(df)
    df["weight"] = df["events"] if weight == "events" else df["mentions"]
    return df


def build_graph(edges: Any) -> Any:
    """A networkx DiGraph from network_edges(); edge attributes are the edge columns."""
    import networkx as nx

    g = nx.DiGraph()
    cols = [c for c in edges.columns if c not in ("source", "target")]
    for row in edges.itertuples(index=False):
        rec = row._asdict()
        attrs = {c: _plain(rec[c]) for c in cols}
        g.add_edge(rec["source"], rec["target"], **attrs)
    return g


def _plain(v: Any) -> Any:
    """numpy scalars -> Python scalars (GraphML/GEXF writers want plain types); NaN -> 0."""
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and v != v:
        return 0.0
    return v


def pagerank(g: Any, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> dict:
    """Weighted PageRank by power iteration (numpy only; dangling nodes spread evenly)."""
    import numpy as np

    nodes = list(g.nodes)
    n = len(nodes)
    if n == 0:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    out_w = np.zeros(n)
    rows, cols, vals = [], [], []
    for u, v, d in g.edges(data=True):
        wt = float(d.get("weight", 1.0))
        rows.append(index[v])
        cols.append(index[u])
        vals.append(wt)
        out_w[index[u]] += wt
    r = np.asarray(rows, dtype=np.int64)
    c = np.asarray(cols, dtype=np.int64)
    share = np.asarray(vals, dtype=float) / np.where(out_w[c] > 0, out_w[c], 1.0)
    dangling = out_w == 0
    x = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        prev = x
        spread = np.bincount(r, weights=share * x[c], minlength=n)
        x = alpha * (spread + x[dangling].sum() / n) + (1 - alpha) / n
        if np.abs(x - prev).sum() < tol * n:
            break
    x = x / x.sum()
    return {v: float(x[i]) for i, v in enumerate(nodes)}


def centrality(g: Any, betweenness: bool = False) -> Any:
    """Per node: in/out strength (weighted), in/out degree (partners), PageRank, betweenness.

    Betweenness (opt-in, slow on big graphs; NaN when off) treats heavier edges as
    shorter (distance = 1/weight) and is normalised.
    Sorted by PageRank, highest first.
    """
    import networkx as nx
    import pandas as pd

    pr = pagerank(g)
    if betweenness and g.number_of_nodes():
        for _, _, d in g.edges(data=True):
            d["_distance"] = 1.0 / max(float(d.get("weight", 1.0)), 1e-9)
        bc = nx.betweenness_centrality(g, weight="_distance", normalized=True)
        for _, _, d in g.edges(data=True):
            d.pop("_distance", None)
    else:
        bc = {}
    rows = [
        {
            "node": v,
            "out_strength": float(g.out_degree(v, weight="weight")),
            "in_strength": float(g.in_degree(v, weight="weight")),
            "out_degree": int(g.out_degree(v)),
            "in_degree": int(g.in_degree(v)),
            "pagerank": pr.get(v, 0.0),
            "betweenness": float(bc.get(v, 0.0)) if betweenness else float("nan"),
        }
        for v in g.nodes
    ]
    cols = [
        "node",
        "out_strength",
        "in_strength",
        "out_degree",
        "in_degree",
        "pagerank",
        "betweenness",
    ]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["pagerank", "node"], ascending=[False, True]).reset_index(drop=True)


def network(
    con: Any,
    where: str = "TRUE",
    params: list[Any] | None = None,
    *,
    level: str = "country",
    weight: str = "events",
    min_events: int = 1,
    self_loops: bool = False,
    betweenness: bool = False,
) -> Any:
    """The directed weighted actor graph with centrality as node attributes.

    Betweenness is opt-in: it costs O(nodes x edges) in pure Python (seconds on a
    year of country-level events); the other measures take milliseconds."""
    edges = network_edges(
        con,
        where,
        params,
        level=level,
        weight=weight,
        min_events=min_events,
        self_loops=self_loops,
    )
    g = build_graph(edges)
    g.graph.update({"level": level, "weight": weight})
    for rec in centrality(g, betweenness=betweenness).to_dict("records"):
        node = rec.pop("node")
        g.nodes[node].update({k: _plain(v) for k, v in rec.items()})
    return g


def top_dyads(
    con: Any,
    where: str = "TRUE",
    params: list[Any] | None = None,
    *,
    n: int = 20,
    level: str = "country",
    weight: str = "events",
    directed: bool = True,
    self_loops: bool = False,
    min_events: int = 1,
) -> Any:
    """The n dyads with the most events (or mentions); undirected pairs A-B when not directed."""
    w = _weight_sql(weight)
    src, tgt = _node_sql("source", level), _node_sql("target", level)
    if directed:
        a, b = src, tgt
    else:
        a, b = f"least({src}, {tgt})", f"greatest({src}, {tgt})"
    loops = "" if self_loops else f" AND {src} <> {tgt}"
    order = "events" if weight == "events" else "mentions"
    sql = (
        f"SELECT {a} AS source, {b} AS target,\n{_measures(w)},\n"
        "  min(e.date) AS first_date, max(e.date) AS last_date\n"
        f"FROM events e WHERE ({where}) AND {src} IS NOT NULL AND {tgt} IS NOT NULL{loops}\n"
        f"GROUP BY 1, 2 HAVING count(*) >= ? ORDER BY {order} DESC, source, target LIMIT ?"
    )
    df = con.execute(sql, [*(params or []), int(min_events), int(n)]).df()
    return _finish(df)


def graph_to_json(g: Any) -> dict[str, Any]:
    """Node-link JSON ({"nodes": [...], "links": [...]}) of a graph."""
    import networkx as nx

    try:
        return dict(nx.node_link_data(g, edges="links"))
    except TypeError:  # networkx < 3.4
        return dict(nx.node_link_data(g))


def write_graph(g: Any, path: str, fmt: str) -> None:
    """Write a graph as GraphML, GEXF or node-link JSON."""
    import json

    import networkx as nx

    if fmt == "graphml":
        nx.write_graphml(g, path)
    elif fmt == "gexf":
        nx.write_gexf(g, path)
    elif fmt == "json":
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(graph_to_json(g), fh, ensure_ascii=False, indent=1)
    else:
        raise UsageError(f"unknown graph format {fmt!r}; use graphml, gexf or json")
