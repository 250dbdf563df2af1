"""Generative models are harder to train than discriminative ones, measured. The same
small MLP (gm.toy2d.mlp: two hidden layers of 64), the same optimizer (Adam, beta1 = 0.5,
batches of 128), the same budget of BUDGET updates and the same learning rates LRS, over
two seeds:

  the classifier  reads the dataset's images; its goal: GOAL_ACCURACY on the test images;
  the GAN         the 2-D GAN of gm.toy2d on the mixture of 8 Gaussians, trained by the
                  image GAN's step (gm.train.gan_step); its goal: samples covering at least
                  USABLE_MODES of the 8 modes with precision (gm.metrics.precision_recall)
                  at least USABLE_PRECISION.

For each run: the updates until the goal was first met (checked every CHECK_CLASSIFIER /
CHECK_GAN updates), or None when the budget ran out. The classifier gets there at every
rate; the GAN only in a band of rates (too slow below, a collapse onto a mode or two
above). About 15 s on 2 cores the first time (the GAN runs dominate), then from memory.
"""
from __future__ import annotations

import copy
import functools
import time

import numpy as np
import torch
import torch.nn.functional as F

import gm
from gm import Spec, metrics, toy2d
from gm.train import gan_optimizers, gan_step

from .verdict import Verdict, verdict

SLUG = "harder"
LRS = (1e-4, 1e-3, 1e-2, 1e-1)
SEEDS = 2                 # seeds seed, seed + 1
BUDGET = 2000             # updates per run (a GAN update: one D step and one G step)
BATCH = 128
GOAL_ACCURACY = 0.9
USABLE_MODES = 7          # of the mixture's 8
USABLE_PRECISION = 0.7
CHECK_CLASSIFIER = 25     # updates between checks of the goal
CHECK_GAN = 100
KINDS = ("classifier", "gan")
ANSWERS = ("classifier", "gan", "both")


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """Nothing cached: the runs are measured (and kept in memory) when first asked for."""
    return []


