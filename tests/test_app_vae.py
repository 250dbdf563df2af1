"""The VAE, latent-gaps and interpolation pages, and the pure functions behind them:
drawing preprocessing, map clicks, GAN inversion. Models are pre-trained once into a
temporary cache so every page renders at once."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

import gm
from gm import embed, posterior, sketch

ROOT = Path(__file__).resolve().parent.parent

MODELS = [("vae", {"latent_dim": 2, "beta": 1.0}), ("vae", {"latent_dim": 2, "beta": 8.0}),
          ("ae", {"latent_dim": 2}), ("vae", {"latent_dim": 2}), ("gan", {})]


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("gm-cache")
    old = os.environ.get("GM_CACHE_DIR")
    os.environ["GM_CACHE_DIR"] = str(path)
    for name, config in MODELS:
        gm.get_model(name, "digits", seed=0, **config)
    from gm.referee import get_referee
    get_referee("digits")
    yield path
    if old is None:
        os.environ.pop("GM_CACHE_DIR", None)
    else:
        os.environ["GM_CACHE_DIR"] = old


@pytest.fixture(autouse=True)
def clear():
    st.cache_resource.clear()
    st.cache_data.clear()


def page(path: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / path), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def canvas(kind: str, size: int = 280) -> np.ndarray:
    """A fake canvas drawing: a ring ('0') or a vertical bar ('1'), white strokes."""
    a = np.zeros((size, size, 4), np.uint8)
    yy, xx = np.mgrid[:size, :size] / size
    if kind == "0":
        r = np.sqrt(((yy - 0.5) / 0.36) ** 2 + ((xx - 0.5) / 0.22) ** 2)
        m = (r > 0.8) & (r < 1.0)
    else:
        m = (abs(xx - 0.53) < 0.04) & (yy > 0.15) & (yy < 0.85)
    a[m] = 255
    return a


# --- VAE page ---------------------------------------------------------------------------------

def test_vae_page_shows_elbo_and_collapse_with_large_beta():
    at = page("pages/5_VAE.py")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Active dimensions"] == "2 of 2" and not at.error
    at.select_slider(key="vae.beta").set_value(8.0).run()
    assert not at.exception
    assert any("Posterior collapse" in e.value for e in at.error)
    assert {m.label: m.value for m in at.metric}["Active dimensions"] == "0 of 2"


def test_resample_eps_changes_reconstructions():
    vae = gm.get_model("vae", "digits", seed=0, latent_dim=2)
    x = gm.load_dataset("digits").x_test[:4]
    a, b = posterior.resample(vae, x, 8, seed=0), posterior.resample(vae, x, 8, seed=1)
    assert a.shape == (32, 1, 8, 8) and (a - b).abs().max() > 0.05
    at = page("pages/5_VAE.py")
    at.button(key="vae.resample").click().run()
    assert not at.exception and at.session_state["vae.eps"] == 1


# --- drawing ----------------------------------------------------------------------------------

def test_drawing_becomes_a_dataset_image_the_referee_reads():
    from gm.referee import get_referee
    ref = get_referee("digits")
    for kind in "01":
        x = sketch.to_dataset_image(canvas(kind), (1, 8, 8))
        assert x.shape == (1, 8, 8) and 0 <= x.min() and x.max() == pytest.approx(1.0)
        assert int(ref.predict_proba(x[None]).argmax()) == int(kind)
    m = sketch.to_dataset_image(canvas("0"), (1, 28, 28))  # MNIST: mass centred, 20 px box
    ys, xs = torch.nonzero(m[0] > 0, as_tuple=True)
    assert m.shape == (1, 28, 28) and abs(float(ys.float().mean()) - 13.5) < 1.5
    assert int(ys.max() - ys.min()) + 1 <= 21


def test_blank_or_odd_drawings_give_none_without_raising():
    for odd in [np.zeros((280, 280, 4)), None, "x", np.zeros(5), [[1, 2], [3]],
                np.full((3, 3, 4), np.nan), np.zeros((0, 0, 4))]:
        assert sketch.to_dataset_image(odd, (1, 8, 8)) is None
    huge = np.full((3000, 20, 4), 255, np.uint8)  # a long thin stroke: still an image
    assert sketch.to_dataset_image(huge, (1, 28, 28)).shape == (1, 28, 28)
