"""The denoising page and the convolutional page, and lessons.denoising / lessons.convolutional
behind them. Models are pre-trained once into a temporary cache so the pages render at once.
Tests check numbers and verdict keys from the lessons, and that each page shows the
catalog's wording of what the lesson computed; every page test sets a widget by key."""
from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn as nn
from streamlit.testing.v1 import AppTest

import gm
from apptest_support import cache_fixtures, captions, page
from lessons import convolutional as conv_lesson, denoising as lesson
from ui.params import plain
from ui.text import num, say, t

DENOISE, CONV = "pages/3_Denoising.py", "pages/4_Convolutional.py"
MODELS = [("ae", {"latent_dim": 8}), ("overcomplete_ae", {}),
          ("denoising_ae", {"noise": "mask", "noise_level": 0.5}),
          ("denoising_ae", {"noise": "gaussian", "noise_level": 0.5}),
          ("conv_ae", {"latent_dim": 8}), ("conv_ae", {"latent_dim": 8, "upsample": "nearest"})]

cache, clear = cache_fixtures(MODELS, referee=False)


def metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def report(kind: str = "mask", level: float = 0.5, noise_seed: int = 0) -> dict:
    models = [gm.get_model(s) for s in lesson.specs(lesson.Choice(kind, 0.5), "digits", 0)]
    return lesson.report(*models, kind, level, noise_seed)


def conv_models(z: int = 8) -> list:
    return [gm.get_model(s) for s in conv_lesson.specs(conv_lesson.Choice(z), "digits", 0)]


# --- smoke ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [DENOISE, CONV])
def test_renders_from_the_cache_without_raw_keys(path):
    at = page(path)
    assert t("train.waiting") not in [i.value for i in at.info]  # models came from the cache
    assert at.get("plotly_chart") or at.dataframe
    shown = [e.value for e in [*at.markdown, *at.caption, *at.header, *at.subheader, *at.title, *at.info]]
    shown += [m.label for m in at.metric] + [m.value for m in at.metric]
    assert not [s for s in shown if "denoising." in s or "convolutional." in s]


@pytest.mark.parametrize("path, name, raw, default", [(DENOISE, "kind", "bogus", "mask"),
                                                      (DENOISE, "train", "0.42", 0.5),
                                                      (CONV, "latent", "999", 8),
                                                      (CONV, "digit", "abc", 0)])
def test_bad_query_param_gives_a_notice_not_an_exception(path, name, raw, default):
    at = page(path, **{name: raw})
    assert t("params.ignored", name=plain(name), raw=plain(raw), default=plain(repr(default))) in captions(at)


# --- denoising page -----------------------------------------------------------------------------

def test_denoiser_beats_the_plain_autoencoder_on_noisy_inputs_and_the_page_says_so():
    rep = report()
    p, shown = rep["psnr_all"], rep["psnr_shown"]
    assert p["denoising_ae"] > p["ae"] + 2 and p["denoising_ae"] > p["noisy"] + 3  # 16.1, 11.2, 9.4 dB
    assert rep["gain"] == pytest.approx(p["denoising_ae"] - p["ae"])
    assert rep["headline"].key == "denoising.headline.closer" and rep["headline"]["gain"] == rep["gain"]
    assert rep["where"].key == "denoising.eval.all" and rep["where"]["n"] == 359
    assert rep["rows"].key == "denoising.rows.fills"
    # per row: the network trained without noise copies the damage, the denoiser does not
    assert shown["denoising_ae"] > shown["overcomplete_ae"] + 3 and shown["denoising_ae"] > shown["ae"]
    at = page(DENOISE)
    m, where = metrics(at), say(rep["where"])
    assert m[t("denoising.metric.gain")] == t("denoising.gain_db", gain=rep["gain"])
    assert m[t("denoising.metric.dae")] == t("denoising.db", db=p["denoising_ae"])
    assert m[t("denoising.metric.noisy")] == say(rep["noisy_db"]) == t("denoising.db", db=p["noisy"])
    assert t("denoising.headline.closer", where=where, gain=rep["gain"]) in markdown(at)
    for row in ("noisy", *lesson.ROWS):
        assert t("denoising.row.psnr", here=shown[row], all=p[row], where=where) in markdown(at)
    assert say(rep["rows"]) in captions(at)


def test_changing_noise_kind_changes_the_psnr_shown():
    mask, gauss = report("mask"), report("gaussian")
    assert gauss["psnr_all"]["noisy"] != mask["psnr_all"]["noisy"]
    assert gauss["gain"] > 0 and gauss["rows"].key == "denoising.rows.wipes"
    at = page(DENOISE)
    at.radio(key="denoising.kind").set_value("gaussian").run()
    assert not at.exception
    m = metrics(at)
    assert m[t("denoising.metric.noisy")] == t("denoising.db", db=gauss["psnr_all"]["noisy"])
    assert m[t("denoising.metric.dae")] == t("denoising.db", db=gauss["psnr_all"]["denoising_ae"])
    assert t("denoising.row.denoising_ae", kind=t("denoising.short.gaussian"), train=0.5) in markdown(at)
    assert say(gauss["rows"]) in captions(at) and say(mask["rows"]) not in captions(at)


