"""gm lab home page: a view of lessons.home (what the lab is, a map of the pages, and the
lecture's first two distinctions, supervised vs unsupervised and generative vs
discriminative, live)."""
import os

import streamlit as st

import gm
import lessons
import lessons.home as lesson
import ui
from ui.figures import home as figs

s = ui.setup(lesson)
ui.intro(lesson)
st.subheader(ui.t("home.map"))
here, cols = os.path.dirname(os.path.abspath(__file__)), st.columns(2)
for i, l in enumerate(lessons.LESSONS[1:]):
    if os.path.exists(os.path.join(here, l.PAGE)):
        cols[i % 2].page_link(l.PAGE, label=ui.t("home.map_item", i=i + 1, nav=ui.t(f"{l.SLUG}.nav"),
                                                  what=ui.t(f"{l.SLUG}.what")))
data = gm.load_dataset(s.dataset)
cell, names, shown = ui.digit_cell(data.shape[-1]), data.classes, lesson.gallery(s.dataset)

st.header(ui.t("home.s1"))
st.markdown(ui.t("home.s1.intro"))
left, right = st.columns(2)
left.markdown(ui.t("home.supervised"))
left.image(figs.tiles(data.x_test[shown], cell), width=cell,
           caption=[ui.t("home.y_is", y=names[int(c)]) for c in data.y_test[shown]])
right.markdown(ui.t("home.unsupervised"))
right.image(figs.tiles(data.x_test[shown], cell), width=cell,
            caption=[ui.t("home.no_label")] * lesson.SHOWN)
st.subheader(ui.t("home.no_labels"))
ae, vae, referee = ui.require(*lesson.specs(s.dataset, s.seed))
found = ui.compute(lesson.clusters, ae.spec, s.seed)
sc = found["scores"]
left, right = st.columns([2, 3])
m = left.columns(2)
m[0].markdown(ui.t("home.on_codes"))
m[1].markdown(ui.t("home.on_pixels"))
m[0].metric(ui.t("home.ari_codes"), ui.num(sc["codes"]["ari"], ".2f"), border=True, help=ui.t("home.ari_help"))
m[1].metric(ui.t("home.ari_pixels"), ui.num(sc["pixels"]["ari"], ".2f"), border=True)
m[0].metric(ui.t("home.nmi_codes"), ui.num(sc["codes"]["nmi"], ".2f"), border=True, help=ui.t("home.nmi_help"))
m[1].metric(ui.t("home.nmi_pixels"), ui.num(sc["pixels"]["nmi"], ".2f"), border=True)
with right:
    ui.images(found["gallery"], ncols=lesson.PER_CLUSTER, cell=48 if data.shape[-1] <= 16 else 40)
st.caption(ui.t("home.clusters.caption", n=found["n_test"]) + " " + ui.say(found["verdict"]))

st.header(ui.t("home.s2"))
st.latex(ui.t("home.s2.formula"))
pair = st.radio(ui.t("home.classes"), lesson.PAIRS, horizontal=True,
                key=ui.param("classes", "0,1", options=list(lesson.PAIRS)),
                format_func=lambda p: ui.t("home.pair_all", n=len(names)) if p == "all" else
                ui.t("home.pair", a=names[int(p[0])], b=names[int(p[-1])]))
chosen = list(lesson.classes_of(pair, len(names)))
clf = ui.compute(lesson.discriminate, s.dataset, tuple(chosen), s.seed)
dis, gen = st.columns(2, border=True)
with dis:
    st.subheader(ui.t("home.dis"))
    st.caption(ui.t("home.dis.caption", classes=", ".join(names[c] for c in chosen), acc=clf["accuracy"]))
    last = len(clf["x"]) - 1
    pick = st.number_input(ui.t("home.test_image"), 0, last, key=ui.param("image", 0, lo=0, hi=last))
    a, b = st.columns([1, 2])
    a.image(figs.tiles(clf["x"][pick:pick + 1], cell)[0], width=2 * cell,
            caption=ui.t("home.true_label", y=names[int(clf["y"][pick])]))
    ui.chart(figs.class_probabilities(clf["proba"][pick], [names[c] for c in clf["classes"]]), where=b, key="home.pyx")
    st.caption(ui.t("home.dis.bars"))
    st.button(ui.t("home.make"), key="home.no_make", disabled=True, help=ui.t("home.no_make_help"))
    st.markdown(ui.t("home.dis.cannot"))
with gen:
    st.subheader(ui.t("home.gen"))
    st.caption(ui.t("home.gen.caption"))
    tkey = ui.param("target", chosen[0], options=chosen)
    if st.session_state[tkey] not in chosen:  # the class pair changed under it
        st.session_state[tkey] = chosen[0]
    target = st.radio(ui.t("home.target"), chosen, horizontal=True, format_func=lambda c: names[c], key=tkey)
    draw = st.session_state.setdefault("home.draw", 0)
    st.button(ui.t("home.make"), key="home.make", type="primary", help=ui.t("home.make_help"),
              on_click=lambda: st.session_state.update({"home.draw": draw + 1}))
    new = ui.compute(lesson.generate, vae.spec, referee.spec, int(target), draw)
    quality = ui.compute(lesson.class_quality, vae.spec, referee.spec, int(target))
    st.image(figs.tiles(new["images"], cell), width=84,
             caption=[ui.t("home.referee_reads", y=names[c]) for c in new["read"]])
    st.metric(ui.t("home.labelled", y=names[target]), ui.num(quality["rate"], ".0%"),
              delta=ui.t("home.hits", hits=new["hits"], n=len(new["read"])), delta_color="off",
              delta_arrow="off", help=ui.t("home.labelled_help", n=lesson.MEASURED))
    st.caption(" ".join([ui.t("home.gen.read", draw=draw), ui.say(quality["verdict"]),
                         ui.say(quality["spread"])]))
ui.share()
