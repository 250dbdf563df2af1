"""The overcomplete problem: a code wider than the input can learn the identity (it copies
anything, digits or not), and the cures. What the page measures: four autoencoders fed
inputs they never saw (the identity trap), and a sparse code against the unpenalised
overcomplete one: units on per image, dead units, activations, features the units draw."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

import gm
from gm import Spec, latent, metrics
from gm.models.ae import overcomplete_width

from .verdict import verdict

PROBES = ("test digit", "inverted digit", "uniform noise", "square", "bar")
ACTIVE = 0.1  # a code unit "fires" on an image when its activation exceeds this

SLUG = "overcomplete"
PAGE = "pages/2_Overcomplete_and_sparse.py"
TRAP = ("ae", "overcomplete_ae", "sparse_ae", "denoising_ae")  # bottleneck (z=8) and the three wide ones
PENALTIES = ("kl", "l1")
WEIGHTS = (0.0, 0.003, 0.01, 0.03, 0.1, 0.3)
RHOS = (0.01, 0.02, 0.05, 0.1, 0.2)
SPARSE_FRACTION = 0.5   # sparse when under half as many units are on as in the overcomplete code
NEAR_RHO = 0.8          # "every unit is used, but rarely": this share within a factor 2 of rho
SMOOTHER = 0.05         # neighbour correlation by which sparse features count as smoother
ATLAS = 64              # busiest units drawn
USED_SHARE = 0.01       # a pixel digits "use": inked (> 0.1) in at least 1% of training images


@dataclass(frozen=True)
class Choice:
    """What the page's controls return."""
    digit: int = 0
    penalty: str = "kl"
    weight: float = 0.03
    rho: float = 0.05


def trap_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return tuple(Spec(name, dataset, seed=seed) for name in TRAP)


def sparse_spec(choice: Choice, dataset: str, seed: int) -> Spec:
    """The sparse autoencoder of the penalty controls (rho only matters for 'kl')."""
    return Spec("sparse_ae", dataset, seed=seed, sparsity=choice.penalty,
                sparsity_weight=choice.weight, rho=choice.rho if choice.penalty == "kl" else 0.05)


def specs(choice: Choice, dataset: str, seed: int) -> tuple[Spec, ...]:
    return trap_specs(dataset, seed) + (sparse_spec(choice, dataset, seed),)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once."""
    return list(dict.fromkeys(specs(Choice(), dataset, seed)))  # the default sparse_ae is in the trap


def widths(dataset: str) -> dict:
    """Pixels per image and the overcomplete code's width, for the introduction."""
    pixels = int(np.prod(gm.load_dataset(dataset).shape))
    return {"pixels": pixels, "width": overcomplete_width(pixels)}


# --- the identity trap -------------------------------------------------------------------------

def used_pixels(x_train: torch.Tensor, share: float = USED_SHARE) -> torch.Tensor:
    """The pixels training digits use (inked in at least `share` of them), shaped (1,H,W).
    The identity can only be learned where inputs vary: a pixel that is blank in every
    training image never sends a gradient to its encoder weights, so no autoencoder copies
    noise there (on MNIST 302 of 784 border pixels; on 8x8 digits 3 of 64)."""
    return (x_train > 0.1).float().mean(0) >= share


def noise_errors(named: dict, noise: torch.Tensor, used: torch.Tensor) -> dict:
    """Each model's per-pixel MSE on `noise` images, over the pixels the digits use."""
    return {n: float(((m.reconstruct(noise) - noise) ** 2)[:, used].mean()) for n, m in named.items()}


