"""The autoencoder: encoder, bottleneck, decoder. What the page measures: held-out digits
and their reconstructions, the code size against the test error beside PCA (the best
linear code), stacked autoencoders with a mirrored decoder, and the encoder's codes as
features for a classifier that sees only a few labels."""
from __future__ import annotations

import functools
from dataclasses import dataclass

import torch

import gm
from gm import Spec, latent, metrics
from gm.data import dataset_variant

from .verdict import verdict

SLUG = "autoencoder"
PAGE = "pages/1_Autoencoder.py"
SIZES = (2, 4, 8, 16, 32, 64)                            # the code-size slider
DEPTHS = {1: (256,), 2: (256, 128), 3: (512, 256, 128)}  # stacked autoencoders
LABELS = (1, 2, 5, 10, 20, 50)                           # labelled examples per class
REPEATS = 5                                              # random draws of those labels


@dataclass(frozen=True)
class Choice:
    """What the page's controls return."""
    latent: int = 8
    depth: int = 1
    labels: int = 5


def spec(dataset: str, seed: int, size: int, depth: int = 1) -> Spec:
    """The autoencoder with code size `size` and `depth` hidden layers (depth 1 is the
    default, so other pages share those models)."""
    return Spec("ae", dataset, seed=seed, latent_dim=size, hidden=DEPTHS[depth])


def specs(choice: Choice, dataset: str, seed: int) -> tuple[Spec]:
    return (spec(dataset, seed, choice.latent, choice.depth),)


def curve_specs(dataset: str, seed: int, depth: int) -> tuple[Spec, ...]:
    """One model per code size at this depth: the rate-distortion curve's points."""
    return tuple(spec(dataset, seed, z, depth) for z in SIZES)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once."""
    return list(curve_specs(dataset, seed, 1)) + [s for s in stacking_specs(dataset, seed) if s.config.hidden != DEPTHS[1]]


# --- what the page shows -----------------------------------------------------------------------

def test_error(ae) -> float:
    """Mean squared error per pixel on the held-out test set."""
    d = gm.load_dataset(ae.spec.dataset)
    return metrics.mse(ae.reconstruct(d.x_test), d.x_test)


def reconstructions(ae) -> dict:
    """The first test image of each class over its reconstruction, the test error and
    PSNR, the layer widths from input to output and the number of trainable parameters."""
    d = gm.load_dataset(ae.spec.dataset)
    xhat = ae.reconstruct(d.x_test)
    first = torch.stack([torch.nonzero(d.y_test == c)[0, 0] for c in range(len(d.classes))])
    arch = architecture(ae)
    return {"images": torch.cat([d.x_test[first], xhat[first]]), "n": len(first),
            "mse": metrics.mse(xhat, d.x_test), "psnr": metrics.psnr(xhat, d.x_test),
            "arch": arch, "pixels": arch[0], "compression": arch[0] / ae.latent_dim,
            "params": ae.n_params()}


def rate_distortion(dataset: str, *aes) -> dict:
    """Test error against code size for PCA (every size) and for the given autoencoders
    (the trained ones), and the verdict: at which sizes the autoencoder beats PCA."""
    d = gm.load_dataset(dataset)
    pca = pca_errors(d.x_train, d.x_test, SIZES)
    ae = {m.latent_dim: test_error(m) for m in sorted(aes, key=lambda m: m.latent_dim)}
    wins = [z for z, e in ae.items() if e < pca[z]]
    says = (verdict("autoencoder.rd.wins", sizes=", ".join(map(str, wins))) if wins
            else verdict("autoencoder.rd.no_wins"))
    return {"pca": pca, "ae": ae, "wins": wins, "verdict": says}


def stacking_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    """The z = 8 autoencoders of every depth: the one-layer default and the stacked ones."""
    return tuple(spec(dataset, seed, 8, d) for d in DEPTHS)


def stacking(*aes) -> dict:
    """Every depth side by side at the same code size: hidden widths, test error and
    parameters, and the verdict on whether stacking (its best depth) is at least as good as
    one hidden layer."""
    rows = [{"hidden": list(m.config.hidden), "depth": len(m.config.hidden), "mse": test_error(m),
             "params": m.n_params()} for m in sorted(aes, key=lambda m: len(m.config.hidden))]
    one = rows[0]  # against the best stack (the deepest can overfit a small training set)
    deep = min(rows[1:], key=lambda r: r["mse"]) if len(rows) > 1 else one
    values = dict(deep=deep["mse"], one=one["mse"], z=8, layers=" - ".join(map(str, deep["hidden"])))
    # every stack ties its decoder and drops out (gm.models.ae.AEConfig): the page says so
    pct = round(100 * max(aes, key=lambda m: len(m.config.hidden)).config.stacked_dropout)
    said = (verdict("autoencoder.stacking.helps", **values) if deep["mse"] <= one["mse"]
            else verdict("autoencoder.stacking.hurts", **values))
    return {"rows": rows, "verdict": said, "dropout_pct": pct}


def features(ae, per_class: int) -> dict:
    """Test accuracy of a logistic regression trained on `per_class` labels per class,
    averaged over REPEATS draws: on the codes, on PCA with as many components, on pixels."""
    out = latent.feature_probe(ae, gm.load_dataset(ae.spec.dataset), per_class, REPEATS, pixels=False)
    return out | {"pixels": pixels(ae.spec.dataset, per_class)}


def pixels(dataset: str, per_class: int) -> float:
    """features' baseline on raw pixels: the same for every autoencoder, so it is computed
    once per dataset (and variant) and label count; the page warms every LABELS count in the
    background, so that moving the labels slider finds it ready."""
    return _pixels(dataset, dataset_variant(dataset), per_class)


@functools.cache
def _pixels(dataset: str, variant: str, per_class: int) -> float:
    return latent.pixels_probe(gm.load_dataset(dataset), per_class, REPEATS)


# --- measurements behind this lesson ------------------------------------------------------

def architecture(model) -> list[int]:
    """Layer widths from input to output, e.g. [64, 256, 128, 8, 128, 256, 64]."""
    lin = [m for m in [*model.encoder, *model.decoder] if hasattr(m, "out_features")]  # tied too
    return [lin[0].in_features] + [m.out_features for m in lin]


def pca_errors(x_train: torch.Tensor, x_test: torch.Tensor, sizes) -> dict[int, float]:
    """Test MSE of PCA with k components fitted on `x_train`, for every k in `sizes`."""
    mean, comps = latent.pca_fit(x_train, max(sizes))
    out = {}
    for k in sizes:
        back = latent.pca_inverse(latent.pca_project(x_test, (mean, comps[:k])), (mean, comps[:k]))
        out[int(k)] = metrics.mse(back.view_as(x_test).clamp(0, 1), x_test)
    return out
