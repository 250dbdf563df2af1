"""VAE page: a view of lessons.vae (mean and deviation, reparameterization, the loss's
two parts, generating from the prior)."""
import streamlit as st

import gm
import lessons.vae as lesson
import ui
from ui.figures import vae as figs

s = ui.setup(lesson)
ui.intro(lesson)
data = gm.load_dataset(s.dataset)
c1, c2, c3 = st.columns(3)
z_dim = c1.radio(ui.t("vae.code_size"), lesson.DIMS, horizontal=True,
                 key=ui.param("latent", 2, options=lesson.DIMS), help=ui.t("vae.code_size_help"))
beta = c2.select_slider(ui.t("vae.beta"), lesson.BETAS, key=ui.param("beta", 1.0, options=lesson.BETAS),
                        help=ui.t("vae.beta_help"))
last = len(data.x_test) - lesson.SHOWN
first = c3.number_input(ui.t("vae.first"), 0, last, key=ui.param("first", 0, lo=0, hi=last),
                        help=ui.t("vae.first_help"))
vae, = ui.require(*lesson.specs(lesson.Choice(z_dim, beta, first), s.dataset, s.seed))
st.session_state.setdefault("vae.eps", 0)
eps = st.session_state["vae.eps"]
stats = ui.compute(lesson.test_stats, vae.spec)
shown = ui.compute(lesson.draws, vae.spec, first, eps)
panel, cell = stats["panel"], ui.digit_cell(data.shape[-1])

st.header(ui.t("vae.s1"))
left, right = st.columns([2, 3])
with left:
    st.markdown(ui.t("vae.inputs_and_means"))
    ui.images(shown["inputs_and_means"], ncols=4, cell=cell)
    ui.chart(figs.posterior_bars(stats, shown["index"], data.classes), key="vae.bars")
    st.caption(ui.t("vae.bars.caption"))
with right:
    if z_dim == 2:
        ui.chart(figs.posterior_map(stats, shown["index"], data.classes), key="vae.map")
        st.caption(ui.t("vae.map.caption") + " " + ui.say(stats["gaps"]))
    else:
        st.info(ui.t("vae.map.needs_2d"))

st.header(ui.t("vae.s2"))
st.button(ui.t("vae.resample"), key="vae.resample", help=ui.t("vae.resample_help"),
          on_click=lambda: st.session_state.update({"vae.eps": eps + 1}))
ui.images(shown["resampled"], ncols=8, cell=cell)
st.caption(ui.t("vae.resample.caption", draw=eps))

st.header(ui.t("vae.s3"))
m = st.columns(5)
m[0].metric(ui.t("vae.metric.recon"), ui.t("vae.nats", x=panel["recon"]))
m[1].metric(ui.t("vae.metric.kl"), ui.t("vae.nats2", x=panel["kl"]))
m[2].metric(ui.t("vae.metric.neg_elbo"), ui.t("vae.nats", x=panel["neg_elbo"]))
m[3].metric(ui.t("vae.metric.active"), ui.t("vae.metric.active_value", n=panel["active_dims"], of=z_dim),
            help=ui.t("vae.metric.active_help"))
m[4].metric(ui.t("vae.metric.spread"), ui.num(panel["spread"], ".0%"), help=ui.t("vae.metric.spread_help"))
if stats["collapse"]:
    st.error(ui.say(stats["collapse"]))
a, b = st.columns(2)
with a:
    ui.chart(figs.loss_parts(panel, beta), key="vae.parts")
    st.caption(ui.t("vae.parts.caption"))
with b:
    ui.chart(figs.kl_per_dim(panel), key="vae.kl")
    st.caption(ui.t("vae.kl.caption"))

st.header(ui.t("vae.s4"))
dims = stats["dims"]
gen = ui.compute(lesson.generated, vae.spec, eps, dims)
ui.images(gen["samples"], ncols=8, cell=cell)
st.caption(ui.t("vae.samples.caption"))
ui.images(gen["manifold"], ncols=15, cell=56)  # a map: 15 x 15 decoded points, 56 px each
what = ui.t("vae.manifold.whole") if z_dim == 2 else ui.t("vae.manifold.two_dims", a=dims[0] + 1, b=dims[1] + 1)
st.caption(ui.t("vae.manifold.caption", what=what) + " " + ui.say(stats["smooth"]))
ui.share()
