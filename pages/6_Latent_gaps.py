"""Latent gaps: a plain autoencoder and a VAE with the same code size, data and seed, side
by side. Click the maps, draw a digit, and read how well each one generates from N(0, I)."""
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch
from streamlit_drawable_canvas import st_canvas

import gm
import ui
from gm import embed, latent, mapfig, metrics, sketch

settings = ui.setup("Latent gaps", "gaps")
st.title("Latent gaps: why a plain autoencoder cannot invent")
ui.intro(
    "An autoencoder only learns to decode the codes of its training images. Its code clusters "
    "can sit far apart with **empty gaps** between them, and nothing tells the decoder what to "
    "draw there. To *generate* we must pick a z, and a random z ~ N(0, I) often lands in a gap. "
    "The VAE's KL term pulls all codes into one N(0, I)-shaped cloud, so a random z lands among "
    "learned codes. Below: the same architecture size, data and seed; **click anywhere on either "
    "map** and both decoders draw that point.",
    r"\text{generate: } z \sim \mathcal{N}(0, I),\ \hat x = \mathrm{dec}(z)"
    r"\qquad \text{VAE: } \mathrm{KL}\big(q(z|x)\,\|\,\mathcal{N}(0,I)\big) \text{ keeps } q(z) \approx \mathcal{N}(0,I)")

DIMS, VIEWS = [2, 8], {"raw": "Raw 2-D code", "pca": "PCA of the code", "tsne": "t-SNE of the code"}
c = st.columns([1, 2, 1, 1])
z_dim = c[0].radio("Code size", DIMS, horizontal=True, key=ui.param("latent", 2, options=DIMS))
view = c[1].radio("View", list(VIEWS), format_func=VIEWS.get, horizontal=True,
                  key=ui.param("view", "raw", options=list(VIEWS)))
perplexity = c[2].select_slider("t-SNE perplexity", [5, 15, 30, 50],
                                key=ui.param("perplexity", 30, options=[5, 15, 30, 50]),
                                disabled=view != "tsne")
tsne_seed = c[3].number_input("t-SNE seed", 0, 99, key=ui.param("tsne_seed", 0, lo=0, hi=99),
                              disabled=view != "tsne")
if view == "raw" and z_dim != 2:
    st.caption(f"A {z_dim}-D code has no raw 2-D picture: showing its PCA instead.")
    view = "pca"
show_prior = st.toggle("Overlay 300 samples z ~ N(0, I)", key=ui.param("prior", True),
                       disabled=view == "tsne",
                       help="t-SNE cannot place new points, so the overlay needs the raw or PCA view.")

ae, vae = ui.require(("ae", {"latent_dim": z_dim}), ("vae", {"latent_dim": z_dim}))
data = gm.load_dataset(settings.dataset)
CFG = json.dumps({"seed": settings.seed, "latent_dim": z_dim}, sort_keys=True)
NAMES = {"ae": "Autoencoder", "vae": "VAE"}


@st.cache_data(max_entries=32, show_spinner=False)
def map_of(dataset: str, name: str, cfg: str, view: str, perplexity: int, seed: int) -> dict:
    z = latent.codes(ui.cached_model(name, dataset, cfg), gm.load_dataset(dataset).x_test).numpy()
    pca = embed.pca_map(torch.from_numpy(z)) if view == "pca" else None
    points = z[:, :2] if view == "raw" else pca["points"] if view == "pca" else \
        embed.tsne(z, perplexity, seed)
    return {"z": z, "points": np.asarray(points, np.float32), "pca": pca}


@st.cache_data(max_entries=16, show_spinner="Scoring 1,000 generated digits per model…")
def holes(dataset: str, cfg: str, seed: int) -> dict:
    ref, d = ui.referee(dataset), gm.load_dataset(dataset)
    ae_, vae_ = ui.cached_model("ae", dataset, cfg), ui.cached_model("vae", dataset, cfg)
    out = latent.latent_holes(ae_, vae_, ref, d, n=1000, seed=seed) | metrics.sample_anchors(ref, d, seed=seed)
    out["images"] = {"ae_prior": latent.prior_samples(ae_, 16, seed),
                     "ae_fitted": latent.fitted_samples(ae_, d.x_train, 16, seed),
                     "vae_prior": latent.prior_samples(vae_, 16, seed)}
    return out


def _new_click(name: str):
    """The latest point clicked on model `name`'s map, if the chart reports a new one."""
    sel = (st.session_state.get(f"gaps.map_{name}") or {}).get("selection") or {}
    pts = sel.get("points") or []
    if not pts or "x" not in pts[0] or "y" not in pts[0]:
        return None
    xy = [float(pts[0]["x"]), float(pts[0]["y"])]
    if st.session_state.get(f"gaps.seen_{name}") == xy:
        return None
    st.session_state[f"gaps.seen_{name}"] = xy
    return xy


