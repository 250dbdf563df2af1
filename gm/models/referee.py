"""The referee's network: a small classifier that scores what the generative models make.

An MLP for 8x8 digits, a LeNet-sized CNN for 28x28 images. It is the one supervised model
of the lab, trained by the same loop (`gm.train.fit` passes it the labels) and cached by
the same store; `gm.referee.get_referee` picks its settings per image size.
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

    def validate(self):
        if self.shift < 0:
            raise ValueError("shift must be >= 0")
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
        n = shape[0] * shape[1] * shape[2]
        if self.kind == "mlp":
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(n, 256), nn.ReLU(),
                                      nn.Linear(256, 128), nn.ReLU())       # 128 features
            width = 128
        else:  # LeNet-sized: 2 conv + pool blocks, then a hidden layer
            h = shape[1] // 4
            self.body = nn.Sequential(
                nn.Conv2d(shape[0], 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 16 x 14 x 14
                nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),        # 32 x 7 x 7
                nn.Flatten(), nn.Linear(32 * h * h, 128), nn.ReLU())                # 128 features
            width = 128
        self.head = nn.Linear(width, n_classes)
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
        """Softmax class probabilities, (N, n_classes)."""
        self.eval()
        return torch.cat([F.softmax(self(x[i:i + batch_size].float()), 1)
                          for i in range(0, len(x), batch_size)])

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> dict:
        """Cross-entropy on randomly shifted copies of x (cheap augmentation)."""
        ce = F.cross_entropy(self(_shift(x, self.config.shift)), y)
        return {"loss": ce, "ce": ce}

    @torch.no_grad()
    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return float((self.predict_proba(x).argmax(1) == y).float().mean())


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
