"""The latent space: codes, PCA, Gaussians fitted to codes, the interpolation path, decoded grids,
and the experiments built on them (latent holes, class-conditional generation, codes
as features for a few labels, k-means on codes).

Every model here is a trained autoencoder from gm.get_model (`encode`, `decode`);
for the VAE `encode` gives the mean of q(z|x).
"""
from __future__ import annotations

import threading
import weakref

import torch

from . import metrics


@torch.no_grad()
def codes(model, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
    """Encoder codes (N, latent_dim), in eval mode."""
    model.eval()
    return torch.cat([model.encode(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])


@torch.no_grad()
def decode(model, z: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
    """Decoded images clipped to [0,1] (the MLP overcomplete decoder is linear)."""
    model.eval()
    return torch.cat([model.decode(z[i:i + batch_size]).clamp(0, 1)
                      for i in range(0, len(z), batch_size)])


# --- PCA: the linear baseline and the 2-D view ---------------------------------------------------

def pca_fit(x: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean (D,) and the top-k principal directions (k, D) of flattened `x`: the lab's one
    PCA, used as `pca = (mean, comps)` by pca_project and pca_inverse. The decomposition of
    a tensor is kept while the tensor lives, so a dataset's training images are decomposed
    once (0.3 s for the embedded MNIST) however many code sizes ask."""
    mean, comps = _decomposed(torch.as_tensor(x))
    return mean, comps[:k]


_PCAS: dict[int, tuple[torch.Tensor, torch.Tensor]] = {}  # id(tensor) -> its PCA, while it lives
_PCA_LOCK = threading.Lock()


def _decomposed(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    key = id(x)
    with _PCA_LOCK:
        if key in _PCAS:
            return _PCAS[key]
    a = x.flatten(1).double()
    mean = a.mean(0)
    _, _, vt = torch.linalg.svd(a - mean, full_matrices=False)
    out = (mean.float(), vt.float())
    with _PCA_LOCK:
        _PCAS[key] = out
    weakref.finalize(x, _PCAS.pop, key, None)  # the id may be reused once x is gone
    return out


def pca_project(x: torch.Tensor, pca: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """Coordinates (N, k) of `x` (N, ...) along a fitted PCA's directions."""
    mean, comps = pca
    return (torch.as_tensor(x, dtype=torch.float32).flatten(1) - mean) @ comps.T


def pca_inverse(y: torch.Tensor, pca: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """The points (N, D) with PCA coordinates `y` (N, k): on the PCA plane, every other
    direction at the mean. pca_project(pca_inverse(y)) == y."""
    mean, comps = pca
    return torch.as_tensor(y, dtype=torch.float32).reshape(-1, len(comps)) @ comps + mean


def pca_reconstruct(x_train: torch.Tensor, x_test: torch.Tensor, k: int) -> torch.Tensor:
    """PCA with k components fitted on `x_train`, applied to `x_test` (clipped to [0,1])."""
    pca = pca_fit(x_train, k)
    return pca_inverse(pca_project(x_test, pca), pca).view_as(x_test).clamp(0, 1)


# --- Gaussians in latent space -------------------------------------------------------------------

def fit_gaussian(z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and covariance (slightly regularized) of codes z (N, d)."""
    mean = z.mean(0)
    cov = torch.cov(z.T).reshape(z.shape[1], z.shape[1]) + 1e-5 * torch.eye(z.shape[1])
    return mean, cov


def sample_gaussian(mean: torch.Tensor, cov: torch.Tensor, n: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(n, len(mean), generator=g)
    return mean + eps @ torch.linalg.cholesky(cov.double()).float().T


def prior_samples(model, n: int, seed: int = 0) -> torch.Tensor:
    """Decode z ~ N(0, I): what a VAE is trained for, a plain autoencoder is not."""
    g = torch.Generator().manual_seed(seed)
    return decode(model, torch.randn(n, model.latent_dim, generator=g))


def fitted_samples(model, x: torch.Tensor, n: int, seed: int = 0) -> torch.Tensor:
    """Decode samples from one Gaussian fitted to the codes of `x`."""
    return decode(model, sample_gaussian(*fit_gaussian(codes(model, x)), n, seed))


def class_gaussians(model, x: torch.Tensor, y: torch.Tensor) -> dict[int, tuple]:
    """One Gaussian per class fitted to that class's codes: p(z | y)."""
    z = codes(model, x)
    return {int(c): fit_gaussian(z[y == c]) for c in torch.unique(y)}


def generate_class(model, gaussians: dict, label: int, n: int, seed: int = 0) -> torch.Tensor:
    """New images of class `label`: z ~ p(z | y=label), decoded."""
    return decode(model, sample_gaussian(*gaussians[label], n, seed))


# --- interpolation and grids ----------------------------------------------------------------

def path(z0, z1, steps: int, mode: str = "linear") -> torch.Tensor:
    """`steps` codes (steps, d) from z0 (d,) to z1 (d,), evenly spaced in t; the first is
    exactly z0 and the last exactly z1.
    'linear': (1-t) z0 + t z1, a straight line. 'slerp' (Shoemake 1985; for GAN latents,
    White 2016): along the great circle, the angle to z0 growing evenly with t, so with
    |z0| = |z1| every step keeps that norm, typical of N(0,I) samples, instead of cutting
    through the low-density centre; (anti)parallel or zero ends fall back to 'linear'."""
    if mode not in ("linear", "slerp"):
        raise ValueError(f"mode must be 'linear' or 'slerp', not {mode!r}")
    z0, z1 = torch.as_tensor(z0, dtype=torch.float32), torch.as_tensor(z1, dtype=torch.float32)
    t = torch.linspace(0, 1, steps, device=z0.device)[:, None]
    cos = torch.dot(z0, z1) / (z0.norm() * z1.norm()).clamp_min(1e-12)
    omega = torch.arccos(cos.clamp(-1.0, 1.0))
    if mode == "linear" or torch.sin(omega) < 1e-6 or min(z0.norm(), z1.norm()) < 1e-12:
        out = (1 - t) * z0 + t * z1
    else:
        out = (torch.sin((1 - t) * omega) * z0 + torch.sin(t * omega) * z1) / torch.sin(omega)
    out[0], out[-1] = z0, z1  # exact ends, whatever the rounding
    return out


def decoded_grid(model, n: int = 10, span: float = 2.5, dims: tuple[int, int] = (0, 1),
                 center: torch.Tensor | None = None) -> torch.Tensor:
    """n*n images decoded on a square grid over two latent dims (others at `center`,
    default 0), row by row from top (dim 1 high) to bottom; for a 2-D VAE this is
    the whole learned manifold."""
    base = torch.zeros(model.latent_dim) if center is None else center.clone()
    ticks = torch.linspace(-span, span, n)
    z = base.repeat(n * n, 1)
    z[:, dims[0]] = ticks.repeat(n)
    z[:, dims[1]] = ticks.flip(0).repeat_interleave(n)
    return decode(model, z)


# --- experiments -------------------------------------------------------------------------------

def latent_holes(ae, vae, referee, data, n: int = 1000, seed: int = 0) -> dict:
    """Score decoded N(0,I) samples of a plain autoencoder and a VAE with the same
    latent_dim, and the plain autoencoder's samples from a Gaussian fitted to its codes."""
    fr = referee.features(data.x_test)
    score = lambda s: metrics.sample_report(s, referee, data.x_test, fr)
    return {"ae_prior": score(prior_samples(ae, n, seed)),
            "vae_prior": score(prior_samples(vae, n, seed)),
            "ae_fitted": score(fitted_samples(ae, data.x_train, n, seed))}


def class_conditional(model, referee, data, per_class: int = 100, seed: int = 0) -> dict:
    """Generate `per_class` images of every class from per-class Gaussians of the codes;
    the fraction the referee labels as the intended class, overall and per class."""
    gs = class_gaussians(model, data.x_train, data.y_train)
    per = {}
    for c in gs:
        pred = referee.predict_proba(generate_class(model, gs, c, per_class, seed + c)).argmax(1)
        per[c] = float((pred == c).float().mean())
    return {"accuracy": sum(per.values()) / len(per), "per_class": per}


def feature_probe(model, data, per_class: int = 10, repeats: int = 5, pixels: bool = True) -> dict:
    """Logistic regression with `per_class` labels per class on encoder codes, raw pixels
    (`pixels_probe`; left out with pixels=False) and PCA with as many components as the
    code has: test accuracies."""
    k = model.latent_dim
    pca = pca_fit(data.x_train, k)
    feats = {"codes": (codes(model, data.x_train), codes(model, data.x_test)),
             "pca": (pca_project(data.x_train, pca), pca_project(data.x_test, pca))}
    out = {name: metrics.linear_probe(a, data.y_train, b, data.y_test, per_class, repeats)
           for name, (a, b) in feats.items()}
    return out | ({"pixels": pixels_probe(data, per_class, repeats)} if pixels else {}) | {"dims": k}


def pixels_probe(data, per_class: int = 10, repeats: int = 5) -> float:
    """feature_probe's baseline on raw pixels, which no model changes (its slowest part:
    0.1-2 s on the embedded MNIST, more labels taking longer)."""
    return metrics.linear_probe(data.x_train, data.y_train, data.x_test, data.y_test, per_class, repeats)


def cluster_demo(model, data, seed: int = 0) -> dict:
    """k-means (k = number of classes) on the test images' codes and on their raw
    pixels, each scored against the labels it never saw."""
    k = len(data.classes)
    return {"codes": metrics.cluster_agreement(codes(model, data.x_test), data.y_test, k, seed),
            "pixels": metrics.cluster_agreement(data.x_test, data.y_test, k, seed)}
