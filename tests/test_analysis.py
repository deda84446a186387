"""Time series, networks, centrality and top dyads over a real store; graph exports; plots."""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest

from dyad import analysis
from dyad.errors import UsageError
from dyad.ontology import event_type
from dyad.plots import plot_network, plot_timeseries
from dyad.store import Store

from .storekit import article, event, sample_items


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("analysis") / "events.duckdb"
    with Store.open(path) as store:
        store.add_batch(sample_items())
    return path


@pytest.fixture
def store(db):
    with Store(db) as s:
        yield s


def test_monthly_dyad_series(store):
    ts = store.timeseries(source="RUS", target="UKR", freq="month")
    assert ts["period"].dt.strftime("%Y-%m").tolist() == ["2022-02", "2022-03"]
    assert ts["events"].tolist() == [1, 1] and ts["mentions"].tolist() == [2, 1]
    assert ts["material_conflict"].tolist() == [1, 1]
    assert ts["goldstein_sum"].tolist() == [-10.0, -10.0]
    assert ts["net_cooperation"].tolist() == [-1, -1]


def test_series_for_an_actor_fills_empty_months(store):
    ts = store.timeseries(actor="CHN", start="2022-01", end="2022-07")
    assert ts["period"].dt.strftime("%Y-%m").tolist() == [
        "2022-01",
        "2022-02",
        "2022-03",
        "2022-04",
        "2022-05",
        "2022-06",
        "2022-07",
    ]
    assert ts["events"].tolist() == [0, 2, 1, 0, 0, 1, 0]
    feb = ts.iloc[1]
    # 042 (2.8) and 036 (4.0): verbal cooperation
    assert feb["verbal_cooperation"] == 2 and feb["net_cooperation"] == 2
    g = event_type("042").goldstein + event_type("036").goldstein
    assert feb["goldstein_sum"] == pytest.approx(g)
    assert feb["goldstein_mean"] == pytest.approx(g / 2)
    assert pd.isna(ts.iloc[0]["goldstein_mean"])
    jun = ts.iloc[5]
    assert jun["material_cooperation"] == 1  # 061


def test_weight_by_mentions_and_both_directions(store):
    ts = store.timeseries(source="RUS", target="UKR", both_directions=True, weight="mentions")
    assert ts["events"].sum() == 4 and ts["mentions"].sum() == 5
    assert ts["material_conflict"].sum() == 4 and ts["verbal_conflict"].sum() == 1
    by_event = store.timeseries(source="RUS", target="UKR", both_directions=True)
    assert by_event["material_conflict"].sum() == 3


def test_daily_and_weekly_series(store):
    day = store.timeseries(freq="day", start="2022-02-24", end="2022-02-26")
    assert day["events"].tolist() == [4, 0, 0]
    week = store.timeseries(freq="week", start="2022-02-21", end="2022-03-20")
    assert week["period"].dt.day_of_week.eq(0).all()  # ISO weeks start on Monday
    assert week["events"].tolist() == [4, 0, 0, 4]
    with pytest.raises(UsageError):
        store.timeseries(freq="year")
    with pytest.raises(UsageError):
        store.timeseries(weight="tone")


def test_country_network(store):
    g = store.network()
    assert isinstance(g, nx.DiGraph)
    # the role-only actor GOV (no country) and RUS->RUS are left out
    assert set(g.nodes) == {"RUS", "UKR", "CHN", "USA"}
    e = g.edges["RUS", "UKR"]
    assert e["events"] == 2 and e["mentions"] == 3 and e["weight"] == 2
    assert e["material_conflict"] == 2 and e["goldstein_mean"] == pytest.approx(-10.0)
    assert g.edges["CHN", "RUS"]["events"] == 3
    assert sum(d["pagerank"] for _, d in g.nodes(data=True)) == pytest.approx(1.0)
    assert g.nodes["RUS"]["in_strength"] == 6.0  # 111, 036, 057, 112, 061, 193
    loops = store.network(self_loops=True)
    assert loops.has_edge("RUS", "RUS")


def test_network_options(store):
    g = store.network(level="code", start="2022-03", end="2022-03")
    assert set(g.nodes) == {"RUSMIL", "UKR", "CHNGOV", "RUSGOV", "RUSCOP", "RUSCVL", "USAGOV"}
    # RUS->UKR (2), CHN->RUS (3), UKR->RUS (111, 193)
    assert store.network(min_events=2).number_of_edges() == 3
    g = store.network(weight="mentions")
    assert g.edges["RUS", "UKR"]["weight"] == 3
    with pytest.raises(UsageError):
        store.network(level="region")


