"""The overcomplete & sparse page's figures: each model's error on every probe input,
the histograms of code activations, and each unit's mean activation (sorted)."""
from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lessons.overcomplete import PROBES

from ..text import num, t
from .latent_map import FONT

_MARGIN = dict(l=10, r=10, t=30, b=10)


def probe_name(probe: str) -> str:
    """A PROBES name in the student's language."""
    return t(f"overcomplete.probe.{probe.replace(' ', '_')}")


def model_name(name: str) -> str:
    return t(f"overcomplete.model.{name}")


def probe_bars(errors: dict) -> go.Figure:
    """Grouped bars, log scale: each model's reconstruction error on each probe input."""
    fig = go.Figure()
    for name, errs in errors.items():
        fig.add_trace(go.Bar(x=[probe_name(p) for p in PROBES], y=errs, name=model_name(name),
                             text=[num(e, ".3f") for e in errs], textposition="outside"))
    fig.update_layout(barmode="group", height=420, font=FONT, margin=_MARGIN,
                      yaxis=dict(type="log", title=t("overcomplete.bars.y")),
                      legend=dict(orientation="h", y=1.12))
    return fig


def activation_hist(sp: dict, ov: dict) -> go.Figure:
    """The activation histograms of the sparse and the overcomplete code side by side."""
    names = ("sparse_ae", "overcomplete_ae")
    fig = make_subplots(1, 2, subplot_titles=[t("overcomplete.hist.title", model=model_name(n))
                                              for n in names])
    for j, s in enumerate([sp, ov]):
        fig.add_trace(go.Bar(x=s["mids"], y=s["counts"], marker_color=["#d62728", "#1f77b4"][j],
                             showlegend=False), 1, j + 1)
        fig.update_xaxes(title_text=t("overcomplete.hist.x"), row=1, col=j + 1)
    fig.update_yaxes(type="log", title_text=t("overcomplete.hist.y"), row=1, col=1)
    fig.update_yaxes(type="log", row=1, col=2)
    fig.update_layout(height=360, font=FONT, margin=dict(l=10, r=10, t=40, b=10), bargap=0.05)
    return fig


def unit_means(sp: dict, ov: dict, rho: float | None) -> go.Figure:
    """Each unit's mean activation, busiest first, for both codes; the target rate `rho`
    as a dashed line when the penalty has one."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(y=sp["sorted_means"], mode="lines", name=model_name("sparse_ae"),
                             line=dict(width=4)))
    fig.add_trace(go.Scatter(y=ov["sorted_means"], mode="lines", name=model_name("overcomplete_ae"),
                             line=dict(width=3, dash="dot")))
    if rho is not None:
        fig.add_hline(y=rho, line_dash="dash", annotation_text=t("overcomplete.target", rho=rho))
    fig.update_layout(height=320, font=FONT, margin=_MARGIN, xaxis_title=t("overcomplete.units.x"),
                      yaxis=dict(type="log", title=t("overcomplete.units.y")),
                      legend=dict(orientation="h", y=1.15))
    return fig
