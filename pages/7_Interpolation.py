"""Interpolation page: a view of lessons.interpolation (walk from one digit's code to
another's and decode every step, in the autoencoder, the VAE and the GAN; the referee says
how digit-like each step is)."""
import streamlit as st

import gm
import lessons.interpolation as lesson
import ui
from ui.figures import interpolation as figs

s = ui.setup(lesson)
ui.intro(lesson)
data = gm.load_dataset(s.dataset)
classes, d = list(range(len(data.classes))), lesson.Choice()  # the page opens on the lesson's defaults
c = st.columns([1, 1, 1, 1, 2, 1])
start = c[0].selectbox(ui.t("interpolation.from"), classes, format_func=lambda k: data.classes[k],
                       key=ui.param("from", d.start, options=classes))
start_pick = c[1].number_input(ui.t("interpolation.which"), 0, lesson.PICKS,
                               key=ui.param("from_pick", d.start_pick, lo=0, hi=lesson.PICKS))
end = c[2].selectbox(ui.t("interpolation.to"), classes, format_func=lambda k: data.classes[k],
                     key=ui.param("to", d.end, options=classes))
end_pick = c[3].number_input(ui.t("interpolation.which"), 0, lesson.PICKS,
                             key=ui.param("to_pick", d.end_pick, lo=0, hi=lesson.PICKS))
lo, hi = lesson.STEPS
steps = c[4].slider(ui.t("interpolation.steps"), lo, hi, key=ui.param("steps", d.steps, lo=lo, hi=hi))
mode = c[5].radio(ui.t("interpolation.mode"), lesson.MODES, format_func=lambda m: ui.t(f"interpolation.mode.{m}"),
                  key=ui.param("mode", d.mode, options=lesson.MODES))
z_dim = st.radio(ui.t("interpolation.code_size"), lesson.DIMS, horizontal=True,
                 key=ui.param("latent", d.latent, options=lesson.DIMS))
choice = lesson.Choice(start, start_pick, end, end_pick, steps, mode, z_dim)
i0, i1 = lesson.pick(s.dataset, start, start_pick), lesson.pick(s.dataset, end, end_pick)
ae, vae, gan = ui.require(*lesson.specs(choice, s.dataset, s.seed))
ref = ui.referee(s.dataset)
with st.spinner(ui.t("interpolation.searching")):
    ends = (ui.compute(lesson.gan_code, gan.spec, i0), ui.compute(lesson.gan_code, gan.spec, i1))
res = ui.compute(lesson.walks, ae.spec, vae.spec, gan.spec, ref.spec, i0, i1, steps, mode, ends)
cell = ui.digit_cell(data.shape[-1]) if steps <= 10 else 56  # 15 steps fit at 56 px

st.subheader(ui.t("interpolation.subheader", i0=i0, a=data.classes[start], i1=i1, b=data.classes[end]))
ui.images(res["ends"], ncols=2, cell=cell, caption=ui.t("interpolation.ends.caption"))
for name in lesson.NAMES:  # each model's path under its name, the whole width for the steps
    st.markdown(ui.t("interpolation.row", model=ui.t(f"interpolation.name.{name}"),
                     mean=res[name]["mean"], lowest=res[name]["lowest"]))
    ui.images(res[name]["images"], ncols=steps, cell=cell)
st.caption(ui.t("interpolation.rows.caption", e0=res["fit_mse"][0], e1=res["fit_mse"][1]))

a, b = st.columns([3, 2])
with a:
    ui.chart(figs.confidence(res, data.classes), key="interpolation.conf")
    st.caption(ui.t("interpolation.conf.caption"))
with b:
    mapped = ("ae", "vae")
    for tab, name, model in zip(st.tabs([ui.t(f"interpolation.tab.{n}") for n in mapped]), mapped, (ae, vae)):
        with tab:
            ui.chart(figs.walk_map(ui.compute(lesson.test_map, model.spec), res[name]["codes"], name,
                                          data.classes), key=f"interpolation.map_{name}")
    st.caption(ui.t("interpolation.map.caption"))
ui.share()
