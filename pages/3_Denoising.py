"""Denoising autoencoder: trained on corrupted inputs against the clean image. Clean, noisy
and denoised digits with their PSNR, beside the same network trained without noise and the
plain bottleneck autoencoder; the train-noise x test-noise heat map and its diagonal."""
import json

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import gm
import ui
from gm import denoise, jobs

settings = ui.setup("Denoising", "denoise")
st.title("Denoising autoencoder")
ui.intro(
    "A network with a code as wide as the input can cheat by copying. The **denoising** "
    "autoencoder takes that away: during training every input is first damaged — in the "
    "lecture each pixel is randomly **multiplied by 0** — and the loss compares the output "
    "with the **clean** original, not with the damaged copy. Copying the input no longer "
    "pays; the network must learn what digits look like to fill the holes. Below, every "
    "model gets the *same noisy* test digits and is scored against the clean ones.",
    r"\tilde x = \operatorname{corrupt}(x),\qquad "
    r"\mathcal{L} = \lVert\, x - g(f(\tilde x))\,\rVert^2 \quad"
    r"\text{(clean } x\text{ as the target, noisy } \tilde x \text{ as the input)}")

KINDS = {"mask": "mask (pixels × 0, lecture)", "gaussian": "gaussian (+ N(0, level²))",
         "salt_pepper": "salt & pepper (pixels → 0 or 1)"}
SHORT = {"mask": "mask", "gaussian": "gaussian", "salt_pepper": "salt & pepper"}
LEVELS = list(denoise.TRAIN_LEVELS)
c1, c2, c3 = st.columns([3, 2, 3])
kind = c1.radio("Noise kind", list(KINDS), format_func=KINDS.get, horizontal=True,
                key=ui.param("kind", "mask", options=list(KINDS)))
train_level = c2.select_slider("Training noise level", LEVELS, key=ui.param("train", 0.5, options=LEVELS),
                               help="Each level is its own model: trained once (seconds), then cached.")
test_level = c3.slider("Test noise level", 0.0, 0.9, step=0.05,
                       key=ui.param("test", 0.5, lo=0.0, hi=0.9),
                       help="Evaluation needs no training: any level works.")
seed_key = ui.param("noise_seed", 0, lo=0, hi=10**6)


def new_noise():
    st.session_state[seed_key] += 1


DAE = {"noise": kind, "noise_level": train_level}
ROWS = {"denoising_ae": ("Denoising AE", f"trained on {SHORT[kind]} noise {train_level}", DAE),
        "overcomplete_ae": ("Same network, no noise", "overcomplete, trained on clean digits", {}),
        "ae": ("Plain autoencoder", "bottleneck z = 8, trained on clean digits", {"latent_dim": 8})}
ui.require(*[(name, cfg) for name, (_, _, cfg) in ROWS.items()])
data = gm.load_dataset(settings.dataset)
cell = 72 if data.shape[-1] <= 16 else 64
N_EVAL = 2000  # MNIST's 10k test images through three models would cost ~1 s per slider move
n_eval = min(N_EVAL, len(data.x_test))
set_name = f"all {n_eval} test digits" if n_eval == len(data.x_test) else f"{n_eval:,} test images"


def cfg_json(config: dict) -> str:
    return json.dumps({"seed": settings.seed, **config}, sort_keys=True)


@st.cache_data(max_entries=256, show_spinner=False)
def report(dataset: str, cfgs: tuple, kind: str, level: float, noise_seed: int) -> dict:
    d = gm.load_dataset(dataset)
    models = {name: ui.cached_model(name, dataset, c) for name, c in cfgs}
    shown = [int(np.flatnonzero(d.y_test[:N_EVAL].numpy() == c)[0]) for c in range(len(d.classes))]
    return denoise.denoise_report(models, d.x_test[:N_EVAL], kind, level, noise_seed, shown)


noise_seed = st.session_state[seed_key]
rep = report(settings.dataset, tuple((n, cfg_json(c)) for n, (_, _, c) in ROWS.items()),
             kind, float(test_level), noise_seed)
p = rep["psnr_all"]

# --- 1. clean, noisy, denoised ------------------------------------------------------------------
st.header("1 · The same noisy digits through three networks")
m = st.columns(4)
gain = p["denoising_ae"] - p["ae"]
m[0].metric("Denoiser vs plain autoencoder", f"{gain:+.1f} dB",
            help="How much closer to the clean images the denoiser's outputs are than the plain "
                 "autoencoder's, on the whole test set (PSNR difference; +3 dB = half the error).")
m[1].metric("PSNR · noisy input", f"{p['noisy']:.1f} dB" if p["noisy"] < 100 else "∞ (no noise)")
m[2].metric("PSNR · denoising AE", f"{p['denoising_ae']:.1f} dB")
m[3].metric("PSNR · plain autoencoder", f"{p['ae']:.1f} dB")
verdict = "closer to" if gain > 0 else "further from"
st.markdown(f"<div style='font-size:1.35rem'>On {set_name}, made noisy, the denoiser "
            f"is <b>{abs(gain):.1f} dB {verdict}</b> the clean images than the plain autoencoder.</div>",
            unsafe_allow_html=True)

labels = {"clean": ("Clean", "the target"), "noisy": ("Noisy input", f"{SHORT[kind]} noise {test_level:.2f}"),
          **{n: (a, b) for n, (a, b, _) in ROWS.items()}}
