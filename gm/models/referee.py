"""The referee's network: a small classifier that scores what the generative models make.

An MLP for 8x8 digits, a LeNet-sized CNN for 28x28 images. It is the one supervised model
of the lab, trained by the same loop (`gm.train.fit` passes it the labels) and cached by
the same store; `gm.referee.get_referee` picks its settings per image size.

With `reject` > 0 it also carries a realism detector: a second network of the same
architecture, trained beside the classifier to tell digits from images that are no digit
(uniform noise, pixel blends of two digits of different classes, and blurred blends; they
make up `reject` of its batches) with blurred digits among the digits, so that a blurred
but plain digit (a decoder's output) still counts as one; so `realism(x)` = P(a digit) says when a class label
means nothing. None of the models' outputs are among them: decoded gap points and prior
samples are a held-out test of the score (tests/test_phenomena.py).

The detector is apart from the classifier on purpose: sharing one trunk (an eleventh
class) bent the feature space that Frechet distances are measured in. On the embedded
MNIST it moved the plain AE's prior samples from 75% to 49% of the noise ceiling and made
the VAE's look 2.3x better than the AE's instead of 5.1x, a judge rewarding
non-digits for being recognisably non-digits.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from .base import TrainConfig


@dataclass(frozen=True)
class RefereeConfig(TrainConfig):
    epochs: int | None = 30
    batch_size: int = 64
    lr: float = 1e-2
    shift: int = 0  # random translation by up to this many pixels during training
    arch: str = "auto"  # "mlp", "cnn", or "auto": an MLP for 8x8 images, a CNN for 28x28
    reject: float = 0.0  # share of each batch made of not-a-digit images (an 11th class)

    def validate(self):
        if self.shift < 0:
            raise ValueError("shift must be >= 0")
        if not 0 <= self.reject < 1:
            raise ValueError(f"reject must be in [0, 1), got {self.reject}")
        if self.arch not in ("auto", "mlp", "cnn"):
            raise ValueError(f"arch must be 'auto', 'mlp' or 'cnn', got {self.arch!r}")


def _kind(shape, arch: str = "auto") -> str:
    if arch != "auto":
        return arch
    return "mlp" if shape[1] <= 16 else "cnn"


class Referee(nn.Module):
    """Classifier with `features(x)` (penultimate layer) and `predict_proba(x)`."""

    family = "classifier"
    supervised = True  # gm.train.fit passes the labels to loss(x, y)

    def __init__(self, config: "RefereeConfig", shape: tuple[int, int, int], n_classes: int = 10):
        super().__init__()
        self.config = config
        self.shape = tuple(shape)
        self.kind = _kind(shape, config.arch)
        self.body = _trunk(self.kind, shape)
        self.n_classes = n_classes
        self.head = nn.Linear(WIDTH, n_classes)
        # the realism detector: its own trunk, so the classifier's features stay the labels' own
        self.detector = nn.Sequential(_trunk(self.kind, shape), nn.Linear(WIDTH, 1)) \
            if config.reject > 0 else None
        self.info: dict = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @torch.no_grad()
    def features(self, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
        """Penultimate-layer activations, (N, 128)."""
        self.eval()
        return torch.cat([self.body(x[i:i + batch_size].float())
                          for i in range(0, len(x), batch_size)])

    @torch.no_grad()
    def predict_proba(self, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
        """Class probabilities (given that x is a digit), (N, n_classes)."""
        self.eval()
        return torch.cat([F.softmax(self(x[i:i + batch_size].float()), 1)
                          for i in range(0, len(x), batch_size)])

    @torch.no_grad()
    def realism(self, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
        """P(x is a digit), (N,), from the realism detector (all ones without one)."""
        if self.detector is None:
            return torch.ones(len(x))
        self.eval()
        return torch.cat([torch.sigmoid(self.detector(x[i:i + batch_size].float())).squeeze(1)
                          for i in range(0, len(x), batch_size)])

    @torch.no_grad()
    def read(self, x: torch.Tensor) -> dict:
        """What the referee says of images: class, its probability and realism, as lists."""
        p = self.predict_proba(x)
        conf, cls = p.max(1)
        return {"label": cls.tolist(), "confidence": conf.tolist(), "realism": self.realism(x).tolist()}

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> dict:
        """Cross-entropy on randomly shifted copies of x (cheap augmentation); with a
        detector, plus its digit / not-a-digit cross-entropy, `reject` of its batch not digits."""
        x = _shift(x, self.config.shift)
        ce = F.cross_entropy(self(x), y)
        if self.detector is None:
            return {"loss": ce, "ce": ce}
        # positives include blurred digits, so that blur alone never reads as "not a digit"
        # (a decoder's output is blurred): only content that is no digit does
        k = max(3, round(len(x) * self.config.reject / (1 - self.config.reject)))
        both = torch.cat([x, blur(x[:len(x) // 4]), not_digits(x, y, k)])
        real = torch.cat([torch.ones(len(x) + len(x) // 4), torch.zeros(k)]).to(x.device)
        bce = F.binary_cross_entropy_with_logits(self.detector(both).squeeze(1), real)
        return {"loss": ce + bce, "ce": ce, "realism_bce": bce}

    @torch.no_grad()
    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return float((self.predict_proba(x).argmax(1) == y).float().mean())


WIDTH = 128  # features of either trunk


def _trunk(kind: str, shape) -> nn.Sequential:
    """The feature extractor: an MLP (8x8) or a LeNet-sized CNN (28x28), WIDTH features."""
    if kind == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(shape[0] * shape[1] * shape[2], 256), nn.ReLU(),
                             nn.Linear(256, WIDTH), nn.ReLU())
    h = shape[1] // 4  # 2 conv + pool blocks, then a hidden layer
    return nn.Sequential(
        nn.Conv2d(shape[0], 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 16 x 14 x 14
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),        # 32 x 7 x 7
        nn.Flatten(), nn.Linear(32 * h * h, WIDTH), nn.ReLU())              # 128 features


def blur(x: torch.Tensor) -> torch.Tensor:
    """A 3x3 box filter (the image's own size; the border averages what it has)."""
    return F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)


