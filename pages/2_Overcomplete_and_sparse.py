"""Overcomplete and sparse autoencoders: a code wider than the input can learn the
identity (it copies anything, digits or not); a sparsity penalty makes it learn digits."""
import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import gm
import ui
from gm import metrics, probes
from gm.models.ae import overcomplete_width

settings = ui.setup("Overcomplete & sparse", "sparse")
st.title("Overcomplete and sparse autoencoders")
data = gm.load_dataset(settings.dataset)
n_pixels = int(np.prod(data.shape))
ui.intro(
    f"What if the code is **wider** than the input — {overcomplete_width(n_pixels):,} numbers for "
    f"a {n_pixels}-pixel image? Then "
    "nothing forces the network to learn anything about digits: it can pass every pixel "
    "straight through, a perfect but useless **copy machine**. Two fixes make it learn again. "
    "A **sparse** autoencoder adds a penalty so that only a few code units may be active for "
    "any one image; a **denoising** one must rebuild clean digits from damaged ones. Here we "
    "feed all of them inputs they never saw, to find out which one really learned digits.",
    r"\mathcal{L} = \lVert x - \hat x\rVert^2 + \lambda\,\Omega(z),\qquad"
    r"\Omega_{\mathrm{L1}} = \textstyle\sum_j |z_j|,\quad"
    r"\Omega_{\mathrm{KL}} = \textstyle\sum_j \mathrm{KL}\big(\rho\,\|\,\hat\rho_j\big),\ "
    r"\hat\rho_j = \text{mean activation of unit } j")

MODELS = {"ae": ("bottleneck (z=8)", {}), "overcomplete_ae": ("overcomplete", {}),
          "sparse_ae": ("sparse", {}), "denoising_ae": ("denoising", {})}
digit = st.number_input("Test digit to probe with", 0, len(data.x_test) - 1,
                        key=ui.param("digit", 0, lo=0, hi=len(data.x_test) - 1))
ui.require(*[(name, cfg) for name, (_, cfg) in MODELS.items()])
cell = 88 if data.shape[-1] <= 16 else 84


def cfg_json(config: dict) -> str:
    return json.dumps({"seed": settings.seed, **config}, sort_keys=True)


@st.cache_data(max_entries=64, show_spinner=False)
def trap(dataset: str, seed: int, index: int):
    d = gm.load_dataset(dataset)
    models = {name: ui.cached_model(name, dataset, json.dumps({"seed": seed, **cfg}, sort_keys=True))
              for name, (_, cfg) in MODELS.items()}
    x = probes.probe_inputs(d.x_test, index, seed)
    outs, errs = probes.probe_errors(models, x)
    test = {n: metrics.mse(m.reconstruct(d.x_test), d.x_test) for n, m in models.items()}
    return x, outs, errs, test


# --- 1. the identity trap -----------------------------------------------------------------------
st.header("1 · The identity trap: inputs the models never saw")
x, outs, errs, test_mse = trap(settings.dataset, settings.seed, digit)
cols = st.columns(1 + len(MODELS))
cols[0].markdown("**Input**")
for col, (name, (label, _)) in zip(cols[1:], MODELS.items()):
    col.markdown(f"**{label}**")
for i, probe in enumerate(probes.PROBES):
    row = st.columns(1 + len(MODELS))
    with row[0]:
        ui.images(x[i:i + 1], ncols=1, cell=cell, caption=probe)
    for col, name in zip(row[1:], MODELS):
        with col:
            ui.images(outs[name][i:i + 1], ncols=1, cell=cell, caption=f"MSE {errs[name][i]:.4f}")
st.caption("Each row is one input, each column one model's output with its error. A model that "
           "learned digits turns everything into something digit-like; one that learned to copy "
           "returns noise as noise.")

bars = go.Figure()
for name, (label, _) in MODELS.items():
    bars.add_trace(go.Bar(x=list(probes.PROBES), y=errs[name], name=label,
                          text=[f"{e:.3f}" for e in errs[name]], textposition="outside"))
