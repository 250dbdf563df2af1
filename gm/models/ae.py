"""Fully connected autoencoders: the bottleneck (and stacked) autoencoder, the
overcomplete one that learns the identity, and its two fixes, sparse and denoising.

All four are one class, `MLPAutoencoder`; their configs differ in defaults and in which
knobs exist. Shapes for digits: x (N,1,8,8) -> flatten 64 -> hidden... -> code z.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

from ..data import NOISES, corrupt
from .base import Autoencoder, TrainConfig, chain, check_choices, mlp, recon_error


@dataclass(frozen=True)
class AEConfig(TrainConfig):
    """Bottleneck autoencoder; more `hidden` widths make a stacked autoencoder whose
    decoder mirrors the encoder."""
    latent_dim: int = 8
    hidden: tuple[int, ...] = (256,)  # one wide layer: deeper overfits 1.4k digits at z >= 16
    lr: float | None = None   # None: 2e-2 for one hidden layer, `stacked_lr` for more
    stacked_lr: float = 5e-3
    stacked_steps: int = 2400  # a stacked encoder's steps (one hidden layer: `steps`)
    stacked_tied: bool = True     # a stacked decoder reuses the encoder's weights, transposed
    stacked_dropout: float = 0.1  # dropout after each hidden layer of a stacked autoencoder

    code: str = "linear"     # code activation
    output: str = "sigmoid"  # output activation
    recon: str = "mse"

    # Why a stacked autoencoder trains slower and longer: at the one-layer rate (2e-2, 1,200
    # steps) the 512-256-128 encoder UNDERfits the embedded MNIST (train MSE .021, test .027
    # against the one-layer .0217); at 5e-3 for 2,400 steps it reaches test .0213
    # (benchmarks/mnist_embedded.py). On 8x8 digits it improves too (.0164 -> .0137).
    # Why a stacked decoder is tied and drops out: untied, the 512-256-128 stack (1.1M
    # weights) overfits the 4,000 embedded training digits (train .0094, test .0219 against
    # one layer's .0213). Tied weights (as in Vincent et al. 2010's stacked denoising
    # autoencoders; half the weights) and dropout 0.1 bring it to test .0195-.0201 over
    # three seeds, one layer .0211-.0213; the 256-128 stack .0211 -> .0203. Neither alone
    # is enough (tied .0222, dropout .0224).

    @property
    def stacked(self) -> bool:
        return len(self.hidden) > 1

    def resolved_lr(self, n_in: int) -> float:
        if self.lr is not None:
            return self.lr
        return self.stacked_lr if self.stacked else 2e-2

    def resolved_steps(self) -> int:
        return self.stacked_steps if self.stacked else self.steps

    def validate(self):
        if not 2 <= self.latent_dim <= 64:
            raise ValueError(f"latent_dim must be between 2 and 64, got {self.latent_dim}")
        if not all(int(h) > 0 for h in self.hidden):
            raise ValueError(f"hidden widths must be positive, got {self.hidden}")
        if (self.lr is not None and self.lr <= 0) or self.stacked_lr <= 0 or self.stacked_steps < 1:
            raise ValueError("lr, stacked_lr and stacked_steps must be positive")
        if not 0 <= self.stacked_dropout < 1:
            raise ValueError(f"stacked_dropout must be in [0, 1), got {self.stacked_dropout}")
        check_choices(self)


@dataclass(frozen=True)
class OvercompleteConfig(TrainConfig):
    """A single ReLU code layer wider than the input, linear output, MSE, no regularizer:
    nothing stops it from learning the identity. latent_dim=None: 256 for 8x8 inputs,
    1024 for 28x28. lr=None: `lr_8x8` on 8x8 inputs, a third of it on 28x28.

    Why 28x28 trains longer: a pixel that is inked in under 1% of MNIST images gets few
    gradient steps, so copying it takes time, and a pixel blank in every training image is
    never learned at all (lessons.overcomplete.used_pixels). On the 482 of 784 pixels the
    embedded MNIST digits use, the copy of uniform noise has error .053 after 2,000 steps
    (.043 after 3,200; the bottleneck ae .250): 17 s on 2 threads. Digits stay at their
    100-epoch cap (1,200 steps)."""
    latent_dim: int | None = None
    lr: float | None = None

    lr_8x8: float = 3e-3
    steps: int = 2000
    code: str = "relu"
    output: str = "linear"
    recon: str = "mse"
    hidden: tuple[int, ...] = ()

    def resolved_lr(self, n_in: int) -> float:
        if self.lr is not None:
            return self.lr
        return self.lr_8x8 if n_in <= 64 else self.lr_8x8 / 3

    def validate(self):
        if self.lr is not None and self.lr <= 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if self.latent_dim is not None and self.latent_dim < 2:
            raise ValueError(f"latent_dim must be at least 2, got {self.latent_dim}")
        if self.lr_8x8 <= 0:
            raise ValueError(f"lr_8x8 must be positive, got {self.lr_8x8}")
        check_choices(self)


@dataclass(frozen=True)
class SparseConfig(OvercompleteConfig):
    """Overcomplete code kept sparse. 'kl': sigmoid code, KL(rho || mean activation) per
    unit; 'l1': ReLU code, mean absolute activation."""
    sparsity: str = "kl"
    sparsity_weight: float = 0.03
    rho: float = 0.05

    # sigmoid codes learn slowly: at 3e-3 digits' test MSE stalls near 0.06. On 28x28, lr 1e-2
    # for 3,600 steps: at 3e-2 for 1,200 the unpenalized code drifts to mean activation .16
    # (units saturate off), only 3x the sparse code's; now .27, and the sparse code
    # reconstructs better (.0117 against .0151).
    lr_8x8: float = 3e-2

    def validate(self):
        super().validate()
        if self.sparsity not in ("l1", "kl"):
            raise ValueError(f"sparsity must be 'l1' or 'kl', got {self.sparsity!r}")
        if not 0 < self.rho < 1:
            raise ValueError(f"rho must be in (0, 1), got {self.rho}")
        if self.sparsity_weight < 0:
            raise ValueError("sparsity_weight must be >= 0")


@dataclass(frozen=True)
class DenoisingConfig(OvercompleteConfig):
    """Overcomplete autoencoder trained on corrupted inputs against the clean target."""
    noise: str = "mask"
    noise_level: float = 0.5
    lr: float | None = 1e-2

    steps: int = 600  # on 28x28, +5.5 dB over the plain AE at 600 steps, +5.6 at 1,200 (twice the time)

    def validate(self):
        super().validate()
        if self.noise not in NOISES:
            raise ValueError(f"noise must be one of {NOISES}, got {self.noise!r}")
        if not 0 <= self.noise_level < 1:
            raise ValueError(f"noise_level must be in [0, 1), got {self.noise_level}")


def overcomplete_width(n_in: int) -> int:
    return 256 if n_in <= 64 else 64 * -(-(n_in * 5 // 4) // 64)


_ACTS = {"linear": None, "relu": nn.ReLU(), "sigmoid": nn.Sigmoid()}


class MLPAutoencoder(Autoencoder):
    def __init__(self, config, shape):
        super().__init__(config, shape)
        latent = config.latent_dim or overcomplete_width(self.n_in)
        self._latent = latent
        code = getattr(config, "sparsity", None)
        code_act = {"kl": "sigmoid", "l1": "relu"}.get(code, config.code)
        hidden = [int(h) for h in config.hidden]
        stacked = getattr(config, "stacked", False)
        drop = config.stacked_dropout if stacked else 0.0
        # encoder: n_in -> hidden... -> latent ; decoder mirrors it
        self.encoder = mlp([self.n_in, *hidden, latent], last_act=_ACTS[code_act], dropout=drop)
        if stacked and config.stacked_tied:
            self.decoder = tied_mirror(self.encoder, last_act=_ACTS[config.output], dropout=drop)
        else:
            self.decoder = mlp([latent, *reversed(hidden), self.n_in], last_act=_ACTS[config.output])

    @property
    def latent_dim(self) -> int:
        return self._latent

    def loss(self, x: torch.Tensor) -> dict:
        c = self.config
        inp = corrupt(x, c.noise, c.noise_level) if hasattr(c, "noise") else x
        z = self.encode(inp)
        recon = recon_error(self.decode(z), x, c.recon)  # always against the clean x
        out = {"recon": recon}
        if hasattr(c, "sparsity"):
            out["sparsity"] = sparsity_penalty(z, c.sparsity, c.rho)
            out["loss"] = recon + c.sparsity_weight * out["sparsity"]
        else:
            out["loss"] = recon
        return out


class TiedLinear(nn.Module):
    """A decoder layer that reuses an encoder layer's weight, transposed, with a bias of its
    own: the mirror image of `source` (n_out -> n_in). The weight stays the encoder's
    parameter (it is not registered twice), so a tied autoencoder has about half the weights."""

    def __init__(self, source: nn.Linear):
        super().__init__()
        self.__dict__["source"] = source  # a reference, not a submodule
        self.bias = nn.Parameter(torch.zeros(source.in_features))

    @property
    def in_features(self) -> int:
        return self.source.out_features

    @property
    def out_features(self) -> int:
        return self.source.in_features

    @property
    def weight(self) -> torch.Tensor:
        """(out_features, in_features), as nn.Linear's: the source's weight transposed."""
        return self.source.weight.t()

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return nn.functional.linear(z, self.weight, self.bias)


def tied_mirror(encoder: nn.Sequential, last_act: nn.Module | None, dropout: float = 0.0) -> nn.Sequential:
    """The decoder that mirrors `encoder` layer by layer with tied weights: ReLU (and
    dropout) between layers, `last_act` after the last, as `mlp` builds the encoder."""
    linears = [m for m in encoder if isinstance(m, nn.Linear)][::-1]
    return chain([TiedLinear(lin) for lin in linears], nn.ReLU, last_act, dropout)


def sparsity_penalty(z: torch.Tensor, kind: str, rho: float) -> torch.Tensor:
    """'l1': mean |z|. 'kl': sum over units of KL(Bernoulli(rho) || Bernoulli(rho_hat_j)),
    rho_hat_j the unit's mean activation over the batch (Ng's sparse autoencoder notes)."""
    if kind == "l1":
        return z.abs().mean()
    rho_hat = z.mean(0).clamp(1e-6, 1 - 1e-6)
    return (rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))).sum()
