"""The class board's figures: a model's 2-D code map (the test digits faint, each class
named at its centre) with each of the class's drawings on it as the digit its student
said, red where the referee read another digit or no digit at all."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..text import t
from .demos import TICKS
from .latent_map import add_class_names, latent_map


def board_map(m: dict, name: str, classes, frame: dict | None, b: dict, height: int = 460) -> go.Figure:
    """Model `name`'s map `m` (lessons.classroom.maps) with the board `b` on it."""
    fig = latent_map(m["points"], m["labels"], classes,
                     t("classroom.map.title", model=t(f"classroom.name.{name}")), height=height)
    fig.update_traces(marker=dict(size=5, opacity=0.25))
    add_class_names(fig, m["points"], m["labels"], classes)  # the legend is hidden: the digits name their clusters
    if frame:
        fig.update_layout(**frame)
    if b["n"]:
        xy = np.asarray(b["xy"][name]).reshape(-1, 2)
        bad = set(b["fooled"]) | set(b["strange"])
        said = ["?" if s is None else str(classes[s]) for s in b["said"]]
        colors = ["#d62728" if i in bad else "#000000" for i in range(b["n"])]
        hover = [t("classroom.map.hover", said=said[i], read=classes[b["label"][i]], real=b["realism"][i])
                 for i in range(b["n"])]
        fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="markers+text", text=said,
                                 name=t("classroom.map.drawn"), textfont=dict(size=18, color="#fff"),
                                 marker=dict(size=28, color=colors, line=dict(width=2, color="#fff")),
                                 hovertext=hover, hoverinfo="text"))
    fig.update_layout(dragmode=False, showlegend=False, font=dict(size=16), title_font=dict(size=20))
    fig.update_xaxes(**TICKS)  # read from the back of the room: the board is on the projector
    fig.update_yaxes(**TICKS)
    return fig
