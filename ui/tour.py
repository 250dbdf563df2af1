"""The lecture tour's screen (a view of lessons.tour) for a projector: one step at a time,
a big headline, the one live figure, the one number, the class's guess and the model's
answer. The step is in the URL (?step=<id>, a `param` like any control); a presentation
clicker's keys move it: → PageDown Space forward, ← PageUp back.

Keys are Streamlit's own button shortcuts (st.button(shortcut=...), Streamlit 1.52+): they
live as long as the button is on the page, skip keys typed into a field, and need no
component. (streamlit-shortcuts adds one document-wide listener per tab that outlives the
tour page and swallows those keys on every other page; it also fires inside text fields.)
One shortcut per button, so PageDown, Space and PageUp are hidden twins of Next and Back.
The projector CSS is injected only on this page (it leaves with it).
"""
from __future__ import annotations

import inspect
import math

import plotly.graph_objects as go
import streamlit as st
from streamlit.errors import StreamlitAPIException

import gm
import lessons.tour as tour

from . import classroom, models
from .figures import chart, demos
from .figures.latent_map import latent_map
from .images import show
from .page import Settings
from .params import _SHADOW, param
from .text import num, say, t

MIN_DIGIT = 84            # px: the smallest a digit is drawn
FIG_HEIGHT = 430          # px: a plot fits under the headline at 1280x720 and 1024x768
TICKS, TEXT = 16, 19      # px: plot tick labels, every other letter
SPAN = 3.5                # a code map's half-width: N(0, I) lies within it
_KEYS = {"next": ("Right", "PageDown", "Space"), "back": ("Left", "PageUp")}
_SHORTCUTS = "shortcut" in inspect.signature(st.button).parameters  # older Streamlit: click only
_HIGH = "#0b4f8a"         # primary buttons: white on dark blue (Streamlit's red is 3.6:1)

_CSS = """<style>
[data-testid="stMainBlockContainer"] {padding: 4.1rem 1.6rem 1rem 1.6rem; max-width: none;}
[data-testid="stMain"] [data-testid="stVerticalBlock"] {gap: 0.7rem;}
[data-testid="stMain"] {color: #000;}
[data-testid="stMain"] :is(p, li, span, label, button, input, summary, a, div, small, code, kbd):not(svg *)
    {font-size: max(1em, 19px);}
[data-testid="stMain"] h1 {font-size: 2.3rem; line-height: 1.2; padding: 0 0 0.2rem 0;}
[data-testid="stMain"] h3 {font-size: 1.45rem; line-height: 1.3; padding: 0.2rem 0;}
[data-testid="stMain"] p, [data-testid="stMain"] li {font-size: 1.3rem; line-height: 1.4;}
[data-testid="stMain"] [data-testid="stCaptionContainer"] {color: #222;}
[data-testid="stMain"] [data-testid="stMetricValue"], [data-testid="stMain"] [data-testid="stMetricValue"] *
    {font-size: 3rem; line-height: 1.15; font-weight: 700; overflow: visible; white-space: normal;}
[data-testid="stMain"] [data-testid="stMetricLabel"], [data-testid="stMain"] [data-testid="stMetricLabel"] *
    {font-size: 1.35rem; color: #000; overflow: visible; white-space: normal; text-overflow: clip;
     height: auto;}
[data-testid="stMain"] button {min-height: 2.7rem; border-width: 2px;}
[data-testid="stMain"] button p {font-size: 1.25rem; white-space: normal; text-align: left;}
[data-testid="stMain"] [data-testid="stBaseButton-primary"] {background: %(high)s; border-color: %(high)s;
    color: #fff;}
[data-testid="stMain"] [data-testid="stAlert"] p {font-size: 1.35rem;}
[data-testid="stMain"]:focus, [data-testid="stMain"]:focus-visible {outline: none; box-shadow: none;}
.st-key-tour-back button p, .st-key-tour-next button p {white-space: nowrap;}
.st-key-tour-keys {display: none;}
.st-key-tour-count p {font-size: 1.6rem; font-weight: 700; text-align: center; white-space: nowrap;}
[class*="st-key-tour-hide"] img, [class*="st-key-tour-hide"] .js-plotly-plot {filter: blur(12px);}
</style>""" % {"high": _HIGH}


# --- state: which step, the class's guesses, what is revealed ----------------------------------

def step_key() -> str:
    """The session key of the current step (a URL param: ?step=<id>)."""
    return param("step", tour.IDS[0], options=list(tour.IDS))


def _go(to: str) -> None:
    st.session_state[step_key()] = to


