"""The denoising autoencoder: every training input is corrupted (in the lecture each pixel
is randomly multiplied by 0) and the loss compares the output with the CLEAN input. What
the page measures: the same noisy test images through the denoiser, the same network
trained without noise and the plain bottleneck autoencoder, each scored against the clean
images (PSNR), and the train-noise x test-noise grid with its diagonal.

Images are tensors (N,1,H,W) in [0,1]. Nothing here trains a model.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

import gm
from gm import Spec, metrics
from gm.data import NOISES, corrupt

from .verdict import verdict

SLUG = "denoising"
PAGE = "pages/3_Denoising.py"
KINDS = NOISES                                             # the noise-kind radio
TRAIN_LEVELS = (0.1, 0.3, 0.5, 0.7)                        # one cached denoiser per level and kind
TEST_LEVELS = tuple(round(0.1 * i, 1) for i in range(10))  # 0.0 .. 0.9, evaluation only
TEST_RANGE = (0.0, 0.9, 0.05)                              # the test-noise slider: lo, hi, step
METRICS = ("psnr", "mse")                                  # the heat map's score
ROWS = ("denoising_ae", "overcomplete_ae", "ae")           # the three networks, in the page's order
N_EVAL = 2000   # MNIST's 10k test images through three models would cost ~1 s per slider move
CLEAN_DB = 100  # PSNR at or above this: the images are the clean ones (psnr caps at 120 dB)
CLEAR_GAIN = 1  # dB: below this the denoiser and the plain autoencoder are "within" each other


@dataclass(frozen=True)
class Choice:
    """What the page's controls return."""
    kind: str = "mask"
    train_level: float = 0.5


def denoiser(dataset: str, seed: int, kind: str, level: float) -> Spec:
    return Spec("denoising_ae", dataset, seed=seed, noise=kind, noise_level=level)


def specs(choice: Choice, dataset: str, seed: int) -> tuple[Spec, Spec, Spec]:
    """The denoiser, the same (overcomplete) network trained without noise, and the plain
    bottleneck autoencoder with an 8-number code, in the order of ROWS."""
    return (denoiser(dataset, seed, choice.kind, choice.train_level),
            Spec("overcomplete_ae", dataset, seed=seed), Spec("ae", dataset, seed=seed, latent_dim=8))


def grid_specs(kind: str, dataset: str, seed: int) -> tuple[Spec, ...]:
    """The heat map's rows: the network trained on clean images (level 0), then one
    denoiser per training level."""
    return (Spec("overcomplete_ae", dataset, seed=seed),
            *(denoiser(dataset, seed, kind, lv) for lv in TRAIN_LEVELS))


def train_level(spec: Spec) -> float:
    """The noise level a model of `grid_specs` was trained at (0 for the clean one)."""
    return float(spec.config.noise_level) if spec.name == "denoising_ae" else 0.0


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once."""
    return [denoiser(dataset, seed, k, lv) for k in NOISES for lv in TRAIN_LEVELS]


def sweeps(dataset: str, seed: int = 0) -> list[Spec]:
    """The denoisers of the noise kinds the page does not open on (8 of the 12)."""
    return [denoiser(dataset, seed, k, lv) for k in NOISES if k != Choice.kind for lv in TRAIN_LEVELS]


# --- noise and scores ----------------------------------------------------------------------------

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


# --- what the page shows -------------------------------------------------------------------------

def report(dae, same, plain, kind: str, level: float, noise_seed: int) -> dict:
    """The first N_EVAL test images corrupted once (draw `noise_seed`) through the three
    networks of ROWS; denoise_report's images and scores plus the denoiser's gain over the
    plain autoencoder (dB), which rows have a finite PSNR (not the clean images), and the
    verdicts: the evaluated set, the headline, the rows' caption, the noisy input's PSNR."""
    d = gm.load_dataset(dae.spec.dataset)
    x, y = d.x_test[:N_EVAL], d.y_test[:N_EVAL]
    shown = [int(torch.nonzero(y == c)[0, 0]) for c in range(len(d.classes))]
    rep = denoise_report(dict(zip(ROWS, (dae, same, plain))), x, kind, level, noise_seed, shown)
    p = rep["psnr_all"]
    gain = p["denoising_ae"] - p["ae"]
    rep["gain"] = gain
    rep["finite"] = {row: p[row] < CLEAN_DB for row in p}
    rep["where"] = (verdict("denoising.eval.all", n=len(x)) if len(x) == len(d.x_test)
                    else verdict("denoising.eval.some", n=len(x)))
    rep["headline"] = (verdict("denoising.headline.closer", gain=abs(gain)) if gain > 0
                       else verdict("denoising.headline.further", gain=abs(gain)))
    rep["noisy_db"] = verdict("denoising.db", db=p["noisy"]) if rep["finite"]["noisy"] \
        else verdict("denoising.db.no_noise")
    if not rep["finite"]["noisy"]:
        rep["rows"] = verdict("denoising.rows.no_noise")
    elif gain >= CLEAR_GAIN:
        rep["rows"] = verdict("denoising.rows.fills") if kind == "mask" else verdict("denoising.rows.wipes")
    else:
        rep["rows"] = verdict("denoising.rows.close", gap=abs(gain))
    return rep


def heat(kind: str, metric: str, *models) -> dict:
    """Every model of `grid_specs` that is trained (rows) scored at every test level
    (columns) with `metric`; the training level of each row, the best row per column, the
    colour range without the noise-free column, and how often the diagonal wins."""
    d = gm.load_dataset(models[0].spec.dataset)
    levels = [train_level(m.spec) for m in models]
    grid = level_grid(list(models), d.x_test[:N_EVAL], kind, TEST_LEVELS, seed=0, metric=metric)
    best = np.argmax(grid, 0) if metric == "psnr" else np.argmin(grid, 0)
    finite = grid[:, 1:]  # test level 0 is a noise-free copy: keep it from stretching the colours
    return {"grid": grid, "levels": levels, "test_levels": TEST_LEVELS, "best": best.tolist(),
            "range": (float(finite.min()), float(finite.max())),
            "wins": diagonal_wins(grid, levels, TEST_LEVELS, metric)}