def not_digits(x: torch.Tensor, y: torch.Tensor, k: int) -> torch.Tensor:
    """k images that are no digit, made from a batch of digits (x, y): a third uniform
    noise, a third pixel blends a*x_i + (1-a)*x_j of two digits of different classes
    (a in [0.35, 0.65]), a third such blends blurred by a 3x3 box filter."""
    n = len(x)
    i = torch.randint(0, n, (k,), device=x.device)
    j = (i + torch.randint(1, n, (k,), device=x.device)) % n
    a = (0.35 + 0.3 * torch.rand(k, 1, 1, 1, device=x.device))
    blend = a * x[i] + (1 - a) * x[j]
    blend = torch.where((y[i] == y[j])[:, None, None, None], torch.rand_like(blend), blend)
    blurred = blur(blend)
    kind = torch.arange(k, device=x.device) % 3
    pick = lambda m: m.view(-1, 1, 1, 1)
    return torch.where(pick(kind == 0), torch.rand_like(blend),
                       torch.where(pick(kind == 1), blend, blurred))


def _shift(x: torch.Tensor, max_shift: int, g: torch.Generator | None = None) -> torch.Tensor:
    """Random translation by up to `max_shift` pixels (zero padded): cheap augmentation."""
    if max_shift <= 0:
        return x
    n, _, h, w = x.shape
    pad = F.pad(x, (max_shift,) * 4)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2, n), generator=g)
    rows = (dy[:, None] + torch.arange(h)[None])[:, None, :, None]
    cols = (dx[:, None] + torch.arange(w)[None])[:, None, None, :]
    idx = torch.arange(n)[:, None, None, None]
    return pad[idx, torch.zeros_like(idx), rows, cols]
