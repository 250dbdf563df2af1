"""Every claim of the lecture, asserted on digits with the models' default configs.

A claim that fails here is a bug in the model defaults, not in the bound. The same
figures for digits and MNIST are printed by benchmarks/phenomena.py. Models are trained
once per session into a temporary cache (about a minute on 2 cores).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.linalg
import torch

import gm
from gm import latent, metrics
from gm.referee import get_referee

N = 1000  # samples scored per generator


@pytest.fixture(scope="session")
def cache(tmp_path_factory):
    return str(tmp_path_factory.mktemp("phenomena-cache"))


@pytest.fixture(scope="session")
def data():
    return gm.load_dataset("digits")


@pytest.fixture(scope="session")
def get(cache):
    return lambda name, **cfg: gm.get_model(name, "digits", cache=cache, **cfg)


@pytest.fixture(scope="session")
def referee(cache):
    return get_referee("digits", cache=cache)


@pytest.fixture(scope="session")
def noise_ceiling(referee, data):
    return metrics.sample_anchors(referee, data, N)


@pytest.fixture(scope="session")
def judges(cache, data):
    """The referee and a second judge of the other architecture, trained apart, each with
    its own scale (training images at the floor, uniform noise at the ceiling)."""
    from gm.referee import get_judges
    return [(j, metrics.sample_anchors(j, data, N)) for j in get_judges("digits", cache=cache)]


# --- the measuring instruments, checked against independent computations -------------------

def test_psnr_and_mse_by_hand():
    x = torch.zeros(2, 1, 4, 4)
    xhat = x + 0.1
    assert metrics.mse(xhat, x) == pytest.approx(0.01)
    assert metrics.psnr(xhat, x) == pytest.approx(20.0)


def test_frechet_distance_closed_form():
    g = torch.Generator().manual_seed(0)
    a = torch.randn(20000, 3, generator=g, dtype=torch.float64)
    b = 2 * torch.randn(20000, 3, generator=g, dtype=torch.float64) + 1
    # N(0,I) vs N(1, 4I) in 3-D: |mu|^2 + tr(I + 4I - 2*2I) = 3 + 3
    assert metrics.frechet_distance(a, b) == pytest.approx(6.0, rel=0.05)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    c = torch.randn(300, 50, generator=g, dtype=torch.float64)  # against scipy's sqrtm
    d = torch.randn(300, 50, generator=g, dtype=torch.float64) @ torch.rand(50, 50, generator=g, dtype=torch.float64)
    ca, cd = np.cov(c.numpy(), rowvar=False), np.cov(d.numpy(), rowvar=False)
    ref = (((c.mean(0) - d.mean(0)) ** 2).sum().item() + np.trace(ca) + np.trace(cd)
           - 2 * np.trace(scipy.linalg.sqrtm(ca @ cd).real))
    assert metrics.frechet_distance(c, d) == pytest.approx(ref, rel=1e-6)


def test_classifier_score_range():
    confident_even = torch.eye(10).repeat(5, 1)
    assert metrics.classifier_score(confident_even) == pytest.approx(10.0)
    assert metrics.classifier_score(torch.full((50, 10), 0.1)) == pytest.approx(1.0)
    assert metrics.classifier_score(torch.eye(10)[[3] * 50]) == pytest.approx(1.0)


def test_slerp_keeps_endpoints_and_norm():
    z0, z1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    path = latent.path(z0, z1, 5, "slerp")
    assert torch.allclose(path[0], z0) and torch.allclose(path[-1], z1, atol=1e-6)
    assert torch.allclose(path.norm(dim=1), torch.ones(5), atol=1e-6)
    assert torch.allclose(latent.path(z0, z1, 3, "linear")[1], torch.tensor([0.5, 0.5]))


def test_referee_is_accurate_and_reloads(referee, data, cache):
    assert referee.info["test_accuracy"] >= 0.96
    again = get_referee("digits", cache=cache)  # from disk, weights_only
    assert torch.equal(again.predict_proba(data.x_test), referee.predict_proba(data.x_test))
    assert referee.features(data.x_test[:5]).shape == (5, 128)


def test_vae_elbo_parts_match_the_model(get, data):
    vae = get("vae")
    el = metrics.vae_elbo(vae, data.x_test)
    torch.manual_seed(0)
    with torch.no_grad():
        ref = vae.loss(data.x_test)  # the training loss with the same noise
    assert el["neg_elbo"] == pytest.approx(float(ref["loss"]), rel=1e-4)
    assert el["kl"] == pytest.approx(sum(el["kl_per_dim"]), rel=1e-3)
    assert 1 <= el["active_dims"] <= vae.latent_dim


# --- 1. the bottleneck ------------------------------------------------------------------------

def test_bottleneck_error_falls_with_latent_dim_and_beats_pca(get, data):
    x = data.x_test
    err = {k: metrics.mse(get("ae", latent_dim=k).reconstruct(x), x) for k in (2, 4, 8, 16, 32)}
    assert all(err[a] > err[b] for a, b in zip(err, list(err)[1:])), err
    assert err[2] <= 0.034 and err[8] <= 0.012, err
    for k in (2, 8):
        assert err[k] < metrics.mse(latent.pca_reconstruct(data.x_train, x, k), x)


# --- 2. feature extraction ---------------------------------------------------------------------

def test_codes_as_features_with_ten_labels_per_class(get, data):
    probe = latent.feature_probe(get("ae"), data, per_class=10, repeats=2)
    for name in ("codes", "pixels", "pca"):
        assert 0.3 < probe[name] <= 1.0, probe  # chance is 0.1


def test_kmeans_on_codes_finds_classes(get, data):
    demo = latent.cluster_demo(get("ae"), data)
    for part in demo.values():
        assert part["ari"] > 0.3 and part["nmi"] > 0.5, demo


# --- 3. overcomplete, sparse, denoising --------------------------------------------------------

def test_overcomplete_copies_what_it_never_saw(get, data):
    noise = torch.rand((N, *data.shape), generator=torch.Generator().manual_seed(0))
    inverted = 1 - data.x_test
    err = {name: [metrics.mse(get(name).reconstruct(u), u) for u in (noise, inverted)]
           for name in ("ae", "overcomplete_ae", "sparse_ae", "denoising_ae")}
    for i in range(2):
        assert err["overcomplete_ae"][i] <= err["ae"][i] / 3, err
    for fix in ("sparse_ae", "denoising_ae"):
        assert err[fix][0] >= 2 * err["overcomplete_ae"][0], err


def test_sparse_code_is_sparse_and_still_reconstructs(get, data):
    sparse, free = get("sparse_ae"), get("sparse_ae", sparsity_weight=0.0)
    rho = sparse.config.rho
    act = float(latent.codes(sparse, data.x_test).mean())
    act_free = float(latent.codes(free, data.x_test).mean())
    assert abs(act - rho) <= rho / 2, act
    assert act < act_free / 4, (act, act_free)
    assert metrics.mse(sparse.reconstruct(data.x_test), data.x_test) <= 0.012


def test_denoising_beats_plain_ae_on_masked_input(get, data):
    x = data.x_test
    noisy = gm.corrupt(x, "mask", 0.5, torch.Generator().manual_seed(1))
    gain = (metrics.psnr(get("denoising_ae").reconstruct(noisy), x)
            - metrics.psnr(get("ae").reconstruct(noisy), x))
    assert gain >= 3.0, gain


# --- 6. convolutional ------------------------------------------------------------------------

def test_conv_ae_is_smaller_and_reconstructs(get, data):
    """On 8x8 only size and sanity; that it matches the fc error on 28x28 with fewer
    parameters is measured on MNIST in benchmarks/phenomena.py (too slow for a test)."""
    conv, fc = get("conv_ae"), get("ae")
    assert conv.latent_dim == fc.latent_dim
    assert conv.n_params() < fc.n_params()
    assert metrics.mse(conv.reconstruct(data.x_test), data.x_test) <= 0.02


# --- 7. latent holes ---------------------------------------------------------------------------

def test_vae_fills_the_holes_a_plain_ae_leaves(get, data, referee):
    holes = latent.latent_holes(get("ae", latent_dim=8), get("vae", latent_dim=8), referee, data, N)
    assert holes["vae_prior"]["fd"] <= holes["ae_prior"]["fd"] / 4, holes
    assert holes["vae_prior"]["classes_covered"] >= 9, holes["vae_prior"]["histogram"]


def test_vae_posteriors_cover_the_prior_and_beta_zero_leaves_gaps(get, data):
    """The VAE page's 'no empty gaps' caption: with the KL term the inputs' 95% regions of
    q(z|x) cover most of N(0, I); without it (beta = 0) they shrink to points."""
    from lessons import vae as lesson
    cov = {b: lesson.prior_coverage(*lesson.posterior(get("vae", latent_dim=2, beta=b), data.x_test))
           for b in (0.0, 1.0)}
    assert cov[1.0] >= 0.9 and cov[0.0] <= 0.1, cov


def test_precision_and_recall_by_hand():
    """Kynkaanniemi et al.'s metric on point sets whose answer is known: the same set is
    all quality and all coverage, a far-away set neither, a set that drops half the modes
    keeps its quality and loses half its coverage."""
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0], [10, 0], [0, 10], [10, 10]])
    real = torch.cat([c + 0.5 * torch.randn(200, 2, generator=g) for c in centres])
    same = metrics.precision_recall(real, real)
    assert same["precision"] == 1.0 and same["recall"] == 1.0
    far = metrics.precision_recall(real, real + 100)
    assert far["precision"] == 0.0 and far["recall"] == 0.0
    half = torch.cat([c + 0.5 * torch.randn(400, 2, generator=g) for c in centres[:2]])
    pr = metrics.precision_recall(real, half)
    assert pr["precision"] > 0.9 and 0.4 < pr["recall"] < 0.6, pr


def test_two_judges_agree_the_gan_and_the_vae_make_digits_and_the_ae_prior_does_not(get, data, judges):
    """No claim rests on one network: the referee (MLP on 8x8) and a second judge of
    another architecture (a CNN), trained apart, each put the GAN's and the VAE's samples
    within 10% of their noise ceiling with 9+ classes, and the plain AE's prior far worse."""
    samples = {"gan": get("gan").sample(N, seed=0), "vae": get("vae").sample(N, seed=0),
               "ae": latent.prior_samples(get("ae", latent_dim=8), N, seed=0)}
    assert {j.kind for j, _ in judges} == {"mlp", "cnn"}
    for judge, anchors in judges:
        reps = {k: metrics.sample_report(x, judge, data.x_test) for k, x in samples.items()}
        share = {k: r["fd"] / anchors["ceiling"]["fd"] for k, r in reps.items()}
        for k in ("gan", "vae"):
            assert share[k] <= 0.1 and reps[k]["classes_covered"] >= 9, (judge.kind, k, share[k])
        assert share["ae"] >= 3 * share["vae"], (judge.kind, share)
        assert reps["vae"]["precision"] > reps["ae"]["precision"], (judge.kind, reps)