bars.update_layout(barmode="group", height=420, font=dict(size=16), margin=dict(l=10, r=10, t=30, b=10),
                   yaxis=dict(type="log", title="reconstruction error (MSE, log scale)"),
                   legend=dict(orientation="h", y=1.12))
st.plotly_chart(bars, key="sparse.bars")
oc, bn = errs["overcomplete_ae"][2], errs["ae"][2]
st.caption(f"Look at uniform noise: the overcomplete model copies it with error {oc:.3f}, "
           f"{bn / max(oc, 1e-9):.0f}× lower than the bottleneck model ({bn:.3f}). Low error on noise "
           f"means it did not learn digits — it learned to copy. On ordinary test digits all "
           f"four look fine: test MSE " + ", ".join(f"{MODELS[n][0]} {v:.4f}" for n, v in test_mse.items())
           + ".")

# --- 2. sparsity -----------------------------------------------------------------------------------
st.header("2 · Sparsity: few units on at a time")
WEIGHTS = [0.0, 0.003, 0.01, 0.03, 0.1, 0.3]
RHOS = [0.01, 0.02, 0.05, 0.1, 0.2]
c1, c2, c3 = st.columns(3)
kind = c1.radio("Penalty Ω", ["kl", "l1"], horizontal=True, key=ui.param("penalty", "kl", options=["kl", "l1"]),
                format_func=lambda k: {"kl": "KL to target rate ρ", "l1": "L1 on activations"}[k])
weight = c2.select_slider("Penalty weight λ", WEIGHTS, key=ui.param("weight", 0.03, options=WEIGHTS),
                          help="λ = 0 keeps the wide code but removes the penalty.")
rho = c3.select_slider("Target rate ρ (KL only)", RHOS, key=ui.param("rho", 0.05, options=RHOS),
                       disabled=kind == "l1",
                       help="The average activation each unit is pushed towards.")
sparse_cfg = {"sparsity": kind, "sparsity_weight": weight, "rho": rho if kind == "kl" else 0.05}
ui.require(("sparse_ae", sparse_cfg), ("overcomplete_ae", {}))


@st.cache_data(max_entries=64, show_spinner=False)
def sparse_view(dataset: str, name: str, cfg: str):
    model, d = ui.cached_model(name, dataset, cfg), gm.load_dataset(dataset)
    s = probes.code_stats(model, d.x_test)
    a = s.pop("activations")
    counts, edges = np.histogram(np.clip(a, 0, 1), bins=40, range=(0, 1))  # one scale for both
    atlas = probes.feature_atlas(model, 64, np.argsort(-s["unit_means"]))
    s.update(counts=counts, edges=edges, atlas=atlas, smooth=probes.feature_smoothness(atlas),
             mse=metrics.mse(model.reconstruct(d.x_test), d.x_test))
    return s


sp = sparse_view(settings.dataset, "sparse_ae", cfg_json(sparse_cfg))
ov = sparse_view(settings.dataset, "overcomplete_ae", cfg_json({}))
m = st.columns(4)
m[0].metric("Units on per image (sparse)", f"{sp['active_per_image']:.1f} / {sp['units']}",
            delta=f"overcomplete: {ov['active_per_image']:.0f}", delta_color="off", delta_arrow="off",
            help=f"units whose activation exceeds {probes.ACTIVE} on a test image, averaged")
m[1].metric("Dead units (sparse)", f"{sp['dead']}", delta=f"overcomplete: {ov['dead']}", delta_color="off", delta_arrow="off",
            help=f"dead = never above {probes.ACTIVE} on any test image")
m[2].metric("Mean activation (sparse)", f"{sp['mean_activation']:.3f}",
            delta=f"target ρ = {rho}" if kind == "kl" else "L1: no target", delta_color="off", delta_arrow="off")
m[3].metric("Test MSE (sparse)", f"{sp['mse']:.4f}", delta=f"overcomplete: {ov['mse']:.4f}",
            delta_color="off", delta_arrow="off")

