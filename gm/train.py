"""One training loop for every model, plus the GAN's two-player step.

`fit` knows nothing of any one model: an autoencoder supplies `loss(x) -> dict` and the
loop steps on `["loss"]`; a GAN is stepped by `gan_step`, which updates D against a
fixed G, then G against a fixed D. Data stays in memory; batches are index slices.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import torch

from .data import Dataset
from .device import set_threads


LAYOUT = torch.channels_last  # the memory layout of 4-D weights while `fit` trains


class Cancelled(Exception):
    """Raised inside `fit` when its `cancel` callback returns True."""


def batches(n: int, batch_size: int, generator: torch.Generator):
    """Shuffled index batches covering range(n) once (the last may be short)."""
    perm = torch.randperm(n, generator=generator)
    for i in range(0, n, batch_size):
        yield perm[i:i + batch_size]


def adam(params, lr: float, betas: tuple[float, float] = (0.9, 0.999)) -> torch.optim.Adam:
    """Adam in its fused form (one kernel for all the weights) where the weights live on the
    CPU or a CUDA GPU: on 2 CPU threads the VAE and the overcomplete AE train 1.15x faster
    than with the default multi-tensor form."""
    params = list(params)
    fused = bool(params) and params[0].device.type in ("cpu", "cuda")
    return torch.optim.Adam(params, lr=lr, betas=betas, fused=fused or None)


# --- the GAN's two-player step ---------------------------------------------------------------

def gan_optimizers(model, lr: float, lr_d: float | None = None):
    """Adam with beta1 = 0.5, the DCGAN paper's setting; returns (opt_d, opt_g)."""
    return (adam(model.discriminator.parameters(), lr_d or lr, (0.5, 0.999)),
            adam(model.generator.parameters(), lr, (0.5, 0.999)))


def d_step(model, opt_d, real: torch.Tensor, fake: torch.Tensor | None = None) -> dict:
    """(1) Update D: maximize log D(x) + log(1 - D(G(z))) with G fixed (fake is detached);
    new fakes unless `fake` is given."""
    if fake is None:
        with torch.no_grad():
            fake = model.generator(model.noise(len(real)))
    out = model.d_loss(real, fake.detach())
    opt_d.zero_grad(set_to_none=True)
    out["d_loss"].backward()
    opt_d.step()
    return {k: float(v.detach()) for k, v in out.items()}


def g_step(model, opt_g, n: int, fake: torch.Tensor | None = None) -> dict:
    """(2) Update G: maximize log D(G(z)) with D fixed (only G's optimizer steps); `fake`,
    if given, must be G's output with its graph."""
    out = model.g_loss(fake if fake is not None else model.generator(model.noise(n)))
    opt_g.zero_grad(set_to_none=True)
    out["g_loss"].backward()
    opt_g.step()
    return {k: float(v.detach()) for k, v in out.items()}


class LiveRates:
    """The learning rates of a GAN trained live, for a class holding its two optimizers as
    `opt_g` and `opt_d` (lessons.gan_live, lessons.gan2d): read and changed mid-training."""

    def set_lr(self, lr_g: float | None = None, lr_d: float | None = None) -> None:
        for opt, lr in ((self.opt_g, lr_g), (self.opt_d, lr_d)):
            if lr is not None:
                for group in opt.param_groups:
                    group["lr"] = float(lr)

    @property
    def lr(self) -> dict:
        return {"G": self.opt_g.param_groups[0]["lr"], "D": self.opt_d.param_groups[0]["lr"]}


def gan_step(model, opt_d, opt_g, real: torch.Tensor, d_steps: int = 1) -> dict:
    """`d_steps` D updates, then one G update. One batch of fakes serves the last D update
    (detached) and the G update (the pytorch/examples DCGAN step): G runs forward once,
    not twice (1.2x faster a step on the 28x28 pair)."""
    out = {}
    for _ in range(d_steps - 1):
        out.update(d_step(model, opt_d, real))
    fake = model.generator(model.noise(len(real)))
    out.update(d_step(model, opt_d, real, fake))
    out.update(g_step(model, opt_g, len(real), fake))
    return out


def weight_average(module: torch.nn.Module, decay: float) -> torch.optim.swa_utils.AveragedModel:
    """An exponential moving average of `module`'s weights and buffers (`decay` per step;
    0: a copy of the latest weights). A GAN's generator oscillates around its target from
    step to step; its average makes better samples than its last state (Yazici et al.
    2019; benchmarks/gan_recipe.py: averaged, the 28x28 GAN at twice the rate for half the
    steps matches or beats its last state, 2.9% / 8.1% of the noise ceiling against 3.2% / 9.2%)."""
    from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
    return AveragedModel(module, multi_avg_fn=get_ema_multi_avg_fn(decay), use_buffers=True)