def test_anchor_floor_is_far_below_ceiling(noise_ceiling):
    assert noise_ceiling["floor"]["fd"] < noise_ceiling["ceiling"]["fd"] / 20
    assert noise_ceiling["floor"]["classes_covered"] == 10


# --- 8. GAN --------------------------------------------------------------------------------

def test_gan_covers_the_classes(get, data, referee, noise_ceiling):
    rep = metrics.sample_report(get("gan").sample(N, seed=0), referee, data.x_test)
    assert rep["classes_covered"] >= 9, rep["histogram"]
    assert rep["fd"] < 0.1 * noise_ceiling["ceiling"]["fd"], rep["fd"]


# --- 9. generative vs discriminative ---------------------------------------------------------

def test_class_conditional_generation(get, data, referee):
    cc = latent.class_conditional(get("vae"), referee, data, per_class=100)
    assert cc["accuracy"] >= 0.8, cc


def test_interpolation_and_grid_shapes(get, data):
    """The one interpolation path starts and ends exactly at the two codes; slerp keeps the
    norm when both ends share it; decoding it and the 2-D grid give images in [0, 1]."""
    vae = get("vae")
    z = latent.codes(vae, data.x_test[:2])
    for mode in ("linear", "slerp"):
        p = latent.path(z[0], z[1], 7, mode)
        assert p.shape == (7, vae.latent_dim)
        assert torch.equal(p[0], z[0]) and torch.equal(p[-1], z[1])
    lin = latent.path(z[0], z[1], 3, "linear")
    assert torch.allclose(lin[1], (z[0] + z[1]) / 2, atol=1e-6)
    u = z / z.norm(dim=1, keepdim=True)
    s = latent.path(u[0], u[1], 9, "slerp")
    assert torch.allclose(s.norm(dim=1), torch.ones(9), atol=1e-5)
    images = latent.decode(vae, latent.path(z[0], z[1], 7, "slerp"))
    assert images.shape == (7, *data.shape) and 0 <= images.min() and images.max() <= 1
    grid = latent.decoded_grid(vae, n=5)
    assert grid.shape == (25, *data.shape)
    corner = latent.decode(vae, torch.tensor([[-2.5, 2.5] + [0.0] * (vae.latent_dim - 2)]))
    assert torch.allclose(grid[0], corner[0], atol=1e-6)  # top-left: dim 0 low, dim 1 high
    c = latent.codes(vae, data.x_test)
    pca = latent.pca_fit(c, 2)
    y = latent.pca_project(c, pca)
    assert torch.allclose(latent.pca_project(latent.pca_inverse(y, pca), pca), y, atol=1e-4)
    with pytest.raises(ValueError):
        latent.path(z[0], z[1], 3, "cubic")
