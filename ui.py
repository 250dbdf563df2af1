"""The one place where Streamlit meets gm: page set-up, the shared sidebar, controls
mirrored in the URL, one way to get a model (cached instantly, else trained in the
background with a live panel), and image/figure helpers every page uses.

A page reads like this:

    settings = ui.setup("Autoencoder", "ae")
    z = st.select_slider("Code size", [2, 4, 8], key=ui.param("latent", 8, options=[2, 4, 8]))
    ae, = ui.require(("ae", {"latent_dim": z}))     # stops the page while it trains
    ...
    ui.share()                                       # the URL now reproduces this view
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

import gm
from gm import jobs
from gm import referee as _referee
from gm.viz import grid

DATASET_LABELS = {"digits": "Digits (8x8, built in)", "mnist": "MNIST (28x28)",
                  "fashion_mnist": "Fashion-MNIST (28x28)"}
# the lab's map: the sidebar navigation and the home page list it (Streamlit's own
# navigation is hidden in .streamlit/config.toml: it would call the home page "app")
PAGES = [
    ("app.py", "Home", "what the lab is; supervised vs unsupervised; generative vs discriminative"),
    ("pages/1_Autoencoder.py", "Autoencoder", "bottleneck, code size, stacking, features"),
    ("pages/2_Overcomplete_and_sparse.py", "Overcomplete & sparse", "the identity trap and its cure"),
    ("pages/3_Denoising.py", "Denoising", "rebuild clean digits from damaged ones"),
    ("pages/4_Convolutional.py", "Convolutional", "convolutions, pooling, transposed convs"),
    ("pages/5_VAE.py", "VAE", "mean, deviation, the KL term, β"),
    ("pages/6_Latent_gaps.py", "Latent gaps", "why a plain AE cannot invent, a VAE can"),
    ("pages/7_Interpolation.py", "Interpolation", "from a 0 to a 9 through latent space"),
    ("pages/8_GAN.py", "GAN", "generator against discriminator, live"),
]
_SHADOW = "_gm_shadow"    # widget values kept across page switches
_PARAMS = "_gm_params"    # params registered by the page in this run
_KEYS = "_gm_param_keys"  # every widget key param() ever handed out in this session


@dataclass
class Settings:
    dataset: str
    seed: int
    page: str


# --- set-up and sidebar -----------------------------------------------------------------------

def setup(title: str, page: str, icon: str = "🧪") -> Settings:
    """Page config, the shared sidebar; call first on every page."""
    st.set_page_config(page_title=f"{title} · gm lab", page_icon=icon, layout="wide")
    st.session_state[_PARAMS] = {}
    st.session_state["_gm_page"] = page
    # a run that stops early (a model is training) does not draw the controls below the
    # stop, and Streamlit would then forget their values; re-assigning keeps them
    for key in st.session_state.get(_KEYS, ()):
        if key.startswith(f"{page}.") and key in st.session_state:
            st.session_state[key] = st.session_state[key]
    with st.sidebar:
        _navigation()
        ds_key = param("dataset", "digits", options=list(gm.DATASETS), shared=True)
        dataset = st.selectbox("Dataset", list(gm.DATASETS), key=ds_key,
                               format_func=lambda d: f"{DATASET_LABELS[d]} · {dataset_status(d)}")
        seed = st.number_input("Seed", 0, 9999, key=param("seed", 0, lo=0, hi=9999, shared=True),
                               help="Every model is trained from this seed; change it to see "
                                    "how much a result depends on luck.")
        status = dataset_status(dataset)
        if status == "missing":
            st.warning(f"{dataset} is not on this machine. Put its idx files in "
                       f"`{gm.data.raw_folder(dataset)}` or run `python train.py --dataset {dataset}` "
                       f"while online.")
        st.caption(f"Device: {gm.describe_device()}")
        _jobs_summary()
    try:
        data = gm.load_dataset(dataset)
    except gm.DatasetError as e:
        st.error(str(e))
        st.info("Switch the dataset in the sidebar to Digits to keep going.")
        st.stop()
    if data.notice:
        st.sidebar.caption(data.notice)
    return Settings(dataset, int(seed), page)


def _navigation() -> None:
    for path, label, _ in PAGES:
        try:
            st.page_link(path, label=label)
        except StreamlitAPIException:  # AppTest runs a page file without the app around it
            return
    st.divider()


@st.cache_data(ttl=30, show_spinner=False)
def dataset_status(name: str) -> str:
    s = gm.dataset_status(name)
    if s == "missing":
        return "missing (needs download)"
    return s


def _jobs_summary() -> None:
    active = [j for j in jobs.manager().jobs() if j.state in ("queued", "running")]
    if active:
        st.caption(f"Training now: {len(active)} job(s) — "
                   + ", ".join(f"{j.name} ({j.state})" for j in active[:4]))


# --- controls mirrored in the URL -------------------------------------------------------------

def param(name: str, default, *, options=None, lo=None, hi=None, shared: bool = False) -> str:
    """Initialise the widget value `name` once per session, from (in order) this session's
    earlier value, the URL query string, else `default`; returns the widget key. Bad URL
    values are ignored with a notice. `shared` params (dataset, seed) are the same on every page."""
    key = name if shared else f"{st.session_state.get('_gm_page', '')}.{name}"
    st.session_state.setdefault(_PARAMS, {})[name] = key
    st.session_state.setdefault(_KEYS, set()).add(key)
    shadow = st.session_state.setdefault(_SHADOW, {})
    if key not in st.session_state:
        value = shadow.get(key, default)
        raw = st.query_params.get(name)
        if key not in shadow and raw is not None:
            parsed = _parse(raw, default, options, lo, hi)
            if parsed is None:  # shown where the control is, even if the page stops later
                note = f"Ignored `{name}={raw}` from the link (not a valid value); using {default!r}."
                st.caption(note)
                st.toast(note, icon="ℹ️")
            else:
                value = parsed
        st.session_state[key] = value
    return key


def _parse(raw: str, default, options, lo, hi):
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("true", "false", "1", "0"):
                return None
            v = raw.lower() in ("true", "1")
        elif isinstance(default, int):
            v = int(raw)
        elif isinstance(default, float):
            v = float(raw)
        else:
            v = raw
    except ValueError:
        return None
    if options is not None:
        return v if v in options else None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return None
    return v


def share() -> None:
    """Mirror this page's controls into the URL. Call at the end of a page."""
    shadow = st.session_state.setdefault(_SHADOW, {})
    params = dict(st.query_params)  # keep values of controls this run did not reach
    for name, key in st.session_state.get(_PARAMS, {}).items():
        if key in st.session_state:
            shadow[key] = st.session_state[key]
            params[name] = str(st.session_state[key])
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


