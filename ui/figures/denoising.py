"""The denoising page's figure: the train-noise x test-noise heat map, each column's best
model boxed in red."""
from __future__ import annotations

import plotly.graph_objects as go

from ..text import num, t
from .latent_map import FONT


def heat_map(h: dict, metric: str) -> go.Figure:
    """`h` from lessons.denoising.heat: rows are training levels, columns test levels."""
    grid, (lo, hi) = h["grid"], h["range"]
    rows = [t("denoising.heat.row_clean", level=lv) if lv == 0 else t("denoising.heat.row", level=lv)
            for lv in h["levels"]]
    cols = [num(lv, ".1f") for lv in h["test_levels"]]
    spec = ".1f" if metric == "psnr" else ".3f"
    fig = go.Figure(go.Heatmap(
        z=grid, x=cols, y=rows, zmin=lo, zmax=hi, colorscale="Viridis", reversescale=metric == "mse",
        text=[[num(v, spec) for v in r] for r in grid], texttemplate="%{text}", textfont=dict(size=15),
        colorbar=dict(title=t(f"denoising.heat.unit.{metric}"))))
    fig.add_trace(go.Scatter(x=cols, y=[rows[i] for i in h["best"]], mode="markers",
                             marker=dict(symbol="square-open", size=46, color="#d62728", line=dict(width=4)),
                             name=t("denoising.heat.best"), showlegend=True, hoverinfo="skip"))
    fig.update_layout(height=120 + 70 * len(rows), font=FONT, margin=dict(l=10, r=10, t=40, b=10),
                      xaxis=dict(title=t("denoising.heat.x"), type="category", tickfont=FONT),
                      yaxis=dict(title=t("denoising.heat.y"), type="category", tickfont=FONT),
                      legend=dict(orientation="h", y=1.12))
    return fig
