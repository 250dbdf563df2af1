"""Latent maps for the app: 2-D views of codes (raw, PCA with its inverse, t-SNE), the
point a click on a map stands for, the VAE's Gaussians as ellipses, and finding a
GAN's latent vector for a given image (it has no encoder).

Pure numpy/torch (sklearn for t-SNE); the app caches the results per model and settings.
"""
from __future__ import annotations

import numpy as np
import torch

from .device import set_threads
from .latent import lerp, pca_fit, pca_project, slerp

VIEWS = ("raw", "pca", "tsne")


def pca_map(z: torch.Tensor) -> dict:
    """PCA of codes z (N, d) to 2-D: {'points' (N,2), 'mean' (d,), 'comps' (2,d)}.
    For 2-D codes this is a rotation; the app uses it for d > 2."""
    mean, comps = pca_fit(z, 2)
    return {"points": pca_project(z, (mean, comps)).numpy(), "mean": mean.numpy(),
            "comps": comps.numpy()}


def pca_inverse(xy, pca: dict) -> np.ndarray:
    """The code (d,) on the PCA plane at map point xy (the other directions at the mean)."""
    return np.asarray(xy, dtype=np.float32) @ pca["comps"] + pca["mean"]


def pca_forward(z, pca: dict) -> np.ndarray:
    """Codes (N, d) -> map points (N, 2) with a fitted `pca_map`."""
    return (np.asarray(z, dtype=np.float32).reshape(-1, len(pca["mean"])) - pca["mean"]) @ pca["comps"].T


def tsne(z: torch.Tensor | np.ndarray, perplexity: float = 30.0, seed: int = 0,
         max_iter: int = 500) -> np.ndarray:
    """t-SNE of codes to 2-D (sklearn, PCA initialisation): about 2 s for 360-1,800 points
    on 2 cores. Keeps neighbours together; sizes of clusters and the distances between
    them mean little."""
    from sklearn.manifold import TSNE
    a = np.asarray(z, dtype=np.float32)
    perplexity = float(min(perplexity, max(2.0, (len(a) - 1) / 3)))
    return TSNE(2, perplexity=perplexity, init="pca", max_iter=max_iter, random_state=seed,
                learning_rate="auto").fit_transform(a).astype(np.float32)


def nearest(points: np.ndarray, xy) -> int:
    """Index of the row of `points` (N,2) closest to map point xy."""
    return int(((np.asarray(points) - np.asarray(xy, dtype=np.float32)) ** 2).sum(1).argmin())


def click_to_code(view: str, xy, z: np.ndarray, points: np.ndarray, pca: dict | None = None):
    """What a click at map point xy stands for: (code (d,), index of the nearest test
    point). raw: xy itself (2-D codes); pca: the PCA inverse of xy; tsne: t-SNE has no
    inverse, so the code of the nearest test point."""
    i = nearest(points, xy)
    if view == "raw":
        return np.asarray(xy, dtype=np.float32), i
    if view == "pca":
        return pca_inverse(xy, pca).astype(np.float32), i
    return np.asarray(z[i], dtype=np.float32), i


def place(view: str, code, z: np.ndarray, points: np.ndarray, pca: dict | None = None) -> np.ndarray:
    """Where a new code (d,) goes on a map (2,): itself, its PCA projection, or (t-SNE,
    which cannot place new points) the map point of the nearest test code."""
    code = np.asarray(code, dtype=np.float32).reshape(-1)
    if view == "raw":
        return code[:2]
    if view == "pca":
        return pca_forward(code, pca)[0]
    return points[int(((z - code) ** 2).sum(1).argmin())]


def click_codes(view: str, xy, clicked: str, maps: dict) -> dict:
    """A click at map point xy on model `clicked`'s map, decoded by every model in `maps`
    (name -> {'z': codes (N,d), 'points': map (N,2), 'pca': pca_map or None}).
    raw and pca: each model takes the same map point in its own space (xy itself, or its
    own PCA inverse); tsne: every model takes its code of the test image nearest the
    click on the clicked map. Returns name -> {'code' (d,), 'xy' (2,) where to mark it,
    'index' of that nearest test image}."""
    i = nearest(maps[clicked]["points"], xy)
    out = {}
    for name, m in maps.items():
        code, _ = click_to_code(view, xy, m["z"], m["points"], m.get("pca"))
        if view == "tsne":
            code = np.asarray(m["z"][i], dtype=np.float32)
        mark = m["points"][i] if view == "tsne" else np.asarray(xy, dtype=np.float32)
        out[name] = {"code": code, "xy": np.asarray(mark, dtype=np.float32), "index": i}
    return out


def ellipse(mu, sigma, k: float = 2.0, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Outline of the k-sigma ellipse of an axis-aligned 2-D Gaussian N(mu, diag(sigma^2))."""
    t = np.linspace(0, 2 * np.pi, n)
    return mu[0] + k * sigma[0] * np.cos(t), mu[1] + k * sigma[1] * np.sin(t)


def grid_points(points: np.ndarray, n: int = 30, margin: float = 0.15) -> np.ndarray:
    """An n*n grid covering the points' bounding box (plus a margin): clickable
    spots in the empty parts of a map."""
    lo, hi = points.min(0), points.max(0)
    pad = (hi - lo) * margin
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)


def latent_path(z0, z1, steps: int, mode: str = "linear") -> torch.Tensor:
    """`steps` codes from z0 to z1 (both ends included), straight ('linear') or along the
    great circle ('slerp')."""
    z0, z1 = torch.as_tensor(z0, dtype=torch.float32), torch.as_tensor(z1, dtype=torch.float32)
    t = torch.linspace(0, 1, steps)
    return (slerp if mode == "slerp" else lerp)(z0, z1, t)


# --- a GAN has no encoder: search its latent space -------------------------------------------

def invert_gan(gan, target: torch.Tensor, steps: int = 200, restarts: int = 8, lr: float = 0.1,
               seed: int = 0) -> tuple[torch.Tensor, float]:
    """The latent vector whose generated image is closest (MSE) to `target` (1,H,W): Adam
    on z from `restarts` random starts at once, the best kept. Returns (z (latent_dim,),
    its per-pixel MSE). The generator is only read (it must be in eval mode)."""
    set_threads()  # tiny products: one thread is fastest (and fair to other sessions)
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(restarts, gan.latent_dim, generator=g).requires_grad_(True)
    x = target.reshape(1, *gan.shape).float()
    opt = torch.optim.Adam([z], lr=lr)
    # the shared model is only read: no .train(), and autograd.grad touches no param .grad
    for _ in range(steps):
        err = ((gan.generator(z) - x) ** 2).flatten(1).mean(1)
        z.grad, = torch.autograd.grad(err.sum(), z)
        opt.step()
    with torch.no_grad():
        err = ((gan.generator(z) - x) ** 2).flatten(1).mean(1)
    best = int(err.argmin())
    return z[best].detach().clone(), float(err[best])
