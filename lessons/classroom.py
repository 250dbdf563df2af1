"""The class's own digits: every student draws a digit on their own device; the board puts
each on the AE's and the VAE's 2-D code maps (the latent-gaps page's models and maps),
reads it with the referee (its class and its realism), and treats the drawings as a small
test set: each model's reconstruction error on them beside its error on the test digits,
and the drawings the referee read as another digit than the one the student said."""
from __future__ import annotations

import numpy as np
import torch

import gm
from gm import Spec, latent

from . import latent_gaps, latent_maps
from .verdict import verdict

SLUG = "classroom"
PAGE = "pages/11_Class.py"
CHOICE = latent_gaps.Choice(latent=2)   # the maps the board draws on: 2-D codes, raw view
NAMES = latent_gaps.NAMES               # ("ae", "vae")
NOT_A_DIGIT = 0.5                       # realism below this: the referee says it is no digit
TEST_SHOWN = 1000                       # test digits the models' usual error is measured on


def specs(dataset: str, seed: int) -> tuple[Spec, Spec]:
    return latent_gaps.specs(CHOICE, dataset, seed)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The latent-gaps page's 2-D models: train.py trains them for that page already."""
    return list(specs(dataset, seed))


def maps(ae, vae, seed: int) -> dict:
    """The two maps the board draws on (the latent-gaps page's raw 2-D view)."""
    return latent_gaps.maps(ae, vae, CHOICE.shown_view, CHOICE.perplexity, CHOICE.tsne_seed, seed)


def test_error(model) -> float:
    """Mean squared reconstruction error per pixel on the first TEST_SHOWN test digits."""
    x = gm.load_dataset(model.spec.dataset).x_test[:TEST_SHOWN]
    return float(errors(model, x).mean())


def errors(model, x: torch.Tensor) -> np.ndarray:
    """Each image's mean squared reconstruction error per pixel (codes are means for a VAE)."""
    with torch.no_grad():
        back = latent.decode(model, latent.codes(model, x))
    return ((back - x) ** 2).flatten(1).mean(1).numpy()


def as_images(drawings, side: int) -> tuple[torch.Tensor, list]:
    """The board's drawings of this dataset's size as images (N, 1, side, side) in [0, 1],
    and the digit each student said it is (None where they did not say)."""
    kept = [d for d in drawings if d.pixels.shape == (side, side)]
    if not kept:
        return torch.zeros(0, 1, side, side), []
    x = torch.from_numpy(np.stack([d.pixels for d in kept]).astype(np.float32) / 255.0)[:, None]
    return x, [d.label for d in kept]


def board(ae, vae, referee, x: torch.Tensor, said: list, maps: dict, usual: dict) -> dict:
    """The board for drawings `x` (as_images): where each lands on each map ('xy'), what
    the referee reads ('label', 'confidence', 'realism'), each model's reconstruction error
    on them beside its `usual` error on test digits, which drawings fooled the referee
    (it read another digit than the student said) and which it finds no digit at all."""
    n = len(x)
    if n == 0:
        return {"n": 0, "verdict": verdict("classroom.board.empty")}
    with torch.no_grad():
        codes = {k: latent.codes(m, x).numpy() for k, m in zip(NAMES, (ae, vae))}
    xy = {k: latent_maps.to_map(codes[k], maps[k]) for k in NAMES}
    label, confidence, realism = latent_maps.read(referee, x)
    err = {k: errors(m, x) for k, m in zip(NAMES, (ae, vae))}
    fooled = [i for i in range(n) if said[i] is not None and said[i] != label[i]]
    strange = [i for i in range(n) if realism[i] < NOT_A_DIGIT]
    ratio = {k: float(err[k].mean() / max(usual[k], 1e-9)) for k in NAMES}
    better = min(NAMES, key=lambda k: err[k].mean())
    return {"n": n, "xy": xy, "label": label, "confidence": confidence, "realism": realism,
            "said": said, "error": {k: float(err[k].mean()) for k in NAMES}, "usual": usual,
            "ratio": ratio, "fooled": fooled, "strange": strange,
            "verdict": verdict(f"classroom.board.verdict.{better}", n=n, fooled=len(fooled),
                               said=sum(s is not None for s in said), strange=len(strange),
                               ae=ratio["ae"], vae=ratio["vae"])}
