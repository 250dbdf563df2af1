"""Convolutional autoencoder: a layer-by-layer walk (shapes, parameters, feature maps) for
one test digit, the conv model against the fully connected one at the same code size, and
the transposed-convolution decoder beside upsample-then-convolve (checkerboard artifacts)."""
import json

import pandas as pd
import streamlit as st
import torch

import gm
import ui
from gm import layers, metrics

settings = ui.setup("Convolutional", "conv")
st.title("Convolutional autoencoder")
ui.intro(
    "Images have neighbours: a stroke is a stroke wherever it sits. A **convolutional** "
    "autoencoder replaces the fully connected layers by small filters slid over the image. "
    "The encoder alternates **convolutions** (which pull out features such as edges) with "
    "**max-pooling** (which halves the height and width), down to a short code. The decoder "
    "must grow the small map back to full size; a **transposed convolution** does that with "
    "filters that are trained, so the network **learns how to upsample** instead of using a "
    "fixed rule. The side of each output follows from kernel k, stride s and padding p:",
    r"\text{conv/pool: } n_{\text{out}} = \Big\lfloor \frac{n + 2p - k}{s} \Big\rfloor + 1"
    r"\qquad \text{transposed conv: } n_{\text{out}} = (n - 1)\,s - 2p + k")

SIZES = [2, 4, 8, 16, 32]
data = gm.load_dataset(settings.dataset)
side = data.shape[-1]
c1, c2 = st.columns([3, 2])
z = c1.select_slider("Code size (same for the conv and the fully connected model)", SIZES,
                     key=ui.param("latent", 8, options=SIZES))
digit = c2.number_input("Test digit (index)", 0, len(data.x_test) - 1,
                        key=ui.param("digit", 0, lo=0, hi=len(data.x_test) - 1))
SPECS = {"conv": ("conv_ae", {"latent_dim": z}), "nearest": ("conv_ae", {"latent_dim": z, "upsample": "nearest"}),
         "fc": ("ae", {"latent_dim": z})}
ui.require(*SPECS.values())
cell = 96 if side <= 16 else 84


def cfg_json(config: dict) -> str:
    return json.dumps({"seed": settings.seed, **config}, sort_keys=True)


KEYS = {k: (n, cfg_json(c)) for k, (n, c) in SPECS.items()}


@st.cache_data(max_entries=128, show_spinner=False)
def walk(dataset: str, key: tuple, index: int) -> list[dict]:
    model, d = ui.cached_model(key[0], dataset, key[1]), gm.load_dataset(dataset)
    rows = layers.layer_walk(model, d.x_test[index:index + 1])
    for r in rows:  # keep feature maps only where there is a map to show
        r["maps"] = layers.feature_maps(r["out"]) if r["out"].dim() == 4 else None
        del r["out"]
    return rows


# --- 1. layer by layer ------------------------------------------------------------------------
st.header("1 · One digit through every layer")
rows = walk(settings.dataset, KEYS["conv"], digit)
table = pd.DataFrame([{"#": i, "part": r["part"], "layer": r["layer"], "output shape (C × H × W)": r["shape"],
                       "numbers": r["values"], "parameters": r["params"]} for i, r in enumerate(rows)])
st.dataframe(table, hide_index=True, key="conv.table", height=35 * len(table) + 40,
             column_config={"layer": st.column_config.TextColumn(width="large"),
                            "numbers": st.column_config.NumberColumn(format="%d"),
                            "parameters": st.column_config.NumberColumn(format="%d")})
st.caption(f"Follow the shape column: {rows[0]['shape']} in, squeezed to a code of {z} numbers, and "
           f"back out to {rows[-1]['shape']}. Max-pooling halves H and W for free; each transposed "
           "convolution doubles them with trained filters (k=4, s=2, p=1: (n−1)·2 − 2 + 4 = 2n).")