def test_test_noise_level_and_new_noise_button():
    low, high, none = report(level=0.2), report(level=0.8), report(level=0.0)
    assert high["psnr_all"]["noisy"] < low["psnr_all"]["noisy"] - 3  # more noise, further from clean
    assert none["noisy_db"].key == "denoising.db.no_noise" and none["rows"].key == "denoising.rows.no_noise"
    assert not none["finite"]["noisy"] and none["finite"]["denoising_ae"]
    at = page(DENOISE)
    at.slider(key="denoising.test").set_value(0.8).run()
    assert metrics(at)[t("denoising.metric.noisy")] == t("denoising.db", db=high["psnr_all"]["noisy"])
    assert t("denoising.rows.caption", draw=0) in captions(at)
    md = markdown(at)
    at.button(key="denoising.new_noise").click().run()
    assert not at.exception
    assert t("denoising.rows.caption", draw=1) in captions(at) and markdown(at) != md
    assert at.query_params["noise_seed"] == "1"
    at.slider(key="denoising.test").set_value(0.0).run()
    assert metrics(at)[t("denoising.metric.noisy")] == say(none["noisy_db"])
    assert say(none["rows"]) in captions(at)


def test_heat_map_rows_are_the_cached_levels_and_the_diagonal_wins():
    clean = gm.get_model("overcomplete_ae", "digits", seed=0)
    dae = gm.get_model(lesson.denoiser("digits", 0, "mask", 0.5))
    h = lesson.heat("mask", "psnr", clean, dae)
    assert h["levels"] == [0.0, 0.5] and h["grid"].shape == (2, len(lesson.TEST_LEVELS))
    assert h["wins"]["wins"] == h["wins"]["of"] == 2
    assert h["best"][0] == 0 and h["best"][5] == 1  # clean wins on clean inputs, the denoiser at 0.5
    at = page(DENOISE)
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)["data"][0]
    assert heat["y"] == [t("denoising.heat.row_clean", level=0.0), t("denoising.heat.row", level=0.5)]
    assert heat["x"][0] == num(0.0, ".1f") and heat["x"][-1] == num(0.9, ".1f")
    short = t("denoising.short.mask")
    assert t("denoising.heat.caption", wins=2, of=2, kind=short) in captions(at)
    assert t("denoising.missing", levels=", ".join(num(lv, ".1f") for lv in (0.1, 0.3, 0.7))) in \
        [i.value for i in at.info]
    assert at.button(key="denoising.train_missing")
    at.radio(key="denoising.metric").set_value("mse").run()
    assert not at.exception and t("denoising.heat.caption", wins=2, of=2, kind=short) in captions(at)
    assert lesson.heat("mask", "mse", clean, dae)["wins"]["wins"] == 2


# --- convolutional page -------------------------------------------------------------------------

def test_layer_table_walks_from_input_size_back_to_input_size():
    conv = conv_models()[0]
    walk = conv_lesson.walk(conv, 0)
    shapes = [r["shape"] for r in walk["rows"]]
    assert shapes[0] == shapes[-1] == "1 × 8 × 8" and "8" in shapes  # the code
    assert "16 × 4 × 4" in shapes and "32 × 2 × 2" in shapes
    assert sum(r["params"] for r in walk["rows"]) == conv.n_params()
    assert walk["rows"][walk["default"]]["module"] == "ReLU" and walk["default"] == 3
    at = page(CONV)
    table = at.dataframe[0].value
    assert list(table[t("convolutional.col.shape")]) == shapes
    assert table[t("convolutional.col.params")].sum() == conv.n_params()
    assert t("convolutional.layer.tconv", k=4, s=2, n=16) in list(table[t("convolutional.col.layer")])


def test_layer_descriptions_are_catalog_keys():
    assert [v.key for v in conv_lesson.describe(nn.Conv2d(1, 1, 3))] == ["convolutional.layer.conv_one"]
    up = conv_lesson.describe(nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(4, 8, 3, padding=1)))
    assert [v.key for v in up] == ["convolutional.layer.upsample", "convolutional.layer.conv"]
    assert up[1]["n"] == 8 and up[0]["f"] == 2
    assert conv_lesson.describe(nn.ReLU())[0]["name"] == "ReLU"


def test_feature_map_layer_select_changes_the_view():
    at = page(CONV)
    assert t("convolutional.maps.caption", layer=3) in captions(at)
    at.selectbox(key="convolutional.layer").set_value(14).run()
    assert not at.exception and t("convolutional.maps.caption", layer=14) in captions(at)
    at.number_input(key="convolutional.digit").set_value(7).run()
    assert not at.exception and at.query_params["digit"] == "7"


