"""The home page, the autoencoder page and the overcomplete/sparse page, and gm.probes
behind them. Models are pre-trained once into a temporary cache so the pages render at
once; every test sets a widget by key and checks what the page then shows."""
from __future__ import annotations


import numpy as np
import pytest
import torch

import gm
from gm import probes
from apptest_support import cache_fixtures, captions, metric, page

L1 = {"sparsity": "l1", "sparsity_weight": 0.03, "rho": 0.05}
MODELS = [("ae", {"latent_dim": 8}), ("ae", {"latent_dim": 2}), ("vae", {}),
          ("overcomplete_ae", {}), ("sparse_ae", {}), ("denoising_ae", {}), ("sparse_ae", L1),
          ("sparse_ae", {"sparsity_weight": 0.0})]

cache, clear = cache_fixtures(MODELS)


# --- smoke ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["app.py", "pages/1_Autoencoder.py", "pages/2_Overcomplete_and_sparse.py"])
def test_renders_without_exception(path):
    at = page(path)
    assert not at.info or "Training" not in at.info[0].value  # models came from the cache


# --- home ---------------------------------------------------------------------------------------

def test_home_make_a_new_one_renders_new_digits_and_a_percentage():
    at = page("app.py")
    before = metric(at, "Labelled").delta
    assert "Draw set 0" in captions(at)
    at.button(key="home.make").click().run()
    assert not at.exception
    assert "Draw set 1" in captions(at)
    m = metric(at, "Labelled")
    assert m.value.endswith("%") and 0 <= int(m.value[:-1]) <= 100
    assert m.delta.endswith("/8 of these") and before.endswith("/8 of these")
    # the measured rate is high for 0s: the class-conditional VAE makes real 0s
    assert int(m.value[:-1]) >= 80
    # ... and they are not copies: measured against held-out digits' distance to the training set
    assert "New digits, not copies" in captions(at)
    # the discriminative side has the button, disabled
    assert at.button(key="home.no_make").disabled


def test_home_class_pair_changes_both_sides():
    at = page("app.py")
    at.radio(key="home.classes").set_value("3,8").run()
    assert not at.exception
    assert "pixels of 3, 8" in captions(at)
    assert at.radio(key="home.target").options == ["3", "8"]
    assert at.radio(key="home.target").value == 3
    metric(at, "Labelled")


def test_home_cluster_scores_are_shown_and_sane():
    at = page("app.py")
    for label in ["ARI · codes", "ARI · pixels"]:
        assert 0.3 < float(metric(at, label).value) <= 1.0  # far above chance (0)


# --- autoencoder page -----------------------------------------------------------------------------

def test_code_size_changes_the_error_shown():
    at = page("pages/1_Autoencoder.py")
    mse8 = float(metric(at, "Test error").value)
    at.select_slider(key="ae.latent").set_value(2).run()
    assert not at.exception
    mse2 = float(metric(at, "Test error").value)
    assert mse2 > 2 * mse8  # a 2-number code loses much more than an 8-number one
    assert metric(at, "Code size").value == "2 numbers"


def test_rate_distortion_says_which_sizes_are_missing():
    at = page("pages/1_Autoencoder.py")
    note = next(i.value for i in at.info if "missing" in i.value)
    assert "4, 16, 32, 64" in note  # 2 and 8 are cached here
    assert at.button(key="ae.train_missing")
    arch = "\n".join(m.value for m in at.markdown)
    assert "64 → 256 → <b style='color:#d62728'>8</b> → 256 → 64" in arch


def test_feature_table_follows_the_label_slider():
    at = page("pages/1_Autoencoder.py")
    t1 = at.dataframe[0].value
    at.select_slider(key="ae.labels").set_value(50).run()
    t50 = at.dataframe[0].value
    assert len(t50) == 3 and t50["test accuracy"].between(0, 1).all()
    assert (t50["test accuracy"].values > t1["test accuracy"].values).all()  # more labels help


def test_bad_query_param_gives_a_notice_not_an_exception():
    at = page("pages/1_Autoencoder.py", latent="999")
    assert "Ignored `latent=999`" in captions(at)
    assert metric(at, "Code size").value == "8 numbers"


