"""Overcomplete & sparse page: a view of lessons.overcomplete (a code wider than the input
can learn the identity and copies anything, digits or not; a sparsity penalty makes it
learn digits)."""
import streamlit as st

import gm
import lessons.overcomplete as lesson
import ui
from ui.figures import overcomplete as figs

s = ui.setup(lesson)
st.title(ui.t("overcomplete.heading"))
st.markdown(ui.t("overcomplete.intro", **lesson.widths(s.dataset)))
st.latex(ui.t("overcomplete.formula"))
data = gm.load_dataset(s.dataset)
last = len(data.x_test) - 1
digit = st.number_input(ui.t("overcomplete.digit"), 0, last, key=ui.param("digit", 0, lo=0, hi=last))
models = ui.require(*lesson.trap_specs(s.dataset, s.seed))
cell = ui.digit_cell(data.shape[-1])

st.header(ui.t("overcomplete.s1"))
trap = ui.compute(lesson.trap, digit, s.seed, *[m.spec for m in models])
cols = st.columns(1 + len(lesson.TRAP))
cols[0].markdown("**" + ui.t("overcomplete.input") + "**")
for col, name in zip(cols[1:], lesson.TRAP):
    col.markdown(f"**{figs.model_name(name)}**")
for i, probe in enumerate(lesson.PROBES):
    row = st.columns(1 + len(lesson.TRAP))
    with row[0]:
        ui.images(trap["inputs"][i:i + 1], ncols=1, cell=cell, caption=figs.probe_name(probe))
    for col, name in zip(row[1:], lesson.TRAP):
        with col:
            ui.images(trap["outputs"][name][i:i + 1], ncols=1, cell=cell,
                      caption=ui.t("overcomplete.trap.mse", mse=trap["errors"][name][i]))
st.caption(ui.t("overcomplete.trap.caption"))
ui.chart(figs.probe_bars(trap["errors"]), key="overcomplete.bars")
st.caption(ui.say(trap["verdict"]))

st.header(ui.t("overcomplete.s2"))
c1, c2, c3 = st.columns(3)
kind = c1.radio(ui.t("overcomplete.penalty"), lesson.PENALTIES, horizontal=True,
                key=ui.param("penalty", "kl", options=lesson.PENALTIES),
                format_func=lambda k: ui.t(f"overcomplete.penalty.{k}"))
weight = c2.select_slider(ui.t("overcomplete.weight"), lesson.WEIGHTS,
                          key=ui.param("weight", 0.03, options=lesson.WEIGHTS), help=ui.t("overcomplete.weight_help"))
rho = c3.select_slider(ui.t("overcomplete.rho"), lesson.RHOS, key=ui.param("rho", 0.05, options=lesson.RHOS),
                       disabled=kind == "l1", help=ui.t("overcomplete.rho_help"))
sparse, over = ui.require(lesson.sparse_spec(lesson.Choice(digit, kind, weight, rho), s.dataset, s.seed),
                          s.spec("overcomplete_ae"))
v = ui.compute(lesson.sparsity, sparse.spec, over.spec)
sp, ov, off = v["sparse"], v["overcomplete"], dict(delta_color="off", delta_arrow="off")
m = st.columns(4)
m[0].metric(ui.t("overcomplete.metric.on"), ui.t("overcomplete.metric.on_value", n=sp["active_per_image"], units=sp["units"]),
            delta=ui.t("overcomplete.metric.on_delta", n=ov["active_per_image"]),
            help=ui.t("overcomplete.metric.on_help", active=lesson.ACTIVE), **off)
m[1].metric(ui.t("overcomplete.metric.dead"), str(sp["dead"]), delta=ui.t("overcomplete.metric.dead_delta", n=ov["dead"]),
            help=ui.t("overcomplete.metric.dead_help", active=lesson.ACTIVE), **off)
m[2].metric(ui.t("overcomplete.metric.mean"), ui.num(sp["mean_activation"], ".3f"),
            delta=ui.t("overcomplete.target", rho=rho) if kind == "kl" else ui.t("overcomplete.metric.no_target"), **off)
m[3].metric(ui.t("overcomplete.metric.mse"), ui.num(sp["mse"], ".4f"),
            delta=ui.t("overcomplete.metric.mse_delta", mse=ov["mse"]), **off)
ui.chart(figs.activation_hist(sp, ov), key="overcomplete.hist")
st.caption(ui.t("overcomplete.hist.caption") + " " + ui.say(v["hist"]))
ui.chart(figs.unit_means(sp, ov, rho if kind == "kl" else None), key="overcomplete.units")
st.caption(ui.t("overcomplete.units.caption") + " " + ui.say(v["units"]))

st.subheader(ui.t("overcomplete.atlas.heading"))
a1, a2 = st.columns(2)
with a1:
    ui.images(sp["atlas"], ncols=8, cell=56, caption=ui.t("overcomplete.atlas.tiles",
                                                           model=figs.model_name("sparse_ae"), n=lesson.ATLAS))
with a2:
    ui.images(ov["atlas"], ncols=8, cell=56, caption=ui.t("overcomplete.atlas.tiles",
                                                           model=figs.model_name("overcomplete_ae"), n=lesson.ATLAS))
st.caption(ui.t("overcomplete.atlas.caption") + " " + ui.say(v["atlas"]))
ui.share()
