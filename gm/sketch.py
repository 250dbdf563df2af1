"""A drawing from the app's canvas turned into a dataset image.

The canvas gives RGBA pixels (H, W, 4); the ink is the stroke's alpha. Each dataset was
made in its own way, so the drawing is made the same way:
- 8x8 digits (sklearn, from UCI optdigits): the digit's box scaled to fill a 32x32 bitmap,
  then each 4x4 block averaged, giving values in [0, 1] (load_digits / 16).
- 28x28 MNIST: the digit's box scaled so its long side is 20 pixels, then placed in a
  28x28 image with its centre of mass at the centre (LeCun et al.'s recipe).
"""
from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn.functional as F

MIN_INK = 0.002  # less than this fraction of inked pixels counts as a blank canvas
MAX_BYTES = 2_000_000       # a 280 px canvas sends about 10-40 kB
MAX_PIXELS = 1200 * 1200    # a 280 px canvas on a 4x phone screen is 1120 x 1120


class BadDrawing(ValueError):
    """Canvas data that will not be decoded; `reason` is 'too_big' or 'malformed'."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def decode_png(raw: bytes | None) -> np.ndarray | None:
    """RGBA pixels (H, W, 4) of an image the browser sent, None for no image. The size is
    checked from the header before any pixel is decoded, so a small file that unpacks to
    a huge image (an image bomb) costs nothing; anything else odd is BadDrawing too."""
    if raw is None:
        return None
    if len(raw) > MAX_BYTES:
        raise BadDrawing("too_big")
    from PIL import Image
    try:
        img = Image.open(io.BytesIO(raw))
        w, h = img.size
    except Exception:
        raise BadDrawing("malformed") from None
    if w * h > MAX_PIXELS:
        raise BadDrawing("too_big")
    try:
        return np.asarray(img.convert("RGBA"))
    except Exception:
        raise BadDrawing("malformed") from None


def ink(image) -> np.ndarray | None:
    """Ink in [0,1] (H, W) from canvas pixels: the alpha of RGBA when it varies, else the
    colour difference from the border (a painted background). None when the array is unusable (wrong shape, empty, not numbers)."""
    try:
        a = np.asarray(image, dtype=np.float32)
    except (TypeError, ValueError):
        return None
    if a.ndim not in (2, 3) or min(a.shape[:2]) < 2 or a.size > 4 * 4096 * 4096:
        return None
    a = np.nan_to_num(a, nan=0.0, posinf=0.0, neginf=0.0)
    if a.ndim == 3 and a.shape[2] == 4 and np.ptp(a[..., 3]) > 0:
        a = a[..., 3]  # transparent background: the stroke is the alpha
    elif a.ndim == 3 and a.shape[2] in (1, 3, 4):
        # painted background: ink is the difference from the border's colour
        rgb = a[..., :3] if a.shape[2] >= 3 else a[..., :1]
        border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
        a = np.abs(rgb - np.median(border, 0)).max(2)
    if a.ndim != 2:
        return None
    top = a.max()
    return np.clip(a / (255.0 if top > 1 else 1.0), 0, 1)


def _box(a: np.ndarray) -> np.ndarray:
    rows, cols = np.flatnonzero(a.any(1)), np.flatnonzero(a.any(0))
    return a[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _fit(a: np.ndarray, size: int) -> torch.Tensor:
    """Scale so the long side is `size` (area average when shrinking), aspect kept."""
    h, w = a.shape
    s = size / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    t = torch.from_numpy(np.ascontiguousarray(a))[None, None]
    mode = "area" if s <= 1 else "bilinear"
    kw = {} if mode == "area" else {"align_corners": False}
    return F.interpolate(t, size=(nh, nw), mode=mode, **kw)[0, 0].clamp(0, 1)


def _paste(img: torch.Tensor, size: int, center: tuple[float, float]) -> torch.Tensor:
    """Put `img` into a size x size canvas so that point `center` of img lands in the middle."""
    out = torch.zeros(size, size)
    h, w = img.shape
    top, left = int(round(size / 2 - center[0])), int(round(size / 2 - center[1]))
    top, left = min(max(top, 0), size - h), min(max(left, 0), size - w)
    out[top:top + h, left:left + w] = img
    return out


def to_dataset_image(image, shape: tuple[int, int, int]) -> torch.Tensor | None:
    """A canvas drawing as one dataset image (1, H, W) in [0,1] for `shape` (1,8,8) or
    (1,28,28); None for a blank canvas or an unusable array (never raises on odd input)."""
    a = ink(image)
    if a is None or (a > 0.1).mean() < MIN_INK:
        return None
    a = np.where(a > 0.05, a, 0.0).astype(np.float32)
    side = int(shape[-1])
    if side <= 16:  # optdigits: fill a (4*side)^2 bitmap, average 4x4 blocks
        big = 4 * side
        g = _fit(_box(a), big)
        g = _paste(g, big, (g.shape[0] / 2, g.shape[1] / 2))
        out = F.avg_pool2d(g[None, None], 4)[0, 0]
        out = out / out.max().clamp_min(1e-6) * min(1.0, float(g.max()))  # strokes reach 1
    else:  # MNIST: long side 20 px, centre of mass at the centre
        g = _fit(_box(a), round(side * 20 / 28))
        m = g.sum().clamp_min(1e-6)
        cy = float((g.sum(1) * torch.arange(g.shape[0])).sum() / m) + 0.5
        cx = float((g.sum(0) * torch.arange(g.shape[1])).sum() / m) + 0.5
        out = _paste(g, side, (cy, cx))
    return out.clamp(0, 1).reshape(1, side, side).float()
