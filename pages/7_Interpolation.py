"""Interpolation: walk from one digit's code to another's and decode every step, in the
autoencoder, the VAE and the GAN; the referee says how digit-like each step is."""
import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch

import gm
import ui
from gm import embed, latent, mapfig

settings = ui.setup("Interpolation", "interp")
st.title("Interpolation: from a 0 to a 9")
ui.intro(
    "Encode two digits, say a 0 and a 9, to get two codes z₀ and z₁. Mix them, "
    "(1−t)·z₀ + t·z₁ for t from 0 to 1, and decode each mix. If the space between the codes "
    "is filled with learned digits, the pictures morph smoothly from one to the other; if it "
    "is a **gap**, the middle steps are smears. The GAN has no encoder, so its endpoints are "
    "found by *searching* its latent space for the generated image nearest each digit. "
    "Spherical interpolation (slerp) keeps the path at the typical distance from the origin "
    "that N(0, I) samples have.",
    r"z_t = (1-t)\,z_0 + t\,z_1 \qquad \mathrm{slerp}: z_t = \frac{\sin((1-t)\Omega)}{\sin\Omega}z_0"
    r" + \frac{\sin(t\Omega)}{\sin\Omega}z_1,\ \cos\Omega = \frac{z_0\cdot z_1}{|z_0||z_1|}")

data = gm.load_dataset(settings.dataset)
labels = data.y_test.numpy()
classes = list(range(len(data.classes)))
c = st.columns([1, 1, 1, 1, 2, 1])
a_cls = c[0].selectbox("From", classes, format_func=lambda k: data.classes[k],
                       key=ui.param("from", 0, options=classes))
a_pick = c[1].number_input("which one", 0, 20, key=ui.param("from_pick", 0, lo=0, hi=20))
b_cls = c[2].selectbox("To", classes, format_func=lambda k: data.classes[k],
                       key=ui.param("to", 9, options=classes))
b_pick = c[3].number_input("which one", 0, 20, key=ui.param("to_pick", 0, lo=0, hi=20))
steps = c[4].slider("Steps", 3, 15, key=ui.param("steps", 10, lo=3, hi=15))
mode = c[5].radio("Path", ["linear", "slerp"], key=ui.param("mode", "linear", options=["linear", "slerp"]))
DIMS = [2, 8]
z_dim = st.radio("Code size of the autoencoder and VAE", DIMS, horizontal=True,
                 key=ui.param("latent", 2, options=DIMS))


def pick(cls: int, k: int) -> int:
    idx = np.flatnonzero(labels == cls)
    return int(idx[k % len(idx)])


i0, i1 = pick(a_cls, a_pick), pick(b_cls, b_pick)
ae, vae, gan = ui.require(("ae", {"latent_dim": z_dim}), ("vae", {"latent_dim": z_dim}), ("gan", {}))
ui.referee(settings.dataset)
CFG = json.dumps({"seed": settings.seed, "latent_dim": z_dim}, sort_keys=True)
GAN_CFG = json.dumps({"seed": settings.seed}, sort_keys=True)
NAMES = {"ae": "Autoencoder", "vae": "VAE", "gan": "GAN"}


@st.cache_data(max_entries=256, show_spinner="Searching the GAN's latent space for the nearest image…")
def gan_code(dataset: str, cfg: str, index: int):
    z, err = embed.invert_gan(ui.cached_model("gan", dataset, cfg), gm.load_dataset(dataset).x_test[index])
    return z.numpy(), err


@st.cache_data(max_entries=32, show_spinner=False)
def code_map(dataset: str, name: str, cfg: str) -> dict:
    z = latent.codes(ui.cached_model(name, dataset, cfg), gm.load_dataset(dataset).x_test)
    pca = embed.pca_map(z)
    return {"z": z.numpy(), "points": z.numpy() if z.shape[1] == 2 else pca["points"], "pca": pca}