def test_pagerank_matches_networkx():
    g = nx.DiGraph()
    g.add_weighted_edges_from(
        [("a", "b", 3), ("b", "c", 1), ("c", "a", 2), ("a", "c", 1), ("d", "a", 5)]
    )
    ours = analysis.pagerank(g)
    ref = nx.algorithms.link_analysis.pagerank_alg._pagerank_python(g, weight="weight")
    for v in g:
        assert ours[v] == pytest.approx(ref[v], abs=1e-6)


def test_centrality_table(store):
    c = store.centrality()
    assert list(c.columns) == [
        "node",
        "out_strength",
        "in_strength",
        "out_degree",
        "in_degree",
        "pagerank",
        "betweenness",
    ]
    assert c["pagerank"].is_monotonic_decreasing
    assert c["betweenness"].isna().all()
    with_b = store.centrality(betweenness=True)
    assert with_b["betweenness"].notna().all()
    assert with_b.set_index("node").loc["RUS", "betweenness"] > 0


def test_top_dyads(store):
    top = store.top_dyads(3)
    assert (top.iloc[0]["source"], top.iloc[0]["target"]) == ("CHN", "RUS")
    assert top.iloc[0]["events"] == 3 and top.iloc[0]["net_cooperation"] == 3
    und = store.top_dyads(10, directed=False)
    pair = und[(und["source"] == "RUS") & (und["target"] == "UKR")].iloc[0]
    assert pair["events"] == 4  # 2 RUS->UKR + 111 UKR->RUS + 193 UKR->RUS
    assert str(pair["first_date"])[:10] == "2022-02-24"
    assert len(store.top_dyads(10, quad=4)) == 2  # RUS->UKR, UKR->RUS


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_graph_exports_read_back(store, tmp_path, fmt):
    g = store.network(betweenness=True)
    path = tmp_path / f"net.{fmt}"
    analysis.write_graph(g, str(path), fmt)
    if fmt == "graphml":
        back = nx.read_graphml(path)
    elif fmt == "gexf":
        back = nx.read_gexf(path)
    else:
        back = nx.node_link_graph(json.loads(path.read_text()), edges="links")
    assert set(back.nodes) == set(g.nodes)
    assert back.number_of_edges() == g.number_of_edges()
    assert float(back.edges["RUS", "UKR"]["goldstein_mean"]) == pytest.approx(-10.0)
    assert float(back.nodes["RUS"]["pagerank"]) == pytest.approx(g.nodes["RUS"]["pagerank"])


def test_analysis_functions_work_on_any_connection(db):
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    ts = analysis.timeseries(con, "e.quad_class = ?", [4], fill=False)
    assert ts["events"].sum() == 4
    edges = analysis.network_edges(con)
    assert {"source", "target", "weight", "goldstein_mean"} <= set(edges.columns)


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_plots_are_written(store, tmp_path, suffix):
    ts = store.timeseries(actor="RUS", freq="week")
    p1 = plot_timeseries(ts, tmp_path / f"ts{suffix}", title="RUS", freq="week")
    p2 = plot_network(store.network(), tmp_path / f"net{suffix}", top=3)
    for p in (p1, p2):
        head = p.read_bytes()[:200]
        assert head.startswith(b"\x89PNG") if suffix == ".png" else b"<svg" in p.read_bytes()
        assert p.stat().st_size > 5000


def test_plots_of_nothing_and_bad_names(tmp_path):
    empty = tmp_path / "e.duckdb"
    with Store.open(empty) as store:
        store.add_batch([(article("lonely"), [event("lonely", 0, "010", "GOV", None)])])
        plot_timeseries(store.timeseries(actor="XYZ"), tmp_path / "ts.png")
        plot_network(store.network(), tmp_path / "net.png")
    assert (tmp_path / "ts.png").exists() and (tmp_path / "net.png").exists()
    with pytest.raises(UsageError):
        plot_network(nx.DiGraph(), tmp_path / "net.gif")
    with pytest.raises(UsageError):
        plot_network(nx.DiGraph(), tmp_path / "missing" / "net.png")
