"""The autoencoder page's figures: the test error against code size beside PCA, and the
stacked architecture written out with the code's width highlighted."""
from __future__ import annotations

import plotly.graph_objects as go

from ..text import t
from .latent_map import FONT


def rate_distortion(rd: dict, sizes, depth: int, z: int, mse: float) -> go.Figure:
    """PCA's error at every size, the trained autoencoders' errors, this model ringed."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=list(sizes), y=[rd["pca"][s] for s in sizes], mode="lines+markers",
                             name=t("autoencoder.rd.pca"), line=dict(width=3, dash="dash"),
                             marker=dict(size=10)))
    fig.add_trace(go.Scatter(x=list(rd["ae"]), y=list(rd["ae"].values()), mode="lines+markers",
                             name=t("autoencoder.rd.ae_many", depth=depth) if depth > 1 else
                             t("autoencoder.rd.ae_one", depth=depth),
                             line=dict(width=4), marker=dict(size=12)))
    fig.add_trace(go.Scatter(x=[z], y=[mse], mode="markers", name=t("autoencoder.rd.this"),
                             marker=dict(size=22, symbol="circle-open", line=dict(width=3, color="black"))))
    fig.update_layout(height=420, font=FONT, margin=dict(l=10, r=10, t=30, b=10),
                      xaxis=dict(type="log", title=t("autoencoder.rd.x"), tickvals=list(sizes)),
                      yaxis=dict(title=t("autoencoder.rd.y"), rangemode="tozero"),
                      legend=dict(orientation="h", y=1.1))
    return fig


def architecture(arch: list[int]) -> str:
    """Layer widths from input to output as large HTML text, the code's width in red."""
    arrow = " → ".join(f"<b style='color:#d62728'>{w}</b>" if i == len(arch) // 2 else str(w)
                       for i, w in enumerate(arch))
    return f"<div style='font-size:1.6rem'>{arrow}</div>"