def _move(by: int) -> None:
    key = step_key()
    st.session_state[key] = tour.neighbour(st.session_state[key], by)


def _guesses() -> dict:
    return st.session_state.setdefault("tour.guess", {})


def _revealed() -> set:
    return st.session_state.setdefault("tour.revealed", set())


def _guess(step_id: str, i: int) -> None:
    _guesses()[step_id] = i
    classroom.answered(step_id, i)


def _apply(step_id: str, revealed: bool) -> bool:
    """Move this screen to the teacher's step (a class session's follower); True when it
    changed."""
    if step_id not in tour.IDS:
        return False
    key, shown = step_key(), _revealed()
    before = (st.session_state.get(key), step_id in shown)
    st.session_state[key] = step_id
    (shown.add if revealed else shown.discard)(step_id)
    return before != (step_id, revealed)


def _toggle(step_id: str) -> None:
    _revealed().symmetric_difference_update({step_id})


def _button(label: str, key: str, shortcut: str | None = None, **kw) -> bool:
    if shortcut and _SHORTCUTS:
        kw["shortcut"] = shortcut
    return st.button(label, key=key, **kw)


# --- the screen --------------------------------------------------------------------------------

def style() -> None:
    """The projector's CSS (this page only) and the sidebar folded away on the first visit."""
    st.set_page_config(initial_sidebar_state="collapsed")
    st.html(_CSS)


def navigation(s: tour.Step, locked: bool = False) -> None:
    """Back, "3 / 15" and Next, with the clicker's keys (hidden twins hold the extra keys);
    `locked` while this screen follows the teacher of a class session."""
    i, n = tour.IDS.index(s.id), len(tour.IDS)
    if locked:  # the teacher moves this screen: only where the class is
        st.container(key="tour-count", width="content").markdown(t("tour.count", i=i + 1, n=n))
        return
    with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center"):
        _button(t("tour.back"), "tour-back", _KEYS["back"][0], on_click=_move, args=(-1,),
                disabled=i == 0)
        st.container(key="tour-count", width="content").markdown(t("tour.count", i=i + 1, n=n))
        _button(t("tour.next"), "tour-next", _KEYS["next"][0], on_click=_move, args=(1,),
                disabled=i == n - 1, type="primary")
    with st.container(key="tour-keys"):
        for k in _KEYS["next"][1:]:
            _button(t("tour.next"), f"tour-next-{k.lower()}", k, on_click=_move, args=(1,), disabled=i == n - 1)
        for k in _KEYS["back"][1:]:
            _button(t("tour.back"), f"tour-back-{k.lower()}", k, on_click=_move, args=(-1,), disabled=i == 0)


def ready(s: tour.Step, settings: Settings) -> tuple[list, bool]:
    """The step's Specs and whether every one is cached (then nothing needs training)."""
    specs = list(s.specs(settings.dataset, settings.seed))
    return specs, len(models.cached(*specs)) == len(specs)


def measure(s: tour.Step, specs: list, settings: Settings) -> dict:
    """The step's measurement, once per Specs and seed for every session."""
    return models.compute(s.measure, *specs, seed=settings.seed)


def prefetch(s: tour.Step, settings: Settings) -> None:
    """Measure the next step now when its models are cached, so Next answers at once."""
    following = tour.step(tour.neighbour(s.id, 1))
    specs, ok = ready(following, settings)
    if ok and following.id != s.id:
        measure(following, specs, settings)


def number(s: tour.Step, measured: dict | None) -> None:
    """The one number, large; '?' until the reveal on a step that asks the class first."""
    hidden = measured is None or (s.question is not None and s.id not in _revealed())
    st.metric(say(s.label), t("tour.hidden_number") if hidden else say(measured["number"]))


def question(s: tour.Step, measured: dict | None, locked: bool = False) -> None:
    """The question, one button per answer (the class's guess highlighted), and Reveal:
    the answer the measurement supports, marked, and the measured sentence. `locked` (a
    student following the teacher): the teacher's screen reveals, this one follows."""
    if s.question is None:
        if measured is not None:
            st.markdown(say(measured["why"]))
        return
    st.markdown("### " + say(s.question))
    shown = s.id in _revealed() and measured is not None
    right = tour.answer(s, measured) if measured is not None else None
    guess = _guesses().get(s.id)
    tally = classroom.tally(s.id) if shown else None  # a class session's answers, on reveal
    for i, a in enumerate(s.answers):
        icon = (":material/check_circle:" if shown and i == right else
                ":material/cancel:" if shown and i == guess else None)
        primary = (i == right) if shown else (i == guess)
        label = say(a) if tally is None else classroom.with_tally(say(a), i, tally)
        st.button(label, key=f"tour-answer-{i}", on_click=_guess, args=(s.id, i), icon=icon,
                  type="primary" if primary else "secondary", width="stretch")
    if not shown:
        classroom.counts(s.id)  # live, while the class answers
    if locked and not shown:
        st.caption(t("class.wait_reveal"))
    elif not locked:
        _button(t("tour.hide") if shown else t("tour.reveal"), "tour-reveal", None, on_click=_toggle,
                args=(s.id,), disabled=measured is None, icon=":material/visibility:", width="stretch")
    if shown:
        (st.success if guess in (None, right) else st.info)(say(measured["why"]))


