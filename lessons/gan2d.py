"""GAN Lab's picture (Kahng et al. 2018): a GAN in the plane, small enough to watch whole.
The generator turns 2-D noise into points, the discriminator colours the plane by D(x),
its probability that a point is real; the target is a ring, a mixture of 8 Gaussians on a
circle, a spiral, a line, or a shape a student draws (gm.toy2d.Target).

`Live2D` is a training session like lessons.gan_live.LiveGAN, stepped by hand (no thread:
a step of 50 updates takes about 60 ms): every update is the image GAN's own two-player
step, gm.train.gan_step, with gm.train.gan_optimizers. `state()` is what the page draws
and what it measures: D's decision surface on a grid, real and generated points,
precision and recall (gm.metrics.precision_recall), mean D(real) and D(fake), modes
covered (the mixture) and a Verdict.
"""
from __future__ import annotations

import copy
import functools
import threading
import time

import numpy as np
import torch

import gm
from gm import Spec, toy2d
from gm.train import LiveRates, gan_optimizers, gan_step

from .verdict import Verdict, verdict

SLUG = "gan2d"
PAGE = "pages/10_GAN_in_the_plane.py"
TARGETS = toy2d.TARGETS
LR = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)  # learning-rate choices for a page
TOUR_STEPS = 1500        # updates the tour trains (about 2 s on one core)
N_SHOWN = 500            # real and generated points drawn and scored by `state`
GRID = 61                # decision surface resolution (GRID x GRID)
ON_TARGET = 0.7          # precision from which the samples count as "on the target"
COVERED_ALL = 7          # modes of 8 from which the mixture counts as covered
COLLAPSED = 2            # modes or fewer: a collapse onto one or two ...
SETTLED = 500            # ... once the game has had this many updates
CLOSE = 0.2              # |mean D(real) - mean D(fake)| below this: D can barely tell them apart
MAX_HISTORY = 4000       # per-update loss rows kept; beyond, every other one is dropped
ANSWERS = ("few", "half", "most")
DEFAULT_LR = 1e-3        # both networks (Toy2DConfig's)
PER_TICK = 50            # updates between two redraws of the live page
MAX_UPDATES = 10_000     # a live session stops by itself here (it learns the mixture in ~1,500)
MIN_POINTS = 20          # inked pixels a drawing needs to become a target
MAX_POINTS = 600         # ... of which at most this many (evenly spaced) are kept


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """Nothing to cache: the 2-D GAN trains in seconds, live."""
    return []


class Live2D(LiveRates):
    """One 2-D GAN training session. `step(n)` makes n updates (each one D step per
    `d_steps`, then one G step: gm.train.gan_step) and returns `state()`."""

    def __init__(self, target: str = "gaussians8", *, seed: int = 0, points=None,
                 lr: float | None = None, lr_d: float | None = None, d_steps: int = 1, **config):
        self.target = toy2d.Target.make(target, points)
        self.seed = seed
        self.model = toy2d.Toy2DGAN(toy2d.Toy2DConfig(seed=seed, d_steps=d_steps, **config))
        cfg = self.model.config
        self.opt_d, self.opt_g = gan_optimizers(self.model, cfg.lr, cfg.lr_d)
        self.set_lr(lr_g=lr, lr_d=lr_d if lr_d is not None else lr)
        self._gen = torch.Generator().manual_seed(seed)
        self.it, self.seconds = 0, 0.0
        self.history: list[dict] = []
        self._lock = threading.RLock()

    def step(self, n: int = 1, measure: bool = True) -> dict | None:
        """n updates with the image GAN's step; the new `state()` (None if not `measure`)."""
        with self._lock, toy2d.few_threads(), torch.enable_grad():
            t0 = time.perf_counter()
            self.model.train()
            bs = self.model.config.batch_size
            for _ in range(int(n)):
                out = gan_step(self.model, self.opt_d, self.opt_g,
                               self.target.sample(bs, self._gen), self.model.config.d_steps)
                self.it += 1
                self.history.append({"it": self.it, **out})
            if len(self.history) > MAX_HISTORY:
                self.history = self.history[::2]
            self.seconds += time.perf_counter() - t0
        return self.state() if measure else None

    def state(self) -> dict:
        """What the page draws: `surface` (D on a GRID x GRID grid: x, y, d), `real` and
        `fake` points (N_SHOWN each, (N, 2) arrays, fixed draws), `precision`, `recall`,
        `d_real`, `d_fake`, `modes` (covered, n_modes, share, near; mixture only), the
        update count `it`, seconds spent training, the learning rates, and the `verdict`."""
        with self._lock, toy2d.few_threads():
            self.model.eval()
            rep = toy2d.report(self.model, self.target, n=N_SHOWN, seed=self.seed)
            rep.pop("k", None)
            return {**rep, "surface": toy2d.decision_surface(self.model, GRID), "it": self.it,
                    "seconds": self.seconds, "lr": self.lr, "target": self.target.name,
                    "lim": toy2d.LIM, "verdict": judge(rep, self.it)}

    def curves(self) -> dict:
        """Per-update D loss, G loss, mean D(real) and D(fake), as lists keyed by name."""
        keys = ("it", "d_loss", "g_loss", "d_real", "d_fake")
        return {k: [row[k] for row in self.history] for k in keys}