# --- the loop ---------------------------------------------------------------------------------

def fit(model, data: Dataset, device: torch.device | str = "cpu",
        progress: Callable[[dict], None] | None = None,
        cancel: Callable[[], bool] | None = None) -> dict:
    """Train `model` on `data.x_train` with the settings in `model.config`.

    progress(info) is called after every epoch with step/epoch counts and the epoch's mean
    losses; cancel() is polled every step and stops training with `Cancelled`.
    Returns the history: a list of per-epoch mean losses and the wall time.
    """
    set_threads(pixels=math.prod(data.shape))
    cfg = model.config
    torch.manual_seed(cfg.seed)  # model init happened before; this seeds noise and dropout
    gen = torch.Generator().manual_seed(cfg.seed)
    device = torch.device(device)
    # channels-last: convolutions train 1.1-1.4x faster on the CPU in that layout
    # (benchmarks/layout.py); 2-D weights (every MLP) are unaffected. The default layout
    # is restored at the end, so a trained model is laid out as a loaded one.
    model.to(device, memory_format=LAYOUT).train()
    x = data.x_train.to(device)
    y = data.y_train.to(device)
    supervised = getattr(model, "supervised", False)  # the referee: loss(x, y)
    n = len(x)
    epochs = cfg.resolved_epochs(n)
    per_epoch = math.ceil(n / cfg.batch_size)
    total = epochs * per_epoch
    adversarial = getattr(model, "family", "") == "gan"
    if adversarial:
        opt_d, opt_g = gan_optimizers(model, cfg.lr, cfg.lr_d)
        average = weight_average(model.generator, cfg.ema)
    else:
        lr = cfg.resolved_lr(math.prod(data.shape))
        opt = adam(model.parameters(), lr)
        # one-cycle schedule: converges in a third of the epochs of a constant rate here
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total)
    history, step, t0 = [], 0, time.perf_counter()
    for epoch in range(epochs):
        sums: dict[str, float] = {}
        for idx in batches(n, cfg.batch_size, gen):
            if cancel is not None and cancel():
                raise Cancelled()
            xb = x[idx]
            if adversarial:
                out = gan_step(model, opt_d, opt_g, xb, cfg.d_steps)
                average.update_parameters(model.generator)
            else:
                parts = model.loss(xb, y[idx]) if supervised else model.loss(xb)
                opt.zero_grad(set_to_none=True)
                parts["loss"].backward()
                opt.step()
                sched.step()
                out = {k: float(v.detach()) for k, v in parts.items()}
            for k, v in out.items():
                sums[k] = sums.get(k, 0.0) + v
            step += 1
        losses = {k: v / per_epoch for k, v in sums.items()}
        history.append(losses)
        if progress is not None:
            progress({"epoch": epoch + 1, "epochs": epochs, "step": step, "steps": total,
                      "losses": losses, "elapsed": time.perf_counter() - t0})
    if adversarial:  # the kept generator is the average of its weights over training
        model.generator.load_state_dict(average.module.state_dict())
    model.to(memory_format=torch.contiguous_format).eval()
    return {"history": history, "train_seconds": time.perf_counter() - t0,
            "epochs": epochs, "steps": total}


@torch.no_grad()
def evaluate(model, x: torch.Tensor, y: torch.Tensor | None = None, batch_size: int = 2000) -> dict:
    """Mean test losses (autoencoders) plus per-pixel MSE of `reconstruct`; accuracy for
    the referee; empty for GANs."""
    if getattr(model, "family", "") == "gan":
        return {}
    if getattr(model, "supervised", False):
        return {"test_accuracy": model.accuracy(x, y)}
    model.eval()
    torch.manual_seed(0)  # the VAE's loss samples z
    sums: dict[str, float] = {}
    for i in range(0, len(x), batch_size):
        xb = x[i:i + batch_size]
        parts = {k: float(v) * len(xb) for k, v in model.loss(xb).items()}
        parts["mse"] = float(((model.reconstruct(xb) - xb) ** 2).mean()) * len(xb)
        for k, v in parts.items():
            sums[k] = sums.get(k, 0.0) + v
    return {f"test_{k}": v / len(x) for k, v in sums.items()}