def test_conv_against_fully_connected_table_and_verdict():
    cmp = conv_lesson.compare(*conv_models())
    s = cmp["scores"]
    assert s["conv"]["params"] * 2 < s["fc"]["params"]
    assert 0 < s["conv"]["mse"] < 0.05 and 0 < s["fc"]["mse"] < 0.05
    assert cmp["verdict"].key == ("convolutional.compare.conv_wins" if s["conv"]["mse"] < s["fc"]["mse"]
                                  else "convolutional.compare.fc_wins")
    assert cmp["ratio"] == pytest.approx(s["fc"]["params"] / s["conv"]["params"])
    assert cmp["note"].key == "convolutional.compare.small"  # 8x8 digits
    at = page(CONV)
    table = at.dataframe[1].value
    assert len(table) == 3 and list(table[t("convolutional.cmp.params")]) == [s[k]["params"] for k in s]
    assert say(cmp["verdict"]) in markdown(at) and say(cmp["note"]) in captions(at)


def test_flat_input_shows_the_transposed_checkerboard_only():
    a = conv_lesson.artifacts(*conv_models()[:2])
    pc, pn = a["score"]["conv_flat"]["p2p"], a["score"]["nearest_flat"]["p2p"]
    assert pc > 0.005 and pn < 1e-5
    assert a["giveaway"].key == "convolutional.flat.flat"
    assert a["stretched"]["conv"].shape == (1, 1, 12, 12)
    assert float(a["stretched"]["nearest"].std()) < 1e-5  # uniform grey: no pattern
    at = page(CONV)
    m = metrics(at)
    assert m[t("convolutional.strength.conv")] == num(pc, ".3f")
    assert m[t("convolutional.strength.nearest")] == num(0.0, ".3f")
    assert say(a["giveaway"]) in captions(at) and say(a["pattern"]) in captions(at)


# --- the lessons' measurements on hand-built cases -------------------------------------------------

def test_checkerboard_score_on_hand_built_images():
    checkerboard = conv_lesson.checkerboard
    i, j = torch.meshgrid(torch.arange(8), torch.arange(8), indexing="ij")
    board = ((i + j) % 2).float().view(1, 1, 8, 8)
    stripes = (j % 2).float().view(1, 1, 8, 8)
    assert checkerboard(board)["score"] == pytest.approx(1.0)
    assert checkerboard(stripes)["score"] == pytest.approx(1.0)
    assert checkerboard(board)["rms"] == pytest.approx(0.5)  # +-0.5 around the mean
    blocky = nn.Upsample(scale_factor=2)(torch.rand(3, 1, 4, 4))  # nearest: nothing alternates
    assert checkerboard(blocky)["score"] < 1e-12
    assert checkerboard(torch.full((2, 1, 8, 8), 0.3)) == {"score": 0.0, "rms": 0.0}
    mixed = 0.5 * torch.rand(1, 1, 4, 4).repeat_interleave(2, 2).repeat_interleave(2, 3) + 0.1 * board
    assert 0 < checkerboard(mixed)["score"] < 1


def test_noise_is_repeatable_and_level_grid_scores_against_clean():
    x = gm.load_dataset("digits").x_test[:50]
    assert torch.equal(lesson.noisy(x, "mask", 0.5, 3), lesson.noisy(x, "mask", 0.5, 3))
    assert not torch.equal(lesson.noisy(x, "mask", 0.5, 3), lesson.noisy(x, "mask", 0.5, 4))

    class Identity(nn.Module):  # returns its (noisy) input: its score is the noisy input's
        def reconstruct(self, x):
            return x
    g = lesson.level_grid([Identity()], x, "gaussian", (0.1, 0.5), seed=0, metric="mse")
    ref = [gm.metrics.mse(lesson.noisy(x, "gaussian", lv, 0), x) for lv in (0.1, 0.5)]
    assert g[0] == pytest.approx(ref)
    wins = lesson.diagonal_wins(np.array([[3.0, 1.0], [2.0, 2.5]]), [0.1, 0.5], (0.1, 0.5))
    assert wins == {"wins": 2, "of": 2, "winners": {0.1: 0.1, 0.5: 0.5}}
    losses = lesson.diagonal_wins(np.array([[3.0, 1.0], [2.0, 2.5]]), [0.1, 0.5], (0.1, 0.5), "mse")
    assert losses["wins"] == 0 and losses["winners"] == {0.1: 0.5, 0.5: 0.1}


def test_flat_response_of_nearest_decoder_is_flat():
    x = gm.load_dataset("digits").x_test
    tr, near, _ = conv_models()
    fn, ft = conv_lesson.flat_response(near, x), conv_lesson.flat_response(tr, x)
    assert fn.shape == ft.shape == (1, 1, 12, 12)
    assert float(fn.max() - fn.min()) < 1e-5
    assert conv_lesson.checkerboard(ft)["score"] > 0.9  # what varies is the period-2 pattern
