"""The GAN-in-the-plane page's Streamlit parts (a view of lessons.gan2d): the student's own
live 2-D GAN held in the session state, its play / step / reset buttons, the drawing that
becomes a target, and the live panel, a fragment that makes lessons.gan2d.PER_TICK
updates and redraws D's decision surface with the real and generated points. Every
update is the image GAN's own two-player step; nothing here computes."""
from __future__ import annotations

import streamlit as st

import lessons.gan2d as lesson

from .canvas import drawing
from .figures import chart, demos
from .text import num, say, t

REFRESH = 0.6     # s between two live redraws while training runs
FIG_HEIGHT = 430  # px: the plane fits under the heading at 1280x720


def drawn_points(hint) -> object:
    """The canvas for a drawn target: its inked pixels as points, or None (with a hint
    shown in `hint`, a column or container)."""
    points = lesson.points_from_drawing(drawing("gan2d.canvas", size=220))
    if points is None:
        hint.info(t("gan2d.draw_hint", n=lesson.MIN_POINTS))
    else:
        st.caption(t("gan2d.drawn", n=len(points)))
    return points


def session(target: str, lr: float, seed: int, points) -> lesson.Live2D:
    """This session's live 2-D GAN for the target, learning rate and seed (and drawing), made
    on first use, kept across reruns and made anew when any of them changes."""
    key = (target, lr, seed, None if points is None else points.tobytes())
    live = st.session_state.get("gan2d.live")
    if live is None or st.session_state.get("gan2d.for") != key:
        live = lesson.Live2D(target, seed=seed, points=points, lr=lr)
        st.session_state["gan2d.live"], st.session_state["gan2d.for"] = live, key
        st.session_state["gan2d.running"] = False
    return live


def _toggle() -> None:
    st.session_state["gan2d.running"] = not st.session_state.get("gan2d.running", False)


def _reset() -> None:
    st.session_state.pop("gan2d.live", None)


def controls(live: lesson.Live2D) -> bool:
    """Play/pause, one step of PER_TICK updates, start again; whether training runs."""
    running = bool(st.session_state.get("gan2d.running")) and live.it < lesson.MAX_UPDATES
    c = st.columns(3)
    c[0].button(t("gan2d.pause") if running else t("gan2d.play"), key="gan2d.play", on_click=_toggle,
                type="primary", icon=":material/pause:" if running else ":material/play_arrow:",
                disabled=live.it >= lesson.MAX_UPDATES, width="stretch")
    if c[1].button(t("gan2d.step", n=lesson.PER_TICK), key="gan2d.step", disabled=running, width="stretch"):
        live.step(lesson.PER_TICK, measure=False)
    c[2].button(t("gan2d.reset"), key="gan2d.reset", on_click=_reset, width="stretch")
    st.caption(t("gan2d.controls_help", n=lesson.PER_TICK, max=lesson.MAX_UPDATES))
    return running


def panel(live: lesson.Live2D, running: bool) -> None:
    """The live picture, redrawn every REFRESH s while training runs (a fragment)."""

    @st.fragment(run_every=REFRESH if running else None)
    def _draw():
        if running and live.it < lesson.MAX_UPDATES:
            live.step(lesson.PER_TICK, measure=False)
        elif running:  # stopped by itself at the bound: the buttons follow
            st.session_state["gan2d.running"] = False
            st.rerun(scope="app")
        state = live.state()
        config = {"staticPlot": True} if running else {"displayModeBar": False}
        chart(demos.fig_gan2d(state, height=FIG_HEIGHT), key="gan2d.fig", config=config)
        m = st.columns(2) + st.columns(2)  # two by two: the labels are long at 1280 px
        m[0].metric(t("gan2d.metric.updates"), num(state["it"], ",d"))
        m[1].metric(t("gan2d.metric.d"), t("gan2d.metric.d_value", real=state["d_real"], fake=state["d_fake"]))
        m[2].metric(t("gan2d.metric.precision"), num(state["precision"], ".0%"))
        m[3].metric(t("gan2d.metric.recall"), num(state["recall"], ".0%"))
        st.markdown(say(state["verdict"]))

    _draw()