# --- overcomplete & sparse page ------------------------------------------------------------------

def test_identity_trap_is_measured_on_the_page():
    at = page("pages/2_Overcomplete_and_sparse.py")
    assert "the overcomplete model copies it" in captions(at)
    assert len(at.get("plotly_chart")) == 3


def test_l1_penalty_disables_rho_and_changes_stats():
    at = page("pages/2_Overcomplete_and_sparse.py")
    kl_on = metric(at, "Units on per image").value
    at.radio(key="sparse.penalty").set_value("l1").run()
    assert not at.exception
    assert at.select_slider(key="sparse.rho").disabled
    assert metric(at, "Mean activation").delta == "L1: no target"
    assert metric(at, "Units on per image").value != kl_on
    assert "The L1 penalty sets no target rate" in captions(at)


def test_captions_follow_the_measurements_when_the_penalty_is_off():
    at = page("pages/2_Overcomplete_and_sparse.py")
    assert "of the units speak for any one digit" in captions(at)
    assert "every unit is used, but rarely" in captions(at)
    at.select_slider(key="sparse.weight").set_value(0.0).run()
    assert not at.exception
    assert "the sparse code is not sparse" in captions(at) and "λ = 0" in captions(at)
    assert "every unit is used, but rarely" not in captions(at)


# --- gm.probes: the phenomena themselves --------------------------------------------------------

def test_probe_inputs_are_what_they_say():
    d = gm.load_dataset("digits")
    x = probes.probe_inputs(d.x_test, 3)
    assert x.shape == (len(probes.PROBES), *d.shape)
    assert torch.equal(x[0], d.x_test[3]) and torch.allclose(x[1], 1 - d.x_test[3])
    assert 0 <= x.min() and x.max() <= 1
    assert set(x[3].unique().tolist()) == {0.0, 1.0} and set(x[4].unique().tolist()) == {0.0, 1.0}


def test_overcomplete_copies_noise_bottleneck_does_not():
    d = gm.load_dataset("digits")
    ms = {n: gm.get_model(n, "digits", seed=0) for n in ["ae", "overcomplete_ae"]}
    _, errs = probes.probe_errors(ms, probes.probe_inputs(d.x_test))
    noise = probes.PROBES.index("uniform noise")
    assert errs["overcomplete_ae"][noise] * 3 < errs["ae"][noise]


def test_sparse_code_is_sparse_and_near_rho():
    d = gm.load_dataset("digits")
    sp = probes.code_stats(gm.get_model("sparse_ae", "digits", seed=0), d.x_test)
    ov = probes.code_stats(gm.get_model("overcomplete_ae", "digits", seed=0), d.x_test)
    assert sp["active_per_image"] * 5 < ov["active_per_image"]
    assert abs(sp["mean_activation"] - 0.05) < 0.02


def test_code_stats_counts_dead_units_on_a_hand_built_code():
    class Fixed(torch.nn.Module):  # code = the input's first 3 pixels, unit 2 always 0
        def encode(self, x):
            z = x.flatten(1)[:, :3].clone()
            z[:, 2] = 0
            return z
    x = torch.tensor([[0.5, 0.0, 0.9], [0.0, 0.05, 0.9]]).view(2, 1, 1, 3)
    s = probes.code_stats(Fixed(), x, threshold=0.1)
    assert s["dead"] == 2 and s["active_per_image"] == 0.5  # unit 1 never tops 0.1, unit 2 is 0


def test_pca_errors_fall_to_zero_at_full_rank_and_architecture_mirrors():
    d = gm.load_dataset("digits")
    e = probes.pca_errors(d.x_train, d.x_test, [2, 8, 64])
    assert e[2] > e[8] > e[64] and e[64] < 1e-8
    ae = gm.get_model("ae", "digits", seed=0, latent_dim=8)
    assert probes.architecture(ae) == [64, 256, 8, 256, 64]
    assert probes.cluster_gallery(d.x_test[:20], np.arange(20) % 4, 5).shape == (20, 1, 8, 8)
