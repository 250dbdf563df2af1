"""Autoencoder: encoder, bottleneck, decoder. Reconstructions and their error, the code
size against the error (beside PCA), stacking layers, and the encoder kept as a feature
extractor for a classifier with few labels."""
import json

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

import gm
import ui
from gm import jobs, latent, metrics, presets, probes

settings = ui.setup("Autoencoder", "ae")
st.title("Autoencoder")
ui.intro(
    "An autoencoder is trained to **copy** its input: the output layer is as large as the input. "
    "The catch is the **bottleneck** in the middle: the encoder f must squeeze each image into a "
    "short code z, and the decoder g must rebuild the image from that code alone. To copy well "
    "through a narrow channel it has to learn what digits have in common — and it learns it "
    "from the images only, **no labels**. Afterwards the encoder alone is a learned compressor "
    "and feature extractor.",
    r"x \;\xrightarrow{\;f\;}\; z = f(x) \;\xrightarrow{\;g\;}\; \hat x = g(z),"
    r"\qquad \mathcal{L} = \lVert x - \hat x \rVert^2")

SIZES = list(presets.AE_SIZES)  # the sizes train.py trains before class
DEPTHS = presets.AE_DEPTHS
c1, c2 = st.columns([3, 2])
z = c1.select_slider("Code size (bottleneck width)", SIZES, key=ui.param("latent", 8, options=SIZES),
                     help="Each size is its own model: trained once (seconds), then cached.")
depth = c2.radio("Hidden layers in encoder (decoder mirrors it)", list(DEPTHS), horizontal=True,
                 key=ui.param("depth", 1, options=list(DEPTHS)),
                 help="More than one hidden layer makes a stacked autoencoder.")


def ae_config(size: int, d: int) -> dict:
    # depth 1 is the registry default, so other pages share these models
    return {"latent_dim": size} if d == 1 else {"latent_dim": size, "hidden": list(DEPTHS[d])}


config = ae_config(z, depth)
ae, = ui.require(("ae", config))
cfg_json = json.dumps({"seed": settings.seed, **config}, sort_keys=True)
data = gm.load_dataset(settings.dataset)
cell = 96 if data.shape[-1] <= 16 else 84


@st.cache_data(max_entries=64, show_spinner=False)
def recon_view(dataset: str, cfg: str):
    model, d = ui.cached_model("ae", dataset, cfg), gm.load_dataset(dataset)
    xhat = model.reconstruct(d.x_test)
    first = torch.stack([torch.nonzero(d.y_test == c)[0, 0] for c in range(len(d.classes))])
    return (d.x_test[first], xhat[first], metrics.mse(xhat, d.x_test), metrics.psnr(xhat, d.x_test),
            probes.architecture(model), model.n_params())


x, xhat, mse, psnr, arch, n_params = recon_view(settings.dataset, cfg_json)

# --- 1. reconstructions ----------------------------------------------------------------------
st.header("1 · Held-out digits and what comes back through the bottleneck")
m = st.columns(4)
m[0].metric("Code size z", f"{z} numbers", help=f"the input has {arch[0]} pixels")
m[1].metric("Test error (MSE per pixel)", f"{mse:.4f}")
m[2].metric("PSNR", f"{psnr:.1f} dB", help="10·log10(1/MSE): higher is better, +3 dB = half the error")
m[3].metric("Compression", f"{arch[0] / z:.0f} : 1")
ui.images(torch.cat([x, xhat]), ncols=len(x), cell=cell)
st.caption(f"Top row: test digits the model never trained on. Bottom row: its reconstructions "
           f"from only {z} numbers each. Slide the code size down to 2 and watch the digits blur "
           "into their class average.")

# --- 2. rate-distortion ----------------------------------------------------------------------
st.header("2 · Code size against error: the autoencoder against PCA")


@st.cache_data(max_entries=8, show_spinner=False)
def pca_curve(dataset: str):
    d = gm.load_dataset(dataset)
    return probes.pca_errors(d.x_train, d.x_test, SIZES)


@st.cache_data(max_entries=128, show_spinner=False)
def ae_error(dataset: str, cfg: str) -> float:
    model, d = ui.cached_model("ae", dataset, cfg), gm.load_dataset(dataset)
    return metrics.mse(model.reconstruct(d.x_test), d.x_test)


def cached(size: int) -> bool:
    return gm.is_cached("ae", settings.dataset, seed=settings.seed, **ae_config(size, depth))


