"""The GAN page's Streamlit parts too long for the page itself: image rows with a caption
under every image (D(x) beside every sample), images embedded inline (for 5 redraws per
second), the live session held in the session state, the recipe buttons, and the
live panel the page runs as a fragment. Measurements come from lessons.gan_live's snapshots
(lessons.gan_cockpit); nothing here computes."""
from __future__ import annotations

import base64
import io

import streamlit as st
from PIL import Image

import lessons.gan as lesson
from lessons import gan_live
from lessons.gan_cockpit import timeline_frame

from .figures import chart, gan as figs
from .images import grid, to_uint8, upscale
from .models import referee, require
from .page import Settings
from .text import num, say, t

_SHOW = {"error": st.error, "warning": st.warning, "ok": st.success}  # a diagnosis's level


def cells(x, captions: list[str], ncols: int = 8, size: int = 120) -> None:
    """Images (N,1,H,W) in columns, each with its caption underneath."""
    imgs = to_uint8(x)
    for row in range(0, len(imgs), ncols):
        for col, img, cap in zip(st.columns(ncols), imgs[row:row + ncols], captions[row:row + ncols]):
            col.image(upscale(img, size), caption=cap, width="stretch")


def sheet(s: dict) -> None:
    """The sample sheet: every sample with its number, D(x), the class the referee reads and
    its realism (the referee's P(a digit))."""
    cells(s["x"], [t("gan.sample.caption", i=i, d=d, label=c, real=r)
                   for i, (d, c, r) in enumerate(zip(s["d"], s["label"], s["realism"]))])


def walk(p: dict) -> None:
    """The images along a path in noise space, each with its D(x)."""
    cells(p["x"], [t("gan.walk.dx", d=d) for d in p["d"]], ncols=len(p["d"]))


def inline_image(x, caption: str = "", ncols: int = 8, cell: int = 64) -> None:
    """A batch as one grid embedded in the page itself: at 5 redraws/s, st.image's media URLs
    can expire before the browser fetches them, leaving a broken-image icon."""
    buf = io.BytesIO()
    Image.fromarray(grid(x, ncols=ncols, cell=cell)).save(buf, "PNG")
    src = base64.b64encode(buf.getvalue()).decode()
    st.markdown(f'<img src="data:image/png;base64,{src}" style="width:100%;image-rendering:pixelated">'
                f'<p style="text-align:center;color:gray">{caption}</p>', unsafe_allow_html=True)


def recipes(keys: tuple[str, str, str]) -> None:
    """One button per lesson.RECIPES, setting the (ratio, D lr, G lr) controls at `keys`."""
    r = st.columns([1, 2, 3, 2])
    r[0].markdown(t("gan.recipes"))
    for i, (col, name) in enumerate(zip(r[1:], lesson.RECIPES)):
        col.button(t(f"gan.recipe.{name}"), key=f"gan.recipe.{i}", help=t("gan.recipe_help"),
                   on_click=lambda v: st.session_state.update(zip(keys, v)), args=(lesson.RECIPES[name],))


def _key(s: Settings, start_from: str) -> str:
    return f"gan.live.{s.dataset}.{s.seed}.{start_from}"


def session(s: Settings, start_from: str) -> gan_live.LiveGAN:
    """This session's live GAN for the dataset, seed and start (random weights or a copy
    of the trained GAN), set up on first use and kept across reruns."""
    key = _key(s, start_from)
    if key not in st.session_state:
        base = require(*lesson.specs(s.dataset, s.seed))[0] if start_from == "trained" else None
        with st.spinner(t("gan.setting_up")):
            st.session_state[key] = gan_live.LiveGAN(s.dataset, seed=s.seed, model=base,
                                                     referee=referee(s.dataset))
    return st.session_state[key]


def reset(live: gan_live.LiveGAN, s: Settings, start_from: str) -> None:
    """Throw this live GAN away and start again with a fresh session."""
    live.pause()
    del st.session_state[_key(s, start_from)]
    st.rerun()


def _moved(col, net: str, moved: float) -> None:
    on = moved > 0
    col.metric(t(f"gan.moved.{net}"), num(moved, ".4f"), t("gan.delta.moved") if on else t("gan.delta.frozen"),
               delta_color="normal" if on else "off", delta_arrow="up" if on else "off",
               help=t("gan.moved_help"))


def panel(live: gan_live.LiveGAN, auto: bool) -> None:
    """The live panel, redrawn every lesson.REFRESH seconds while training runs (`auto`)."""
    v = live.view()
    if auto and not live.running:  # paused by itself or failed: stop the refresh timer
        st.rerun(scope="app")
    if v["error"]:
        st.error(t("gan.stopped", error=v["error"]))
    if v["note"] == "idle":
        st.info(t("gan.note.idle", s=gan_live.IDLE_PAUSE))
    if v["state"] == "waiting":
        st.warning(t("gan.waiting", running=v["slots"][0], slots=v["slots"][1]))
    # while training, static charts: the browser redraws 5x/s without hover/zoom layers
    config = {"staticPlot": True} if auto else {"displayModeBar": False}
    top = st.columns([2, 1, 1, 1])
    rate = t("gan.rate", rate=v["rate"]) if v["state"] == "running" else ""
    top[0].markdown(t("gan.status", state=t(f"gan.state.{v['state']}"), rate=rate, n_d=v["n_d"],
                      n_g=v["n_g"], action=t(f"gan.action.{v['action'] or 'none'}")))
    _moved(top[1], "D", v["moved"]["D"])
    _moved(top[2], "G", v["moved"]["G"])
    top[3].metric(t("gan.metric.d"), t("gan.metric.d_value", real=v["hist"]["real_mean"],
                                       fake=v["hist"]["fake_mean"]))
    c1, c2 = st.columns(2)
    chart(figs.fig_losses(v["curves"]), where=c1, key="gan.fig_losses", config=config)
    c1.caption(t("gan.losses.caption"))
    chart(figs.fig_scores(v["hist"]), where=c2, key="gan.fig_scores", config=config)
    c2.caption(t("gan.scores.caption"))
    c1, c2 = st.columns(2)
    with c1:
        pct = st.slider(t("gan.timeline"), 0, 100, 100, key="gan.timeline")
        frame = timeline_frame(v["timeline"], pct)
        if frame:
            inline_image(frame[1], t("gan.timeline.then", it=frame[0]))
        else:
            inline_image(v["fixed"], t("gan.timeline.now", it=v["it"]))
        st.caption(t("gan.fixed.caption", n=len(v["fixed"])))
    with c2:
        col = v["collapse"]
        m1, m2 = st.columns(2)
        m1.metric(t("gan.metric.classes"), t("gan.metric.classes_value", n=col["classes_covered"],
                                             of=len(live.data.classes)))
        m2.metric(t("gan.metric.diversity"), num(col["diversity"], ".2f"))
        chart(figs.fig_classes(col, live.data.classes), key="gan.fig_classes", config=config)
        st.caption(say(col["verdict"]))
    st.markdown(say(v["memo"]["verdict"]))
    inline_image(v["memo"]["pairs"], ncols=len(v["memo"]["shown"]), cell=96)
    for level, verdict in v["diagnoses"]:
        _SHOW[level](say(verdict))
