"""Analyses behind the home, autoencoder and overcomplete/sparse pages: inputs a model
never saw (the identity-trap probes), code-activation statistics, learned-feature atlases,
architectures written out, rate-distortion against PCA, and the small discriminative
classifier the home page sets beside a generative model.

Images are tensors (N,1,H,W) in [0,1]. Nothing here trains an autoencoder.
"""
from __future__ import annotations

import numpy as np
import torch

from . import latent, metrics

PROBES = ("test digit", "inverted digit", "uniform noise", "square", "bar")
ACTIVE = 0.1  # a code unit "fires" on an image when its activation exceeds this


# --- inputs it never saw ----------------------------------------------------------------------

def probe_inputs(x_test: torch.Tensor, index: int = 0, seed: int = 0) -> torch.Tensor:
    """One image per name in PROBES, shaped like the dataset: a held-out digit, the same
    digit inverted (1 - x), uniform noise, an outlined square, a thick horizontal bar."""
    shape = x_test.shape[1:]
    _, h, w = shape
    digit = x_test[index % len(x_test)]
    g = torch.Generator().manual_seed(seed)
    noise = torch.rand(shape, generator=g)
    square = torch.zeros(shape)
    a, b = h // 4, h - h // 4 - 1
    t = max(1, h // 8)  # stroke width: 1 pixel on 8x8, 3 on 28x28
    square[:, a:b + 1, a:b + 1] = 1.0
    square[:, a + t:b + 1 - t, a + t:b + 1 - t] = 0.0
    bar = torch.zeros(shape)
    bar[:, h // 2 - t: h // 2 + t, w // 8: w - w // 8] = 1.0
    return torch.stack([digit, 1 - digit, noise, square, bar])


@torch.no_grad()
def probe_errors(models: dict, x: torch.Tensor) -> tuple[dict, dict]:
    """Each model's reconstructions of `x` and the per-image MSE: ({name: (N,1,H,W)},
    {name: [mse per image]})."""
    outs, errs = {}, {}
    for name, m in models.items():
        xhat = m.reconstruct(x)
        outs[name] = xhat
        errs[name] = [float(v) for v in ((xhat - x) ** 2).flatten(1).mean(1)]
    return outs, errs


# --- what the code units do ------------------------------------------------------------------

def code_stats(model, x: torch.Tensor, threshold: float = ACTIVE) -> dict:
    """Activation statistics of the code on `x`: all activations (flattened), the mean
    number of units above `threshold` per image, the dead units (never above `threshold`
    on any image of `x`), the mean activation, and each unit's mean activation."""
    z = latent.codes(model, x)
    fires = z > threshold
    per_unit = z.mean(0)
    return {"activations": z.flatten().numpy(), "units": z.shape[1],
            "active_per_image": float(fires.sum(1).float().mean()),
            "dead": int((~fires.any(0)).sum()), "mean_activation": float(z.mean()),
            "unit_means": per_unit.numpy()}


def feature_atlas(model, n: int = 64, order: np.ndarray | None = None) -> torch.Tensor:
    """The decoder's first-layer weight columns as images (one per code unit), each
    min-max scaled to [0,1]: what one unit adds to the output when it fires. `order`
    picks and orders units (e.g. most used first); default the first `n`."""
    w = model.decoder[0].weight.detach()           # (out, latent)
    if w.shape[0] != model.n_in:                   # stacked decoder: use the encoder's rows
        w = model.encoder[0].weight.detach().T     # (n_in, first hidden)
    idx = torch.as_tensor(order[:n] if order is not None else np.arange(min(n, w.shape[1])))
    cols = w[:, idx].T                             # (n, n_in)
    lo, hi = cols.min(1, keepdim=True).values, cols.max(1, keepdim=True).values
    return ((cols - lo) / (hi - lo).clamp_min(1e-8)).view(-1, *model.shape)


def architecture(model) -> list[int]:
    """Layer widths from input to output, e.g. [64, 256, 128, 8, 128, 256, 64]."""
    lin = [m for m in [*model.encoder, *model.decoder] if isinstance(m, torch.nn.Linear)]
    return [lin[0].in_features] + [m.out_features for m in lin]


# --- code size against error -----------------------------------------------------------------

def pca_errors(x_train: torch.Tensor, x_test: torch.Tensor, sizes) -> dict[int, float]:
    """Test MSE of PCA with k components fitted on `x_train`, for every k in `sizes`."""
    mean, comps = latent.pca_fit(x_train, max(sizes))
    out = {}
    for k in sizes:
        back = latent.pca_project(x_test, (mean, comps[:k])) @ comps[:k] + mean
        out[int(k)] = metrics.mse(back.view_as(x_test).clamp(0, 1), x_test)
    return out


# --- the discriminative side of the home page -----------------------------------------------

def fit_classifier(x: torch.Tensor, y: torch.Tensor, max_train: int = 5000, seed: int = 0):
    """A logistic regression p(y | x) on flattened pixels (at most `max_train` images):
    a discriminative model. Returns the fitted sklearn estimator."""
    from sklearn.linear_model import LogisticRegression
    idx = np.random.default_rng(seed).permutation(len(x))[:max_train]
    clf = LogisticRegression(max_iter=500)
    clf.fit(x[idx].flatten(1).numpy(), y[idx].numpy())
    return clf


def kmeans_labels(features: torch.Tensor, k: int = 10, seed: int = 0) -> np.ndarray:
    """Cluster index of every row of `features` (k-means, 10 restarts)."""
    from sklearn.cluster import KMeans
    return KMeans(k, n_init=10, random_state=seed).fit_predict(features.flatten(1).numpy())


def cluster_gallery(x: torch.Tensor, assign: np.ndarray, per_cluster: int = 10) -> torch.Tensor:
    """Up to `per_cluster` members of each cluster, one row per cluster (blank padding),
    clusters ordered by size: what k-means found without labels."""
    rows = []
    for c in sorted(np.unique(assign), key=lambda c: -(assign == c).sum()):
        members = x[torch.as_tensor(np.flatnonzero(assign == c)[:per_cluster])]
        pad = torch.ones((per_cluster - len(members), *x.shape[1:]))
        rows.append(torch.cat([members, pad]))
    return torch.cat(rows)


def feature_smoothness(tiles: torch.Tensor) -> float:
    """Mean correlation of neighbouring pixels within each tile (N,1,H,W), averaged over
    tiles: near 0 for speckle, higher for strokes and blobs."""
    a = tiles[:, 0] - tiles[:, 0].mean((1, 2), keepdim=True)
    h = (a[:, :, 1:] * a[:, :, :-1]).mean((1, 2))
    v = (a[:, 1:, :] * a[:, :-1, :]).mean((1, 2))
    return float(((h + v) / 2 / (a ** 2).mean((1, 2)).clamp_min(1e-12)).mean())