def overview(s: tour.Step) -> None:
    """Every step by its headline, to jump to; and the step's full page in the same state."""
    with st.expander(t("tour.overview", n=len(tour.IDS))):
        cols = st.columns(3)
        for i, x in enumerate(tour.STEPS):
            cols[i % 3].button(t("tour.item", i=i + 1, headline=say(x.headline)), key=f"tour-go-{x.id}",
                               on_click=_go, args=(x.id,), disabled=x.id == s.id, width="stretch")
    with st.container(horizontal=True):
        if st.button(t("tour.full_page", page=t(f"{s.lesson.SLUG}.nav")), key="tour-full",
                     icon=":material/open_in_new:"):
            open_full_page(s)
        classroom.start_button()


def open_full_page(s: tour.Step) -> None:
    """The step's lesson page with the step's settings: written where that page's controls
    look first (this session's remembered values), and into the link."""
    shadow = st.session_state.setdefault(_SHADOW, {})
    for name, value in tour.preset(s).items():
        key = f"{s.lesson.SLUG}.{name}"
        shadow[key] = value
        st.session_state.pop(key, None)
    try:
        st.switch_page(s.page, query_params={k: str(v) for k, v in tour.preset(s).items()})
    except StreamlitAPIException:  # AppTest runs this page without the app around it
        pass


# --- the figure --------------------------------------------------------------------------------

def figure(s: tour.Step, measured: dict) -> None:
    """The step's one figure; a step that asks first keeps the model's part blurred until
    the reveal."""
    f = measured["figure"]
    hide = s.question is not None and s.id not in _revealed()
    if f["kind"] == "images":
        images(f["panels"], hide)
        return
    fig = {"bars": bars, "curve": curve, "map": code_map, "plot": demo}[f["kind"]](f)
    with st.container(key="tour-hide-plot" if hide else "tour-plot"):
        chart(projector(fig), key=f"tour.{s.id}.plot", config={"displayModeBar": False})


def cell(side: int) -> int:
    """A cell size whose nearest-neighbour upscale draws a digit `side` pixels wide at
    MIN_DIGIT px or more (8x8 digits: 88 px, 28x28 MNIST: 84 px)."""
    return side * math.ceil(MIN_DIGIT / side)


def images(panels, hide: bool) -> None:
    """Panels side by side when they fit 6 digits across, else one under another; the
    first panel (the inputs) stays visible before the reveal, the rest are the answer."""
    across = sum(p[2] for p in panels)
    places = st.columns([p[2] for p in panels]) if across <= tour.SHOWN_CLASSES else \
        [st.container() for _ in panels]
    for j, ((caption, x, ncols), where) in enumerate(zip(panels, places)):
        secret = hide and (j > 0 or len(panels) == 1)
        with where, st.container(key=f"tour-hide-{j}" if secret else f"tour-panel-{j}"):
            st.markdown(f"**{say(caption)}**")
            show(x, ncols=ncols, cell=cell(x.shape[-1]))


def bars(f: dict) -> go.Figure:
    labels = [say(v) for v in f["labels"]]
    fig = go.Figure(go.Bar(x=list(f["values"]), y=labels, orientation="h",
                           text=[num(v, f["fmt"]) for v in f["values"]], textposition="auto",
                           marker_color=["#1f77b4", "#d62728", "#7f7f7f", "#2ca02c"][:len(labels)]))
    fig.update_layout(xaxis=dict(title=say(f["axis"]), type="log" if f["log"] else "linear",
                                 rangemode="tozero"),
                      yaxis=dict(autorange="reversed", tickfont=dict(size=TEXT, color="#000")),
                      height=min(FIG_HEIGHT, 140 + 110 * len(labels)))
    if f["fmt"].endswith("%"):
        fig.update_xaxes(tickformat=".0%", range=[0, 1])
    return fig


