"""Plots for people who would rather look than read: a dyad's time series, the network.

Matplotlib's object API only (no pyplot state, no display needed). The file type follows
the suffix of the output path: .png, .svg or .pdf.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from dyad.errors import UsageError

PLOT_SUFFIXES = (".png", ".svg", ".pdf")
QUAD_STYLE = (
    ("verbal_cooperation", "verbal cooperation", "#8fd18f", 1),
    ("material_cooperation", "material cooperation", "#2e8b3a", 1),
    ("verbal_conflict", "verbal conflict", "#f4a261", -1),
    ("material_conflict", "material conflict", "#c0392b", -1),
)
_BAR_DAYS = {"day": 0.8, "week": 5.5, "month": 24.0}


def _check_path(path: str | Path) -> Path:
    p = Path(path)
    if p.suffix.lower() not in PLOT_SUFFIXES:
        raise UsageError(f"{p}: plot files end in {', '.join(PLOT_SUFFIXES)}")
    if not p.parent.exists():
        raise UsageError(f"{p.parent}: no such folder")
    return p


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def plot_timeseries(
    ts: Any,
    path: str | Path,
    *,
    title: str | None = None,
    freq: str = "month",
    weight: str = "events",
) -> Path:
    """Bars per period: cooperation up (greens), conflict down (reds), the net cooperation
    line over them; below, the mean Goldstein score. ``ts`` is Store.timeseries() output."""
    import matplotlib.dates as mdates

    p = _check_path(path)
    fig = _figure(10, 6)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1.3])
    x = ts["period"]
    width = _BAR_DAYS.get(freq, 24.0)
    up = [0.0] * len(ts)
    down = [0.0] * len(ts)
    for col, label, color, sign in QUAD_STYLE:
        values = [float(v) for v in ts[col]]
        if sign > 0:
            top.bar(x, values, width=width, bottom=up, color=color, label=label, align="edge")
            up = [a + b for a, b in zip(up, values, strict=True)]
        else:
            neg = [-v for v in values]
            top.bar(x, neg, width=width, bottom=down, color=color, label=label, align="edge")
            down = [a + b for a, b in zip(down, neg, strict=True)]
    shift = [t + _half(width) for t in x]
    top.plot(
        shift, ts["net_cooperation"], color="#1f3b73", lw=1.8, marker=".", label="net cooperation"
    )
    top.axhline(0, color="#444", lw=0.8)
    top.set_ylabel(f"{weight} (conflict below 0)")
    fig.legend(loc="outside lower center", fontsize=8, ncols=5, frameon=False)
    top.set_title(title or "events per period", loc="left", fontsize=12)
    top.grid(axis="y", alpha=0.3)

    gm = ts["goldstein_mean"]
    bottom.plot(shift, gm, color="#6a3d9a", lw=1.5, marker=".")
    bottom.axhline(0, color="#444", lw=0.8)
    bottom.set_ylim(-10.5, 10.5)
    bottom.set_ylabel("mean Goldstein")
    bottom.grid(axis="y", alpha=0.3)
    locator = mdates.AutoDateLocator()
    bottom.xaxis.set_major_locator(locator)
    bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(ts) == 0:
        top.text(0.5, 0.5, "no events", transform=top.transAxes, ha="center", va="center")
    fig.savefig(p)
    return p


def _half(width_days: float) -> Any:
    import pandas as pd

    return pd.Timedelta(days=width_days / 2)


def plot_network(
    g: Any,
    path: str | Path,
    *,
    top: int = 30,
    title: str | None = None,
) -> Path:
    """The ``top`` nodes by PageRank; node size = PageRank, edge width = weight, edge colour
    = mean Goldstein of the dyad (red conflict .. green cooperation)."""
    import networkx as nx
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    p = _check_path(path)
    fig = _figure(9, 8)
    ax = fig.subplots()
    ax.set_axis_off()
    ax.set_title(title or "actor network", loc="left", fontsize=12)
    if g.number_of_nodes() == 0:
        ax.text(0.5, 0.5, "no events", transform=ax.transAxes, ha="center", va="center")
        fig.savefig(p)
        return p
    ranked = sorted(g.nodes, key=lambda v: (-float(g.nodes[v].get("pagerank", 0.0)), str(v)))
    sub = g.subgraph(ranked[: max(1, top)]).copy()
    # rings by PageRank: the most central nodes inside; deterministic and without overlaps
    order = [v for v in ranked if v in sub]
    inner = max(1, min(8, len(order) // 4)) if len(order) > 4 else len(order)
    shells = [order[:inner], order[inner:]] if len(order) > inner else [order]
    pos = nx.shell_layout(sub, nlist=shells, rotate=math.pi / max(len(order), 2))
    pr = [float(sub.nodes[v].get("pagerank", 0.0)) for v in sub.nodes]
    biggest = max(pr) or 1.0
    sizes = [250 + 1400 * (x / biggest) for x in pr]
    cmap = colormaps["RdYlGn"]
    norm = Normalize(-10, 10)
    edges = list(sub.edges(data=True))
    if edges:
        heaviest = max(float(d.get("weight", 1.0)) for _, _, d in edges) or 1.0
        nx.draw_networkx_edges(
            sub,
            pos,
            ax=ax,
            edgelist=[(u, v) for u, v, _ in edges],
            width=[0.5 + 5 * float(d.get("weight", 1.0)) / heaviest for _, _, d in edges],
            edge_color=[cmap(norm(float(d.get("goldstein_mean", 0.0)))) for _, _, d in edges],
            arrows=True,
            arrowsize=10,
            connectionstyle="arc3,rad=0.12",
            node_size=sizes,
            alpha=0.8,
        )
    nx.draw_networkx_nodes(
        sub, pos, ax=ax, node_size=sizes, node_color="#dfe7f2", edgecolors="#1f3b73"
    )
    nx.draw_networkx_labels(sub, pos, ax=ax, font_size=9)
    fig.colorbar(
        ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        shrink=0.6,
        label="mean Goldstein of the dyad",
    )
    fig.savefig(p)
    return p
