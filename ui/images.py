"""Images as arrays for display: tile a batch into one grid, upscaled with crisp pixels,
and `show` to put one on the page."""
from __future__ import annotations

import numpy as np
import torch


DIGIT = 84  # px: the smallest a page's main figure draws a digit (read from the back of a room)


def digit_cell(side: int) -> int:
    """The cell for a main figure's digits of `side` pixels: a whole multiple of the side, at
    least DIGIT (28x28: 84, 3x; 8x8: 88, 11x)."""
    return side * -(-DIGIT // side)


def to_uint8(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """(N,1,H,W) or (H,W) in [0,1] -> uint8 array of the same layout without the channel."""
    a = x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    if a.ndim == 4:
        a = a[:, 0]
    return (np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8)


def upscale(img: np.ndarray, size: int) -> np.ndarray:
    """Nearest-neighbour upscale of (H,W) so the long side is about `size` pixels."""
    k = max(1, size // max(img.shape[-2:]))
    return img.repeat(k, axis=-2).repeat(k, axis=-1)


def grid(x: torch.Tensor | np.ndarray, ncols: int = 8, cell: int = 56, pad: int = 2,
         pad_value: int = 255) -> np.ndarray:
    """Tile a batch (N,1,H,W) into one uint8 image, each cell about `cell` pixels wide."""
    imgs = upscale(to_uint8(x), cell)
    n, h, w = imgs.shape
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    out = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad), pad_value, np.uint8)
    for i in range(n):
        r, c = divmod(i, ncols)
        out[pad + r * (h + pad): pad + r * (h + pad) + h, pad + c * (w + pad): pad + c * (w + pad) + w] = imgs[i]
    return out


def show(x, ncols: int = 8, cell: int = 56, caption: str | None = None) -> None:
    """A batch (N,1,H,W) in [0,1] as one crisp grid image on the page."""
    import streamlit as st
    st.image(grid(x, ncols=ncols, cell=cell), caption=caption)
