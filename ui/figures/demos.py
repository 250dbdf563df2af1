"""Figures of the three measured demos (lessons.labels, lessons.harder, lessons.gan2d),
for a projector: 16 px tick labels, colours of the Okabe-Ito palette (told apart with
every common colour-vision deficiency) and a distinct marker or dash per series, every
word from the catalog. No Streamlit here: a page shows them with ui.figures.chart.

    fig_labels(step["figure_data"])       # lessons.labels.tour_step
    fig_harder(step["figure_data"])       # lessons.harder.tour_step
    fig_gan2d_pair(step["figure_data"])   # lessons.gan2d.tour_step: before | after
    fig_gan2d(live.state())               # one lessons.gan2d.Live2D state
    tour_words(step)                      # a tour step's number, question, answers, verdict as text
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..text import num, t

# Okabe & Ito (2008): colour-blind-safe
BLUE, ORANGE, GREEN, VERMILLION, GREY, BLACK = "#0072B2", "#E69F00", "#009E73", "#D55E00", "#777777", "#000000"
TICKS = dict(tickfont=dict(size=16), title=dict(font=dict(size=18)))
LAYOUT = dict(font=dict(size=16), margin=dict(l=20, r=20, t=60, b=20),
              legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0, font=dict(size=16)))
# GAN Lab's colours for D(x): purple where D says "generated", green where it says "real"
D_SCALE = "PRGn"


def _axis(title: str, **kw) -> dict:
    return dict(title=dict(text=title, font=dict(size=18)), tickfont=dict(size=16), automargin=True, **kw)


# --- labels -----------------------------------------------------------------------------------------

def fig_labels(r: dict, height: int = 460) -> go.Figure:
    """Test accuracy against the share of wrong labels (every label, raw pixels), with the
    two few-correct-labels levels (codes; raw pixels) as flat lines and the crossing marked."""
    x = r["noise"]
    span = [min(x), max(x)]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=span, y=[r["pixels_few"]] * 2, mode="lines", name=t("labels.fig.pixels_few", n=r["n_labels"]),
                             line=dict(color=GREY, width=3, dash="dot")))
    fig.add_trace(go.Scatter(x=span, y=[r["codes"]] * 2, mode="lines", name=t("labels.fig.codes", n=r["n_labels"]),
                             line=dict(color=ORANGE, width=4, dash="dash")))
    fig.add_trace(go.Scatter(x=x, y=r["noisy"], mode="lines+markers", name=t("labels.fig.all", n=r["n_train"]),
                             line=dict(color=BLUE, width=4), marker=dict(size=12, symbol="circle")))
    if r["crossing"] is not None:
        fig.add_vline(x=r["crossing"], line=dict(color=BLACK, width=2, dash="dot"))
        fig.add_annotation(x=r["crossing"], y=0.1, yref="y", text=t("labels.fig.cross", cross=r["crossing"]),
                           showarrow=False, xanchor="left", xshift=6, font=dict(size=16))
    fig.update_layout(height=height, **LAYOUT,
                      xaxis=_axis(t("labels.fig.x"), tickformat=".0%", tickvals=x),
                      yaxis=_axis(t("labels.fig.y"), tickformat=".0%", range=[0, 1.02]))
    return fig


# --- harder -----------------------------------------------------------------------------------------

def fig_harder(r: dict, height: int = 460) -> go.Figure:
    """Updates until the goal against the learning rate, one marker per run (classifier:
    circles, GAN: diamonds; the two seeds side by side); runs that never got there sit on
    the top row, above the dotted budget line."""
    budget = r["budget"]
    fail_y = budget * 1.8
    fig = go.Figure()
    styles = {"classifier": (BLUE, "circle", 0.88, t("harder.fig.classifier", acc=r["goal_accuracy"])),
              "gan": (VERMILLION, "diamond", 1.12, t("harder.fig.gan", modes=r["usable_modes"],
                                                      precision=r["usable_precision"]))}
    for kind, (color, symbol, shift, name) in styles.items():
        runs = [u for u in r["runs"] if u["kind"] == kind]
        seeds = sorted({u["seed"] for u in runs})
        for done in (True, False):  # reached the goal: the kind's symbol; not: a cross on the top row
            mine = [u for u in runs if (u["steps"] is not None) == done]
            fig.add_trace(go.Scatter(
                x=[u["lr"] * shift * (1 + 0.08 * seeds.index(u["seed"])) for u in mine],
                y=[u["steps"] if done else fail_y for u in mine], mode="markers", name=name,
                legendgroup=kind, showlegend=done,
                marker=dict(size=16, color=color, symbol=symbol if done else "x",
                            line=dict(width=1.5, color=BLACK))))
    fig.add_hline(y=budget, line=dict(color=GREY, width=2, dash="dot"))
    fig.add_annotation(x=0, xref="paper", y=np.log10(budget), text=t("harder.fig.budget", n=budget),
                       showarrow=False, xanchor="left", yanchor="top", font=dict(size=16, color="#444"))
    ticks = [v for v in (10, 30, 100, 300, 1000, 3000, 10000) if v <= budget]
    fig.update_layout(height=height, **LAYOUT,
                      xaxis=_axis(t("harder.fig.x"), type="log", tickvals=r["lrs"],
                                  ticktext=[num(v, ".1g") for v in r["lrs"]]),
                      yaxis=_axis(t("harder.fig.y"), type="log", range=[np.log10(25), np.log10(fail_y * 1.4)],
                                  tickvals=ticks + [fail_y],
                                  ticktext=[num(v, ",") for v in ticks] + [t("harder.fig.failed")]))
    return fig


# --- the 2-D GAN ------------------------------------------------------------------------------------

def _gan2d_traces(s: dict, show_scale: bool = True, legend: bool = True) -> list:
    surf = s["surface"]
    hover = "(%{x:.2f}, %{y:.2f})<br>" + t("gan2d.fig.d") + " %{z:.2f}<extra></extra>"
    heat = go.Heatmap(x=surf["x"], y=surf["y"], z=surf["d"], zmin=0, zmax=1, colorscale=D_SCALE,
                      showscale=show_scale, hovertemplate=hover, opacity=0.85,
                      colorbar=dict(title=dict(text=t("gan2d.fig.d"), font=dict(size=16)),
                                    tickfont=dict(size=16), tickvals=[0, 0.5, 1], len=0.9))
    boundary = go.Contour(x=surf["x"], y=surf["y"], z=surf["d"], showscale=False, hoverinfo="skip",
                          contours=dict(start=0.5, end=0.5, size=1, coloring="none"),
                          line=dict(color=BLACK, width=2, dash="dash"), name=t("gan2d.fig.boundary"),
                          showlegend=legend)
    real, fake = np.asarray(s["real"]), np.asarray(s["fake"])
    pts = [go.Scatter(x=real[:, 0], y=real[:, 1], mode="markers", name=t("gan2d.fig.real"), showlegend=legend,
                      marker=dict(size=6, color=BLACK, symbol="circle"), hoverinfo="skip"),
           go.Scatter(x=fake[:, 0], y=fake[:, 1], mode="markers", name=t("gan2d.fig.fake"), showlegend=legend,
                      marker=dict(size=8, color=ORANGE, symbol="diamond", line=dict(width=1, color=BLACK)),
                      hoverinfo="skip")]
    return [heat, boundary, *pts]


def gan2d_title(s: dict) -> str:
    """One state's numbers in a line: updates, modes covered (mixture), precision, recall."""
    if "modes" in s:
        return t("gan2d.fig.title_modes", it=s["it"], covered=s["modes"]["covered"],
                 n_modes=s["modes"]["n_modes"], precision=s["precision"], recall=s["recall"])
    return t("gan2d.fig.title", it=s["it"], precision=s["precision"], recall=s["recall"])


