"""The GAN in two dimensions (the picture of GAN Lab, Kahng et al. 2018): a target
distribution of points in the plane, a generator from noise to R^2 and a discriminator
R^2 -> logit, small enough to train in seconds and to draw whole.

`Toy2DGAN` is the image GAN (gm.models.gan.GAN) with two small MLPs in place of the image
networks: the same losses (`d_loss`, `g_loss`), the same noise and `d_score`, and it is
trained by the same two-player step, gm.train.gan_step with gm.train.gan_optimizers.

    target, g = Target.make("gaussians8"), torch.Generator().manual_seed(0)
    gan = Toy2DGAN(Toy2DConfig(seed=0))
    opt_d, opt_g = gan_optimizers(gan, gan.config.lr)
    for _ in range(1500):    # ~1.1 ms each on one core
        gan_step(gan, opt_d, opt_g, target.sample(gan.config.batch_size, g))
    report(gan, target)      # modes covered (8 of 8), precision, recall, D(real), D(fake)

Targets live in the box [-LIM, LIM]^2 (the figure's window). Never imports Streamlit.
"""
from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn

from . import metrics
from .device import SMALL_IMAGE, threads_for
from .models.gan import GAN

LIM = 3.0             # the plane shown and scored: [-LIM, LIM]^2
RADIUS = 2.0          # the ring's and the mixture's radius
TARGETS = ("gaussians8", "ring", "spiral", "line", "drawn")
MODE_SIGMA = 0.1      # each Gaussian of the mixture
NEAR = 3.0            # a sample belongs to a mode within NEAR * MODE_SIGMA of its centre
MODE_SHARE = 0.25     # a mode is covered when it holds at least a quarter of its fair share


# --- targets -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    """A distribution of points in the plane: `base` points (M,2) jittered by `sigma`.
    For the mixture, `modes` are the centres; other targets have none."""
    name: str
    base: np.ndarray
    sigma: float
    modes: np.ndarray | None = None

    @classmethod
    def make(cls, name: str = "gaussians8", points=None, n_modes: int = 8) -> "Target":
        """One of TARGETS; "drawn" takes `points` (a list of (x, y), e.g. a canvas stroke
        with y already pointing up), centred and scaled to fit the circle of radius RADIUS."""
        if name == "gaussians8":
            a = 2 * math.pi * np.arange(n_modes) / n_modes
            centres = RADIUS * np.stack([np.cos(a), np.sin(a)], 1)
            return cls(name, centres, MODE_SIGMA, centres)
        if name == "ring":
            a = np.linspace(0, 2 * math.pi, 720, endpoint=False)
            return cls(name, RADIUS * np.stack([np.cos(a), np.sin(a)], 1), 0.05)
        if name == "spiral":
            s = np.linspace(0, 1, 720)
            r, a = 0.3 + (RADIUS - 0.3) * s, 3 * math.pi * s
            return cls(name, np.stack([r * np.cos(a), r * np.sin(a)], 1), 0.05)
        if name == "line":
            s = np.linspace(-1, 1, 720)
            return cls(name, np.stack([RADIUS * s, 0.5 * RADIUS * s], 1), 0.05)
        if name == "drawn":
            return cls(name, _fit_points(points), 0.05)
        raise ValueError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}")

    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n points (n,2): a random base point each, plus Gaussian jitter of `sigma`."""
        base = torch.as_tensor(self.base, dtype=torch.float32)
        idx = torch.randint(0, len(base), (n,), generator=generator)
        return base[idx] + self.sigma * torch.randn(n, 2, generator=generator)


def _fit_points(points) -> np.ndarray:
    """A drawn shape's points, densified along consecutive points (a stroke), centred on
    its bounding box and scaled so that its farthest point lies at RADIUS."""
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    p = p[np.isfinite(p).all(1)]
    if len(p) < 2 or np.ptp(p, 0).max() == 0:
        raise ValueError("a drawn target needs at least two distinct points")
    steps = np.linspace(0, 1, 8, endpoint=False)[None, :, None]
    dense = (p[:-1, None] + steps * (p[1:, None] - p[:-1, None])).reshape(-1, 2)
    jump = np.linalg.norm(p[1:] - p[:-1], axis=1) > 0.25 * np.ptp(p, 0).max()
    dense = dense.reshape(len(p) - 1, 8, 2)[~jump].reshape(-1, 2)  # no bridges between strokes
    p = np.concatenate([dense, p])
    p = p - (p.min(0) + p.max(0)) / 2
    return p * (RADIUS / np.linalg.norm(p, axis=1).max())


@contextlib.contextmanager
def few_threads():
    """Torch's intra-op threads as for small images (one, unless $GM_THREADS says otherwise)
    while tiny models train, restored afterwards: on 2 busy cores a second thread made a
    64-feature logistic regression 15-30x slower (0.2 s -> 3-6 s, lessons.labels)."""
    before, n = torch.get_num_threads(), threads_for(SMALL_IMAGE)
    if n != before:
        torch.set_num_threads(n)
    try:
        yield n
    finally:
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


