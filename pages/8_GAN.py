"""GAN cockpit: sample the trained GAN with D(x) beside every sample, walk through noise
space, and train a GAN live, stepping D or G alone, with loss curves, D(x) histograms,
a collapse meter, a memorization check and plain-words diagnoses."""
import base64
import io

import streamlit as st
from PIL import Image
import torch

import gm
import ui
from gm import gan_live, gan_report as report, metrics
from gm.viz import grid, upscale, to_uint8

settings = ui.setup("GAN", "gan", icon="⚔️")
st.title("⚔️ GAN: a generator against a discriminator")
ui.intro(
    "A **generator** G turns random noise z into an image; a **discriminator** D looks at an "
    "image and says how likely it is real. They play a game: D learns to tell real digits from "
    "G's fakes, G learns to fool D. Each one is trained against a **fixed** opponent: one step "
    "moves D with G frozen, the next moves G with D frozen. When the game is balanced D "
    "outputs 0.5 for everything; when it is not, training fails in ways you can see below.",
    r"\min_G \max_D \; \mathbb{E}_{x\sim p_\text{data}}[\log D(x)] + "
    r"\mathbb{E}_{z\sim\mathcal{N}(0,I)}[\log(1 - D(G(z)))]")

MODES = {"sample": "🎲 Sample the trained GAN", "live": "🏋️ Train a GAN live"}
mode = st.radio("View", list(MODES), format_func=MODES.get, horizontal=True,
                key=ui.param("mode", "sample", options=list(MODES)), label_visibility="collapsed")
LR = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2]


@st.cache_data(max_entries=64, show_spinner=False)
def sheet(dataset: str, config_json: str, seed: int, n: int = 16) -> dict:
    s = report.sample_sheet(ui.cached_model("gan", dataset, config_json), n, seed, ui.referee(dataset))
    return {"img": to_uint8(s["x"]), "z": s["z"], "d": s["d"], "label": s["label"]}


@st.cache_data(max_entries=64, show_spinner=False)
def path(dataset: str, config_json: str, seed: int, a: int, b: int, how: str) -> dict:
    z = sheet(dataset, config_json, seed)["z"]
    p = report.noise_path(ui.cached_model("gan", dataset, config_json), z[a], z[b], 9, how)
    return {"img": to_uint8(p["x"]), "d": p["d"]}


@st.cache_data(max_entries=8, show_spinner="Scoring 1,000 samples…")
def quality(dataset: str, config_json: str) -> dict:
    gan, ref, data = ui.cached_model("gan", dataset, config_json), ui.referee(dataset), gm.load_dataset(dataset)
    samples, fr = gan.sample(1000, seed=0), ref.features(data.x_test)
    r = metrics.sample_report(samples, ref, data.x_test, fr)
    anchors = metrics.sample_anchors(ref, data, real_features=fr)
    return r | {"floor": anchors["floor"]["fd"], "ceiling": anchors["ceiling"]["fd"],
                "d_fake": float(gan.d_score(samples).mean()),
                "d_real": float(gan.d_score(data.x_test).mean())}


def cells(imgs, captions, ncols: int = 8, size: int = 120) -> None:
    """Images in columns, each with its caption underneath (D(x) beside every sample)."""
    for row in range(0, len(imgs), ncols):
        for col, img, cap in zip(st.columns(ncols), imgs[row:row + ncols], captions[row:row + ncols]):
            col.image(upscale(img, size), caption=cap, width="stretch")


def inline_image(img, caption: str = "") -> None:
    """An image embedded in the page itself: at 5 redraws/s, st.image's media URLs can expire
    before the browser fetches them, leaving a broken-image icon."""
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "PNG")
    src = base64.b64encode(buf.getvalue()).decode()
    st.markdown(f'<img src="data:image/png;base64,{src}" style="width:100%;image-rendering:pixelated">'
                f'<p style="text-align:center;color:gray">{caption}</p>', unsafe_allow_html=True)


# --- live sampling ----------------------------------------------------------------------------------