def _square(fig: go.Figure, lim: float, rows_cols) -> None:
    for i, (r, c) in enumerate(rows_cols, start=1):
        suffix = "" if i == 1 else str(i)
        fig.update_xaxes(row=r, col=c, range=[-lim, lim], constrain="domain",
                         **_axis(t("gan2d.fig.x1")))
        fig.update_yaxes(row=r, col=c, range=[-lim, lim], scaleanchor=f"x{suffix}", scaleratio=1,
                         constrain="domain", **_axis(t("gan2d.fig.x2")))


def fig_gan2d(s: dict, height: int = 560, title: str | None = None) -> go.Figure:
    """GAN Lab's view of one state of lessons.gan2d.Live2D: D(x) over the plane (purple:
    "generated", green: "real", dashed: D = 0.5), real points (black circles) and
    generated points (orange diamonds), titled with the state's numbers."""
    fig = go.Figure(_gan2d_traces(s))
    _square(fig, s["lim"], [(None, None)])
    fig.update_layout(height=height, **LAYOUT)
    fig.update_layout(title=dict(text=title or gan2d_title(s), font=dict(size=18), y=0.98),
                      margin=dict(l=10, r=10, t=90, b=10), legend=dict(y=1.0))
    return fig


def fig_gan2d_pair(r: dict, height: int = 520) -> go.Figure:
    """Before training and after `steps` updates, side by side (lessons.gan2d.tour_step's
    figure_data), each titled with its numbers."""
    fig = make_subplots(1, 2, horizontal_spacing=0.08,
                        subplot_titles=[t("gan2d.fig.before") + "<br>" + gan2d_title(r["before"]),
                                        t("gan2d.fig.after", it=r["after"]["it"]) + "<br>" + gan2d_title(r["after"])])
    for col, key in ((1, "before"), (2, "after")):
        for tr in _gan2d_traces(r[key], show_scale=col == 2, legend=col == 2):
            fig.add_trace(tr, row=1, col=col)
    _square(fig, r["after"]["lim"], [(1, 1), (1, 2)])
    fig.update_annotations(font=dict(size=16))
    fig.update_layout(height=height, **LAYOUT)
    fig.update_layout(margin=dict(l=10, r=10, t=110, b=10), legend=dict(y=1.16))
    return fig


# --- a tour step in words ----------------------------------------------------------------------------

def tour_words(step: dict, lang: str | None = None) -> dict:
    """A lesson's tour_step as text in the session's language: "number" (its number_key
    filled with the number), "question", "answers" (in order), "answer" (the supported
    one) and "verdict". Keys follow <slug>.tour.<part> and <slug>.tour.answer.<name>."""
    slug, _, part = step["number_key"].partition(".tour.")
    words = lambda key: t(f"{slug}.tour.answer.{key.rsplit('.', 1)[1]}", lang)
    v = step["verdict"]
    return {"number": t(f"{slug}.tour.{part}", lang, number=step["number"]),
            "question": t(f"{slug}.tour.{step['question'].rsplit('.', 1)[1]}", lang),
            "answers": [words(a) for a in step["answers"]], "answer": words(step["answer"]),
            "verdict": t(v.key, lang, **dict(v.values))}