for row, (name, note) in labels.items():
    left, right = st.columns([1.3, 5], vertical_alignment="center")
    if row == "clean":
        left.markdown(f"**{name}**  \n{note}")
    else:
        left.markdown(f"**{name}**  \n{note}  \nPSNR **{rep['psnr_shown'][row]:.1f} dB** here · "
                      f"{p[row]:.1f} dB on {set_name}" if p[row] < 100 else f"**{name}**  \n{note}")
    with right:
        ui.images(rep["images"][row], ncols=len(rep["images"][row]), cell=cell)
st.button("🎲 New noise", key="denoise.new_noise", on_click=new_noise,
          help="Draw a new random corruption of the same digits.")
repair = "fills the holes in" if kind == "mask" else "wipes much of it away"
st.caption(f"Noise draw #{noise_seed}. PSNR = 10·log10(1/MSE) against the CLEAN digits (higher is "
           "better). "
           + ("No noise at this test level: every row sees clean digits." if p["noisy"] >= 100 else
              f"Compare the rows: the same network trained without noise copies much of the damage; "
              f"the denoiser {repair}." if gain >= 1 else
              f"At this noise level the two networks are within {abs(gain):.1f} dB of each other."))

# --- 2. train noise x test noise --------------------------------------------------------------
st.header("2 · Which training noise level works for which test noise level?")
metric = st.radio("Score", ["psnr", "mse"], horizontal=True, key=ui.param("metric", "psnr", options=["psnr", "mse"]),
                  format_func=lambda s: {"psnr": "PSNR (dB, higher is better)", "mse": "MSE (lower is better)"}[s])
specs = [(0.0, "overcomplete_ae", {})] + [(lv, "denoising_ae", {"noise": kind, "noise_level": lv}) for lv in LEVELS]
have = [(lv, n, c) for lv, n, c in specs if gm.is_cached(n, settings.dataset, seed=settings.seed, **c)]
missing = [(lv, n, c) for lv, n, c in specs if (lv, n, c) not in have]


@st.cache_data(max_entries=64, show_spinner="Scoring every model at every test noise level…")
def heat(dataset: str, cfgs: tuple, kind: str, metric: str) -> np.ndarray:
    d = gm.load_dataset(dataset)
    models = [ui.cached_model(n, dataset, c) for n, c in cfgs]
    return denoise.level_grid(models, d.x_test[:N_EVAL], kind, denoise.TEST_LEVELS, seed=0, metric=metric)


train_levels = [lv for lv, _, _ in have]
grid = heat(settings.dataset, tuple((n, cfg_json(c)) for _, n, c in have), kind, metric)
test_levels = list(denoise.TEST_LEVELS)
best = np.argmax(grid, 0) if metric == "psnr" else np.argmin(grid, 0)
finite = grid[:, 1:]  # test level 0 is a noise-free copy: keep it from stretching the colours
rows_lbl = [f"{lv:.1f}" + (" (no noise)" if lv == 0 else "") for lv in train_levels]
fig = go.Figure(go.Heatmap(
    z=grid, x=[f"{t:.1f}" for t in test_levels], y=rows_lbl, zmin=float(finite.min()), zmax=float(finite.max()),
    colorscale="Viridis", reversescale=metric == "mse",
    text=[[f"{v:.1f}" if metric == "psnr" else f"{v:.3f}" for v in r] for r in grid],
    texttemplate="%{text}", textfont=dict(size=15),
    colorbar=dict(title="dB" if metric == "psnr" else "MSE")))
fig.add_trace(go.Scatter(x=[f"{t:.1f}" for t in test_levels], y=[rows_lbl[i] for i in best], mode="markers",
                         marker=dict(symbol="square-open", size=46, color="#d62728", line=dict(width=4)),
                         name="best in this column", showlegend=True, hoverinfo="skip"))
fig.update_layout(height=120 + 70 * len(train_levels), font=dict(size=16), margin=dict(l=10, r=10, t=40, b=10),
                  xaxis=dict(title="test noise level (what the model is given)", type="category", tickfont=dict(size=16)),
                  yaxis=dict(title="training noise level", type="category", tickfont=dict(size=16)),
                  legend=dict(orientation="h", y=1.12))
st.plotly_chart(fig, key="denoise.heat")
wins = denoise.diagonal_wins(grid, train_levels, denoise.TEST_LEVELS, metric)
st.caption(f"Red boxes: the best model for each test level. The best denoising happens near the level a "
           f"model was trained on — the diagonal: here the model trained at a level wins at that level "
           f"in {wins['wins']} of {wins['of']} cases. Rows: {SHORT[kind]} noise; the no-noise row is the same "
           "network trained on clean digits.")
if missing:
    st.info("Only trained levels are shown; missing: "
            + ", ".join(f"{lv:.1f}" for lv, _, _ in missing) + ".")
    if st.button(f"Train the {len(missing)} missing level(s) in the background", key="denoise.train_missing"):
        st.session_state["denoise.training"] = True
    if st.session_state.get("denoise.training"):
        for _, n, c in missing:
            job = jobs.manager().submit(n, settings.dataset, seed=settings.seed, **c)
            if job.state != "done":
                ui.training_panel(job.id)
ui.share()
