"""The autoencoder page and the overcomplete/sparse page, lessons.autoencoder and
lessons.overcomplete behind them, and the probes they measure with. Models are pre-trained once
into a temporary cache so the pages render at once. Tests check verdict keys and numbers;
the pages must show the catalog's wording of what the lessons computed."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch

import gm
from apptest_support import cache_fixtures, captions, metric, page
from lessons import autoencoder as ae_lesson, home as home_lesson, overcomplete as oc_lesson
from ui.text import num, say, t

AE, OC = "pages/1_Autoencoder.py", "pages/2_Overcomplete_and_sparse.py"
L1 = {"sparsity": "l1", "sparsity_weight": 0.03, "rho": 0.05}
W0 = {"sparsity_weight": 0.0}
MODELS = [("ae", {"latent_dim": 8}), ("ae", {"latent_dim": 2}), ("overcomplete_ae", {}),
          ("sparse_ae", {}), ("denoising_ae", {}), ("sparse_ae", L1), ("sparse_ae", W0),
          ("ae", {"latent_dim": 8, "hidden": (256, 128)}), ("ae", {"latent_dim": 8, "hidden": (512, 256, 128)})]

cache, clear = cache_fixtures(MODELS, referee=False)


def model(name: str, **config):
    return gm.get_model(name, "digits", seed=0, **config)


def trap() -> dict:
    return oc_lesson.trap(0, 0, *[model(n) for n in oc_lesson.TRAP])


def sparsity(**config) -> dict:
    return oc_lesson.sparsity(model("sparse_ae", **config), model("overcomplete_ae"))


# --- smoke ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [AE, OC])
def test_renders_from_the_cache_without_a_raw_catalog_key(path):
    at = page(path)
    assert t("train.waiting") not in [i.value for i in at.info]  # models came from the cache
    shown = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "info")
             for e in getattr(at, kind)] + [m.label for m in at.metric] + [m.value for m in at.metric]
    raw = re.compile(r"\b(autoencoder|overcomplete|params|train)\.[a-z_]+")
    assert not [s for s in shown if raw.search(s)], "a catalog key is shown raw"


# --- autoencoder page -----------------------------------------------------------------------------

def test_code_size_changes_the_error_shown():
    mse8 = ae_lesson.reconstructions(model("ae", latent_dim=8))["mse"]
    mse2 = ae_lesson.reconstructions(model("ae", latent_dim=2))["mse"]
    assert mse2 > 2 * mse8  # a 2-number code loses much more than an 8-number one
    at = page(AE)
    assert metric(at, t("autoencoder.metric.mse")).value == num(mse8, ".4f")
    at.select_slider(key="autoencoder.latent").set_value(2).run()
    assert not at.exception
    assert metric(at, t("autoencoder.metric.mse")).value == num(mse2, ".4f")
    assert metric(at, t("autoencoder.metric.code")).value == t("autoencoder.metric.code_value", z=2)
    assert metric(at, t("autoencoder.metric.compression")).value == \
        t("autoencoder.metric.compression_value", ratio=32)


def test_rate_distortion_says_which_sizes_are_missing_and_where_the_autoencoder_wins():
    rd = ae_lesson.rate_distortion("digits", model("ae", latent_dim=2), model("ae", latent_dim=8))
    assert list(rd["ae"]) == [2, 8] and rd["pca"][64] < 1e-8
    assert rd["wins"] == [z for z in (2, 8) if rd["ae"][z] < rd["pca"][z]]
    assert rd["verdict"].key == ("autoencoder.rd.wins" if rd["wins"] else "autoencoder.rd.no_wins")
    assert ae_lesson.rate_distortion("digits")["verdict"].key == "autoencoder.rd.no_wins"
    at = page(AE)
    assert [i.value for i in at.info] == [t("autoencoder.rd.missing", missing="4, 16, 32, 64")]
    assert t("autoencoder.rd.caption", verdict=say(rd["verdict"])) in captions(at)
    assert at.button(key="autoencoder.train_missing").label == t("autoencoder.rd.train", n=4)
    arch = "\n".join(m.value for m in at.markdown)
    assert "64 → 256 → <b style='color:#d62728'>8</b> → 256 → 64" in arch


def test_feature_table_follows_the_label_slider():
    at = page(AE)
    acc = t("autoencoder.table.accuracy")
    t1 = at.dataframe[0].value
    at.select_slider(key="autoencoder.labels").set_value(50).run()
    assert not at.exception
    t50 = at.dataframe[0].value
    assert len(t50) == 3 and t50[acc].between(0, 1).all()
    assert (t50[acc].values > t1[acc].values).all()  # more labels help
    want = ae_lesson.features(model("ae", latent_dim=8), 50)
    assert t50[acc].tolist() == pytest.approx([want["codes"], want["pca"], want["pixels"]])
    assert t("autoencoder.table.caption", per_class=50, repeats=ae_lesson.REPEATS) in captions(at)


def test_the_pixel_baseline_is_one_probe_per_label_count_warmed_in_the_background():
    """The raw-pixel column is the same for every autoencoder: features() takes it from
    `pixels`, computed once per dataset, variant and label count, the value feature_probe
    gives; the page warms every label count in a background thread."""
    import threading

    from gm import latent
    data = gm.load_dataset("digits")
    full = latent.feature_probe(model("ae", latent_dim=8), data, 2, ae_lesson.REPEATS)
    assert ae_lesson.pixels("digits", 2) == full["pixels"] == ae_lesson.features(model("ae", latent_dim=8), 2)["pixels"]
    before = ae_lesson._pixels.cache_info().misses
    ae_lesson.pixels("digits", 2)
    assert ae_lesson._pixels.cache_info().misses == before  # memoized
    page(AE)  # the page starts the warm-up: every LABELS count, once per process
    for th in [th for th in threading.enumerate() if th.name == "gm-warm"]:
        th.join(timeout=120)
    misses = ae_lesson._pixels.cache_info().misses
    assert [ae_lesson.pixels("digits", n) for n in ae_lesson.LABELS]
    assert ae_lesson._pixels.cache_info().misses == misses  # all ready


def test_bad_query_param_gives_a_notice_not_an_exception():
    at = page(AE, latent="999")
    assert t("params.ignored", name="latent", raw="999", default="8") in captions(at)
    assert metric(at, t("autoencoder.metric.code")).value == t("autoencoder.metric.code_value", z=8)


def test_stacked_models_are_shown_side_by_side_with_their_verdict():
    st_ = ae_lesson.stacking(*[model("ae", **s.changed()) for s in ae_lesson.stacking_specs("digits", 0)])
    assert [r["hidden"] for r in st_["rows"]] == [list(h) for h in ae_lesson.DEPTHS.values()]
    at = page(AE)
    for r in st_["rows"]:
        label = t("autoencoder.stacking.label", layers=" - ".join(map(str, r["hidden"])))
        assert metric(at, label).value == num(r["mse"], ".4f")
    assert say(st_["verdict"]) in captions(at)


def test_pretrain_covers_the_curve_and_the_stacked_models():
    specs = ae_lesson.pretrain("digits")
    assert specs[:6] == list(ae_lesson.curve_specs("digits", 0, 1))
    assert gm.Spec("ae", "digits", hidden=(256, 128)) in specs and len(set(specs)) == 8
    assert set(oc_lesson.trap_specs("digits", 0)) <= set(oc_lesson.pretrain("digits"))


# --- overcomplete & sparse page ------------------------------------------------------------------

def test_identity_trap_is_measured_and_the_page_says_it():
    tr = trap()
    v = tr["verdict"]
    assert v.key == "overcomplete.trap.noise" and v["oc"] * 3 < v["bn"]
    assert v["ratio"] == pytest.approx(v["bn"] / v["oc"]) and v["ae"] == tr["test_mse"]["ae"]
    at = page(OC)
    assert say(v) in captions(at)
    assert len(at.get("plotly_chart")) == 3
    assert at.markdown[0].value == t("overcomplete.intro", pixels=64, width=256)


def test_l1_penalty_disables_rho_and_changes_stats():
    kl, l1 = sparsity(), sparsity(**L1)
    assert l1["units"].key == "overcomplete.units.l1"
    assert l1["units"]["dead"] == l1["sparse"]["dead"]
    at = page(OC)
    kl_on = metric(at, t("overcomplete.metric.on")).value
    assert kl_on == t("overcomplete.metric.on_value", n=kl["sparse"]["active_per_image"],
                      units=kl["sparse"]["units"])
    at.radio(key="overcomplete.penalty").set_value("l1").run()
    assert not at.exception
    assert at.select_slider(key="overcomplete.rho").disabled
    assert metric(at, t("overcomplete.metric.mean")).delta == t("overcomplete.metric.no_target")
    assert metric(at, t("overcomplete.metric.on")).value != kl_on
    assert say(l1["units"]) in captions(at)


def test_captions_follow_the_measurements_when_the_penalty_is_off():
    kl, off = sparsity(), sparsity(**W0)
    assert kl["sparse"]["on"] < kl["overcomplete"]["on"] * oc_lesson.SPARSE_FRACTION
    assert (kl["hist"].key, kl["units"].key) == ("overcomplete.hist.sparse", "overcomplete.units.kl_all")
    assert kl["near"] >= oc_lesson.NEAR_RHO * kl["sparse"]["units"]
    assert (off["hist"].key, off["units"].key) == ("overcomplete.hist.not_sparse_w0",
                                                   "overcomplete.units.no_penalty")
    at = page(OC)
    assert say(kl["hist"]) in captions(at) and say(kl["units"]) in captions(at)
    assert say(kl["atlas"]) in captions(at)
    at.select_slider(key="overcomplete.weight").set_value(0.0).run()
    assert not at.exception
    assert say(off["hist"]) in captions(at) and say(off["units"]) in captions(at)
    assert say(kl["units"]) not in captions(at)


# --- the probes: the phenomena themselves --------------------------------------------------------

def test_probe_inputs_are_what_they_say():
    d = gm.load_dataset("digits")
    x = oc_lesson.probe_inputs(d.x_test, 3)
    assert x.shape == (len(oc_lesson.PROBES), *d.shape)
    assert torch.equal(x[0], d.x_test[3]) and torch.allclose(x[1], 1 - d.x_test[3])
    assert 0 <= x.min() and x.max() <= 1
    assert set(x[3].unique().tolist()) == {0.0, 1.0} and set(x[4].unique().tolist()) == {0.0, 1.0}


def test_overcomplete_copies_noise_bottleneck_does_not():
    d = gm.load_dataset("digits")
    ms = {n: model(n) for n in ["ae", "overcomplete_ae"]}
    _, errs = oc_lesson.probe_errors(ms, oc_lesson.probe_inputs(d.x_test))
    noise = oc_lesson.PROBES.index("uniform noise")
    assert errs["overcomplete_ae"][noise] * 3 < errs["ae"][noise]


def test_sparse_code_is_sparse_and_near_rho():
    d = gm.load_dataset("digits")
    sp = oc_lesson.code_stats(model("sparse_ae"), d.x_test)
    ov = oc_lesson.code_stats(model("overcomplete_ae"), d.x_test)
    assert sp["active_per_image"] * 5 < ov["active_per_image"]
    assert abs(sp["mean_activation"] - 0.05) < 0.02


def test_code_stats_counts_dead_units_on_a_hand_built_code():
    class Fixed(torch.nn.Module):  # code = the input's first 3 pixels, unit 2 always 0
        def encode(self, x):
            z = x.flatten(1)[:, :3].clone()
            z[:, 2] = 0
            return z
    x = torch.tensor([[0.5, 0.0, 0.9], [0.0, 0.05, 0.9]]).view(2, 1, 1, 3)
    s = oc_lesson.code_stats(Fixed(), x, threshold=0.1)
    assert s["dead"] == 2 and s["active_per_image"] == 0.5  # unit 1 never tops 0.1, unit 2 is 0


def test_pca_errors_fall_to_zero_at_full_rank_and_architecture_mirrors():
    d = gm.load_dataset("digits")
    e = ae_lesson.pca_errors(d.x_train, d.x_test, [2, 8, 64])
    assert e[2] > e[8] > e[64] and e[64] < 1e-8
    assert ae_lesson.architecture(model("ae", latent_dim=8)) == [64, 256, 8, 256, 64]
    assert home_lesson.cluster_gallery(d.x_test[:20], np.arange(20) % 4, 5).shape == (20, 1, 8, 8)
