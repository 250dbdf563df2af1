"""The GAN: a generator from noise against a discriminator, trained alternately,
each against a fixed opponent. What the sampling view measures: samples from fixed noise
with their D(x) and the class the referee reads, images along a path in noise space, and
the quality of 1,000 samples (Frechet distance on the noise-to-real scale, classes
covered, mean D(x) on fakes and on real digits, and the verdict on that gap). The live
cockpit's measurements are in `lessons.gan_cockpit`; its controls' options are here."""
from __future__ import annotations

import torch

import gm
from gm import Spec, metrics
from gm.latent import path
from gm.models.gan import TwoPathDiscriminator

from .verdict import Verdict, verdict

SLUG = "gan"
PAGE = "pages/8_GAN.py"
MODES = ("sample", "live")          # the view radio
SHEET = 16                          # samples on the sheet, each from its own fixed noise z
SEEDS = 99_999                      # noise seeds 0..SEEDS
STEPS = 9                           # images along a walk through noise space
PATHS = ("slerp", "lerp")           # the path radio
SCORED = 1000                       # samples scored for the quality line
BALANCED = 0.1                      # |mean D(real) - mean D(fake)| below this: D can barely tell
STARTS = ("fresh", "trained")       # the live GAN starts from random weights or the trained GAN
LR = (1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3, 1e-2, 2e-2)  # the learning-rate sliders
# one-click settings (D steps per G step, D lr, G lr), named by catalog key gan.recipe.<name>
RECIPES = {"balanced": (1, 2e-3, 2e-3), "d_wins": (5, 5e-3, 1e-4), "too_fast": (1, 2e-2, 2e-2)}
REFRESH = 0.2                       # seconds: 5 live-panel updates per second while training runs


def specs(dataset: str, seed: int) -> tuple[Spec]:
    """The trained GAN the sampling view shows (and the live view may start from)."""
    return (Spec("gan", dataset, seed=seed),)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once."""
    return list(specs(dataset, seed))


# --- sampling ---------------------------------------------------------------------------------

@torch.no_grad()
def sample_sheet(model, n: int, seed: int, referee=None) -> dict:
    """n samples from fixed noise `seed`, each with its D(x) and (given a referee) the
    class it looks like, how sure the referee is and its realism (P(a digit))."""
    was = model.training
    model.eval()
    z = model.noise(n, seed=seed)
    x = model.generator(z)
    out = {"z": z, "x": x, "d": model.d_score(x).tolist()}
    if referee is not None:
        out |= referee.read(x)
    model.train(was)
    return out


@torch.no_grad()
def noise_path(model, z0: torch.Tensor, z1: torch.Tensor, steps: int = STEPS,
               mode: str = "slerp") -> dict:
    """Images along a straight (lerp) or great-circle (slerp) path in noise space, and D(x)."""
    was = model.training
    model.eval()
    z = path(z0, z1, steps, "slerp" if mode == "slerp" else "linear")
    x = model.generator(z)
    model.train(was)
    return {"x": x, "d": model.d_score(x).tolist()}


def sheet(gan, referee, seed: int) -> dict:
    """The page's sheet: SHEET samples of noise seed `seed`, D(x) and the referee's class."""
    return sample_sheet(gan, SHEET, seed, referee)


def walk(gan, seed: int, a: int, b: int, how: str) -> dict:
    """STEPS images from sheet sample #a to #b of noise seed `seed`, and their D(x)."""
    z = gan.noise(SHEET, seed=seed)
    return noise_path(gan, z[a], z[b], STEPS, how)


# --- quality and the balance of the game -------------------------------------------------------

def balance(d_real: float, d_fake: float) -> Verdict:
    """Can D still tell the samples from real digits (mean D(x) of SCORED samples against
    real test digits)? Close (gap under BALANCED), D ahead by `gap`, or fooled (it scores
    the fakes higher)."""
    values = {"n": SCORED, "d_real": d_real, "d_fake": d_fake, "gap": d_real - d_fake}
    if abs(values["gap"]) < BALANCED:
        return verdict("gan.balance.close", **values)
    if values["gap"] > 0:
        return verdict("gan.balance.d_ahead", **values)
    return verdict("gan.balance.fooled", **values)


def built(gan) -> Verdict:
    """How the trained GAN was made, in one sentence for the sampling view: the 28x28 conv
    generator against the two-path discriminator, or the 8x8 MLP pair; its updates, and the
    running average of G's weights its samples come from (`rate`: how far each update
    moves that average)."""
    values = {"steps": int(gan.info.get("steps", 0)), "latent": gan.latent_dim, "rate": 1 - gan.config.ema}
    if isinstance(gan.discriminator, TwoPathDiscriminator):
        return verdict("gan.built.two_path", **values)
    return verdict("gan.built.mlp", **values)


def quality(gan, referee, second) -> dict:
    """SCORED samples scored against the test images: Frechet distance in the referee's
    features on a scale from real training images ('floor') to uniform noise ('ceiling'),
    `share` of the way to noise, precision and recall there, classes covered, the second
    judge's share on its own scale (`second_share`, `second_covered`), mean D(x) on the
    samples and on real test digits with the `balance` verdict, the training time and how
    the GAN was `built`."""
    data = gm.load_dataset(gan.spec.dataset)
    samples, fr = gan.sample(SCORED, seed=0), referee.features(data.x_test)
    r = metrics.sample_report(samples, referee, data.x_test, fr)
    anchors = metrics.sample_anchors(referee, data, real_features=fr)
    fr2 = second.features(data.x_test)
    r2 = metrics.sample_report(samples, second, data.x_test, fr2)
    r["second_share"] = r2["fd"] / metrics.sample_anchors(second, data, real_features=fr2)["ceiling"]["fd"]
    r["second_covered"] = r2["classes_covered"]
    d_fake, d_real = float(gan.d_score(samples).mean()), float(gan.d_score(data.x_test).mean())
    return r | {"floor": anchors["floor"]["fd"], "ceiling": anchors["ceiling"]["fd"],
                "share": r["fd"] / anchors["ceiling"]["fd"], "d_fake": d_fake, "d_real": d_real,
                "balance": balance(d_real, d_fake), "n_classes": len(data.classes),
                "seconds": float(gan.info.get("train_seconds", 0)), "built": built(gan)}