# --- models -----------------------------------------------------------------------------------

def _key(config: dict) -> str:
    return json.dumps(config, sort_keys=True)


@st.cache_resource(max_entries=64, show_spinner=False)
def _load(name: str, dataset: str, config_json: str):
    # only called for cached models: a load takes milliseconds. Never mutate the result.
    return gm.get_model(name, dataset, **json.loads(config_json))


def cached_model(name: str, dataset: str, config_json: str):
    """The shared, loaded model for a hashable key (for use inside st.cache_data functions)."""
    return _load(name, dataset, config_json)


def require(*specs: tuple[str, dict], dataset: str | None = None, seed: int | None = None):
    """Models for (name, config) pairs: loaded instantly when cached, else queued for
    background training with a live panel, and the page stops until they are ready.
    The sidebar's dataset and seed apply unless the config names a seed."""
    dataset = dataset or st.session_state.get("dataset", "digits")
    seed = st.session_state.get("seed", 0) if seed is None else seed
    models, waiting = [], []
    for name, config in specs:
        config = {"seed": int(seed), **config}
        try:
            cached = gm.is_cached(name, dataset, **config)
        except (ValueError, gm.DatasetError) as e:
            st.error(f"Cannot use {name} with these settings: {e}")
            st.stop()
        if cached:
            models.append(_load(name, dataset, _key(config)))
            continue
        job = jobs.manager().submit(name, dataset, **config)
        if job.state == "done":
            models.append(_load(name, dataset, _key(config)))
        else:
            waiting.append(job)
    if waiting:
        st.info("Training the model(s) this view needs. The page updates by itself when they are "
                "ready; you can keep exploring other pages meanwhile.")
        for job in waiting:
            training_panel(job.id)
        share()
        st.stop()
    return models


def referee(dataset: str | None = None):
    """The dataset's referee classifier: loaded when cached, else trained in the background
    like any model (call it at the top of a page before cached functions use it)."""
    dataset = dataset or st.session_state.get("dataset", "digits")
    return require(("referee", _referee.settings(dataset)), dataset=dataset)[0]


@st.fragment(run_every=0.7)
def training_panel(job_id: int) -> None:
    """Live progress, loss curve, queue position and a cancel button for one job."""
    job = jobs.manager().get(job_id)
    if job is None:
        return
    defaults = gm.models.config_dict(gm.make_config(job.name))  # name only what differs
    cfg = ", ".join(f"{k}={v}" for k, v in job.config.items()
                    if k != "seed" and defaults.get(k) != v)
    with st.container(border=True):
        st.markdown(f"**{job.name}** on {job.dataset} · {cfg or 'defaults'}")
        if job.state == "queued":
            st.progress(0.0, text=f"Queued: position {job.position()} (the machine trains "
                                  f"{jobs.manager().max_workers} model(s) at a time)")
        elif job.state == "running":
            st.progress(min(1.0, job.progress),
                        text=f"Training: epoch {job.epoch}/{job.epochs}")
            if job.history:
                st.line_chart([{k: v for k, v in h.items() if k in ("loss", "d_loss", "g_loss")}
                               for h in job.history], height=160)
        elif job.state == "done":
            st.rerun(scope="app")
        else:
            st.error(f"Training {job.state}: {job.error or 'cancelled'}")
            if st.button("Try again", key=f"retry-{job.id}"):
                jobs.manager().submit(job.name, job.dataset, **job.config)
                st.rerun(scope="app")
            return
        if st.button("Cancel", key=f"cancel-{job.id}"):
            job.cancel()


# --- display ----------------------------------------------------------------------------------

def images(x, ncols: int = 8, cell: int = 56, caption: str | None = None) -> None:
    """A batch (N,1,H,W) in [0,1] as one crisp grid image."""
    st.image(grid(x, ncols=ncols, cell=cell), caption=caption)


def intro(text: str, formula: str | None = None) -> None:
    """A page's opening explanation and its key formula."""
    st.markdown(text)
    if formula:
        st.latex(formula)
