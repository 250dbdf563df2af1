"""A walk through the convolutional autoencoder for the convolutional page: every layer's
output shape and parameters for one image, its feature maps as images, the output-size
formulas of convolution and transposed convolution, and a measure of checkerboard
artifacts (Odena et al., "Deconvolution and Checkerboard Artifacts", Distill 2016).

Images are tensors (N,1,H,W) in [0,1]. Nothing here trains a model.
"""
from __future__ import annotations

import torch
import torch.nn as nn


def conv_out(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output side of a convolution (or pooling): floor((n + 2p - k) / s) + 1."""
    return (size + 2 * padding - kernel) // stride + 1


def tconv_out(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """Output side of a transposed convolution: (n - 1) s - 2p + k."""
    return (size - 1) * stride - 2 * padding + kernel


def describe(layer: nn.Module) -> str:
    """A short readable name for one layer, e.g. 'Conv2d 3×3, 16 filters'."""
    if isinstance(layer, nn.ConvTranspose2d):
        k, s = layer.kernel_size[0], layer.stride[0]
        return f"ConvTranspose2d {k}×{k} s{s}, {layer.out_channels} filter{'s' if layer.out_channels > 1 else ''} (learned ×{s})"
    if isinstance(layer, nn.Conv2d):
        k = layer.kernel_size[0]
        return f"Conv2d {k}×{k}, {layer.out_channels} filter{'s' if layer.out_channels > 1 else ''}"
    if isinstance(layer, nn.MaxPool2d):
        return f"MaxPool {layer.kernel_size}×{layer.kernel_size} (halves H, W)"
    if isinstance(layer, nn.Sequential):  # upsample-then-convolve block
        return " + ".join(describe(m) for m in layer)
    if isinstance(layer, nn.Upsample):
        return f"Upsample ×{int(layer.scale_factor)} (fixed)"
    if isinstance(layer, nn.Linear):
        return f"Linear {layer.in_features} → {layer.out_features}"
    return type(layer).__name__


def shape_text(t: torch.Tensor) -> str:
    """Per-image shape of a batch tensor, e.g. '16 × 8 × 8' (channels × H × W)."""
    return " × ".join(str(s) for s in t.shape[1:])


@torch.no_grad()
def layer_walk(model, x: torch.Tensor) -> list[dict]:
    """One row per layer of a ConvAutoencoder for the batch `x` (usually one image): part
    (encoder/decoder), layer description, output shape, number of values per image,
    trainable parameters, and the output tensor itself (key "out")."""
    outs = model.layer_outputs(x)
    mods = [None] + [m for seq in (model.encoder, model.decoder) for m in seq]
    rows = []
    for (name, out), mod in zip(outs, mods):
        rows.append({"part": name.split(".")[0], "layer": "input image" if mod is None else describe(mod),
                     "shape": shape_text(out), "values": int(out[0].numel()),
                     "params": 0 if mod is None else sum(p.numel() for p in mod.parameters()),
                     "out": out})
    return rows


def feature_maps(t: torch.Tensor) -> torch.Tensor:
    """The channels of one image's layer output (1,C,H,W) as C images (C,1,H,W), each
    min-max scaled to [0,1] on its own (a flat channel becomes black)."""
    maps = t[0].detach().float().unsqueeze(1)
    lo = maps.amin((2, 3), keepdim=True)
    hi = maps.amax((2, 3), keepdim=True)
    return (maps - lo) / (hi - lo).clamp_min(1e-8)


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
