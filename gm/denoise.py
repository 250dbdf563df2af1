"""Measurements for the denoising page: corrupt the test images with a fixed noise seed,
run models on the noisy copies and score their outputs against the CLEAN images (the
denoising autoencoder's training target), and the train-noise x test-noise grid.

Images are tensors (N,1,H,W) in [0,1]. Nothing here trains a model.
"""
from __future__ import annotations

import numpy as np
import torch

from . import metrics
from .data import corrupt

TRAIN_LEVELS = (0.1, 0.3, 0.5, 0.7)                   # one cached denoiser per level and kind
TEST_LEVELS = tuple(round(0.1 * i, 1) for i in range(10))  # 0.0 .. 0.9, evaluation only


def noisy(x: torch.Tensor, kind: str, level: float, seed: int = 0) -> torch.Tensor:
    """`x` corrupted by `kind` noise at `level`, the same noise for the same seed."""
    return corrupt(x, kind, level, generator=torch.Generator().manual_seed(int(seed)))


@torch.no_grad()
def denoise_report(models: dict, x: torch.Tensor, kind: str, level: float,
                   seed: int = 0, shown: list[int] | None = None) -> dict:
    """Corrupt `x` once, feed the noisy copy to every model, and score each output against
    the clean `x`. Returns {"images": {"clean", "noisy", <model>...: (len(shown),1,H,W)},
    "psnr_all"/"mse_all": {row: value over all of x}, "psnr_shown"/"mse_shown": {row: value
    over the shown images}}, rows being "noisy" and the model names."""
    shown = list(range(min(10, len(x)))) if shown is None else list(shown)
    xn = noisy(x, kind, level, seed)
    outs = {"noisy": xn, **{name: m.reconstruct(xn) for name, m in models.items()}}
    rep = {"images": {"clean": x[shown]}, "psnr_all": {}, "mse_all": {}, "psnr_shown": {},
           "mse_shown": {}}
    for row, out in outs.items():
        rep["images"][row] = out[shown]
        rep["psnr_all"][row] = metrics.psnr(out, x)
        rep["mse_all"][row] = metrics.mse(out, x)
        rep["psnr_shown"][row] = metrics.psnr(out[shown], x[shown])
        rep["mse_shown"][row] = metrics.mse(out[shown], x[shown])
    return rep


@torch.no_grad()
def level_grid(models: list, x: torch.Tensor, kind: str,
               test_levels: tuple[float, ...] = TEST_LEVELS, seed: int = 0,
               metric: str = "psnr") -> np.ndarray:
    """Test score of each model (rows) on `x` corrupted at each test level (columns), all
    scored against the clean `x`. `metric` is 'psnr' (dB, higher is better) or 'mse'. The
    same noise draw per column for every row, so rows differ only by the model."""
    score = metrics.psnr if metric == "psnr" else metrics.mse
    out = np.zeros((len(models), len(test_levels)))
    for j, level in enumerate(test_levels):
        xn = noisy(x, kind, level, seed)
        for i, m in enumerate(models):
            out[i, j] = score(m.reconstruct(xn), x)
    return out


def diagonal_wins(grid: np.ndarray, train_levels: list[float],
                  test_levels: tuple[float, ...] = TEST_LEVELS, metric: str = "psnr") -> dict:
    """For each trained level (row) that is also a test level (column): which row scores
    best in that column. Returns {"wins": k, "of": n, "winners": {test level: train level}};
    the lecture's claim is that the denoiser trained at a level is best at that level."""
    better = np.argmax if metric == "psnr" else np.argmin
    winners, wins = {}, 0
    for i, lv in enumerate(train_levels):
        if lv not in test_levels:
            continue
        j = list(test_levels).index(lv)
        w = train_levels[int(better(grid[:, j]))]
        winners[lv] = w
        wins += int(w == lv)
    return {"wins": wins, "of": len(winners), "winners": winners}
