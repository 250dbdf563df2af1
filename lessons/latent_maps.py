"""Latent maps, shared by the latent-gaps and interpolation lessons (not a lesson itself):
2-D views of a model's test codes (the raw code, its PCA with the inverse, t-SNE), what a
click on a map stands for, where a new code lands on one, and a GAN's latent vector for
a given image (a GAN has no encoder, so its latent space is searched).

A map is a dict: 'z' the test codes (N, d), 'points' their 2-D view (N, 2), 'labels' the
test labels (N,), 'pca' the codes' PCA to 2-D (gm.latent's `(mean, comps)`), 'view' its name.
"""
from __future__ import annotations

import numpy as np
import torch

import gm
from gm import latent
from gm.device import set_threads

VIEWS = ("raw", "pca", "tsne")
PERPLEXITIES = (5, 15, 30, 50)


def code_map(model, view: str = "pca", perplexity: int = 30, seed: int = 0) -> dict:
    """The test codes of `model` (on its own dataset) seen in `view`; 'raw' keeps the
    first two code dimensions (the whole code when it is 2-D)."""
    data = gm.load_dataset(model.spec.dataset)
    z = latent.codes(model, data.x_test)
    pca = latent.pca_fit(z, 2)
    points = z[:, :2].numpy() if view == "raw" else latent.pca_project(z, pca).numpy() \
        if view == "pca" else tsne(z, perplexity, seed)
    return {"z": z.numpy(), "points": np.asarray(points, np.float32), "labels": data.y_test.numpy(),
            "pca": pca, "view": view}


def tsne(z, perplexity: float = 30.0, seed: int = 0, max_iter: int = 500) -> np.ndarray:
    """t-SNE of codes to 2-D (sklearn, PCA initialisation): about 2 s for 360-1,800 points
    on 2 cores. Keeps neighbours together; sizes of clusters and the distances between
    them mean little."""
    from sklearn.manifold import TSNE
    a = np.asarray(z, dtype=np.float32)
    perplexity = float(min(perplexity, max(2.0, (len(a) - 1) / 3)))
    return TSNE(2, perplexity=perplexity, init="pca", max_iter=max_iter, random_state=seed,
                learning_rate="auto").fit_transform(a).astype(np.float32)


def to_map(codes, m: dict) -> np.ndarray:
    """Where codes (N, d) land on map `m` (N, 2): the codes themselves (raw), their PCA
    projection, or (t-SNE cannot place new points) the map point of the nearest test code."""
    c = np.asarray(codes, dtype=np.float32).reshape(-1, m["z"].shape[1])
    if m["view"] == "raw":
        return c[:, :2]
    if m["view"] == "pca":
        return latent.pca_project(torch.from_numpy(c), m["pca"]).numpy()
    return m["points"][[nearest(m["z"], row) for row in c]]


def nearest(points: np.ndarray, xy) -> int:
    """Index of the row of `points` closest to xy."""
    return int(((np.asarray(points) - np.asarray(xy, dtype=np.float32)) ** 2).sum(1).argmin())


def click_codes(xy, clicked: str, maps: dict) -> dict:
    """A click at map point xy on model `clicked`'s map, as a code for every model in
    `maps` (name -> map, all in one view). raw and pca: each model takes the same map point
    in its own space (xy itself, or its own PCA inverse); tsne has no inverse, so every
    model takes its code of the test image nearest the click on the clicked map.
    Returns name -> {'code' (d,), 'xy' (2,) where to mark it, 'index' of that test image}."""
    i = nearest(maps[clicked]["points"], xy)
    xy = np.asarray(xy, dtype=np.float32)
    out = {}
    for name, m in maps.items():
        if m["view"] == "raw":
            code, mark = xy, xy
        elif m["view"] == "pca":
            code, mark = latent.pca_inverse(torch.from_numpy(xy), m["pca"])[0].numpy(), xy
        else:
            code, mark = m["z"][i], m["points"][i]
        out[name] = {"code": np.asarray(code, np.float32), "xy": np.asarray(mark, np.float32),
                     "index": i}
    return out


def grid_points(points: np.ndarray, n: int = 30, margin: float = 0.15) -> np.ndarray:
    """An n*n grid covering the points' bounding box (plus a margin): clickable spots in
    the empty parts of a map."""
    lo, hi = points.min(0), points.max(0)
    pad = (hi - lo) * margin
    gx, gy = np.meshgrid(np.linspace(lo[0] - pad[0], hi[0] + pad[0], n),
                         np.linspace(lo[1] - pad[1], hi[1] + pad[1], n))
    return np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)


def read(referee, images: torch.Tensor) -> tuple[list[int], list[float], list[float]]:
    """The class the referee reads in each image, how sure it is (if it is a digit at all),
    and its realism: the referee's probability that the image is a digit."""
    r = referee.read(images)
    return r["label"], r["confidence"], r["realism"]


# --- a GAN has no encoder: search its latent space -------------------------------------------

def invert_gan(gan, target: torch.Tensor, steps: int = 200, restarts: int = 8, lr: float = 0.1,
               seed: int = 0) -> tuple[torch.Tensor, float]:
    """The latent vector whose generated image is closest (MSE) to `target` (1,H,W): Adam
    on z from `restarts` random starts at once, the best kept. Returns (z (latent_dim,),
    its per-pixel MSE). The generator is only read (it must be in eval mode)."""
    set_threads(1)  # a few hundred tiny steps: one thread, fair to other sessions
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
