"""gm lab home page: what the lab is, a map of the pages, and the lecture's first two
distinctions (supervised vs unsupervised, generative vs discriminative), live."""
import json
import os

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

import gm
import ui
from gm import gan_report, latent, probes
from gm.viz import grid

settings = ui.setup("Generative models lab", "home", icon="🧪")
st.title("🧪 The generative-models lab")
st.markdown(
    "Real models, trained on real handwritten digits, answering in under a second. Each page "
    "follows one step of the lecture: change one thing, watch what the model does, and read "
    "the number that says how well. Every claim on these pages is measured, not just drawn.")

st.subheader("Map of the lab")
here = os.path.dirname(os.path.abspath(__file__))
cols = st.columns(2)
for i, (path, label, what) in enumerate(ui.PAGES[1:]):
    with cols[i % 2]:
        if os.path.exists(os.path.join(here, path)):
            st.page_link(path, label=f"**{i + 1} · {label}**: {what}")

data = gm.load_dataset(settings.dataset)
cell = 72 if data.shape[-1] <= 16 else 64
AE = {"latent_dim": 8}
VAE = {}


def cfg_json(config: dict) -> str:
    return json.dumps({"seed": settings.seed, **config}, sort_keys=True)


def tile(x: torch.Tensor) -> np.ndarray:
    return grid(x[None] if x.dim() == 3 else x, ncols=1, cell=cell)


# --- 1. supervised vs unsupervised ---------------------------------------------------------------
st.header("1 · Supervised or unsupervised: do we have the labels?")
st.markdown(
    "**Supervised** learning gets pairs (x, y) and learns the map from image to label. "
    "**Unsupervised** learning gets only the images x and must find structure on its own. "
    "Labels are expensive and sometimes wrong; images are cheap. Every model in this lab "
    "except the classifiers learns from the images alone.")
show = data.x_test[:12]
left, right = st.columns(2)
with left:
    st.markdown("**Supervised: (x, y)**")
    st.image([tile(v) for v in show], caption=[f"y = {data.classes[int(c)]}" for c in data.y_test[:12]],
             width=cell)
with right:
    st.markdown("**Unsupervised: x only**")
    st.image([tile(v) for v in show], caption=["?"] * len(show), width=cell)


@st.cache_data(max_entries=16, show_spinner="Clustering the test images…")
def clusters(dataset: str, cfg: str, seed: int):
    model, d = ui.cached_model("ae", dataset, cfg), gm.load_dataset(dataset)
    scores = latent.cluster_demo(model, d, seed)
    assign = probes.kmeans_labels(latent.codes(model, d.x_test), len(d.classes), seed)
    return scores, probes.cluster_gallery(d.x_test, assign, 12)


st.subheader("What can be found with no labels at all?")
ae, vae = ui.require(("ae", AE), ("vae", VAE))
ui.referee(settings.dataset)  # trained in the background on first use, like the models
scores, gallery = clusters(settings.dataset, cfg_json(AE), settings.seed)
left, right = st.columns([2, 3])
with left:
    m = st.columns(2)
    m[0].markdown("**k-means on AE codes**")
    m[1].markdown("**k-means on raw pixels**")
    m[0].metric("ARI · codes", f"{scores['codes']['ari']:.2f}", border=True,
                help="adjusted Rand index against the hidden labels: 0 = chance, 1 = the true classes")
    m[1].metric("ARI · pixels", f"{scores['pixels']['ari']:.2f}", border=True)
    m[0].metric("NMI · codes", f"{scores['codes']['nmi']:.2f}", border=True,
                help="normalized mutual information with the hidden labels, 0..1")
    m[1].metric("NMI · pixels", f"{scores['pixels']['nmi']:.2f}", border=True)
with right:
    ui.images(gallery, ncols=12, cell=48 if data.shape[-1] <= 16 else 40)
gap = scores["codes"]["ari"] - scores["pixels"]["ari"]
verdict = ("better than" if gap > 0.03 else "worse than" if gap < -0.03 else "about as well as")
st.caption(f"Ten groups k-means found in the {len(data.x_test)} test images using only the "
           f"autoencoder's 8-number codes (one row per group, largest first). The labels were hidden "
           f"and used only afterwards to score the grouping (adjusted Rand index: 0 = chance, 1 = the "
           f"true classes; NMI likewise 0..1). The codes group the digits {verdict} all "
           f"{int(np.prod(data.shape))} raw pixels, with {int(np.prod(data.shape)) // 8}× fewer numbers.")

# --- 2. generative vs discriminative -------------------------------------------------------------
st.header("2 · Discriminative or generative: tell apart, or make new?")
st.latex(r"\text{discriminative: } P(y \mid x) \qquad\qquad \text{generative: } P(x \mid y),\; P(x, y) = P(x \mid y)\,P(y)")
PAIRS = ["0,1", "1,7", "3,8", "4,9", "5,6", "all"]
pair = st.radio("Classes", PAIRS, horizontal=True, key=ui.param("classes", "0,1", options=PAIRS),
                format_func=lambda p: "all 10" if p == "all" else " and ".join(data.classes[int(c)] for c in p.split(",")))
chosen = list(range(len(data.classes))) if pair == "all" else [int(c) for c in pair.split(",")]


@st.cache_data(max_entries=16, show_spinner="Training the classifier…")
def discriminate(dataset: str, classes: tuple[int, ...], seed: int):
    d = gm.load_dataset(dataset)
    tr, te = torch.isin(d.y_train, torch.tensor(classes)), torch.isin(d.y_test, torch.tensor(classes))
    clf = probes.fit_classifier(d.x_train[tr], d.y_train[tr], seed=seed)
    xt, yt = d.x_test[te], d.y_test[te]
    p = clf.predict_proba(xt.flatten(1).numpy())
    return xt, yt.numpy(), p, list(clf.classes_), float((clf.classes_[p.argmax(1)] == yt.numpy()).mean())