have = [s for s in SIZES if cached(s)]
missing = [s for s in SIZES if s not in have]
pca = pca_curve(settings.dataset)
ae_err = {s: ae_error(settings.dataset, json.dumps({"seed": settings.seed, **ae_config(s, depth)},
                                                   sort_keys=True)) for s in have}
fig = go.Figure()
fig.add_trace(go.Scatter(x=SIZES, y=[pca[s] for s in SIZES], mode="lines+markers", name="PCA (linear)",
                         line=dict(width=3, dash="dash"), marker=dict(size=10)))
fig.add_trace(go.Scatter(x=have, y=[ae_err[s] for s in have], mode="lines+markers",
                         name=f"autoencoder ({depth} hidden layer{'s' if depth > 1 else ''})",
                         line=dict(width=4), marker=dict(size=12)))
fig.add_trace(go.Scatter(x=[z], y=[mse], mode="markers", name="this model",
                         marker=dict(size=22, symbol="circle-open", line=dict(width=3, color="black"))))
fig.update_layout(height=420, font=dict(size=16), margin=dict(l=10, r=10, t=30, b=10),
                  xaxis=dict(type="log", title="code size (numbers per image)", tickvals=SIZES),
                  yaxis=dict(title="test error (MSE per pixel)", rangemode="tozero"),
                  legend=dict(orientation="h", y=1.1))
st.plotly_chart(fig, key="ae.rd")
wins = [s for s in have if ae_err[s] < pca[s]]
st.caption("Lower is better. PCA is the best any *linear* code of that size can do. "
           + (f"The autoencoder beats it at code size {', '.join(map(str, wins))}: its nonlinear code "
              "holds something about digits that a linear projection cannot. " if wins else
              "Here the autoencoder does not beat it at any trained size. ")
           + "With as many numbers as pixels PCA is exact, while the network still has to learn the copy.")
if missing:
    st.info(f"Only code sizes whose models are already trained are plotted; missing: "
            f"{', '.join(map(str, missing))}.")
    if st.button(f"Train the {len(missing)} missing size(s) in the background", key="ae.train_missing"):
        st.session_state["ae.training"] = True
    if st.session_state.get("ae.training"):
        with st.expander(f"Training progress ({len(missing)} model(s); the curve grows as each finishes)",
                         expanded=True):
            for s in missing:
                job = jobs.manager().submit("ae", settings.dataset, seed=settings.seed, **ae_config(s, depth))
                if job.state != "done":
                    ui.training_panel(job.id)

# --- 3. stacking ------------------------------------------------------------------------------
st.header("3 · Stacked autoencoder: more layers, mirrored")
arrow = " → ".join(f"<b style='color:#d62728'>{w}</b>" if i == len(arch) // 2 else str(w)
                   for i, w in enumerate(arch))
st.markdown(f"<div style='font-size:1.6rem'>{arrow}</div>", unsafe_allow_html=True)
st.caption(f"Input pixels → encoder → **code** → decoder (the encoder mirrored) → output pixels · "
           f"{n_params:,} trainable parameters · change *Hidden layers* above to stack more.")

# --- 4. feature extraction --------------------------------------------------------------------
st.header("4 · Keep the encoder, drop the decoder: features for a classifier")
LABELS = [1, 2, 5, 10, 20, 50]
per_class = st.select_slider("Labelled examples per class", LABELS,
                             key=ui.param("labels", 5, options=LABELS),
                             help="A logistic regression sees only this many labelled images per class.")


@st.cache_data(max_entries=64, show_spinner="Training the classifiers…")
def probe_table(dataset: str, cfg: str, per_class: int) -> dict:
    return latent.feature_probe(ui.cached_model("ae", dataset, cfg), gm.load_dataset(dataset),
                                per_class, repeats=5)


acc = probe_table(settings.dataset, cfg_json, per_class)
table = pd.DataFrame({
    "features": [f"autoencoder codes ({z} numbers)", f"PCA ({z} components)", f"raw pixels ({arch[0]})"],
    "test accuracy": [acc["codes"], acc["pca"], acc["pixels"]]})
st.dataframe(table, hide_index=True, key="ae.table",
             column_config={"test accuracy": st.column_config.ProgressColumn(
                 "test accuracy", format="percent", min_value=0.0, max_value=1.0)})
st.caption(f"Logistic regression trained on {per_class} labelled image(s) per class, averaged over 5 "
           "random draws of those labels. The encoder was trained on all images without labels: "
           "compare its few numbers with PCA's, and with all the raw pixels.")
ui.share()
