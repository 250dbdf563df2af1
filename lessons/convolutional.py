"""The convolutional autoencoder: conv + max-pool encoder, transposed-conv decoder. What the
page measures: every layer's output shape, parameters and feature maps for one test image;
the conv model against the fully connected one at the same code size; and checkerboard
artifacts of the transposed-conv decoder beside upsample-then-convolve (Odena et al.,
"Deconvolution and Checkerboard Artifacts", Distill 2016).

Images are tensors (N,1,H,W) in [0,1]. Nothing here trains a model.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

import gm
from gm import Spec, metrics

from .verdict import Verdict, verdict

SLUG = "convolutional"
PAGE = "pages/4_Convolutional.py"
SIZES = (2, 4, 8, 16, 32)  # the code-size slider (the same for the conv and the fc model)
MODELS = ("conv", "nearest", "fc")
N_ARTIFACTS = 2000         # test images scored for artifacts: stable, and fast on MNIST too


@dataclass(frozen=True)
class Choice:
    """What the page's controls return."""
    latent: int = 8


def specs(choice: Choice, dataset: str, seed: int) -> tuple[Spec, Spec, Spec]:
    """The conv model with a transposed-conv decoder, the same with upsample-then-convolve,
    and the fully connected autoencoder, all with the same code size (order of MODELS)."""
    z = choice.latent
    return (Spec("conv_ae", dataset, seed=seed, latent_dim=z),
            Spec("conv_ae", dataset, seed=seed, latent_dim=z, upsample="nearest"),
            Spec("ae", dataset, seed=seed, latent_dim=z))


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once."""
    return [Spec("conv_ae", dataset, seed=seed), Spec("conv_ae", dataset, seed=seed, upsample="nearest")]


# --- layer by layer ------------------------------------------------------------------------------

def describe(layer: nn.Module) -> tuple[Verdict, ...]:
    """A short readable name for one layer, e.g. 'Conv2d 3×3, 16 filters', as catalog keys
    (an upsample-then-convolve block has one per part, read joined by ' + ')."""
    if isinstance(layer, nn.ConvTranspose2d):
        k, s, n = layer.kernel_size[0], layer.stride[0], layer.out_channels
        return ((verdict("convolutional.layer.tconv", k=k, s=s, n=n) if n > 1
                 else verdict("convolutional.layer.tconv_one", k=k, s=s, n=n)),)
    if isinstance(layer, nn.Conv2d):
        k, n = layer.kernel_size[0], layer.out_channels
        return ((verdict("convolutional.layer.conv", k=k, n=n) if n > 1
                 else verdict("convolutional.layer.conv_one", k=k, n=n)),)
    if isinstance(layer, nn.MaxPool2d):
        return (verdict("convolutional.layer.pool", k=layer.kernel_size),)
    if isinstance(layer, nn.Sequential):
        return tuple(v for m in layer for v in describe(m))
    if isinstance(layer, nn.Upsample):
        return (verdict("convolutional.layer.upsample", f=int(layer.scale_factor)),)
    if isinstance(layer, nn.Linear):
        return (verdict("convolutional.layer.linear", a=layer.in_features, b=layer.out_features),)
    return (verdict("convolutional.layer.other", name=type(layer).__name__),)


def shape_text(t: torch.Tensor) -> str:
    """Per-image shape of a batch tensor, e.g. '16 × 8 × 8' (channels × H × W)."""
    return " × ".join(str(s) for s in t.shape[1:])


@torch.no_grad()
def layer_walk(model, x: torch.Tensor) -> list[dict]:
    """One row per layer of a ConvAutoencoder for the batch `x` (usually one image): part
    (input/encoder/decoder), layer description (describe), module type, output shape,
    number of values per image, trainable parameters, and the output itself ("out")."""
    outs = model.layer_outputs(x)
    mods = [None] + [m for seq in (model.encoder, model.decoder) for m in seq]
    rows = []
    for (name, out), mod in zip(outs, mods):
        rows.append({"part": name.split(".")[0],
                     "layer": (verdict("convolutional.layer.input"),) if mod is None else describe(mod),
                     "module": None if mod is None else type(mod).__name__,
                     "shape": shape_text(out), "values": int(out[0].numel()),
                     "params": 0 if mod is None else sum(p.numel() for p in mod.parameters()),
                     "out": out})
    return rows


def feature_maps(out: torch.Tensor) -> torch.Tensor:
    """The channels of one image's layer output (1,C,H,W) as C images (C,1,H,W), each
    min-max scaled to [0,1] on its own (a flat channel becomes black)."""
    maps = out[0].detach().float().unsqueeze(1)
    lo = maps.amin((2, 3), keepdim=True)
    hi = maps.amax((2, 3), keepdim=True)
    return (maps - lo) / (hi - lo).clamp_min(1e-8)


def walk(conv, index: int) -> dict:
    """Test image `index` through every layer: layer_walk's rows with the feature maps
    (None where the output is not a map) instead of the raw output, the rows that have
    maps, and the one shown first (the first ReLU)."""
    rows = layer_walk(conv, gm.load_dataset(conv.spec.dataset).x_test[index:index + 1])
    for r in rows:
        out = r.pop("out")
        r["maps"] = feature_maps(out) if out.dim() == 4 else None
    with_maps = [i for i, r in enumerate(rows) if r["maps"] is not None]
    return {"rows": rows, "with_maps": with_maps,
            "default": next(i for i in with_maps if rows[i]["module"] == "ReLU")}


# --- conv against fully connected ----------------------------------------------------------------

def scores(model) -> dict:
    """Parameters, test MSE and PSNR on the whole test set, and training time (s)."""
    x = gm.load_dataset(model.spec.dataset).x_test
    xhat = model.reconstruct(x)
    return {"params": model.n_params(), "mse": metrics.mse(xhat, x), "psnr": metrics.psnr(xhat, x),
            "seconds": model.info.get("train_seconds", float("nan"))}


def compare(conv, nearest, fc) -> dict:
    """scores() of the three models of MODELS, how many times the fully connected model's
    parameters the conv model's are, the verdict (which has the lower test error), and a
    note on why the parameter count matters more on larger images."""
    d = gm.load_dataset(conv.spec.dataset)
    s = {k: scores(m) for k, m in zip(MODELS, (conv, nearest, fc))}
    ratio = s["fc"]["params"] / s["conv"]["params"]
    numbers = dict(conv=s["conv"]["mse"], fc=s["fc"]["mse"], ratio=ratio)
    says = (verdict("convolutional.compare.conv_wins", **numbers) if s["conv"]["mse"] < s["fc"]["mse"]
            else verdict("convolutional.compare.fc_wins", **numbers))
    side = d.shape[-1]
    note = verdict("convolutional.compare.small") if side <= 16 else verdict("convolutional.compare.large")
    return {"scores": s, "ratio": ratio, "verdict": says, "note": note, "n": len(d.x_test), "side": side}


# --- checkerboard artifacts ----------------------------------------------------------------------

def checkerboard(x: torch.Tensor) -> dict:
    """How much of each image alternates from one pixel to the next (the period-2
    pattern of checkerboard artifacts). Along every row, sum the pixels with signs
    + - + - ...: the signed difference between each pixel at an even position and its odd
    neighbour, summed; likewise down every column. These sums are the image's Fourier
    coefficients on the Nyquist lines; their energy, by Parseval, over the image's total
    variance is `score` (0: nothing alternates, e.g. any nearest-upsampled image; 1: a
    pure checkerboard or stripes), and `rms` is that energy as an RMS amplitude per pixel
    (in brightness units, 0..1). Both are means over the batch; constant images score 0."""
    v = x[:, 0].double()
    v = v - v.mean((1, 2), keepdim=True)
    _, h, w = v.shape
    sw = (-1.0) ** torch.arange(w, dtype=torch.float64)
    sh = (-1.0) ** torch.arange(h, dtype=torch.float64)
    rows = (v * sw).sum(2)                       # (N, H): one alternating sum per row
    cols = (v * sh[:, None]).sum(1)              # (N, W): one per column
    both = (v * sh[:, None] * sw).sum((1, 2))    # the corner frequency, counted twice above
    energy = (rows ** 2).sum(1) / w + (cols ** 2).sum(1) / h - both ** 2 / (h * w)
    total = (v ** 2).sum((1, 2))
    score = torch.where(total > 1e-12, energy / total.clamp_min(1e-12), torch.zeros_like(total))
    return {"score": float(score.mean()), "rms": float((energy / (h * w)).clamp_min(0).sqrt().mean())}


@torch.no_grad()
def flat_response(model, x: torch.Tensor, size: int = 8, border: int = 2) -> torch.Tensor:
    """What the decoder's LAST upsampling layer (+ output activation) makes of a perfectly
    flat input: each channel set to its mean activation on `x`, spread over a size x size
    map. A flat input has nothing to alternate, so any period-2 pattern in the output is
    the layer's own. Returns the (1,1,2*size,2*size) output without `border` pixels on
    each side (zero padding makes the edges differ)."""
    h = model.layer_outputs(x)[-3][1]                 # the input of the last upsampling layer
    flat = h.mean((0, 2, 3)).view(1, -1, 1, 1).expand(1, -1, size, size)
    y = model.decoder[-1](model.decoder[-2](flat))
    return y[..., border:-border, border:-border] if border else y


def artifacts(conv, nearest) -> dict:
    """The first test image of each class through both decoders ("images"), the
    checkerboard score of N_ARTIFACTS test images, of their reconstructions and of each
    decoder's flat response (plus its peak-to-peak "p2p"), the flat responses stretched
    to one shared contrast, and the verdicts on the reconstructions and the flat test."""
    d = gm.load_dataset(conv.spec.dataset)
    shown = [int(torch.nonzero(d.y_test == c)[0, 0]) for c in range(len(d.classes))]
    x = d.x_test[:N_ARTIFACTS]
    images, score, flat = {"clean": d.x_test[shown]}, {"input": checkerboard(x)}, {}
    for k, model in (("conv", conv), ("nearest", nearest)):
        images[k] = model.reconstruct(d.x_test[shown])
        score[k] = checkerboard(model.reconstruct(x))
        flat[k] = flat_response(model, x)
        score[k + "_flat"] = {"p2p": float(flat[k].max() - flat[k].min()), **checkerboard(flat[k])}
    pc, pn = score["conv_flat"]["p2p"], score["nearest_flat"]["p2p"]
    half = max(pc, pn, 1e-3) / 2  # one contrast for both
    stretched = {k: ((f - f.mean()) / (2 * half) + 0.5).clamp(0, 1) for k, f in flat.items()}
    sc, sn, small = score["conv"]["score"], score["nearest"]["score"], d.shape[-1] <= 16
    v, f = dict(conv=sc, nearest=sn), dict(conv=pc, nearest=pn)
    if sc > sn:
        pattern = verdict("convolutional.pattern.more_small", **v) if small else \
            verdict("convolutional.pattern.more", **v)
    else:
        pattern = verdict("convolutional.pattern.not_more_small", **v) if small else \
            verdict("convolutional.pattern.not_more", **v)
    if pc <= 2 * pn:
        giveaway = verdict("convolutional.flat.similar", **f)
    else:
        giveaway = verdict("convolutional.flat.flat", **f) if pn < 0.2 * pc else \
            verdict("convolutional.flat.flatter", **f)
    return {"images": images, "score": score, "flat": flat, "stretched": stretched,
            "pattern": pattern, "giveaway": giveaway}