def classifier_run(data, lr: float, seed: int, budget: int = BUDGET) -> dict:
    """Train the MLP classifier on `data` with Adam at `lr`; `steps` until its test
    accuracy first reaches GOAL_ACCURACY (None: not within `budget`), `accuracy` then
    (or at the end)."""
    t0 = time.perf_counter()
    x, y = data.x_train.flatten(1), data.y_train
    xt, yt = data.x_test.flatten(1), data.y_test
    with torch.random.fork_rng(devices=[]), torch.enable_grad():
        torch.manual_seed(seed)
        net = toy2d.mlp(x.shape[1], toy2d.Toy2DConfig.width, toy2d.Toy2DConfig.depth, len(data.classes))
        opt = torch.optim.Adam(net.parameters(), lr=lr, betas=(0.5, 0.999))  # gan_optimizers' Adam
        g = torch.Generator().manual_seed(seed)
        steps, acc = None, 0.0
        for i in range(1, budget + 1):
            idx = torch.randint(0, len(x), (BATCH,), generator=g)
            loss = F.cross_entropy(net(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if i % CHECK_CLASSIFIER == 0 or i == budget:
                with torch.no_grad():
                    acc = float((net(xt).argmax(1) == yt).double().mean())
                if acc >= GOAL_ACCURACY:
                    steps = i
                    break
    return {"kind": "classifier", "lr": lr, "seed": seed, "steps": steps, "accuracy": acc,
            "seconds": time.perf_counter() - t0}


def gan_run(lr: float, seed: int, budget: int = BUDGET) -> dict:
    """Train the 2-D GAN on the 8-Gaussian mixture at `lr` (both players); `steps` until
    its samples are usable (see the module docstring; None: not within `budget`), and the
    modes covered and precision then (or at the end)."""
    t0 = time.perf_counter()
    cfg = toy2d.Toy2DConfig(seed=seed, lr=lr, batch_size=BATCH)
    gan, target = toy2d.Toy2DGAN(cfg), toy2d.Target.make("gaussians8")
    opt_d, opt_g = gan_optimizers(gan, cfg.lr, cfg.lr_d)
    g = torch.Generator().manual_seed(seed)
    steps, modes, precision = None, 0, 0.0
    with torch.enable_grad():
        for i in range(1, budget + 1):
            gan_step(gan, opt_d, opt_g, target.sample(BATCH, g), cfg.d_steps)
            if i % CHECK_GAN == 0 or i == budget:
                real, fake = toy2d.samples(gan, target, n=1000, seed=seed)
                modes = toy2d.mode_coverage(fake, target.modes, target.sigma)["covered"]
                # precision (k-NN balls, ~50 ms) only once enough modes are covered
                check = modes >= USABLE_MODES or i == budget
                precision = metrics.precision_recall(real, fake)["precision"] if check else 0.0
                if usable(modes, precision):
                    steps = i
                    break
    return {"kind": "gan", "lr": lr, "seed": seed, "steps": steps, "modes": modes,
            "precision": precision, "seconds": time.perf_counter() - t0}


def usable(modes: int, precision: float) -> bool:
    """A 2-D GAN's samples are usable: USABLE_MODES of 8 modes, USABLE_PRECISION precision."""
    return modes >= USABLE_MODES and precision >= USABLE_PRECISION


# --- the measurement ------------------------------------------------------------------------------

def measure(dataset: str = gm.DEFAULT_DATASET, seed: int = 0, lrs: tuple = LRS,
            seeds: int = SEEDS, budget: int = BUDGET) -> dict:
    """Every (learning rate, seed) run of both kinds (`runs`, dicts as from classifier_run
    and gan_run), and per kind: `success` (share of runs that met the goal), `median_steps`
    (median over the successful runs, None when none did) and `seconds` (wall time)."""
    return copy.deepcopy(_measure(dataset, seed, tuple(lrs), seeds, budget))


@functools.lru_cache(maxsize=8)
def _measure(dataset: str, seed: int, lrs: tuple, seeds: int, budget: int) -> dict:
    data = gm.load_dataset(dataset)
    with toy2d.few_threads():
        runs = [classifier_run(data, lr, s, budget) for lr in lrs for s in range(seed, seed + seeds)]
        runs += _gan_runs(seed, lrs, seeds, budget)
    out = {"dataset": dataset, "lrs": list(lrs), "seeds": seeds, "budget": budget, "runs": runs,
           "goal_accuracy": GOAL_ACCURACY, "usable_modes": USABLE_MODES,
           "usable_precision": USABLE_PRECISION}
    for kind in KINDS:
        mine = [r for r in runs if r["kind"] == kind]
        done = [r["steps"] for r in mine if r["steps"] is not None]
        out[kind] = {"success": len(done) / len(mine),
                     "median_steps": float(np.median(done)) if done else None,
                     "seconds": sum(r["seconds"] for r in mine)}
    return out


@functools.lru_cache(maxsize=4)
def _gan_runs(seed: int, lrs: tuple, seeds: int, budget: int) -> list:
    """The GAN's runs do not depend on the dataset: measured once for all of them."""
    return [gan_run(lr, s, budget) for lr in lrs for s in range(seed, seed + seeds)]


def paired_steps(r: dict) -> tuple[float, float] | None:
    """Median updates of the classifier and of the GAN over the settings (learning rate,
    seed) where both met their goal; None when there are none."""
    steps = {(u["kind"], u["lr"], u["seed"]): u["steps"] for u in r["runs"]}
    both = [(steps[("classifier", lr, s)], steps[("gan", lr, s)]) for (k, lr, s) in steps
            if k == "gan" and steps[("gan", lr, s)] is not None and steps.get(("classifier", lr, s)) is not None]
    if not both:
        return None
    return float(np.median([a for a, _ in both])), float(np.median([b for _, b in both]))


def judge(r: dict) -> Verdict:
    """Which kind met its goal in more settings, with both success shares and, where both
    met it, the median updates each needed and their ratio."""
    c, g = r["classifier"], r["gan"]
    pair = paired_steps(r)
    clf_steps, gan_steps = pair or (c["median_steps"] or 0.0, g["median_steps"] or 0.0)
    values = {"clf_success": c["success"], "gan_success": g["success"], "n_runs": len(r["runs"]) // 2,
              "budget": r["budget"], "clf_steps": clf_steps, "gan_steps": gan_steps,
              "lr_low": min(r["lrs"]), "lr_high": max(r["lrs"])}
    if g["success"] == 0:
        return verdict("harder.verdict.gan_never", **values)
    if c["success"] > g["success"]:
        return verdict("harder.verdict.classifier", ratio=gan_steps / max(clf_steps, 1), **values)
    return verdict("harder.verdict.gan_as_good", **values)


def answer(r: dict) -> str:
    c, g = r["classifier"]["success"], r["gan"]["success"]
    name = "classifier" if c > g else "gan" if g > c else "both"
    return f"harder.tour.answer.{name}"


def tour_step(dataset: str = gm.DEFAULT_DATASET, seed: int = 0) -> dict:
    """The lecture tour's step: measure (about 15 s on 2 cores the first time in a process,
    then instant) and return
      number      the share of the GAN's runs that reached usable samples,
                  worded by t(number_key, number=number)
      figure_data the `measure` dict: ui.figures.demos.fig_harder(figure_data)
      question, answers, answer: catalog keys (answer is the one the measurement supports)
      verdict     the Verdict of `judge`"""
    r = measure(dataset, seed)
    return {"number": r["gan"]["success"], "number_key": "harder.tour.number", "figure_data": r,
            "question": "harder.tour.question", "answers": [f"harder.tour.answer.{a}" for a in ANSWERS],
            "answer": answer(r), "verdict": judge(r)}
