"""GAN page: a view of lessons.gan (the trained GAN's samples with D(x) beside each, a walk
through noise space, the quality of 1,000 samples) and of the live cockpit (ui.gan_cockpit):
train a GAN live, stepping D or G alone, with its charts, meters and verdicts."""
import streamlit as st

import lessons.gan as lesson
import ui
from ui import gan_cockpit as cockpit

s = ui.setup(lesson)
ui.intro(lesson)
mode = st.radio(ui.t("gan.view"), lesson.MODES, format_func=lambda m: ui.t(f"gan.mode.{m}"),
                horizontal=True, key=ui.param("mode", "sample", options=lesson.MODES),
                label_visibility="collapsed")

if mode == "sample":
    gan, = ui.require(*lesson.specs(s.dataset, s.seed))
    ref, second = (j.spec for j in ui.judges(s.dataset))
    noise_key = ui.param("noise", 0, lo=0, hi=lesson.SEEDS)
    c1, c2, c3 = st.columns([1, 1, 3])
    c1.number_input(ui.t("gan.noise"), 0, lesson.SEEDS, key=noise_key, help=ui.t("gan.noise_help"))
    c2.button(ui.t("gan.new_noise"), key="gan.new_noise", on_click=lambda: st.session_state.update(
        {noise_key: (st.session_state[noise_key] + 1) % (lesson.SEEDS + 1)}))
    with st.spinner(ui.t("gan.scoring", n=lesson.SCORED)):
        q = ui.compute(lesson.quality, gan.spec, ref, second)
    c3.markdown(ui.t("gan.quality", n=lesson.SCORED, fd=q["fd"], floor=q["floor"], ceiling=q["ceiling"],
                     share=q["share"], covered=q["classes_covered"], of=q["n_classes"],
                     seconds=q["seconds"]), help=ui.t("gan.quality_help"))
    c3.caption(ui.t("gan.judges", precision=q["precision"], recall=q["recall"],
                    second=q["second_share"], covered=q["second_covered"], of=q["n_classes"]))
    noise = int(st.session_state[noise_key])
    cockpit.sheet(ui.compute(lesson.sheet, gan.spec, ref, noise))
    st.caption(ui.say(q["balance"]))
    st.caption(ui.say(q["built"]))

    st.subheader(ui.t("gan.walk"))
    c1, c2, c3 = st.columns(3)
    a = c1.number_input(ui.t("gan.walk.from"), 0, lesson.SHEET - 1,
                        key=ui.param("a", 0, lo=0, hi=lesson.SHEET - 1))
    b = c2.number_input(ui.t("gan.walk.to"), 0, lesson.SHEET - 1,
                        key=ui.param("b", 1, lo=0, hi=lesson.SHEET - 1))
    how = c3.radio(ui.t("gan.walk.path"), lesson.PATHS, horizontal=True,
                   format_func=lambda p: ui.t(f"gan.walk.{p}"),
                   key=ui.param("path", "slerp", options=lesson.PATHS), help=ui.t("gan.walk.path_help"))
    cockpit.walk(ui.compute(lesson.walk, gan.spec, noise, int(a), int(b), how))
    st.caption(ui.t("gan.walk.caption"))
    ui.share()
    st.stop()

c1, c2, c3, c4 = st.columns(4)
start_from = c1.radio(ui.t("gan.start_from"), lesson.STARTS, horizontal=True,
                      format_func=lambda v: ui.t(f"gan.from.{v}"),
                      key=ui.param("from", "fresh", options=lesson.STARTS))
keys = (ui.param("ratio", 1, lo=1, hi=10), ui.param("lr_d", 2e-3, options=lesson.LR),
        ui.param("lr_g", 2e-3, options=lesson.LR))
ratio = c2.slider(ui.t("gan.ratio"), 1, 10, key=keys[0])
lr_d = c3.select_slider(ui.t("gan.lr_d"), lesson.LR, key=keys[1], format_func=lambda v: ui.t("gan.lr", lr=v))
lr_g = c4.select_slider(ui.t("gan.lr_g"), lesson.LR, key=keys[2], format_func=lambda v: ui.t("gan.lr", lr=v))
cockpit.recipes(keys)

live = cockpit.session(s, start_from)
live.set_lr(lr_g=lr_g, lr_d=lr_d)
live.d_steps = int(ratio)
b = st.columns(6)
if b[0].button(ui.t("gan.start"), key="gan.start", type="primary", disabled=live.running):
    live.start()
if b[1].button(ui.t("gan.pause"), key="gan.pause", disabled=not live.running):
    live.pause()
if b[2].button(ui.t("gan.step"), key="gan.step", help=ui.t("gan.step_help", ratio=ratio)):
    live.step()
if b[3].button(ui.t("gan.step_d"), key="gan.step_d", help=ui.t("gan.step_d_help")):
    live.step_d()
if b[4].button(ui.t("gan.step_g"), key="gan.step_g", help=ui.t("gan.step_g_help")):
    live.step_g()
if b[5].button(ui.t("gan.reset"), key="gan.reset", help=ui.t("gan.reset_help")):
    cockpit.reset(live, s, start_from)
st.fragment(cockpit.panel, run_every=lesson.REFRESH if live.running else None)(live, auto=live.running)
ui.share()