# --- the model ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Toy2DConfig:
    seed: int = 0
    latent_dim: int = 2       # 2-D noise, as in GAN Lab: the generator bends a plane
    width: int = 64           # hidden units per layer, both networks
    depth: int = 2            # hidden layers, both networks
    batch_size: int = 128
    lr: float = 1e-3          # generator (Adam, beta1 = 0.5, as the image GAN)
    lr_d: float | None = None  # discriminator (None: same as lr)
    d_steps: int = 1


def mlp(n_in: int, width: int, depth: int, n_out: int) -> nn.Sequential:
    """`depth` hidden layers of `width` with LeakyReLU(0.2), as the image GAN's MLPs."""
    layers: list[nn.Module] = []
    for i in range(depth):
        layers += [nn.Linear(n_in if i == 0 else width, width), nn.LeakyReLU(0.2)]
    return nn.Sequential(*layers, nn.Linear(width, n_out))


class Toy2DGAN(GAN):
    """The image GAN's game in the plane: G maps `latent_dim` noise to a point (x, y), D
    maps a point to a logit. Losses, scores and noise are GAN's own; only the two networks
    differ. Noise comes from the model's own seeded generator (`rng`), so a run is
    reproducible whatever else uses torch's global random state."""

    def __init__(self, config: Toy2DConfig = Toy2DConfig()):
        nn.Module.__init__(self)  # GAN.__init__ builds image networks; these are ours
        self.config, self.shape = config, (2,)
        with torch.random.fork_rng(devices=[]):  # seeded weights; the global state is left alone
            torch.manual_seed(config.seed)
            self.generator = mlp(config.latent_dim, config.width, config.depth, 2)
            self.discriminator = mlp(2, config.width, config.depth, 1)
        self.rng = torch.Generator().manual_seed(config.seed + 1)

    def noise(self, n: int, seed: int | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
        return super().noise(n, seed, generator if seed is not None or generator is not None else self.rng)


# --- what is measured --------------------------------------------------------------------------

def grid(n: int = 61, lim: float = LIM) -> tuple[np.ndarray, np.ndarray]:
    """The coordinates of an n x n grid over [-lim, lim]^2 (the figure's heatmap axes)."""
    xs = np.linspace(-lim, lim, n)
    return xs, xs.copy()


@torch.no_grad()
def decision_surface(gan: Toy2DGAN, n: int = 61, lim: float = LIM) -> dict:
    """D(x) on an n x n grid: {"x": (n,), "y": (n,), "d": (n, n) probabilities, rows = y}."""
    xs, ys = grid(n, lim)
    X, Y = np.meshgrid(xs, ys)
    pts = torch.as_tensor(np.stack([X.ravel(), Y.ravel()], 1), dtype=torch.float32)
    return {"x": xs, "y": ys, "d": gan.d_score(pts).numpy().reshape(n, n)}


def mode_coverage(fake: torch.Tensor, modes: np.ndarray, sigma: float = MODE_SIGMA) -> dict:
    """Samples within NEAR sigma of a mode's centre belong to it. `covered`: modes holding at
    least MODE_SHARE of their fair share (1 / modes) of the samples; `share`: each mode's
    share; `near`: the share of samples that belong to some mode (high quality)."""
    c = torch.as_tensor(modes, dtype=torch.float32)
    d = torch.cdist(fake.float(), c)
    dist, which = d.min(1)
    near = dist <= NEAR * sigma
    share = torch.bincount(which[near], minlength=len(c)).double() / len(fake)
    covered = int((share >= MODE_SHARE / len(c)).sum())
    return {"covered": covered, "n_modes": len(c), "share": share.tolist(),
            "near": float(near.double().mean())}


@torch.no_grad()
def samples(gan: Toy2DGAN, target: Target, n: int = 1000, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """n target points and n generated points, both from fixed random draws (seeded by
    `seed`), so that measurements along a run compare like with like."""
    g = torch.Generator().manual_seed(10_000 + seed)
    real = target.sample(n, g)
    return real, gan.generator(gan.noise(n, generator=g))


@torch.no_grad()
def report(gan: Toy2DGAN, target: Target, n: int = 1000, seed: int = 0) -> dict:
    """`samples` scored: precision (share of generated points inside the target's k-NN
    manifold) and recall (share of target points inside the generated one), from
    gm.metrics.precision_recall; mean D on each; modes covered (mixture targets)."""
    real, fake = samples(gan, target, n, seed)
    out = {"real": real.numpy(), "fake": fake.numpy(),
           **metrics.precision_recall(real, fake),
           "d_real": float(gan.d_score(real).mean()), "d_fake": float(gan.d_score(fake).mean())}
    if target.modes is not None:
        out["modes"] = mode_coverage(fake, target.modes, target.sigma)
    return out