def trap(index: int, seed: int, *models) -> dict:
    """Every probe input (PROBES, built from test image `index`), each model's
    output and error on it, each model's test error, and the verdict on uniform noise
    (100 images, over the pixels the digits use): the overcomplete model copies it, the
    bottleneck model does not."""
    d = gm.load_dataset(models[0].spec.dataset)
    named = {m.spec.name: m for m in models}
    x = probe_inputs(d.x_test, index, seed)
    outs, errs = probe_errors(named, x)
    test = {n: metrics.mse(m.reconstruct(d.x_test), d.x_test) for n, m in named.items()}
    used = used_pixels(d.x_train)
    noise = torch.rand((100, *d.shape), generator=torch.Generator().manual_seed(seed))
    on_noise = noise_errors(named, noise, used)
    oc, bn = on_noise["overcomplete_ae"], on_noise["ae"]
    says = verdict("overcomplete.trap.noise", oc=oc, bn=bn, ratio=bn / max(oc, 1e-9),
                   used=int(used.sum()), pixels=used.numel(), **{n: v for n, v in test.items()})
    return {"inputs": x, "outputs": outs, "errors": errs, "test_mse": test, "noise_mse": on_noise,
            "used": used, "verdict": says}


# --- what the code units do --------------------------------------------------------------------

def code_view(model) -> dict:
    """gm.code_stats on the test set, a 40-bin histogram of the activations clipped
    to [0, 1] (one scale for every model), the atlas of the busiest units' features and its
    smoothness, and the test error."""
    d = gm.load_dataset(model.spec.dataset)
    s = code_stats(model, d.x_test)
    counts, edges = np.histogram(np.clip(s.pop("activations"), 0, 1), bins=40, range=(0, 1))
    atlas = feature_atlas(model, ATLAS, np.argsort(-s["unit_means"]))
    return s | {"counts": counts, "mids": (edges[:-1] + edges[1:]) / 2, "atlas": atlas,
                "smooth": feature_smoothness(atlas), "sorted_means": np.sort(s["unit_means"])[::-1],
                "on": s["active_per_image"] / s["units"],
                "mse": metrics.mse(model.reconstruct(d.x_test), d.x_test)}


def sparsity(sparse, overcomplete) -> dict:
    """Both codes side by side and three verdicts: is the sparse code sparse (`hist`),
    where its units' mean activations sit against the target rate (`units`), and whether
    its features are smoother than the overcomplete ones (`atlas`)."""
    sp, ov = code_view(sparse), code_view(overcomplete)
    c = sparse.config
    on = dict(on_sp=sp["on"], on_ov=ov["on"])
    if sp["on"] < ov["on"] * SPARSE_FRACTION:
        hist = verdict("overcomplete.hist.sparse", **on)
    elif c.sparsity_weight == 0:
        hist = verdict("overcomplete.hist.not_sparse_w0", **on)
    else:
        hist = verdict("overcomplete.hist.not_sparse", **on)
    near = int(((sp["unit_means"] >= c.rho / 2) & (sp["unit_means"] <= 2 * c.rho)).sum())
    rate = dict(near=near, units=sp["units"], rho=c.rho)
    if c.sparsity_weight == 0:
        units = verdict("overcomplete.units.no_penalty")
    elif c.sparsity == "kl" and near >= NEAR_RHO * sp["units"]:
        units = verdict("overcomplete.units.kl_all", **rate)
    elif c.sparsity == "kl":
        units = verdict("overcomplete.units.kl_some", **rate)
    else:
        units = verdict("overcomplete.units.l1", dead=sp["dead"], units=sp["units"])
    smooth = dict(sp=sp["smooth"], ov=ov["smooth"])
    if sp["smooth"] > ov["smooth"] + SMOOTHER:
        atlas = verdict("overcomplete.atlas.smoother", **smooth)
    else:
        atlas = verdict("overcomplete.atlas.same", **smooth)
    return {"sparse": sp, "overcomplete": ov, "near": near,
            "hist": hist, "units": units, "atlas": atlas}


# --- measurements behind this lesson ------------------------------------------------------

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


def feature_smoothness(tiles: torch.Tensor) -> float:
    """Mean correlation of neighbouring pixels within each tile (N,1,H,W), averaged over
    tiles: near 0 for speckle, higher for strokes and blobs."""
    a = tiles[:, 0] - tiles[:, 0].mean((1, 2), keepdim=True)
    h = (a[:, :, 1:] * a[:, :, :-1]).mean((1, 2))
    v = (a[:, 1:, :] * a[:, :-1, :]).mean((1, 2))
    return float(((h + v) / 2 / (a ** 2).mean((1, 2)).clamp_min(1e-12)).mean())