hist = make_subplots(1, 2, subplot_titles=("sparse: code activations", "overcomplete: code activations"))
for j, s in enumerate([sp, ov]):
    mids = (s["edges"][:-1] + s["edges"][1:]) / 2
    hist.add_trace(go.Bar(x=mids, y=s["counts"], marker_color=["#d62728", "#1f77b4"][j], showlegend=False),
                   1, j + 1)
    hist.update_xaxes(title_text="activation (values above 1 in the last bar)", row=1, col=j + 1)
hist.update_yaxes(type="log", title_text="count (log)", row=1, col=1)
hist.update_yaxes(type="log", row=1, col=2)
hist.update_layout(height=360, font=dict(size=16), margin=dict(l=10, r=10, t=40, b=10), bargap=0.05)
st.plotly_chart(hist, key="sparse.hist")
on_sp, on_ov = sp["active_per_image"] / sp["units"], ov["active_per_image"] / ov["units"]
st.caption("Every activation of every code unit on every test digit, on the same scale. "
           + (f"Sparse: nearly everything piled up close to zero and a thin tail of strong ones — "
              f"{on_sp:.0%} of the units speak for any one digit. Overcomplete: {on_ov:.0%} of its units "
              "are busy on every digit." if on_sp < on_ov / 2 else
              f"At this setting the sparse code is not sparse: {on_sp:.0%} of its units are on per digit, "
              f"against {on_ov:.0%} for the overcomplete one. "
              + ("λ = 0 removes the penalty." if weight == 0 else "Raise λ.")))

units = go.Figure()
units.add_trace(go.Scatter(y=np.sort(sp["unit_means"])[::-1], mode="lines", name="sparse", line=dict(width=4)))
units.add_trace(go.Scatter(y=np.sort(ov["unit_means"])[::-1], mode="lines", name="overcomplete",
                           line=dict(width=3, dash="dot")))
if kind == "kl":
    units.add_hline(y=rho, line_dash="dash", annotation_text=f"target ρ = {rho}")
units.update_layout(height=320, font=dict(size=16), margin=dict(l=10, r=10, t=30, b=10),
                    xaxis_title="code unit (sorted, busiest first)", yaxis=dict(type="log", title="mean activation"),
                    legend=dict(orientation="h", y=1.15))
st.plotly_chart(units, key="sparse.units")
near = int(((sp["unit_means"] >= rho / 2) & (sp["unit_means"] <= 2 * rho)).sum())
if weight == 0:
    units_note = "λ = 0: no penalty, so nothing holds the units near a target rate."
elif kind == "kl":
    units_note = (f"With the KL penalty {near} of {sp['units']} units average within a factor 2 of the "
                  f"target ρ = {rho}" + (": every unit is used, but rarely." if near >= 0.8 * sp["units"]
                                          else ": raise λ to pull the rest there."))
else:
    units_note = (f"The L1 penalty sets no target rate: it pushes every activation towards zero, and "
                  f"{sp['dead']} of {sp['units']} units never fire on a test digit.")
st.caption("Each unit's average activation over the test set. " + units_note)

st.subheader("What each code unit draws: the learned features")
a1, a2 = st.columns(2)
with a1:
    ui.images(sp["atlas"], ncols=8, cell=56, caption="sparse: 64 busiest units")
with a2:
    ui.images(ov["atlas"], ncols=8, cell=56, caption="overcomplete: 64 busiest units")
st.caption(f"Each tile is one unit's decoder weights: what that unit adds to the output when it fires "
           f"(scaled per tile). Neighbouring pixels in a tile agree (correlation) {sp['smooth']:.2f} for the "
           f"sparse units against {ov['smooth']:.2f} for the overcomplete ones"
           + (": sparse units draw blobs and stroke pieces, overcomplete ones mostly speckle."
              if sp["smooth"] > ov["smooth"] + 0.05 else ": at this setting they are about as smooth."))
ui.share()
