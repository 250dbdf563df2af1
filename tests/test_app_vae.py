"""The VAE page and lessons.vae behind it. Models are pre-trained once into a temporary
cache so the page renders at once. Tests check verdict keys and numbers; the page must
show the catalog's wording of the verdict the lesson computed."""
from __future__ import annotations

import math

import pytest

import gm
from apptest_support import cache_fixtures, captions, page
from lessons import vae as lesson
from ui.text import say, t

MODELS = [("vae", {"latent_dim": 2, "beta": 1.0}), ("vae", {"latent_dim": 2, "beta": 8.0}),
          ("vae", {"latent_dim": 2, "beta": 0.0})]

cache, clear = cache_fixtures(MODELS, referee=False)


def stats(beta: float) -> dict:
    return lesson.test_stats(gm.get_model("vae", "digits", seed=0, latent_dim=2, beta=beta))


def active(at) -> str:
    return {m.label: m.value for m in at.metric}[t("vae.metric.active")]


def test_collapse_verdict_with_large_beta_and_the_page_shows_it():
    assert stats(1.0)["collapse"] is None and stats(8.0)["collapse"].key == "vae.collapse"
    assert stats(8.0)["panel"]["active_dims"] == 0 and stats(1.0)["panel"]["active_dims"] == 2
    at = page("pages/5_VAE.py")
    assert active(at) == t("vae.metric.active_value", n=2, of=2) and not at.error
    at.select_slider(key="vae.beta").set_value(8.0).run()
    assert not at.exception
    assert [e.value for e in at.error] == [say(stats(8.0)["collapse"])]
    assert active(at) == t("vae.metric.active_value", n=0, of=2)


def test_gap_verdicts_follow_the_measured_prior_coverage():
    full, none = stats(1.0), stats(0.0)
    assert full["coverage"] >= lesson.FULL_COVERAGE > none["coverage"]
    assert (full["gaps"].key, full["smooth"].key) == ("vae.coverage.full", "vae.smooth.none")
    assert (none["gaps"].key, none["smooth"].key) == ("vae.coverage.partial_beta0", "vae.smooth.gaps")
    assert none["gaps"]["cov"] == none["coverage"]
    at = page("pages/5_VAE.py")
    assert say(full["gaps"]) in captions(at) and say(full["smooth"]) in captions(at)
    at.select_slider(key="vae.beta").set_value(0.0).run()
    assert not at.exception
    assert say(none["gaps"]) in captions(at) and say(full["gaps"]) not in captions(at)


def test_resample_eps_changes_reconstructions_and_the_button_draws_a_new_set():
    vae = gm.get_model("vae", "digits", seed=0, latent_dim=2)
    x = gm.load_dataset("digits").x_test[:4]
    a, b = lesson.resample(vae, x, 8, seed=0), lesson.resample(vae, x, 8, seed=1)
    assert a.shape == (32, 1, 8, 8) and (a - b).abs().max() > 0.05
    # each row is one input: its draws sit closer to its own mean decoding than to others'
    means = vae.reconstruct(x)
    d = ((a.view(4, 8, -1)[:, :, None] - means.view(1, 1, 4, -1)) ** 2).mean(-1).mean(1)
    assert d.argmin(1).tolist() == [0, 1, 2, 3]
    at = page("pages/5_VAE.py")
    at.button(key="vae.resample").click().run()
    assert not at.exception and at.session_state["vae.eps"] == 1


def test_region_radius_holds_95_percent_in_2d():
    assert lesson.region_radius(2) == pytest.approx(math.sqrt(-2 * math.log(0.05)))