@st.cache_data(max_entries=8, show_spinner=False)
def class_gaussians(dataset: str, cfg: str):
    """p(z | y): one Gaussian per class fitted to the VAE's codes of the training digits."""
    d = gm.load_dataset(dataset)
    return latent.class_gaussians(ui.cached_model("vae", dataset, cfg), d.x_train, d.y_train)


@st.cache_data(max_entries=64, show_spinner=False)
def generate(dataset: str, cfg: str, label: int, draw: int, n: int = 8):
    """`n` new digits of class `label` (draw set `draw`) and the referee's probabilities."""
    model, gs = ui.cached_model("vae", dataset, cfg), class_gaussians(dataset, cfg)
    new = latent.generate_class(model, gs, label, n, seed=1000 * draw + label)
    return new, ui.referee(dataset).predict_proba(new).numpy()


@st.cache_data(max_entries=64, show_spinner=False)
def class_quality(dataset: str, cfg: str, label: int, n: int = 500) -> tuple[float, float]:
    """Measured on `n` new digits of the class: the share the referee reads as `label`, and
    their median distance to the nearest training image over held-out real digits' (0 = copies)."""
    model, d = ui.cached_model("vae", dataset, cfg), gm.load_dataset(dataset)
    bulk = latent.generate_class(model, class_gaussians(dataset, cfg), label, n, seed=label)
    rate = float((ui.referee(dataset).predict_proba(bulk).argmax(1) == label).float().mean())
    baseline = float(gan_report.nearest_training(d.x_test[d.y_test == label], d.x_train)[1].median())
    return rate, gan_report.memorization(bulk, d.x_train, baseline)["ratio"]


xt, yt, proba, clf_classes, clf_acc = discriminate(settings.dataset, tuple(chosen), settings.seed)
dis, gen = st.columns(2, border=True)
with dis:
    st.subheader("Discriminative: a classifier")
    st.caption(f"Logistic regression on the pixels of {', '.join(data.classes[c] for c in chosen)} "
               f"· test accuracy {clf_acc:.1%}")
    pick = st.number_input("Test image", 0, len(xt) - 1, key=ui.param("image", 0, lo=0, hi=len(xt) - 1))
    a, b = st.columns([1, 2])
    a.image(tile(xt[pick]), caption=f"true label {data.classes[int(yt[pick])]}", width=2 * cell)
    fig = go.Figure(go.Bar(x=[data.classes[c] for c in clf_classes], y=proba[pick],
                           text=[f"{v:.0%}" for v in proba[pick]], textposition="outside",
                           marker_color="#1f77b4"))
    fig.update_layout(height=300, font=dict(size=16), margin=dict(l=10, r=10, t=10, b=10),
                      xaxis=dict(title="class y", type="category"),
                      yaxis=dict(title="P(y | x)", range=[0, 1.15]))
    b.plotly_chart(fig, key="home.pyx")
    st.caption("It answers one question: *which digit is this?* The bars always sum to 1.")
    st.button("✨ Make a new one", key="home.no_make", disabled=True,
              help="A classifier only learned where the border between classes runs.")
    st.markdown("**No way to make a new one:** a classifier only learned where the border between "
                "the classes runs, P(y | x). It holds no description of what a digit looks like, "
                "so there is nothing to draw a new digit from.")

with gen:
    st.subheader("Generative: a VAE")
    st.caption("Variational autoencoder trained on the images alone; one Gaussian per class "
               "fitted to its codes gives p(z | y), the decoder turns z into x: P(x | y).")
    tkey = ui.param("target", chosen[0], options=chosen)
    if st.session_state[tkey] not in chosen:  # the class pair changed under it
        st.session_state[tkey] = chosen[0]
    target = st.radio("Make a new", chosen, horizontal=True, format_func=lambda c: data.classes[c], key=tkey)
    st.session_state.setdefault("home.draw", 0)

    def _new():
        st.session_state["home.draw"] += 1

    st.button("✨ Make a new one", key="home.make", on_click=_new, type="primary",
              help="Draws 8 new codes z ~ p(z | y) and decodes them: digits nobody drew.")
    new, p_new = generate(settings.dataset, cfg_json(VAE), int(target), st.session_state["home.draw"])
    rate, novelty = class_quality(settings.dataset, cfg_json(VAE), int(target))
    labels = p_new.argmax(1)
    st.image([tile(v) for v in new], width=84,
             caption=[f"referee: {data.classes[int(c)]}" for c in labels])
    hits = int((labels == target).sum())
    st.metric(f"Labelled “{data.classes[target]}” by the referee", f"{rate:.0%}",
              delta=f"{hits}/{len(new)} of these", delta_color="off", delta_arrow="off",
              help="The referee is a separate classifier trained on real digits; "
                   "the big number is measured on 500 new digits of this class.")
    st.caption(f"Draw set {st.session_state['home.draw']}. A separate classifier (the referee) reads "
               "each one; the number is how often it reads the class you asked for. "
               + (f"New digits, not copies: their nearest training image is {novelty:.2f}× as far away as "
                  f"a held-out real {data.classes[target]}'s is (a copy would be at 0)." if novelty >= 0.5 else
                  f"Close to copies: their nearest training image is only {novelty:.2f}× as far away as a "
                  f"held-out real {data.classes[target]}'s is."))
ui.share()