def points_from_drawing(rgba: np.ndarray | None) -> np.ndarray | None:
    """A canvas drawing (H, W, 4) as target points (N, 2), y pointing up: the inked pixels
    (alpha or brightness over half), at most MAX_POINTS of them evenly spaced; None when
    fewer than MIN_POINTS are inked (toy2d.Target.make centres and scales them)."""
    if rgba is None:
        return None
    ink = np.asarray(rgba, dtype=np.float32)
    ink = ink[..., :3].mean(-1) * (ink[..., 3] / 255.0) if ink.ndim == 3 and ink.shape[-1] == 4 else ink
    rows, cols = np.nonzero(ink > 127)
    if len(rows) < MIN_POINTS:
        return None
    keep = np.linspace(0, len(rows) - 1, min(MAX_POINTS, len(rows))).astype(int)
    return np.stack([cols[keep], -rows[keep]], 1).astype(np.float32)


def judge(rep: dict, it: int) -> Verdict:
    """The mixture: covered (COVERED_ALL+ modes, precision ON_TARGET+, and D's mean scores
    on real and generated points within CLOSE: it can barely tell them apart), a collapse
    (COLLAPSED or fewer modes after SETTLED+ updates), else the plain numbers. Other targets: on the target and spread over it (precision and recall at
    least ON_TARGET), on it but only on part of it (low recall), or off it (low precision).
    Before any update: the untrained generator."""
    values = {"precision": rep["precision"], "recall": rep["recall"], "d_real": rep["d_real"],
              "d_fake": rep["d_fake"], "it": it}
    if it == 0:
        return verdict("gan2d.verdict.untrained", **values)
    if "modes" in rep:
        m = rep["modes"]
        values |= {"covered": m["covered"], "n_modes": m["n_modes"]}
        close = abs(rep["d_real"] - rep["d_fake"]) < CLOSE
        if m["covered"] >= COVERED_ALL and rep["precision"] >= ON_TARGET and close:
            return verdict("gan2d.verdict.modes_all", **values)
        if m["covered"] <= COLLAPSED and it >= SETTLED:
            return verdict("gan2d.verdict.collapse", **values)
        return verdict("gan2d.verdict.modes_some", **values)
    if rep["precision"] < ON_TARGET:
        return verdict("gan2d.verdict.off", **values)
    if rep["recall"] < ON_TARGET:
        return verdict("gan2d.verdict.partial", **values)
    return verdict("gan2d.verdict.fit", **values)


# --- the tour's step -------------------------------------------------------------------------------

def measure(seed: int = 0, steps: int = TOUR_STEPS, target: str = "gaussians8") -> dict:
    """A fresh session's state before training and after `steps` updates: {"before",
    "after", "steps", "seconds"} (kept in memory per argument set)."""
    return copy.deepcopy(_measure(seed, steps, target))


@functools.lru_cache(maxsize=8)
def _measure(seed: int, steps: int, target: str) -> dict:
    live = Live2D(target, seed=seed)
    before = live.state()
    after = live.step(steps)
    return {"before": before, "after": after, "steps": steps, "seconds": live.seconds,
            "curves": live.curves()}


def answer(after: dict) -> str:
    covered = after["modes"]["covered"]
    name = "few" if covered <= COLLAPSED else "most" if covered >= COVERED_ALL else "half"
    return f"gan2d.tour.answer.{name}"


def tour_step(dataset: str = gm.DEFAULT_DATASET, seed: int = 0) -> dict:
    """The lecture tour's step (the dataset plays no part: the target is the 8-Gaussian
    mixture): train TOUR_STEPS updates (about 2 s the first time in a process) and return
      number      the modes of 8 covered after training, worded by t(number_key, number=number)
      figure_data the `measure` dict (before, after): ui.figures.demos.fig_gan2d_pair(figure_data),
                  or fig_gan2d(figure_data["after"]) for one panel
      question, answers, answer: catalog keys (answer is the one the measurement supports)
      verdict     the Verdict of `judge` after training"""
    r = measure(seed)
    return {"number": float(r["after"]["modes"]["covered"]), "number_key": "gan2d.tour.number",
            "figure_data": r, "question": "gan2d.tour.question",
            "answers": [f"gan2d.tour.answer.{a}" for a in ANSWERS], "answer": answer(r["after"]),
            "verdict": r["after"]["verdict"]}
