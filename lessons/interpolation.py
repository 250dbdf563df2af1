"""Latent interpolation: encode two test digits (a 0 and a 9 at first), walk from one code
to the other (gm.latent.path, straight or slerp) and decode every step, in the autoencoder,
the VAE and the GAN (which has no encoder: its endpoints are found by searching its latent
space); the referee says how digit-like each step is, and the maps show the walk."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

import gm
from gm import Spec, latent

from . import latent_maps
from .latent_maps import to_map  # noqa: F401  (the figures place the walk with it)

SLUG = "interpolation"
PAGE = "pages/7_Interpolation.py"
DIMS = (2, 8)
MODES = ("linear", "slerp")
STEPS = (3, 15)     # the steps slider's range
PICKS = 20          # "which one" goes from 0 to this
NAMES = ("ae", "vae", "gan")


@dataclass(frozen=True)
class Choice:
    """What the page's controls return: the first and last digit (class and which test
    image of that class), the number of steps, the path and the code size."""
    start: int = 0
    start_pick: int = 0
    end: int = 9
    end_pick: int = 1  # the first test 9 has a thin, slanted loop: the z = 8 VAE's decode of it reads as a 7
    steps: int = 10
    mode: str = "linear"
    latent: int = 8  # at 2 the plain AE decodes the first test 9's code as a 7 on MNIST


def specs(choice: Choice, dataset: str, seed: int) -> tuple[Spec, Spec, Spec]:
    return (Spec("ae", dataset, seed=seed, latent_dim=choice.latent),
            Spec("vae", dataset, seed=seed, latent_dim=choice.latent), Spec("gan", dataset, seed=seed))


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once."""
    specs = [Spec(m, dataset, seed=seed, latent_dim=z) for z in DIMS for m in ("ae", "vae")]
    return specs + [Spec("gan", dataset, seed=seed)]


def pick(dataset: str, cls: int, k: int) -> int:
    """The index of the k-th test image of class `cls` (counting round when k is too big)."""
    idx = np.flatnonzero(gm.load_dataset(dataset).y_test.numpy() == cls)
    return int(idx[k % len(idx)])


def test_map(model) -> dict:
    """The model's test codes as a map (latent_maps): the raw code when it is 2-D, else its PCA."""
    return latent_maps.code_map(model, "raw" if model.latent_dim == 2 else "pca")


def gan_code(gan, index: int) -> tuple[tuple[float, ...], float]:
    """The GAN's latent vector nearest test image `index` (latent_maps.invert_gan) as a
    tuple, so it can be handed on as a cache key, and its per-pixel MSE."""
    z, err = latent_maps.invert_gan(gan, gm.load_dataset(gan.spec.dataset).x_test[index])
    return tuple(z.tolist()), err


@torch.no_grad()
def walks(ae, vae, gan, referee, i0: int, i1: int, steps: int, mode: str, gan_ends: tuple) -> dict:
    """The walk from test image i0 to i1 in each model (NAMES): 'codes' (steps, d), decoded
    'images', the class the referee reads at each step ('label'), how sure it is
    ('confidence') and how digit-like the image is ('realism'), with the realism's 'mean'
    and 'lowest'. Also 't', the two real digits ('ends')
    and 'fit_mse', how close the GAN's endpoints (`gan_ends`, two gan_code results) come."""
    x = gm.load_dataset(ae.spec.dataset).x_test[[i0, i1]]
    out = {}
    for name, model in (("ae", ae), ("vae", vae)):
        z = latent.codes(model, x)
        out[name] = {"codes": latent.path(z[0], z[1], steps, mode)}
        out[name]["images"] = latent.decode(model, out[name]["codes"])
    (g0, e0), (g1, e1) = gan_ends
    z = latent.path(g0, g1, steps, mode)
    out["gan"] = {"codes": z, "images": gan.generator(z).clamp(0, 1)}
    for name in NAMES:
        r = out[name]
        r["label"], r["confidence"], r["realism"] = latent_maps.read(referee, r["images"])
        r["mean"], r["lowest"] = float(np.mean(r["realism"])), float(np.min(r["realism"]))
        r["codes"] = r["codes"].numpy()
    return out | {"t": np.linspace(0, 1, steps), "ends": x, "fit_mse": (e0, e1)}
