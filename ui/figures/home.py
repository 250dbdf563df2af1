"""The home page's pictures: digits as separate tiles (each under its own caption) and the
classifier's P(y | x) for one test image as bars."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..images import grid
from ..text import num, t
from .latent_map import FONT


def tiles(x, cell: int) -> list[np.ndarray]:
    """One crisp image per digit of a batch (N,1,H,W), for st.image with a caption each."""
    return [grid(v[None], ncols=1, cell=cell, pad=0) for v in x]


def class_probabilities(proba, names: list[str]) -> go.Figure:
    """P(y | x) of one image: a bar per class, its share written above it."""
    fig = go.Figure(go.Bar(x=names, y=proba, text=[num(float(v), ".0%") for v in proba],
                           textposition="outside", marker_color="#1f77b4"))
    fig.update_layout(height=300, font=FONT, margin=dict(l=10, r=10, t=10, b=10),
                      xaxis=dict(title=t("home.bars.x"), type="category"),
                      yaxis=dict(title=t("home.bars.y"), range=[0, 1.15]))
    return fig