with_maps = [i for i, r in enumerate(rows) if r["maps"] is not None]
default_layer = next(i for i in with_maps if "ReLU" in rows[i]["layer"])
li = st.selectbox("Feature maps of layer", with_maps,
                  format_func=lambda i: f"#{i} {rows[i]['part']} · {rows[i]['layer']} · {rows[i]['shape']}",
                  key=ui.param("layer", default_layer, options=with_maps))
left, right = st.columns([1, 4])
with left:
    ui.images(rows[0]["maps"], ncols=1, cell=cell * 2, caption="input")
    ui.images(rows[-1]["maps"], ncols=1, cell=cell * 2, caption="reconstruction (min-max scaled)")
with right:
    maps = rows[li]["maps"]
    ui.images(maps, ncols=min(8, len(maps)), cell=cell if maps.shape[-1] > 3 else cell // 2 + 32)
st.caption(f"Each square is one channel of layer #{li} for this digit, scaled to its own range "
           "(bright = strong response). Early channels respond to edges and strokes at every "
           "position; pick a decoder layer to watch the map grow back.")

# --- 2. conv against fully connected -------------------------------------------------------------
st.header(f"2 · Convolutional against fully connected, code size {z}")


@st.cache_data(max_entries=64, show_spinner=False)
def scores(dataset: str, key: tuple) -> dict:
    model, d = ui.cached_model(key[0], dataset, key[1]), gm.load_dataset(dataset)
    xhat = model.reconstruct(d.x_test)
    return {"params": model.n_params(), "mse": metrics.mse(xhat, d.x_test), "psnr": metrics.psnr(xhat, d.x_test),
            "seconds": model.info.get("train_seconds", float("nan"))}


s = {k: scores(settings.dataset, key) for k, key in KEYS.items()}
names = {"conv": "convolutional (transposed conv decoder)", "nearest": "convolutional (upsample + conv decoder)",
         "fc": "fully connected autoencoder"}
cmp = pd.DataFrame([{"model": names[k], "parameters": s[k]["params"], "test MSE": s[k]["mse"],
                     "PSNR (dB)": s[k]["psnr"], "training (s)": s[k]["seconds"]} for k in ("conv", "nearest", "fc")])
st.dataframe(cmp, hide_index=True, key="conv.compare",
             column_config={"test MSE": st.column_config.NumberColumn(format="%.4f"),
                            "PSNR (dB)": st.column_config.NumberColumn(format="%.1f"),
                            "training (s)": st.column_config.NumberColumn(format="%.1f")})
ratio = s["fc"]["params"] / s["conv"]["params"]
better = s["conv"]["mse"] < s["fc"]["mse"]
verdict = (f"The convolutional model wins: lower test error ({s['conv']['mse']:.4f} vs {s['fc']['mse']:.4f}) "
           f"with {ratio:.1f}× fewer parameters." if better else
           f"The fully connected model has the lower test error here ({s['fc']['mse']:.4f} vs "
           f"{s['conv']['mse']:.4f}), but it needs {ratio:.1f}× the parameters of the convolutional one.")
st.markdown(f"<div style='font-size:1.3rem'>{verdict}</div>", unsafe_allow_html=True)
st.caption(f"Measured on all {len(data.x_test)} test images of {settings.dataset} ({side}×{side}). "
           + ("Filters reuse the same few weights at every position, so the parameter count does not grow "
              "with the image. Switch the sidebar dataset to MNIST to compare on 28×28 digits, where that "
              "matters more." if side <= 16 else
              "The fully connected model needs a weight per pixel per unit; the filters are shared across "
              "all 28×28 positions."))

# --- 3. checkerboard artifacts -----------------------------------------------------------------
st.header("3 · Learned upsampling and checkerboard artifacts")


@st.cache_data(max_entries=64, show_spinner=False)
def artifacts(dataset: str, keys: tuple) -> dict:
    d = gm.load_dataset(dataset)
    shown = [int(torch.nonzero(d.y_test == c)[0, 0]) for c in range(len(d.classes))]
    x = d.x_test[:2000]  # enough for a stable score, fast on MNIST too
    out = {"clean": d.x_test[shown], "score": {"input": layers.checkerboard(x)}}
    for k, key in keys:
        model = ui.cached_model(key[0], dataset, key[1])
        xhat = model.reconstruct(x)
        flat = layers.flat_response(model, x)
        out[k] = model.reconstruct(d.x_test[shown])
        out["score"][k] = layers.checkerboard(xhat)
        out[k + "_flat"] = flat
        out["score"][k + "_flat"] = {"p2p": float(flat.max() - flat.min()), **layers.checkerboard(flat)}
    return out


a = artifacts(settings.dataset, (("conv", KEYS["conv"]), ("nearest", KEYS["nearest"])))
sc = a["score"]
m = st.columns(3)
m[0].metric("Alternating share · input digits", f"{sc['input']['score']:.3f}")
m[1].metric("Alternating share · transposed conv", f"{sc['conv']['score']:.3f}",
            help="Share of each output's variation that flips sign from one pixel to the next "
                 "(gm.layers.checkerboard): 0 = none, 1 = a pure checkerboard.")
m[2].metric("Alternating share · upsample + conv", f"{sc['nearest']['score']:.3f}")
for label, imgs in (("Clean", a["clean"]), ("Transposed conv decoder", a["conv"]),
                    ("Upsample + conv decoder", a["nearest"])):
    l, r = st.columns([1.3, 5], vertical_alignment="center")
    l.markdown(f"**{label}**")
    with r:
        ui.images(imgs, ncols=len(imgs), cell=72 if side <= 16 else 64)
more = sc["conv"]["score"] > sc["nearest"]["score"]
st.caption("The same test digits through both decoders. The numbers above say how much of each image "
           "alternates pixel by pixel, with the input digits as the reference: "
           + (f"the transposed decoder's outputs alternate more ({sc['conv']['score']:.3f} vs "
              f"{sc['nearest']['score']:.3f}), " if more else
              f"here the transposed decoder's outputs do not alternate more ({sc['conv']['score']:.3f} vs "
              f"{sc['nearest']['score']:.3f}), ")
           + ("but on small images a trained model hides it well. " if side <= 16 else "")
           + "The flat-input test below shows where the pattern comes from.")

st.subheader("The giveaway: feed the last upsampling layer a perfectly flat input")
f1, f2 = st.columns(2)
half = max(sc["conv_flat"]["p2p"], sc["nearest_flat"]["p2p"], 1e-3) / 2  # one contrast for both
for col, k, label in ((f1, "conv", "transposed conv (k=4, s=2)"), (f2, "nearest", "nearest upsample + 3×3 conv")):
    with col:
        flat = a[k + "_flat"]
        stretched = ((flat - flat.mean()) / (2 * half) + 0.5).clamp(0, 1)
        ui.images(stretched, ncols=1, cell=320)
        st.metric(f"Pattern strength · {label}", f"{sc[k + '_flat']['p2p']:.3f}",
                  help="Brightest minus darkest output pixel (0..1 brightness) for an input with no "
                       "pattern at all.")
pc, pn = sc["conv_flat"]["p2p"], sc["nearest_flat"]["p2p"]
st.caption("Each channel of the layer's input is set to its average value everywhere: nothing to draw. "
           + (f"The transposed convolution still paints a period-2 pattern ({pc:.3f} brightness from "
              "darkest to brightest) — its four filter phases add up differently at even and odd pixels — "
              f"while upsample-then-convolve stays {'flat' if pn < 0.2 * pc else 'much flatter'} ({pn:.3f}) "
              if pc > 2 * pn else
              f"Here the two patterns are of similar strength ({pc:.3f} against {pn:.3f}) "
              "for this trained model ")
           + "(both at the same contrast, stretched so that the strongest pattern spans black to white; "
             "a uniform grey means no pattern).")
ui.share()
