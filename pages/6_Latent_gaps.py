"""Latent gaps page: a view of lessons.latent_gaps (a plain autoencoder and a VAE side by
side; click the maps, draw a digit, and read how well each generates from N(0, I))."""
import streamlit as st

import gm
import lessons.latent_gaps as lesson
import ui
from ui.canvas import drawing
from ui.figures import latent_gaps as figs

s = ui.setup(lesson)
ui.intro(lesson)
data = gm.load_dataset(s.dataset)
c = st.columns([1, 2, 1, 1])
z_dim = c[0].radio(ui.t("latent_gaps.code_size"), lesson.DIMS, horizontal=True,
                   key=ui.param("latent", 2, options=lesson.DIMS))
view = c[1].radio(ui.t("latent_gaps.view"), lesson.VIEWS, format_func=lambda v: ui.t(f"latent_gaps.view.{v}"),
                  horizontal=True, key=ui.param("view", "raw", options=lesson.VIEWS))
perplexity = c[2].select_slider(ui.t("latent_gaps.perplexity"), lesson.PERPLEXITIES, disabled=view != "tsne",
                                key=ui.param("perplexity", 30, options=lesson.PERPLEXITIES))
tsne_seed = c[3].number_input(ui.t("latent_gaps.tsne_seed"), 0, lesson.TSNE_SEEDS, disabled=view != "tsne",
                              key=ui.param("tsne_seed", 0, lo=0, hi=lesson.TSNE_SEEDS))
choice = lesson.Choice(z_dim, view, perplexity, tsne_seed)
if choice.shown_view != view:
    st.caption(ui.t("latent_gaps.no_raw_view", dims=z_dim))
view = choice.shown_view
show_prior = st.toggle(ui.t("latent_gaps.prior"), key=ui.param("prior", True), disabled=view == "tsne",
                       help=ui.t("latent_gaps.prior_help"))
ae, vae = ui.require(*lesson.specs(choice, s.dataset, s.seed))
ref = ui.referee(s.dataset)
with st.spinner(ui.t("latent_gaps.tsne_running")) if view == "tsne" else st.empty():
    maps = ui.compute(lesson.maps, ae.spec, vae.spec, view, perplexity, tsne_seed, s.seed)
events = {n: st.session_state.get(f"latent_gaps.map_{n}") for n in lesson.NAMES}
memory, click = lesson.track_click(events, st.session_state.get("latent_gaps.clicks", {}), view, z_dim)
st.session_state["latent_gaps.clicks"] = memory
picked = click and lesson.decode_click(ae, vae, ref, maps, click)

maps_area = st.container()  # drawn below first, so the maps can mark the drawing
st.header(ui.t("latent_gaps.draw.header"))
d1, d2 = st.columns([1, 2])
with d1:
    pixels = drawing("latent_gaps.canvas")
    st.caption(ui.t("latent_gaps.draw.caption"))
drawn = lesson.read_drawing(ae, vae, ref, pixels, maps)
with d2:
    if drawn is None:
        st.info(ui.t("latent_gaps.draw.hint", side=data.shape[-1]))
    else:
        ui.images(drawn["images"], ncols=3, cell=140)
        said, p = [data.classes[k] for k in drawn["label"]], drawn["realism"]
        st.caption(ui.t("latent_gaps.draw.read", drawing=said[0], p0=p[0], ae=said[1], p1=p[1],
                        vae=said[2], p2=p[2]))

with maps_area:
    for col, name in zip(st.columns(2), lesson.NAMES):
        fig = figs.code_map(maps[name], name, data.classes, maps["frame"], show_prior,
                            drawn and drawn["xy"][name], picked and picked["xy"][name])
        ui.chart(fig, where=col, key=f"latent_gaps.map_{name}", on_select="rerun", selection_mode="points")
    st.caption(ui.t("latent_gaps.map.caption_tsne") if view == "tsne" else ui.t("latent_gaps.map.caption"))
    if picked:
        k = st.columns([1, 1, 2])
        for j, name in enumerate(lesson.NAMES):
            with k[j]:
                ui.images(picked["images"][j:j + 1], ncols=1, cell=160)
                st.markdown(ui.t("latent_gaps.decoder", model=ui.t(f"latent_gaps.name.{name}"),
                                 label=data.classes[picked["label"][j]], p=picked["confidence"][j],
                                 real=picked["realism"][j]))
        k[2].info(ui.say(picked["what"]))
    else:
        st.info(ui.t("latent_gaps.click_hint"))

st.header(ui.t("latent_gaps.s_measured"))
with st.spinner(ui.t("latent_gaps.scoring")):
    h = ui.compute(lesson.holes, ae.spec, vae.spec, ref.spec, s.seed)
t1, t2 = st.columns([3, 2])
t1.dataframe(figs.holes_table(h), hide_index=True, width="stretch")
t1.caption(ui.t("latent_gaps.table.caption"))
ui.chart(figs.fd_bars(h), where=t2, key="latent_gaps.fd")
t2.caption(ui.say(h["ratio"]))
for key in h["images"]:  # each sampler's digits in a row under its name, at full size
    st.markdown(ui.t(f"latent_gaps.samples.{key}"))
    ui.images(h["images"][key], ncols=8, cell=ui.digit_cell(data.shape[-1]))
st.caption(ui.t("latent_gaps.samples.caption"))
ui.share()