if mode == "sample":
    gan, = ui.require(("gan", {}))
    ui.referee(settings.dataset)
    cfg = ui._key({"seed": settings.seed})
    seed_key = ui.param("noise", 0, lo=0, hi=99999)
    c1, c2, c3 = st.columns([1, 1, 3])
    c1.number_input("Noise seed", 0, 99999, key=seed_key,
                    help="The same seed always gives the same 16 noise vectors z.")
    c2.button("🎲 New noise", key="gan.new_noise",
              on_click=lambda: st.session_state.__setitem__(seed_key, (st.session_state[seed_key] + 1) % 100000))
    q = quality(settings.dataset, cfg)
    c3.markdown(f"**Quality of 1,000 samples:** Fréchet distance to test images **{q['fd']:.1f}** "
                f"on a scale from {q['floor']:.1f} (real training images) to {q['ceiling']:.0f} (uniform "
                f"noise): **{q['fd'] / q['ceiling']:.1%}** of the way to noise · classes covered "
                f"**{q['classes_covered']}/10** · trained in {gan.info.get('train_seconds', 0):.0f} s",
                help="Fréchet distance between the referee classifier's features of the samples and of "
                     "the test images (FID's recipe with a digit classifier instead of Inception). "
                     "0 = same statistics as real digits.")
    s = sheet(settings.dataset, cfg, int(st.session_state[seed_key]))
    cells(s["img"], [f"#{i} · D(x)={d:.2f} · {c}?" for i, (d, c) in
                     enumerate(zip(s["d"], s["label"]))])
    gap = q["d_real"] - q["d_fake"]
    verdict = ("so close that D can barely tell them apart any more" if abs(gap) < 0.1 else
               f"so D still scores real digits {gap:.2f} higher and spots many fakes; at the game's "
               f"balance point both would sit at 0.5" if gap > 0 else
               "D scores the fakes higher than real digits: it has been fooled")
    st.caption(f"D(x) is the discriminator's belief that an image is real. Averaged over 1,000 samples "
               f"it is {q['d_fake']:.2f}, and {q['d_real']:.2f} on real test digits: {verdict}. "
               f"The lowest D(x) marks the fakes it finds easiest to spot.")

    st.subheader("Walk through noise space")
    c1, c2, c3 = st.columns(3)
    a = c1.number_input("From sample #", 0, 15, key=ui.param("a", 0, lo=0, hi=15))
    b = c2.number_input("To sample #", 0, 15, key=ui.param("b", 1, lo=0, hi=15))
    how = c3.radio("Path", ["slerp", "lerp"], horizontal=True, key=ui.param("path", "slerp", options=["slerp", "lerp"]),
                   help="slerp follows a great circle, keeping |z| typical of N(0, I); lerp cuts "
                        "straight through the rarely sampled centre.")
    p = path(settings.dataset, cfg, int(st.session_state[seed_key]), int(a), int(b), how)
    cells(p["img"], [f"D(x)={d:.2f}" for d in p["d"]], ncols=9)
    st.caption("Every step is a real generator output: smooth morphs mean G learned a continuous map "
               "from noise to digits, not a lookup table of training images.")
    ui.share()
    st.stop()

# --- live training ---------------------------------------------------------------------------------

c1, c2, c3, c4 = st.columns(4)
start_from = c1.radio("Start from", ["fresh", "trained"], horizontal=True,
                      format_func={"fresh": "random weights", "trained": "the trained GAN"}.get,
                      key=ui.param("from", "fresh", options=["fresh", "trained"]))
ratio = c2.slider("D steps per G step", 1, 10, key=ui.param("ratio", 1, lo=1, hi=10))
lr_d = c3.select_slider("D learning rate", LR, key=ui.param("lr_d", 2e-3, options=LR), format_func=lambda v: f"{v:g}")
lr_g = c4.select_slider("G learning rate", LR, key=ui.param("lr_g", 2e-3, options=LR), format_func=lambda v: f"{v:g}")

RECIPES = {"⚖️ Balanced (defaults)": (1, 2e-3, 2e-3),
           "🟥 Let D win: 5 D steps, D lr 5e-3, G lr 1e-4": (5, 5e-3, 1e-4),
           "🔥 Both too fast: lr 2e-2": (1, 2e-2, 2e-2)}


def use_recipe(name: str) -> None:
    st.session_state["gan.ratio"], st.session_state["gan.lr_d"], st.session_state["gan.lr_g"] = RECIPES[name]


r = st.columns([1, 2, 3, 2])
r[0].markdown("**Recipes:**")
for col, name in zip(r[1:], RECIPES):
    col.button(name, key=f"gan.recipe.{list(RECIPES).index(name)}", on_click=use_recipe, args=(name,),
               help="Sets the three controls above; press Start to watch what happens.")

live_key = f"gan.live.{settings.dataset}.{settings.seed}.{start_from}"
if live_key not in st.session_state:
    base = ui.require(("gan", {}))[0] if start_from == "trained" else None
    with st.spinner("Setting up a live GAN…"):
        st.session_state[live_key] = gan_live.LiveGAN(settings.dataset, seed=settings.seed,
                                                      model=base, referee=ui.referee(settings.dataset))
live: gan_live.LiveGAN = st.session_state[live_key]
live.set_lr(lr_g=lr_g, lr_d=lr_d)
live.d_steps = int(ratio)

b = st.columns(6)
if b[0].button("▶️ Start", key="gan.start", type="primary", disabled=live.running):
    live.start()
if b[1].button("⏸️ Pause", key="gan.pause", disabled=not live.running):
    live.pause()
