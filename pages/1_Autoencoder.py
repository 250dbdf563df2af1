"""Autoencoder page: a view of lessons.autoencoder (reconstructions and their error, the
code size against the error beside PCA, stacking layers, and the encoder kept as a
feature extractor for a classifier with few labels)."""
import streamlit as st

import gm
import lessons.autoencoder as lesson
import ui
from ui.figures import autoencoder as figs

s = ui.setup(lesson)
ui.intro(lesson)
data = gm.load_dataset(s.dataset)
c1, c2 = st.columns([3, 2])
z = c1.select_slider(ui.t("autoencoder.code_size"), lesson.SIZES,
                     key=ui.param("latent", 8, options=lesson.SIZES), help=ui.t("autoencoder.code_size_help"))
depth = c2.radio(ui.t("autoencoder.depth"), list(lesson.DEPTHS), horizontal=True,
                 key=ui.param("depth", 1, options=list(lesson.DEPTHS)), help=ui.t("autoencoder.depth_help"))
ae, = ui.require(*lesson.specs(lesson.Choice(z, depth), s.dataset, s.seed))
rec = ui.compute(lesson.reconstructions, ae.spec)
cell = ui.digit_cell(data.shape[-1])

st.header(ui.t("autoencoder.s1"))
m = st.columns(4)
m[0].metric(ui.t("autoencoder.metric.code"), ui.t("autoencoder.metric.code_value", z=z),
            help=ui.t("autoencoder.metric.code_help", pixels=rec["pixels"]))
m[1].metric(ui.t("autoencoder.metric.mse"), ui.num(rec["mse"], ".4f"))
m[2].metric(ui.t("autoencoder.metric.psnr"), ui.t("autoencoder.metric.psnr_value", psnr=rec["psnr"]),
            help=ui.t("autoencoder.metric.psnr_help"))
m[3].metric(ui.t("autoencoder.metric.compression"),
            ui.t("autoencoder.metric.compression_value", ratio=rec["compression"]))
ui.images(rec["images"], ncols=rec["n"], cell=cell)
st.caption(ui.t("autoencoder.recon.caption", z=z))

st.header(ui.t("autoencoder.s2"))
curve = lesson.curve_specs(s.dataset, s.seed, depth)
have = ui.cached(*curve)
missing = [spec for spec in curve if spec not in have]
rd = ui.compute(lesson.rate_distortion, s.dataset, *have)
ui.chart(figs.rate_distortion(rd, lesson.SIZES, depth, z, rec["mse"]), key="autoencoder.rd")
st.caption(ui.t("autoencoder.rd.caption", verdict=ui.say(rd["verdict"])))
if missing:
    st.info(ui.t("autoencoder.rd.missing", missing=", ".join(str(m.config.latent_dim) for m in missing)))
    if st.button(ui.t("autoencoder.rd.train", n=len(missing)), key="autoencoder.train_missing"):
        st.session_state["autoencoder.training"] = True
    if st.session_state.get("autoencoder.training"):
        with st.expander(ui.t("autoencoder.rd.progress", n=len(missing)), expanded=True):
            ui.train_missing(*missing)

st.header(ui.t("autoencoder.s3"))
st.markdown(figs.architecture(rec["arch"]), unsafe_allow_html=True)
st.caption(ui.t("autoencoder.stack.caption", params=rec["params"]))
stacked = ui.cached(*lesson.stacking_specs(s.dataset, s.seed))  # train.py trains them all
if len(stacked) > 1:
    stack = ui.compute(lesson.stacking, *stacked)
    for col, row in zip(st.columns(len(stack["rows"])), stack["rows"]):
        col.metric(ui.t("autoencoder.stacking.label", layers=" - ".join(map(str, row["hidden"]))),
                   ui.num(row["mse"], ".4f"), delta=ui.t("autoencoder.stacking.params", params=row["params"]),
                   delta_color="off", delta_arrow="off")
    st.caption(ui.say(stack["verdict"]) + " " + ui.t("autoencoder.stacking.tied", pct=stack["dropout_pct"]))

st.header(ui.t("autoencoder.s4"))
ui.warm(lesson.pixels, *((s.dataset, n) for n in lesson.LABELS))  # the slowest part, for every label count
per_class = st.select_slider(ui.t("autoencoder.labels"), lesson.LABELS,
                             key=ui.param("labels", 5, options=lesson.LABELS),
                             help=ui.t("autoencoder.labels_help"))
with st.spinner(ui.t("autoencoder.table.spinner")):
    acc = ui.compute(lesson.features, ae.spec, per_class)
features, accuracy = ui.t("autoencoder.table.features"), ui.t("autoencoder.table.accuracy")
st.dataframe({features: [ui.t("autoencoder.table.codes", z=z), ui.t("autoencoder.table.pca", z=z),
                         ui.t("autoencoder.table.pixels", pixels=rec["pixels"])],
              accuracy: [acc["codes"], acc["pca"], acc["pixels"]]},
             hide_index=True, key="autoencoder.table",
             column_config={accuracy: st.column_config.ProgressColumn(
                 accuracy, format="percent", min_value=0.0, max_value=1.0)})
st.caption(ui.t("autoencoder.table.caption", per_class=per_class, repeats=lesson.REPEATS))
ui.share()
