"""VAE: the encoder gives a mean and a deviation per input, z is sampled (the
reparameterization trick), and the KL term pulls every q(z|x) towards N(0, I)."""
import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

import gm
import ui
from gm import latent, mapfig, posterior, presets
from gm.embed import ellipse

settings = ui.setup("VAE", "vae")
st.title("Variational autoencoder")
ui.intro(
    "A plain autoencoder maps each image to one point. A **variational** autoencoder maps it "
    "to a small cloud: the encoder outputs a **mean** μ and a **standard deviation** σ per "
    "latent dimension, and the decoder sees a random point z = μ + σ·ε from that cloud. "
    "The loss adds a **KL term** that pulls every cloud towards the standard normal N(0, I), "
    "so the clouds overlap and fill the space between digits. β weighs that pull: β = 0 is an "
    "autoencoder with noise, large β squeezes all information out of the code.",
    r"\mathcal{L}(x) = \underbrace{-\,\mathbb{E}_{q(z|x)}\log p(x|z)}_{\text{reconstruction}}"
    r" + \beta\,\underbrace{\mathrm{KL}\big(\mathcal{N}(\mu,\sigma^2)\,\|\,\mathcal{N}(0,I)\big)}_{\text{pull to the prior}},"
    r"\qquad z = \mu + \sigma \odot \varepsilon,\ \varepsilon \sim \mathcal{N}(0, I)")

DIMS, BETAS = [2, 8], list(presets.VAE_BETAS)  # the betas train.py trains before class
c1, c2, c3 = st.columns(3)
z_dim = c1.radio("Code size (latent dimensions)", DIMS, horizontal=True, key=ui.param("latent", 2, options=DIMS),
                         help="2 lets us draw the latent space directly.")
beta = c2.select_slider("β (weight of the KL term)", BETAS, key=ui.param("beta", 1.0, options=BETAS),
                        help="Each β is its own model, trained once (seconds) and cached.")
data = gm.load_dataset(settings.dataset)
first = c3.number_input("First test image", 0, len(data.x_test) - 4,
                        key=ui.param("first", 0, lo=0, hi=len(data.x_test) - 4),
                        help="The four test images starting here are the inputs below.")
config = {"latent_dim": z_dim, "beta": beta}
vae, = ui.require(("vae", config))
cfg_json = json.dumps({"seed": settings.seed, **config}, sort_keys=True)


@st.cache_data(max_entries=32, show_spinner="Encoding the test set…")
def test_stats(dataset: str, cfg: str):
    model, d = ui.cached_model("vae", dataset, cfg), gm.load_dataset(dataset)
    mu, sd = posterior.posterior(model, d.x_test)
    # prior coverage only means something where 2,000 test regions can fill the space: 2-D
    cov = posterior.prior_coverage(mu, sd) if mu.shape[1] == 2 else None
    return mu, sd, posterior.elbo_panel(model, d.x_test) | {"coverage": cov}


@st.cache_data(max_entries=64, show_spinner=False)
def draws(dataset: str, cfg: str, first: int, seed: int):
    model, d = ui.cached_model("vae", dataset, cfg), gm.load_dataset(dataset)
    x = d.x_test[first:first + 4]
    return x, model.reconstruct(x).clamp(0, 1), posterior.resample(model, x, 8, seed)


@st.cache_data(max_entries=64, show_spinner=False)
def generated(dataset: str, cfg: str, seed: int, dims: tuple[int, int]):
    model = ui.cached_model("vae", dataset, cfg)
    return latent.prior_samples(model, 32, seed), latent.decoded_grid(model, 15, 2.5, dims)


mu, sd, panel = test_stats(settings.dataset, cfg_json)
st.session_state.setdefault("vae.eps", 0)
idx = list(range(first, first + 4))
x, xhat, resampled = draws(settings.dataset, cfg_json, first, st.session_state["vae.eps"])
labels = data.y_test.numpy()
cell = 88 if data.shape[-1] <= 16 else 84

cov = panel["coverage"]  # None for 8-D codes
if cov is None:
    coverage_note = ""
    smooth_note = ("β = 0: nothing keeps the codes near N(0, I), so parts of this grid are gaps." if beta == 0
                   else "Digits morph smoothly into each other; the Latent gaps page measures the holes in 8-D.")
elif cov >= 0.8:
    coverage_note = (f"The 95% ellipses of all test digits together cover **{cov:.0%}** of the draws "
                     "from the prior N(0, I): they overlap their neighbours and leave no empty gaps.")
    smooth_note = "Digits morph smoothly into each other: there are no holes."
else:
    coverage_note = (f"The 95% ellipses of all test digits together cover only **{cov:.0%}** of the "
                     "draws from the prior N(0, I): "
                     + ("with β = 0 nothing pulls the codes together and σ shrinks to a point, so "
                        if beta == 0 else "")
                     + "most of the prior lands in gaps the decoder never saw.")
    smooth_note = "Look for pictures that are no digit at all, where the grid crosses a gap."

# --- 1. mean and deviation ---------------------------------------------------------------------
st.header("1 · Each input becomes a Gaussian: μ and σ")
left, right = st.columns([2, 3])
with left:
    st.markdown("**Inputs** (top) and the decoded mean μ (bottom)")
    ui.images(torch.cat([x, xhat]), ncols=4, cell=cell)
    bars = go.Figure()
    for j, i in enumerate(idx):
        bars.add_trace(go.Bar(x=[f"z{d + 1}" for d in range(z_dim)], y=mu[i],
                              error_y=dict(type="data", array=sd[i], thickness=2),
                              name=f"#{i} (label {data.classes[labels[i]]})",
                              marker_color=mapfig.PALETTE[j]))
    bars.update_layout(barmode="group", height=340, font=mapfig.FONT, yaxis_title="μ ± σ",
                       margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=-0.2))
    st.plotly_chart(bars, key="vae.bars")
    st.caption("Bar = mean μ of each latent dimension, whisker = standard deviation σ. "
               "Dimensions whose σ is near 1 and μ near 0 for every input are unused.")