spinner = "Running t-SNE on the codes (a few seconds, once per model and settings)…"
with st.spinner(spinner) if view == "tsne" else st.empty():
    maps = {n: map_of(settings.dataset, n, CFG, view, perplexity, tsne_seed) for n in NAMES}
models = {"ae": ae, "vae": vae}
ref = ui.referee(settings.dataset)

# the click (made in the previous run's view), kept until the view changes
for name in NAMES:
    xy = _new_click(name)
    if xy is not None:
        st.session_state["gaps.click"] = {"model": name, "view": st.session_state.get("gaps.last_view"),
                                          "z_dim": st.session_state.get("gaps.last_dim"), "xy": xy}
st.session_state["gaps.last_view"], st.session_state["gaps.last_dim"] = view, z_dim
click = st.session_state.get("gaps.click")
if click and (click.get("view") != view or click.get("z_dim") != z_dim or click.get("model") not in maps):
    click = None
picked = embed.click_codes(view, click["xy"], click["model"], maps) if click else None

# --- draw your own digit (computed first so the maps can show it) ---------------------------
maps_area = st.container()
st.header("Draw your own digit")
d1, d2 = st.columns([1, 2])
with d1:
    drawing = st_canvas(fill_color="rgba(0,0,0,0)", stroke_width=22, stroke_color="#FFFFFF",
                        background_color="#000000", height=280, width=280, drawing_mode="freedraw",
                        key="gaps.canvas", return_image_data=True)
    st.caption("Draw one digit, large, in the middle. The trash-can icon clears it.")
image = sketch.to_dataset_image(getattr(drawing, "image_data", None), data.shape)
drawn = None
with d2:
    if image is None:
        st.info("✏️ Draw a digit on the black square: it is shrunk to the dataset's "
                f"{data.shape[-1]}×{data.shape[-1]} format, encoded by both models, marked ★ on both "
                "maps above, and reconstructed by each.")
    else:
        x = image[None]
        drawn = {n: latent.codes(m, x)[0].numpy() for n, m in models.items()}
        recon = [latent.decode(m, torch.from_numpy(drawn[n])[None]) for n, m in models.items()]
        p = ref.predict_proba(torch.cat([x, *recon]))
        ui.images(torch.cat([x, *recon]), ncols=3, cell=140)
        st.caption(f"Left: your drawing as the models see it (referee reads {data.classes[int(p[0].argmax())]}, "
                   f"{float(p[0].max()):.0%}). Middle: autoencoder reconstruction "
                   f"({data.classes[int(p[1].argmax())]}, {float(p[1].max()):.0%}). Right: VAE "
                   f"reconstruction ({data.classes[int(p[2].argmax())]}, {float(p[2].max()):.0%}).")

# --- the two maps ------------------------------------------------------------------------------
rng = np.random.default_rng(settings.seed)
prior_z = rng.standard_normal((300, z_dim)).astype(np.float32)
labels = data.y_test.numpy()
if view == "raw":  # one frame for both maps: the same z means the same place
    allp = np.concatenate([m["points"] for m in maps.values()] + [prior_z[:, :2]])
    lo, hi = allp.min(0), allp.max(0)
    pad = 0.08 * (hi - lo)
    frame = dict(xaxis_range=[lo[0] - pad[0], hi[0] + pad[0]], yaxis_range=[lo[1] - pad[1], hi[1] + pad[1]])
