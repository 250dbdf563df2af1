"""The VAE, latent-gaps and interpolation pages, and the pure functions behind them:
drawing preprocessing, map clicks, GAN inversion. Models are pre-trained once into a
temporary cache so every page renders at once."""
from __future__ import annotations


import numpy as np
import pytest
import torch

import gm
from gm import embed, posterior, sketch
from apptest_support import cache_fixtures, page


MODELS = [("vae", {"latent_dim": 2, "beta": 1.0}), ("vae", {"latent_dim": 2, "beta": 8.0}),
          ("vae", {"latent_dim": 2, "beta": 0.0}),
          ("ae", {"latent_dim": 2}), ("vae", {"latent_dim": 2}), ("gan", {})]

cache, clear = cache_fixtures(MODELS)


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


def test_vae_page_gap_captions_follow_the_measured_prior_coverage():
    at = page("pages/5_VAE.py")
    text = " ".join(c.value for c in at.caption)
    assert "leave no empty gaps" in text and "there are no holes" in text
    at.select_slider(key="vae.beta").set_value(0.0).run()
    text = " ".join(c.value for c in at.caption)
    assert not at.exception and "no empty gaps" not in text and "no holes" not in text
    assert "cover only" in text and "β = 0" in text


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
    huge = np.zeros((3000, 20, 4), np.uint8)  # a long thin canvas with one stroke
    huge[100:2900, 5:15] = 255
    assert sketch.to_dataset_image(huge, (1, 28, 28)).shape == (1, 28, 28)


# --- latent gaps page -----------------------------------------------------------------------

def test_click_codes_decode_the_same_map_point_in_both_models():
    z = np.random.default_rng(0).standard_normal((50, 2)).astype(np.float32)
    maps = {"ae": {"z": z, "points": z, "pca": None}, "vae": {"z": z * 0.1, "points": z * 0.1, "pca": None}}
    out = embed.click_codes("raw", [0.5, -1.0], "ae", maps)
    assert np.allclose(out["ae"]["code"], [0.5, -1.0]) and np.allclose(out["vae"]["code"], [0.5, -1.0])
    pca = {n: embed.pca_map(torch.from_numpy(np.c_[m["z"], m["z"]])) for n, m in maps.items()}
    maps8 = {n: {"z": np.c_[m["z"], m["z"]], "points": pca[n]["points"], "pca": pca[n]} for n, m in maps.items()}
    out = embed.click_codes("pca", [0.3, 0.2], "vae", maps8)
    for n in maps8:  # the PCA inverse lands back on the clicked map point
        assert np.allclose(embed.pca_forward(out[n]["code"], pca[n])[0], [0.3, 0.2], atol=1e-4)
    out = embed.click_codes("tsne", maps["ae"]["points"][7] + 1e-3, "ae", maps)
    assert out["ae"]["index"] == 7 and np.allclose(out["vae"]["code"], maps["vae"]["z"][7])


def test_gaps_page_click_decodes_with_both_models_and_measures_holes():
    at = page("pages/6_Latent_gaps.py")
    assert any("Click any point" in i.value for i in at.info)
    assert any("Draw a digit" in i.value for i in at.info)  # empty canvas: a hint, no error
    table = at.dataframe[0].value
    fd = dict(zip(table["Samples"], table["Fréchet distance ↓"]))
    assert fd["Autoencoder, z ~ N(0, I)"] > 1.5 * fd["VAE, z ~ N(0, I)"]  # the gaps, measured
    assert fd["Real training images (best possible)"] < fd["VAE, z ~ N(0, I)"] < fd["Uniform noise (no learning)"]
    # a click as the plotly chart reports it, on the autoencoder's map, in empty space
    at.session_state["gaps.map_ae"] = {"selection": {"points": [{"x": 3.0, "y": -3.0}],
                                                     "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception
    decoded = [m.value for m in at.markdown if "decoder" in m.value and "referee" in m.value]
    assert len(decoded) == 2 and "Autoencoder decoder" in decoded[0] and "VAE decoder" in decoded[1]
    assert at.session_state["gaps.click"]["xy"] == [3.0, -3.0]
    at.radio(key="gaps.view").set_value("pca").run()  # a click on another view is not reused
    assert not at.exception and any("Click any point" in i.value for i in at.info)


def test_gaps_page_tsne_view():
    at = page("pages/6_Latent_gaps.py")
    at.radio(key="gaps.view").set_value("tsne").run()
    assert not at.exception and any("distances between" in c.value for c in at.caption)


# --- interpolation page -----------------------------------------------------------------------

def test_gan_inversion_finds_a_close_generated_image():
    gan = gm.get_model("gan", "digits", seed=0)
    x = gm.load_dataset("digits").x_test[0]
    z, err = embed.invert_gan(gan, x)
    far = float(((gan.sample(64, seed=1) - x) ** 2).flatten(1).mean(1).min())
    assert z.shape == (gan.latent_dim,) and err < far  # better than the best of 64 random draws
    assert not any(p.grad is not None for p in gan.parameters())  # the shared model is untouched


def test_interpolation_page_default_0_to_9_and_slerp():
    at = page("pages/7_Interpolation.py")
    assert "a 0" in at.subheader[0].value and "a 9" in at.subheader[0].value
    rows = [m.value for m in at.markdown if "mean referee confidence" in m.value]
    assert len(rows) == 3
    at.radio(key="interp.mode").set_value("slerp").run()
    at.slider(key="interp.steps").set_value(5).run()
    assert not at.exception
    path = embed.latent_path(torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0]), 5, "slerp")
    assert torch.allclose(path.norm(dim=1), torch.ones(5), atol=1e-5)