with right:
    if z_dim == 2:
        fig = mapfig.latent_map(mu, labels, data.classes, "Test codes μ and each input's 95% ellipse")
        for j, i in enumerate(idx):
            ex, ey = ellipse(mu[i], sd[i], posterior.region_radius(2))
            fig.add_trace(go.Scatter(x=ex, y=ey, mode="lines", line=dict(color="black", width=3),
                                     name="95% of q(z|x)", showlegend=j == 0, hoverinfo="skip"))
            mapfig.add_marker(fig, mu[i], f"#{i}", color="black", symbol="diamond")
        st.plotly_chart(fig, key="vae.map")
        st.caption("Each dot is one test digit's mean code. The black ellipses hold 95% of the "
                   "points the decoder may be handed for that input. " + coverage_note)
    else:
        st.info("The ellipses need a 2-D code: set **Code size** to 2 to see each input's "
                "Gaussian drawn over the map of all test codes.")

# --- 2. reparameterization ----------------------------------------------------------------
st.header("2 · Reparameterization: the same input, different ε")


def _new_eps():
    st.session_state["vae.eps"] += 1


st.button("🎲 Resample ε", key="vae.resample", on_click=_new_eps,
          help="New noise ε: the same μ and σ, new points z, new reconstructions.")
ui.images(resampled, ncols=8, cell=cell)
st.caption(f"Row = one input, columns = 8 draws of z = μ + σ·ε (draw set {st.session_state['vae.eps']}). "
           "The digit stays itself while strokes wobble; wider σ means more wobble.")

# --- 3. the ELBO ------------------------------------------------------------------------------
st.header("3 · The loss on the test set: reconstruction against KL")
m = st.columns(5)
m[0].metric("Reconstruction (nats/image)", f"{panel['recon']:.1f}")
m[1].metric("KL (nats/image)", f"{panel['kl']:.2f}")
m[2].metric("−ELBO (nats/image)", f"{panel['neg_elbo']:.1f}")
m[3].metric("Active dimensions", f"{panel['active_dims']} of {z_dim}",
            help="A dimension is active when its mean KL exceeds 0.01 nats: it carries information.")
m[4].metric("Spread of reconstructions", f"{panel['spread']:.0%}",
            help="Pixel variance across reconstructed test images, relative to the real images'.")
if panel["collapsed"]:
    st.error(f"**Posterior collapse.** With β = {beta:g} the KL term won: the code carries "
             f"almost nothing (KL = {panel['kl']:.2f} nats) and the reconstructions are nearly all "
             f"alike ({panel['spread']:.0%} of the data's variety). The decoder ignores z and "
             "draws an average digit. Lower β to give the code its information back.")
a, b = st.columns(2)
with a:
    parts = go.Figure(go.Bar(x=[panel["recon"], beta * panel["kl"]], y=["reconstruction", f"β·KL (β={beta:g})"],
                             orientation="h", marker_color=["#1f77b4", "#d62728"],
                             text=[f"{panel['recon']:.1f}", f"{beta * panel['kl']:.2f}"], textposition="auto"))
    parts.update_layout(height=260, font=mapfig.FONT, xaxis_title="nats per image",
                        margin=dict(l=10, r=10, t=20, b=10))
    st.plotly_chart(parts, key="vae.parts")
    st.caption("The two terms the training minimises; raise β and watch KL shrink while "
               "reconstruction grows.")
with b:
    kl = go.Figure(go.Bar(x=[f"z{d + 1}" for d in range(z_dim)], y=panel["kl_per_dim"],
                          marker_color=["#2ca02c" if k > 0.01 else "#bbbbbb" for k in panel["kl_per_dim"]]))
    kl.update_layout(height=260, font=mapfig.FONT, yaxis_title="KL (nats)",
                     margin=dict(l=10, r=10, t=20, b=10))
    st.plotly_chart(kl, key="vae.kl")
    st.caption("KL per latent dimension: green dimensions carry information, grey ones have "
               "collapsed to the prior and the decoder ignores them.")

# --- 4. generating ------------------------------------------------------------------------------
st.header("4 · Generating: decode z ~ N(0, I)")
order = np.argsort(panel["kl_per_dim"])[::-1]
dims = (int(order[0]), int(order[1]))
samples, manifold = generated(settings.dataset, cfg_json, st.session_state["vae.eps"], dims)
g1, g2 = st.columns([2, 3])
with g1:
    ui.images(samples, ncols=8, cell=cell - 24)
    st.caption("32 new digits: random z from the prior, decoded (the 🎲 button above draws new ones). "
               "No test image was used.")
with g2:
    ui.images(manifold, ncols=15, cell=40 if data.shape[-1] <= 16 else 42)
    what = "the whole 2-D latent space" if z_dim == 2 else \
        f"the two most informative dimensions (z{dims[0] + 1}, z{dims[1] + 1}; others at 0)"
    st.caption(f"The decoded manifold: a 15×15 grid of z from −2.5 to 2.5 over {what}. {smooth_note}")
ui.share()
