"""Convolutional page: a view of lessons.convolutional (a layer-by-layer walk of shapes,
parameters and feature maps for one test digit; the conv model against the fully connected
one at the same code size; the transposed-conv decoder beside upsample-then-convolve and
their checkerboard artifacts)."""
import streamlit as st

import gm
import lessons.convolutional as lesson
import ui
from ui.figures import convolutional as figs

s = ui.setup(lesson)
ui.intro(lesson)
data = gm.load_dataset(s.dataset)
side, last = data.shape[-1], len(data.x_test) - 1
c1, c2 = st.columns([3, 2])
z = c1.select_slider(ui.t("convolutional.code_size"), lesson.SIZES,
                     key=ui.param("latent", 8, options=lesson.SIZES))
digit = c2.number_input(ui.t("convolutional.digit"), 0, last, key=ui.param("digit", 0, lo=0, hi=last))
conv, nearest, fc = ui.require(*lesson.specs(lesson.Choice(z), s.dataset, s.seed))
cell = ui.digit_cell(side)

# --- 1. layer by layer ------------------------------------------------------------------------
st.header(ui.t("convolutional.s1"))
walk = ui.compute(lesson.walk, conv.spec, digit)
rows = walk["rows"]
table, config = figs.layer_table(rows)
st.dataframe(table, hide_index=True, key="convolutional.table", height=35 * len(table) + 40,
             column_config=config)
st.caption(ui.t("convolutional.shapes.caption", first=rows[0]["shape"], z=z, last=rows[-1]["shape"]))
li = st.selectbox(ui.t("convolutional.layer"), walk["with_maps"],
                  format_func=lambda i: figs.layer_option(rows, i),
                  key=ui.param("layer", walk["default"], options=walk["with_maps"]))
left, right = st.columns([1, 4])
with left:
    ui.images(rows[0]["maps"], ncols=1, cell=cell * 2, caption=ui.t("convolutional.maps.input"))
    ui.images(rows[-1]["maps"], ncols=1, cell=cell * 2, caption=ui.t("convolutional.maps.output"))
with right:
    maps = rows[li]["maps"]
    ui.images(maps, ncols=min(8, len(maps)), cell=cell if maps.shape[-1] > 3 else cell // 2 + 32)
st.caption(ui.t("convolutional.maps.caption", layer=li))

# --- 2. conv against fully connected -------------------------------------------------------------
st.header(ui.t("convolutional.s2", z=z))
cmp = ui.compute(lesson.compare, conv.spec, nearest.spec, fc.spec)
table, config = figs.compare_table(cmp["scores"])
st.dataframe(table, hide_index=True, key="convolutional.compare", column_config=config)
st.markdown(f"<div style='font-size:1.3rem'>{ui.say(cmp['verdict'])}</div>", unsafe_allow_html=True)
st.caption(ui.t("convolutional.compare.measured", n=cmp["n"], dataset=s.dataset, side=side)
           + " " + ui.say(cmp["note"]))

# --- 3. checkerboard artifacts -----------------------------------------------------------------
st.header(ui.t("convolutional.s3"))
art = ui.compute(lesson.artifacts, conv.spec, nearest.spec)
sc = art["score"]
m = st.columns(3)
m[0].metric(ui.t("convolutional.alt.input"), ui.num(sc["input"]["score"], ".3f"))
m[1].metric(ui.t("convolutional.alt.conv"), ui.num(sc["conv"]["score"], ".3f"),
            help=ui.t("convolutional.alt.help"))
m[2].metric(ui.t("convolutional.alt.nearest"), ui.num(sc["nearest"]["score"], ".3f"))
for row, imgs in art["images"].items():  # each row under its label: ten digits at full size
    st.markdown(ui.t(f"convolutional.row.{row}"))
    ui.images(imgs, ncols=len(imgs), cell=cell)
st.caption(ui.say(art["pattern"]))

st.subheader(ui.t("convolutional.flat.title"))
for col, k in zip(st.columns(2), ("conv", "nearest")):
    with col:
        ui.images(art["stretched"][k], ncols=1, cell=320)
        st.metric(ui.t(f"convolutional.strength.{k}"), ui.num(sc[k + "_flat"]["p2p"], ".3f"),
                  help=ui.t("convolutional.strength.help"))
st.caption(ui.say(art["giveaway"]))
ui.share()
