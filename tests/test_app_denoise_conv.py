"""The denoising page and the convolutional page, and gm.denoise / gm.layers behind them.
Models are pre-trained once into a temporary cache so the pages render at once; every
page test sets a widget by key and checks what the page then shows."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
import torch.nn as nn
from streamlit.testing.v1 import AppTest

import gm
from gm import denoise, layers
from apptest_support import cache_fixtures, captions, metric, page

DENOISE, CONV = "pages/3_Denoising.py", "pages/4_Convolutional.py"
MODELS = [("ae", {"latent_dim": 8}), ("overcomplete_ae", {}),
          ("denoising_ae", {"noise": "mask", "noise_level": 0.5}),
          ("denoising_ae", {"noise": "gaussian", "noise_level": 0.5}),
          ("conv_ae", {"latent_dim": 8}), ("conv_ae", {"latent_dim": 8, "upsample": "nearest"})]

cache, clear = cache_fixtures(MODELS, referee=False)


def db(at, label: str) -> float:
    return float(re.match(r"[+-]?[\d.]+", metric(at, label).value).group())


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


# --- smoke ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [DENOISE, CONV])
def test_renders_without_exception(path):
    at = page(path)
    assert not any("Training the model" in i.value for i in at.info)  # models came from the cache
    assert at.get("plotly_chart") or at.dataframe


@pytest.mark.parametrize("path, query, name", [(DENOISE, {"kind": "bogus"}, "kind"),
                                               (DENOISE, {"train": "0.42"}, "train"),
                                               (CONV, {"latent": "999"}, "latent"),
                                               (CONV, {"digit": "abc"}, "digit")])
def test_bad_query_param_gives_a_notice_not_an_exception(path, query, name):
    at = page(path, **query)
    assert f"Ignored `{name}=" in captions(at)


# --- denoising page -----------------------------------------------------------------------------

def test_denoiser_beats_the_plain_autoencoder_on_noisy_inputs():
    at = page(DENOISE)
    dae, ae, noisy = db(at, "PSNR · denoising AE"), db(at, "PSNR · plain"), db(at, "PSNR · noisy")
    assert dae > ae + 2 and dae > noisy + 3  # measured: 16.1 vs 11.2 vs 9.4 dB on mask 0.5
    gain = db(at, "Denoiser vs plain")
    assert gain == pytest.approx(dae - ae, abs=0.11)
    assert f"On all 359 test digits, made noisy, the denoiser is <b>{gain:.1f} dB closer to</b>" in markdown(at)
    # per row: the network trained without noise copies the damage, the denoiser does not
    shown = {m.group(1): float(m.group(2)) for m in
             re.finditer(r"\*\*([^*]+)\*\*\s+\n[^\n]*\s+\nPSNR \*\*([\d.]+) dB\*\* here", markdown(at))}
    assert shown["Denoising AE"] > shown["Same network, no noise"] + 3
    assert shown["Denoising AE"] > shown["Plain autoencoder"]


def test_changing_noise_kind_changes_the_psnr_shown():
    at = page(DENOISE)
    before = (db(at, "PSNR · noisy"), db(at, "PSNR · denoising AE"))
    at.radio(key="denoise.kind").set_value("gaussian").run()
    assert not at.exception
    after = (db(at, "PSNR · noisy"), db(at, "PSNR · denoising AE"))
    assert after[0] != before[0] and after[1] != before[1]
    assert "trained on gaussian noise 0.5" in markdown(at)
    assert db(at, "Denoiser vs plain") > 0


def test_test_noise_level_and_new_noise_button():
    at = page(DENOISE)
    at.slider(key="denoise.test").set_value(0.2).run()
    low = db(at, "PSNR · noisy")
    at.slider(key="denoise.test").set_value(0.8).run()
    assert db(at, "PSNR · noisy") < low - 3  # more noise, further from clean
    assert "Noise draw #0" in captions(at)
    md = markdown(at)
    at.button(key="denoise.new_noise").click().run()
    assert not at.exception
    assert "Noise draw #1" in captions(at) and markdown(at) != md
    assert at.query_params["noise_seed"] == "1"


def test_heat_map_rows_are_the_cached_levels_and_the_diagonal_wins():
    at = page(DENOISE)
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heat["y"] == ["0.0 (no noise)", "0.5"]  # only the cached training levels
    assert heat["x"][0] == "0.0" and heat["x"][-1] == "0.9"
    assert "wins at that level in 2 of 2 cases" in captions(at)
    note = next(i.value for i in at.info if "missing" in i.value)
    assert "0.1, 0.3, 0.7" in note
    assert at.button(key="denoise.train_missing")
    at.radio(key="denoise.metric").set_value("mse").run()
    assert not at.exception and "2 of 2 cases" in captions(at)


# --- convolutional page -------------------------------------------------------------------------

def test_layer_table_walks_from_input_size_back_to_input_size():
    at = page(CONV)
    t = at.dataframe[0].value
    shapes = list(t["output shape (C × H × W)"])
    assert shapes[0] == "1 × 8 × 8" and shapes[-1] == "1 × 8 × 8"
    assert "8" in shapes  # the code
    assert "16 × 4 × 4" in shapes and "32 × 2 × 2" in shapes
    model = gm.get_model("conv_ae", "digits", seed=0, latent_dim=8)
    assert t["parameters"].sum() == model.n_params()
    assert any(s.startswith("ConvTranspose2d 4×4 s2") for s in t["layer"])


def test_feature_map_layer_select_changes_the_view():
    at = page(CONV)
    assert "layer #3" in captions(at)
    at.selectbox(key="conv.layer").set_value(14).run()
    assert not at.exception and "layer #14" in captions(at)
    at.number_input(key="conv.digit").set_value(7).run()
    assert not at.exception and at.query_params["digit"] == "7"


def test_conv_against_fully_connected_table_and_verdict():
    at = page(CONV)
    t = at.dataframe[1].value
    assert len(t) == 3
    conv, fc = t.iloc[0], t.iloc[2]
    assert conv["parameters"] * 2 < fc["parameters"]
    assert 0 < conv["test MSE"] < 0.05 and 0 < fc["test MSE"] < 0.05
    winner = "convolutional model wins" if conv["test MSE"] < fc["test MSE"] else "fully connected model has"
    assert winner in markdown(at)


def test_flat_input_shows_the_transposed_checkerboard_only():
    at = page(CONV)
    assert float(metric(at, "Pattern strength · transposed").value) > 0.005
    assert float(metric(at, "Pattern strength · nearest").value) == 0.0


# --- gm.denoise and gm.layers: the phenomena and hand-built cases -----------------------------

def test_checkerboard_score_on_hand_built_images():
    i, j = torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij")
    board = ((i + j) % 2).float().view(1, 1, 8, 8)
    stripes = (j % 2).float().view(1, 1, 8, 8)
    assert layers.checkerboard(board)["score"] == pytest.approx(1.0)
    assert layers.checkerboard(stripes)["score"] == pytest.approx(1.0)
    assert layers.checkerboard(board)["rms"] == pytest.approx(0.5)  # +-0.5 around the mean
    blocky = nn.Upsample(scale_factor=2)(torch.rand(3, 1, 4, 4))  # nearest: nothing alternates
    assert layers.checkerboard(blocky)["score"] < 1e-12
    assert layers.checkerboard(torch.full((2, 1, 8, 8), 0.3)) == {"score": 0.0, "rms": 0.0}
    mixed = 0.5 * torch.rand(1, 1, 4, 4).repeat_interleave(2, 2).repeat_interleave(2, 3) + 0.1 * board
    assert 0 < layers.checkerboard(mixed)["score"] < 1


@pytest.mark.parametrize("n, k, s, p", [(8, 3, 1, 1), (8, 2, 2, 0), (7, 3, 2, 1), (28, 5, 1, 0)])
def test_output_size_formulas_match_torch(n, k, s, p):
    x = torch.zeros(1, 1, n, n)
    assert layers.conv_out(n, k, s, p) == nn.Conv2d(1, 1, k, s, p)(x).shape[-1]
    assert layers.tconv_out(n, k, s, p) == nn.ConvTranspose2d(1, 1, k, s, p)(x).shape[-1]


def test_noise_is_repeatable_and_level_grid_scores_against_clean():
    d = gm.load_dataset("digits")
    x = d.x_test[:50]
    assert torch.equal(denoise.noisy(x, "mask", 0.5, 3), denoise.noisy(x, "mask", 0.5, 3))
    assert not torch.equal(denoise.noisy(x, "mask", 0.5, 3), denoise.noisy(x, "mask", 0.5, 4))

    class Identity(nn.Module):  # returns its (noisy) input: its score is the noisy input's
        def reconstruct(self, x):
            return x
    g = denoise.level_grid([Identity()], x, "gaussian", (0.1, 0.5), seed=0, metric="mse")
    ref = [gm.metrics.mse(denoise.noisy(x, "gaussian", lv, 0), x) for lv in (0.1, 0.5)]
    assert g[0] == pytest.approx(ref)
    wins = denoise.diagonal_wins(np.array([[3.0, 1.0], [2.0, 2.5]]), [0.1, 0.5], (0.1, 0.5))
    assert wins == {"wins": 2, "of": 2, "winners": {0.1: 0.1, 0.5: 0.5}}


def test_flat_response_of_nearest_decoder_is_flat():
    d = gm.load_dataset("digits")
    near = gm.get_model("conv_ae", "digits", seed=0, latent_dim=8, upsample="nearest")
    tr = gm.get_model("conv_ae", "digits", seed=0, latent_dim=8)
    fn, ft = layers.flat_response(near, d.x_test), layers.flat_response(tr, d.x_test)
    assert fn.shape == ft.shape == (1, 1, 12, 12)
    assert float(fn.max() - fn.min()) < 1e-5
    assert layers.checkerboard(ft)["score"] > 0.9  # what varies is the period-2 pattern
