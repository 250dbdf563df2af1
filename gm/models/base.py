"""What every model shares: the training settings in its config, MLP building blocks,
and the autoencoder interface (encode, decode, reconstruct, loss)."""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass(frozen=True)
class TrainConfig:
    """Training settings every model config carries. Every field is part of the cache key
    (gm.Spec.key), the schedule included: a change to any of them trains a new model.
    epochs=None picks a length from the dataset size: about `steps` optimizer steps, at
    least `min_epochs` and at most `max_epochs` epochs."""
    seed: int = 0
    epochs: int | None = None
    batch_size: int = 128
    lr: float = 1e-2
    steps: int = 1200
    min_epochs: int = 4
    max_epochs: int = 100

    def resolved_epochs(self, n_train: int) -> int:
        if self.epochs is not None:
            return int(self.epochs)
        per_epoch = -(-n_train // self.batch_size)
        return int(min(self.max_epochs, max(self.min_epochs, round(self.resolved_steps() / per_epoch))))

    def resolved_steps(self) -> int:
        """The optimizer steps aimed at when epochs is None (configs may pick by shape)."""
        return self.steps

    def validate(self) -> None:
        """Model configs check their own fields; the schedule is checked for all."""

    def check_schedule(self) -> None:
        if self.epochs is not None and self.epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {self.epochs}")
        if self.batch_size < 1 or self.steps < 1 or not 1 <= self.min_epochs <= self.max_epochs:
            raise ValueError("batch_size, steps and 1 <= min_epochs <= max_epochs are required")

    def resolved_lr(self, n_in: int) -> float:
        """The learning rate for images of `n_in` pixels (configs whose lr may be None pick one)."""
        return self.lr


ACTIVATIONS = ("linear", "relu", "sigmoid")
RECON_LOSSES = ("mse", "bce")


def check_choices(config) -> None:
    """The activation and loss choices an MLP autoencoder config carries."""
    for name, valid in (("code", ACTIVATIONS), ("output", ACTIVATIONS), ("recon", RECON_LOSSES)):
        value = getattr(config, name, None)
        if value is not None and value not in valid:
            raise ValueError(f"{name} must be one of {valid}, got {value!r}")


def mlp(sizes: list[int], act: type[nn.Module] = nn.ReLU, last_act: nn.Module | None = None,
        dropout: float = 0.0) -> nn.Sequential:
    """Linear layers with `act` (and dropout, if any) between them; `last_act` (or nothing)
    after the last."""
    return chain([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])], act, last_act, dropout)


def chain(layers: list[nn.Module], act: type[nn.Module] = nn.ReLU, last_act: nn.Module | None = None,
          dropout: float = 0.0) -> nn.Sequential:
    """`layers` in order with `act` (and dropout, if any) between them; `last_act` (or
    nothing) after the last: what `mlp` builds from widths, for layers built elsewhere."""
    out: list[nn.Module] = []
    for i, layer in enumerate(layers):
        out.append(layer)
        if i < len(layers) - 1:
            out.append(act())
            if dropout:
                out.append(nn.Dropout(dropout))
    if last_act is not None:
        out.append(last_act)
    return nn.Sequential(*out)


def recon_error(xhat: torch.Tensor, x: torch.Tensor, kind: str) -> torch.Tensor:
    """Mean per-pixel reconstruction loss. 'bce' expects probabilities in (0,1)."""
    if kind == "bce":
        return nn.functional.binary_cross_entropy(xhat.clamp(1e-6, 1 - 1e-6), x)
    return nn.functional.mse_loss(xhat, x)


class Autoencoder(nn.Module):
    """Base class: subclasses define `encoder`, `decoder` and `loss`."""
    family = "autoencoder"

    def __init__(self, config, shape: tuple[int, int, int]):
        super().__init__()
        self.config = config
        self.shape = tuple(shape)
        self.n_in = shape[0] * shape[1] * shape[2]

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x.flatten(1))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z).view(-1, *self.shape)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))

    @torch.no_grad()
    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Reconstruction for display and metrics, clipped to [0,1]."""
        return self(x).clamp(0, 1)

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())