if b[2].button("⏭️ Single step", key="gan.step", help=f"{ratio} D update(s), then 1 G update"):
    live.step()
if b[3].button("🟥 Step D only", key="gan.step_d", help="Train D one batch; G is frozen"):
    live.step_d()
if b[4].button("🟦 Step G only", key="gan.step_g", help="Train G one batch; D is frozen"):
    live.step_g()
if b[5].button("🔄 Reset", key="gan.reset", help="Throw this GAN away and start again"):
    live.pause()
    del st.session_state[live_key]
    st.rerun()

REFRESH = 0.2  # seconds: 5 chart updates per second while training runs


def panel(auto: bool) -> None:
    v = live.view()
    if auto and not live.running:  # paused by itself or failed: stop the refresh timer
        st.rerun(scope="app")
    if v["error"]:
        st.error(f"Training stopped: {v['error']}")
    if v["note"]:
        st.info(v["note"])
    if v["state"] == "waiting":
        st.warning(f"Waiting for a free training slot: {v['slots'][0]} of {v['slots'][1]} live "
                   f"trainings are running on this machine. Yours starts when one pauses.")
    moved = v["moved"]
    # while training, static charts: the browser redraws 5x/s without hover/zoom layers
    chart_config = {"staticPlot": True} if auto else {"displayModeBar": False}
    top = st.columns([2, 1, 1, 1])
    rate = f" · {v['rate']:.0f} updates/s" if v["state"] == "running" else ""
    top[0].markdown(f"### {v['state'].capitalize()}{rate}\n{v['n_d']} D updates · {v['n_g']} G updates "
                    f"· last action: **{v['action'] or '–'}**")
    for col, net, name in ((top[1], "D", "Discriminator"), (top[2], "G", "Generator")):
        col.metric(f"{name} moved ‖Δθ‖", f"{moved[net]:.4f}",
                   "moved" if moved[net] > 0 else "frozen", delta_color="normal" if moved[net] > 0 else "off",
                   delta_arrow="up" if moved[net] > 0 else "off",
                   help="Size of the change of this network's parameters since the last frame.")
    top[3].metric("D(x) real / fake", f"{sum(v['d_real']) / len(v['d_real']):.2f} / "
                                      f"{sum(v['d_fake']) / len(v['d_fake']):.2f}")
    c1, c2 = st.columns(2)
    with c1:
        st.plotly_chart(report.fig_losses(v["curves"]), key="gan.fig_losses", config=chart_config)
        st.caption("D's loss sits near log 4 ≈ 1.39 when it cannot tell real from fake; a D loss "
                   "sliding to 0 means D is winning.")
    with c2:
        st.plotly_chart(report.fig_scores(v["hist"]), key="gan.fig_scores", config=chart_config)
        st.caption("Green: D(x) on real digits, orange: on G's fakes. Far apart = D wins; "
                   "overlapping around 0.5 = G fools D.")
    c1, c2 = st.columns(2)
    with c1:
        tl = v["timeline"]
        pct = st.slider("Timeline (% of the run so far; 100 = now)", 0, 100, 100, key="gan.timeline")
        if pct < 100 and tl:
            it, imgs = tl[min(len(tl) - 1, int(pct / 100 * len(tl)))]
            inline_image(grid(imgs, ncols=8, cell=64), f"Fixed noise after {it} updates")
        else:
            inline_image(grid(v["fixed"], ncols=8, cell=64), f"Fixed noise now ({v['it']} updates)")
        st.caption("The same 32 noise vectors every time, so every change is G learning.")
    with c2:
        col = v["collapse"]
        m1, m2 = st.columns(2)
        m1.metric("Classes covered (≥ 5%)", f"{col['classes_covered']}/10")
        m2.metric("Diversity vs real", f"{col['diversity']:.2f}")
        st.plotly_chart(report.fig_classes(col, live.data.classes), key="gan.fig_classes", config=chart_config)
        st.caption(f"Mode-collapse meter: the referee labels {len(v['d_fake'])} samples. "
                   + ("**Collapsed**: only a few classes or little variety." if col["collapsed"]
                      else "Not collapsed: samples spread over the classes."))
    memo = v["memo"]
    st.markdown(f"**Memorization check:** top row 8 samples, bottom row the nearest training image "
                f"of each. Median distance {memo['median']:.2f} = **{memo['ratio']:.2f}×** the median "
                f"distance of unseen test digits to the training set "
                + ("(**copying!**)" if memo["copying"] else "(not copying: as new as unseen digits)"))
    inline_image(grid(torch.cat([memo["shown"], memo["nearest"]]), ncols=8, cell=96))
    for level, text in v["diagnoses"]:
        {"error": st.error, "warning": st.warning, "ok": st.success}[level](text)


st.fragment(panel, run_every=REFRESH if live.running else None)(auto=live.running)
ui.share()