@st.cache_data(max_entries=128, show_spinner=False)
def paths(dataset: str, cfg: str, gan_cfg: str, i0: int, i1: int, steps: int, mode: str) -> dict:
    d, ref = gm.load_dataset(dataset), ui.referee(dataset)
    out = {}
    for name in ("ae", "vae"):
        m = code_map(dataset, name, cfg)
        z = embed.latent_path(m["z"][i0], m["z"][i1], steps, mode)
        out[name] = {"codes": z.numpy(), "images": latent.decode(ui.cached_model(name, dataset, cfg), z)}
    (g0, e0), (g1, e1) = gan_code(dataset, gan_cfg, i0), gan_code(dataset, gan_cfg, i1)
    z = embed.latent_path(g0, g1, steps, mode)
    with torch.no_grad():
        out["gan"] = {"codes": z.numpy(), "images": ui.cached_model("gan", dataset, gan_cfg).generator(z).clamp(0, 1),
                      "fit_mse": (e0, e1)}
    for name in out:
        p = ref.predict_proba(out[name]["images"])
        out[name]["confidence"] = p.max(1).values.numpy()
        out[name]["label"] = p.argmax(1).numpy()
    out["ends"] = d.x_test[[i0, i1]]
    return out


res = paths(settings.dataset, CFG, GAN_CFG, i0, i1, steps, mode)
cell = 72 if steps <= 10 else 56

st.subheader(f"Test image #{i0} (a {data.classes[a_cls]}) → test image #{i1} (a {data.classes[b_cls]})")
left, right = st.columns([1, 6])
with left:
    ui.images(res["ends"], ncols=1, cell=cell)
    st.caption("The two real digits.")
with right:
    for name in NAMES:
        r = res[name]
        st.markdown(f"**{NAMES[name]}** · mean referee confidence along the path "
                    f"**{float(r['confidence'].mean()):.0%}**, lowest **{float(r['confidence'].min()):.0%}**")
        ui.images(r["images"], ncols=steps, cell=cell)
    e0, e1 = res["gan"]["fit_mse"]
    st.caption(f"Each row: the decoded path, t = 0 on the left to 1 on the right. The GAN's first and "
               f"last pictures are its nearest generated images to the two digits (pixel MSE "
               f"{e0:.3f} and {e1:.3f}), found by gradient descent on z.")

a, b = st.columns([3, 2])
with a:
    t = np.linspace(0, 1, steps)
    conf = go.Figure()
    for name, color in (("ae", "#d62728"), ("vae", "#2ca02c"), ("gan", "#1f77b4")):
        r = res[name]
        conf.add_trace(go.Scatter(x=t, y=r["confidence"], mode="lines+markers+text", name=NAMES[name],
                                  text=[data.classes[k] for k in r["label"]], textposition="top center",
                                  line=dict(color=color, width=3), marker=dict(size=9)))
    conf.update_layout(height=380, font=mapfig.FONT, xaxis_title="t (0 = first digit, 1 = second)",
                       yaxis=dict(title="referee confidence", range=[0, 1.08], tickformat=".0%"),
                       margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12))
    st.plotly_chart(conf, key="interp.conf")
    st.caption("How sure the referee classifier is of each step, labelled with the class it reads. "
               "A dip in the middle means the path crosses a gap: pictures that are no digit at all.")
with b:
    view = "raw code" if z_dim == 2 else "PCA of the code"
    tabs = st.tabs([f"{NAMES[n]} map" for n in ("ae", "vae")])
    for tab, name in zip(tabs, ("ae", "vae")):
        m = code_map(settings.dataset, name, CFG)
        pts = res[name]["codes"] if z_dim == 2 else embed.pca_forward(res[name]["codes"], m["pca"])
        fig = mapfig.latent_map(m["points"], labels, data.classes, f"{NAMES[name]}: {view}",
                                axis=("z1", "z2") if z_dim == 2 else ("PC 1", "PC 2"), height=380)
        mapfig.add_path(fig, pts, "path")
        with tab:
            st.plotly_chart(fig, key=f"interp.map_{name}")
    st.caption("The path through latent space over the test codes. Where it leaves the coloured "
               "clouds, the decoder has never seen a code.")
ui.share()
