"""The interpolation page's figures: the referee's realism along each walk, and a
model's test-code map with the walk drawn over it."""
from __future__ import annotations

import plotly.graph_objects as go

from lessons import interpolation as lesson

from ..text import t
from .latent_map import FONT, add_path, latent_map

COLORS = {"ae": "#d62728", "vae": "#2ca02c", "gan": "#1f77b4"}


def confidence(res: dict, classes) -> go.Figure:
    """How digit-like (the referee's realism) each step of each walk is, labelled with the
    class it reads."""
    fig = go.Figure()
    for name in lesson.NAMES:
        r = res[name]
        fig.add_trace(go.Scatter(x=res["t"], y=r["realism"], mode="lines+markers+text",
                                 name=t(f"interpolation.name.{name}"),
                                 text=[classes[k] for k in r["label"]], textposition="top center",
                                 line=dict(color=COLORS[name], width=3), marker=dict(size=9)))
    fig.update_layout(height=380, font=FONT, xaxis_title=t("interpolation.conf.x"),
                      yaxis=dict(title=t("interpolation.conf.y"), range=[0, 1.08], tickformat=".0%"),
                      margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12))
    return fig


def walk_map(m: dict, codes, name: str, classes) -> go.Figure:
    """The map `m` of model `name`'s test codes (lesson.test_map) with the walk `codes`."""
    view = m["view"]
    fig = latent_map(m["points"], m["labels"], classes,
                     t("interpolation.map.title", model=t(f"interpolation.name.{name}"),
                       view=t(f"interpolation.view.{view}")),
                     axis=(t(f"interpolation.axis.{view}", i=1), t(f"interpolation.axis.{view}", i=2)),
                     height=380)
    return add_path(fig, lesson.to_map(codes, m), t("interpolation.map.path"))
