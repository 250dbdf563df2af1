"""Denoising page: a view of lessons.denoising (clean, noisy and denoised digits with their
PSNR beside the same network trained without noise and the plain bottleneck autoencoder;
the train-noise x test-noise heat map and its diagonal)."""
import streamlit as st

import gm
import lessons.denoising as lesson
import ui
from ui.figures import denoising as figs

s = ui.setup(lesson)
ui.intro(lesson)
c1, c2, c3 = st.columns([3, 2, 3])
kind = c1.radio(ui.t("denoising.kind"), lesson.KINDS, format_func=lambda k: ui.t(f"denoising.kind.{k}"),
                horizontal=True, key=ui.param("kind", "mask", options=lesson.KINDS))
train_level = c2.select_slider(ui.t("denoising.train"), lesson.TRAIN_LEVELS,
                               key=ui.param("train", 0.5, options=lesson.TRAIN_LEVELS),
                               help=ui.t("denoising.train_help"))
lo, hi, step = lesson.TEST_RANGE
test_level = c3.slider(ui.t("denoising.test"), lo, hi, step=step, key=ui.param("test", 0.5, lo=lo, hi=hi),
                       help=ui.t("denoising.test_help"))
seed_key = ui.param("noise_seed", 0, lo=0, hi=10**6)
models = ui.require(*lesson.specs(lesson.Choice(kind, train_level), s.dataset, s.seed))
noise_seed = st.session_state[seed_key]
rep = ui.compute(lesson.report, *(m.spec for m in models), kind, float(test_level), noise_seed)
p, short, where = rep["psnr_all"], ui.t(f"denoising.short.{kind}"), ui.say(rep["where"])
cell = ui.digit_cell(gm.load_dataset(s.dataset).shape[-1])

# --- 1. clean, noisy, denoised ------------------------------------------------------------------
st.header(ui.t("denoising.s1"))
m = st.columns(4)
m[0].metric(ui.t("denoising.metric.gain"), ui.t("denoising.gain_db", gain=rep["gain"]),
            help=ui.t("denoising.metric.gain_help"))
m[1].metric(ui.t("denoising.metric.noisy"), ui.say(rep["noisy_db"]))
m[2].metric(ui.t("denoising.metric.dae"), ui.t("denoising.db", db=p["denoising_ae"]))
m[3].metric(ui.t("denoising.metric.ae"), ui.t("denoising.db", db=p["ae"]))
h = rep["headline"]
st.markdown(f"<div style='font-size:1.35rem'>{ui.t(h.key, where=where, gain=h['gain'])}</div>",
            unsafe_allow_html=True)
for row in ("clean", "noisy", *lesson.ROWS):  # each row under its label: ten digits at full size
    label = ui.t(f"denoising.row.{row}", kind=short, test=test_level, train=train_level)
    if rep["finite"].get(row):
        label += " · " + ui.t("denoising.row.psnr", here=rep["psnr_shown"][row], all=p[row], where=where)
    st.markdown(label)
    ui.images(rep["images"][row], ncols=len(rep["images"][row]), cell=cell)
st.button(ui.t("denoising.new_noise"), key="denoising.new_noise", help=ui.t("denoising.new_noise_help"),
          on_click=lambda: st.session_state.update({seed_key: st.session_state[seed_key] + 1}))
st.caption(ui.t("denoising.rows.caption", draw=noise_seed) + " " + ui.say(rep["rows"]))

# --- 2. train noise x test noise --------------------------------------------------------------
st.header(ui.t("denoising.s2"))
metric = st.radio(ui.t("denoising.score"), lesson.METRICS, horizontal=True,
                  key=ui.param("metric", "psnr", options=lesson.METRICS),
                  format_func=lambda k: ui.t(f"denoising.score.{k}"))
every = lesson.grid_specs(kind, s.dataset, s.seed)
have = ui.cached(*every)
missing = [spec for spec in every if spec not in have]
with st.spinner(ui.t("denoising.heat.spinner")):
    heat = ui.compute(lesson.heat, kind, metric, *have)
ui.chart(figs.heat_map(heat, metric), key="denoising.heat")
st.caption(ui.t("denoising.heat.caption", wins=heat["wins"]["wins"], of=heat["wins"]["of"], kind=short))
if missing:
    st.info(ui.t("denoising.missing",
                 levels=", ".join(ui.num(lesson.train_level(spec), ".1f") for spec in missing)))
    if st.button(ui.t("denoising.train_missing", n=len(missing)), key="denoising.train_missing"):
        st.session_state["denoising.training"] = True
    if st.session_state.get("denoising.training"):
        ui.train_missing(*missing)
ui.share()