def curve(f: dict) -> go.Figure:
    fig = go.Figure()
    for (name, ys), dash, color in zip(f["series"], ("dash", "solid"), ("#d62728", "#1f4e9c")):
        fig.add_trace(go.Scatter(x=list(f["x"]), y=list(ys), name=say(name), mode="lines+markers",
                                 line=dict(width=4, dash=dash, color=color), marker=dict(size=12, color=color)))
    fig.update_layout(xaxis=dict(type="log", title=say(f["axis"][0]), tickvals=list(f["x"])),
                      yaxis=dict(title=say(f["axis"][1]), rangemode="tozero"),
                      legend=dict(orientation="h", y=1.14), height=FIG_HEIGHT)
    return fig


def code_map(f: dict) -> go.Figure:
    """Test codes coloured by class on the prior's scale (|z| up to SPAN), over the
    reference codes in grey: a collapsed code is a dot in the middle."""
    import numpy as np
    fig = latent_map(np.asarray(f["points"]), np.asarray(f["labels"]), f["classes"], say(f["title"]),
                     height=FIG_HEIGHT)
    if f.get("reference") is not None:
        ref = np.asarray(f["reference"])
        fig.add_trace(go.Scatter(x=ref[:, 0], y=ref[:, 1], mode="markers", name=say(f["reference_name"]),
                                 marker=dict(size=6, color="rgba(120,120,120,0.35)"), hoverinfo="skip"))
        fig.data = fig.data[-1:] + fig.data[:-1]  # the reference under the codes
    fig.update_traces(showlegend=False)  # colours are the classes; the title says what is drawn
    if f.get("reference") is not None:
        fig.data[0].showlegend = True
    fig.update_layout(title=dict(font=dict(size=TEXT + 1)), dragmode=False,
                      xaxis_range=[-SPAN, SPAN], yaxis=dict(range=[-SPAN, SPAN], scaleanchor="x"),
                      legend=dict(orientation="h", x=1, y=1.02, yanchor="bottom", xanchor="right", title=dict(text="")))
    return fig


def demo(f: dict) -> go.Figure:
    """A demo's own figure (lessons.tour.DEMOS), at the tour's height."""
    if f["name"] == "gan2d":
        return demos.fig_gan2d_pair(f["data"], height=FIG_HEIGHT)
    return {"labels": demos.fig_labels, "harder": demos.fig_harder}[f["name"]](f["data"], height=FIG_HEIGHT)


def projector(fig: go.Figure) -> go.Figure:
    """Every letter of a figure at TEXT px, tick labels at TICKS px."""
    fig.update_layout(font=dict(size=TEXT, color="#000"), margin=dict(l=10, r=20, t=50, b=10),
                      legend=dict(font=dict(size=TEXT), title_font=dict(size=TEXT)), hoverlabel=dict(font=dict(size=TEXT)))
    ink = dict(color="#000")
    fig.update_xaxes(tickfont=dict(size=TICKS, **ink), title_font=dict(size=TEXT, **ink))
    fig.update_yaxes(tickfont=dict(color="#000"), title_font=dict(size=TEXT, **ink))
    fig.update_yaxes(tickfont=dict(size=TICKS), selector=lambda a: (a.tickfont.size or 0) < TICKS)
    fig.update_traces(textfont=dict(size=TEXT), selector=dict(type="bar"))
    return fig


def show_step(settings: Settings) -> tour.Step:
    """The whole screen of the current step; returns the step."""
    s = tour.step(st.session_state[step_key()])
    head, nav = st.columns([2.7, 1.3], vertical_alignment="center")
    head.title(say(s.headline), anchor=False)
    locked = classroom.strip(s.id, s.id in _revealed(), _apply)
    with nav:
        navigation(s, locked)
    specs, ok = ready(s, settings)
    with st.spinner(t("tour.measuring")):
        measured = measure(s, specs, settings) if ok else None
    left, right = st.columns([3, 2], gap="medium")
    with right:
        number(s, measured)
        question(s, measured, locked)
    overview(s)
    with left, st.container(key="tour-figure"):
        if measured is None:
            models.require(*specs)  # the live training panel; the page stops until it is ready
            st.rerun()
        figure(s, measured)
    if classroom.role()[0] == "student":
        # a key and on_change="rerun": the server holds whether it is open, so a rerun that
        # redraws the page around it (the teacher moved) never folds a half-drawn digit away
        with st.expander(t("class.draw.header"), icon=":material/draw:", key="class-draw-open",
                         on_change="rerun"):
            classroom.draw_box(gm.load_dataset(settings.dataset).shape)
    return s
