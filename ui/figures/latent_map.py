"""Plotly figures of latent maps, shared by the VAE, latent-gaps and interpolation pages:
test codes coloured by label, with extra layers (prior samples, ellipses, paths, markers)
added by the caller. Sized and lettered for a projector."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..text import t

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
FONT = dict(size=16)


def latent_map(points: np.ndarray, labels: np.ndarray, classes, title: str,
               axis: tuple[str, str] = ("z1", "z2"), height: int = 480,
               clickable: np.ndarray | None = None) -> go.Figure:
    """Scatter of 2-D points (N,2) coloured by label; `clickable` adds a faint grid of
    points so that a click in an empty region also reports its coordinates."""
    fig = go.Figure()
    if clickable is not None:
        fig.add_trace(go.Scatter(
            x=clickable[:, 0], y=clickable[:, 1], mode="markers", name=t("map.empty_space"),
            marker=dict(size=9, color="rgba(120,120,120,0.07)"), showlegend=False,
            selected=dict(marker=dict(color="black")), unselected=dict(marker=dict(opacity=1)),
            hovertemplate="(%{x:.2f}, %{y:.2f})<extra>" + t("map.click_to_decode") + "</extra>"))
    labels = np.asarray(labels)
    for c in np.unique(labels):
        m = labels == c
        fig.add_trace(go.Scatter(
            x=points[m, 0], y=points[m, 1], mode="markers", name=str(classes[int(c)]),
            marker=dict(size=7, color=PALETTE[int(c) % 10], opacity=0.75),
            unselected=dict(marker=dict(opacity=0.75)),
            hovertemplate=t("map.hover_label", label=classes[int(c)]) + "<br>(%{x:.2f}, %{y:.2f})<extra></extra>"))
    fig.update_layout(title=dict(text=title, font=dict(size=18)), height=height, font=FONT,
                      margin=dict(l=10, r=10, t=50, b=10), legend=dict(title=t("map.legend_label"), itemsizing="constant"),
                      xaxis_title=axis[0], yaxis_title=axis[1], clickmode="event+select",
                      dragmode="pan")
    return fig


def add_class_names(fig: go.Figure, points: np.ndarray, labels: np.ndarray, classes) -> go.Figure:
    """Each class's name at the median of its points, large and in its colour (a text
    layer: what is added after it draws on top): the map's key where a legend is too
    small to read from the back of the room."""
    labels, points = np.asarray(labels), np.asarray(points)
    names = np.unique(labels)
    xy = np.array([np.median(points[labels == c], axis=0) for c in names]).reshape(-1, 2)
    fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="text", text=[f"<b>{classes[int(c)]}</b>" for c in names],
                             textfont=dict(size=24, color=[PALETTE[int(c) % 10] for c in names]),
                             hoverinfo="skip", showlegend=False))
    return fig


def add_points(fig: go.Figure, xy: np.ndarray, name: str, color: str = "black",
               symbol: str = "x", size: int = 8, opacity: float = 0.5) -> go.Figure:
    xy = np.asarray(xy).reshape(-1, 2)
    fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers", name=name,
                             marker=dict(size=size, color=color, symbol=symbol, opacity=opacity,
                                         line=dict(width=1, color=color)),
                             hovertemplate=f"{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    return fig


def add_marker(fig: go.Figure, xy, name: str, color: str = "black", symbol: str = "star") -> go.Figure:
    """One big labelled marker (a clicked point, a drawn digit)."""
    x, y = float(xy[0]), float(xy[1])
    fig.add_trace(go.Scatter(x=[x], y=[y], mode="markers+text", name=name, text=[name],
                             textposition="top center", textfont=dict(size=16, color=color),
                             marker=dict(size=22, color=color, symbol=symbol,
                                         line=dict(width=2, color="white")),
                             hovertemplate=f"{name}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    return fig


def add_path(fig: go.Figure, xy: np.ndarray, name: str, color: str = "black") -> go.Figure:
    xy = np.asarray(xy).reshape(-1, 2)
    fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="lines+markers", name=name,
                             line=dict(color=color, width=3),
                             marker=dict(size=9, color=color, symbol="circle-open", line=dict(width=2)),
                             hovertemplate=t("map.hover_step") + " %{pointNumber}<br>(%{x:.2f}, %{y:.2f})<extra></extra>"))
    return fig