with maps_area:
    cols = st.columns(2)
    for col, (name, m) in zip(cols, maps.items()):
        axis = ("z1", "z2") if view == "raw" else ("PC 1", "PC 2") if view == "pca" else ("t-SNE 1", "t-SNE 2")
        grid_pts = embed.grid_points(allp if view == "raw" else m["points"], margin=0.05)
        fig = mapfig.latent_map(m["points"], labels, data.classes, f"{NAMES[name]}: {VIEWS[view]}",
                                axis=axis, clickable=grid_pts)
        if view == "raw":
            fig.update_layout(**frame)
        if show_prior and view != "tsne":
            pz = prior_z if view == "raw" else embed.pca_forward(prior_z, m["pca"])
            mapfig.add_points(fig, pz, "z ~ N(0, I)", color="black", symbol="x-thin", size=7)
        if drawn is not None:
            mapfig.add_marker(fig, embed.place(view, drawn[name], m["z"], m["points"], m["pca"]),
                              "your digit", color="#d62728")
        if picked:
            mapfig.add_marker(fig, picked[name]["xy"], "clicked", color="black", symbol="circle-x")
        with col:
            st.plotly_chart(fig, key=f"gaps.map_{name}", on_select="rerun", selection_mode="points")
    if view == "tsne":
        st.caption("t-SNE keeps neighbours together, but the **sizes** of its clusters and the "
                   "**distances between** them mean little, and it invents gaps of its own. "
                   "Judge the gaps on the raw or PCA view and on the numbers below.")
    else:
        st.caption("Dots: test images' codes, coloured by label. Black ×: random z ~ N(0, I), what "
                   "we would decode to generate. Many × fall where the autoencoder has no codes; "
                   "on the VAE map they fall among the codes.")
    if picked:
        i = picked["ae"]["index"]
        dec = torch.cat([latent.decode(models[n], torch.from_numpy(picked[n]["code"])[None]) for n in NAMES])
        p = ref.predict_proba(dec)
        where = (f"the test image nearest the click (#{i}, label {data.classes[labels[i]]}), as each model codes it"
                 if view == "tsne" else f"point ({click['xy'][0]:.2f}, {click['xy'][1]:.2f}) of the map")
        k1, k2, k3 = st.columns([1, 1, 2])
        for k, n, j in ((k1, "ae", 0), (k2, "vae", 1)):
            with k:
                ui.images(dec[j:j + 1], ncols=1, cell=160)
                st.markdown(f"**{NAMES[n]} decoder** · referee: **{data.classes[int(p[j].argmax())]}** "
                            f"({float(p[j].max()):.0%} sure)")
        k3.info(f"Decoded: {where}. " + (
            "t-SNE has no inverse, so only real test codes can be decoded here; switch to the raw "
            "or PCA view to decode the empty space." if view == "tsne" else
            "A click in an empty region shows what each decoder makes of a gap: the autoencoder "
            "often draws a smear or a hybrid, the VAE a digit."))
    else:
        st.info("👆 Click any point on either map, dots or empty space, to decode it with both models.")

# --- the gaps, measured ----------------------------------------------------------------------------
st.header("The gaps, measured: generate 1,000 digits from each")
h = holes(settings.dataset, CFG, settings.seed)
rows = [("Real training images (best possible)", h["floor"]),
        ("Autoencoder, z ~ N(0, I)", h["ae_prior"]),
        ("Autoencoder, z ~ Gaussian fitted to its codes", h["ae_fitted"]),
        ("VAE, z ~ N(0, I)", h["vae_prior"]),
        ("Uniform noise (no learning)", h["ceiling"])]
table = pd.DataFrame({"Samples": [r[0] for r in rows],
                      "Fréchet distance ↓": [round(r[1]["fd"], 1) for r in rows],
                      "Classes covered (of 10)": [r[1]["classes_covered"] for r in rows],
                      "Referee confidence": [f"{r[1]['confidence']:.0%}" for r in rows]})
t1, t2 = st.columns([3, 2])
with t1:
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption("Fréchet distance between the referee's features of the samples and of the real test "
               "digits: lower is closer to real. Classes covered: classes holding at least 5% of the "
               "samples. Top and bottom rows are the anchors of the scale.")
with t2:
    bar = go.Figure(go.Bar(x=[r[1]["fd"] for r in rows[1:4]], y=["AE, N(0,I)", "AE, fitted", "VAE, N(0,I)"],
                           orientation="h", marker_color=["#d62728", "#ff7f0e", "#2ca02c"],
                           text=[f"{r[1]['fd']:.1f}" for r in rows[1:4]], textposition="auto"))
    bar.add_vline(h["floor"]["fd"], line_dash="dot", annotation_text="real images")
    bar.update_layout(height=260, font=mapfig.FONT, xaxis_title="Fréchet distance (lower is better)",
                      margin=dict(l=10, r=10, t=20, b=10), yaxis=dict(autorange="reversed"))
    st.plotly_chart(bar, key="gaps.fd")
    st.caption(f"The gap in numbers: sampling the prior, the VAE is "
               f"{h['ae_prior']['fd'] / max(h['vae_prior']['fd'], 1e-9):.1f}× closer to real digits "
               "than the autoencoder.")
s1, s2, s3 = st.columns(3)
for col, key, title in ((s1, "ae_prior", "Autoencoder, z ~ N(0, I)"),
                        (s2, "ae_fitted", "Autoencoder, fitted Gaussian"),
                        (s3, "vae_prior", "VAE, z ~ N(0, I)")):
    with col:
        st.markdown(f"**{title}**")
        ui.images(h["images"][key], ncols=4, cell=72)
st.caption("16 of the generated digits each. Fitting a Gaussian to the autoencoder's codes "
           "is a cheap fix that helps, but the VAE gets it from its training objective.")
ui.share()
