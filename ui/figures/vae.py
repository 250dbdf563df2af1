"""The VAE page's figures: each input's mu +- sigma per dimension, the test codes with
each input's 95% ellipse, the loss split into reconstruction and beta*KL, KL per dimension."""
from __future__ import annotations

import plotly.graph_objects as go

from lessons import vae as lesson

from ..text import num, t
from .latent_map import FONT, PALETTE, add_marker, latent_map

_MARGIN = dict(l=10, r=10, t=30, b=10)


def posterior_bars(stats: dict, index: list[int], classes) -> go.Figure:
    mu, sd, labels = stats["mu"], stats["sd"], stats["labels"]
    fig = go.Figure()
    for j, i in enumerate(index):
        fig.add_trace(go.Bar(x=[f"z{d + 1}" for d in range(mu.shape[1])], y=mu[i],
                             error_y=dict(type="data", array=sd[i], thickness=2),
                             name=t("vae.bars.input", i=i, label=classes[labels[i]]),
                             marker_color=PALETTE[j]))
    fig.update_layout(barmode="group", height=340, font=FONT, yaxis_title="μ ± σ",
                      margin=_MARGIN, legend=dict(orientation="h", y=-0.2))
    return fig


def posterior_map(stats: dict, index: list[int], classes) -> go.Figure:
    fig = latent_map(stats["mu"], stats["labels"], classes, t("vae.map.title"))
    for j, i in enumerate(index):
        ex, ey = lesson.ellipse(stats["mu"][i], stats["sd"][i], stats["radius"])
        fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="black", width=3),
                                 name=t("vae.map.ellipse"), showlegend=j == 0, hoverinfo="skip"))
        add_marker(fig, stats["mu"][i], f"#{i}", color="black", symbol="diamond")
    return fig


def loss_parts(panel: dict, beta: float) -> go.Figure:
    fig = go.Figure(go.Bar(x=[panel["recon"], beta * panel["kl"]],
                           y=[t("vae.parts.recon"), t("vae.parts.kl", beta=beta)],
                           orientation="h", marker_color=["#1f77b4", "#d62728"],
                           text=[num(panel["recon"], ".1f"), num(beta * panel["kl"], ".2f")],
                           textposition="auto"))
    fig.update_layout(height=260, font=FONT, xaxis_title=t("vae.nats_per_image"),
                      margin=dict(l=10, r=10, t=20, b=10))
    return fig


def kl_per_dim(panel: dict) -> go.Figure:
    kl = panel["kl_per_dim"]
    fig = go.Figure(go.Bar(x=[f"z{d + 1}" for d in range(len(kl))], y=kl,
                           marker_color=["#2ca02c" if k > 0.01 else "#bbbbbb" for k in kl]))
    fig.update_layout(height=260, font=FONT, yaxis_title=t("vae.kl_axis"),
                      margin=dict(l=10, r=10, t=20, b=10))
    return fig
