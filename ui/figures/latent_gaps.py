"""The latent-gaps page's figures: a model's code map (with N(0, I) samples, a drawn digit
and a click on it), the table of generated digits' scores and its Frechet-distance bars."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lessons import latent_gaps as lesson

from ..text import num, t
from .latent_map import FONT, add_marker, add_points, latent_map


def code_map(m: dict, name: str, classes, frame: dict | None, prior: bool,
             drawn=None, clicked=None):
    """Model `name`'s map `m` (lesson.maps), clickable anywhere; `drawn` and `clicked`
    are map points to mark."""
    view = m["view"]
    fig = latent_map(m["points"], m["labels"], classes,
                     t("latent_gaps.map.title", model=t(f"latent_gaps.name.{name}"),
                       view=t(f"latent_gaps.view.{view}")),
                     axis=(t(f"latent_gaps.axis.{view}", i=1), t(f"latent_gaps.axis.{view}", i=2)),
                     clickable=m["grid"])
    if frame:
        fig.update_layout(**frame)
    if prior and m["prior"] is not None:
        add_points(fig, m["prior"], t("latent_gaps.map.prior"), color="black", symbol="x-thin", size=7)
    if drawn is not None:
        add_marker(fig, drawn, t("latent_gaps.map.drawn"), color="#d62728")
    if clicked is not None:
        add_marker(fig, clicked, t("latent_gaps.map.clicked"), color="black", symbol="circle-x")
    return fig


def holes_table(h: dict) -> pd.DataFrame:
    """One row per sampler in lesson.ROWS: Frechet distance, classes covered, realism."""
    rows = [h[k] for k in lesson.ROWS]
    return pd.DataFrame({t("latent_gaps.table.samples"): [t(f"latent_gaps.row.{k}") for k in lesson.ROWS],
                         t("latent_gaps.table.fd"): [round(r["fd"], 1) for r in rows],
                         t("latent_gaps.table.covered"): [r["classes_covered"] for r in rows],
                         t("latent_gaps.table.realism"): [num(r["realism"], ".0%") for r in rows]})


def fd_bars(h: dict) -> go.Figure:
    """The three samplers' Frechet distances, the real images' as a dotted line."""
    keys = ("ae_prior", "ae_fitted", "vae_prior")
    fig = go.Figure(go.Bar(x=[h[k]["fd"] for k in keys], y=[t(f"latent_gaps.bar.{k}") for k in keys],
                           orientation="h", marker_color=["#d62728", "#ff7f0e", "#2ca02c"],
                           text=[num(h[k]["fd"], ".1f") for k in keys], textposition="auto"))
    # the label above the plot area, not over the first bar
    fig.add_vline(h["floor"]["fd"], line_dash="dot", annotation_text=t("latent_gaps.bar.real"),
                  annotation_position="top right", annotation_yshift=18)
    fig.update_layout(height=280, font=FONT, xaxis_title=t("latent_gaps.bar.axis"),
                      margin=dict(l=10, r=10, t=40, b=10), yaxis=dict(autorange="reversed"))
    return fig
