"""The GAN cockpit's live figures: D and G loss curves, histograms of D(x) on real and
generated images, and the referee's class histogram of the samples (the collapse meter).
Built from the arrays of lessons.gan_cockpit as plain dicts without plotly's per-property
validation: 3x faster, which matters at 5 redraws per second."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gm.metrics import COVERED

from ..text import t

_LAYOUT = dict(margin=dict(l=10, r=10, t=30, b=10), font=dict(size=16),
               legend=dict(orientation="h", y=1.14))


def _hline(y: float, text: str) -> dict:
    return {"shapes": [dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y,
                            line=dict(color="gray", dash="dot"))],
            "annotations": [dict(xref="paper", x=1, y=y, text=text, showarrow=False,
                                 xanchor="right", yanchor="bottom", font=dict(color="gray"))]}


def _figure(data: list, layout: dict) -> go.Figure:
    return go.Figure({"data": data, "layout": _LAYOUT | layout}, _validate=False)


def fig_losses(curves: dict) -> go.Figure:
    """D and G loss against the update index; log(4) ~ 1.39 marks the balanced game."""
    data = [dict(type="scatter", x=curves[net][0].tolist(), y=curves[net][1].tolist(),
                 mode="lines" if len(curves[net][0]) > 30 else "lines+markers", marker=dict(size=10),
                 name=name, line=dict(color=color, width=3))
            for net, name, color in (("D", t("gan.fig.d_loss"), "#d62728"),
                                     ("G", t("gan.fig.g_loss"), "#1f77b4"))]
    return _figure(data, dict(height=320, xaxis=dict(title=dict(text=t("gan.fig.update"))),
                              yaxis=dict(title=dict(text=t("gan.fig.loss"))), uirevision="losses",
                              **_hline(float(np.log(4)), t("gan.fig.balance"))))


def fig_scores(hist: dict) -> go.Figure:
    """Histograms of D(x) on real and on generated images."""
    c = hist["centers"].tolist()
    data = [dict(type="bar", x=c, y=hist["real"].tolist(), name=t("gan.fig.real"),
                 marker=dict(color="#2ca02c"), opacity=0.7),
            dict(type="bar", x=c, y=hist["fake"].tolist(), name=t("gan.fig.generated"),
                 marker=dict(color="#ff7f0e"), opacity=0.7)]
    return _figure(data, dict(barmode="overlay", height=320, uirevision="scores",
                              xaxis=dict(title=dict(text=t("gan.fig.d_axis")), range=[0, 1]),
                              yaxis=dict(title=dict(text=t("gan.fig.images")))))


def fig_classes(collapse: dict, classes) -> go.Figure:
    """The referee's class histogram of generated samples, with the 5% coverage line."""
    h = collapse["histogram"]
    data = [dict(type="bar", x=[str(c) for c in classes], y=h,
                 marker=dict(color=["#1f77b4" if v >= COVERED else "#c7c7c7" for v in h]))]
    return _figure(data, dict(height=300, uirevision="classes",
                              xaxis=dict(title=dict(text=t("gan.fig.class_axis")), type="category"),
                              yaxis=dict(title=dict(text=t("gan.fig.share_axis")), tickformat=".0%"),
                              **_hline(COVERED, t("gan.fig.covered", p=COVERED))))
