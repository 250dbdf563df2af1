"""Labels are expensive and sometimes wrong. A classifier trained on every training image's
label, with a growing share of the labels wrong (NOISE: each wrong one is another class,
drawn at random), against codes an autoencoder learned with no labels at all, read by the
same classifier from only PER_CLASS correct labels per class. Where the first curve falls
below the second, a handful of correct labels beats all of them.

One classifier for every curve (`classify`: multinomial logistic regression on
standardized features, FIT_STEPS full-batch Adam steps), so the curves differ only in
what it is given: raw pixels or codes, many noisy labels or a few correct ones. Accuracy
is always on the clean held-out test labels. Pure: numbers and Verdicts out.
"""
from __future__ import annotations

import copy
import threading
import time

import numpy as np
import torch
import torch.nn.functional as F

import gm
from gm import Spec, latent, metrics
from gm.toy2d import few_threads

from .verdict import Verdict, verdict

SLUG = "labels"
NOISE = (0.0, 0.2, 0.4, 0.6, 0.8)   # shares of training labels flipped to a wrong class
PER_CLASS = 10                      # correct labels per class for the label-free codes
DRAWS = 5                           # random draws of those few labels, averaged
LATENT = 8                          # the autoencoder's code size
FIT_STEPS, FIT_LR, FIT_DECAY = 100, 0.05, 1e-4
ANSWERS = ("low", "mid", "high", "never")  # where the curves cross: < 30 %, 30-60 %, > 60 %, not at all
LOW, HIGH = 0.3, 0.6


def code_spec(dataset: str, seed: int = 0) -> Spec:
    """The autoencoder whose codes are learned with no labels (the lab's default AE)."""
    return Spec("ae", dataset, latent_dim=LATENT, seed=seed)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class: the autoencoder."""
    return [code_spec(dataset, seed)]


# --- the pieces ----------------------------------------------------------------------------------

def flip_labels(y: torch.Tensor, share: float, n_classes: int, seed: int = 0) -> torch.Tensor:
    """A copy of `y` with exactly round(share * N) labels, chosen at random, replaced by
    another class drawn uniformly from the other n_classes - 1."""
    g = torch.Generator().manual_seed(seed)
    out = y.clone()
    idx = torch.randperm(len(y), generator=g)[:round(share * len(y))]
    out[idx] = (y[idx] + torch.randint(1, n_classes, (len(idx),), generator=g)) % n_classes
    return out


def classify(f_train: torch.Tensor, y_train: torch.Tensor, f_test: torch.Tensor,
             y_test: torch.Tensor, n_classes: int, seed: int = 0) -> float:
    """Test accuracy of a multinomial logistic regression on standardized features
    (statistics of the training features), FIT_STEPS full-batch Adam steps."""
    a, b = f_train.flatten(1).float(), f_test.flatten(1).float()
    mu, sd = a.mean(0), a.std(0).clamp_min(1e-3)
    a, b = (a - mu) / sd, (b - mu) / sd
    with torch.random.fork_rng(devices=[]), torch.enable_grad():
        torch.manual_seed(seed)
        w = torch.zeros(a.shape[1], n_classes, requires_grad=True)
        bias = torch.zeros(n_classes, requires_grad=True)
        opt = torch.optim.Adam([w, bias], lr=FIT_LR, weight_decay=FIT_DECAY)
        for _ in range(FIT_STEPS):
            loss = F.cross_entropy(a @ w + bias, y_train)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    with torch.no_grad():
        return float(((b @ w + bias).argmax(1) == y_test).double().mean())


def few_labels(f_train, y_train, f_test, y_test, n_classes: int, per_class: int = PER_CLASS,
               draws: int = DRAWS) -> float:
    """`classify` trained on `per_class` correct labels per class, mean of `draws` draws."""
    accs = []
    for r in range(draws):
        idx = torch.as_tensor(metrics.few_label_subset(y_train, per_class, seed=r))
        accs.append(classify(f_train[idx], y_train[idx], f_test, y_test, n_classes, seed=r))
    return float(np.mean(accs))


def crossing(noise, accuracy, level: float) -> float | None:
    """The share of wrong labels at which the `accuracy` curve (over `noise`) first falls
    below `level`, interpolated linearly; 0 when it starts below, None when it never does."""
    for i, (p, a) in enumerate(zip(noise, accuracy)):
        if a < level:
            if i == 0:
                return 0.0
            p0, a0 = noise[i - 1], accuracy[i - 1]
            return float(p0 + (p - p0) * (a0 - level) / (a0 - a))
    return None


# --- the measurement ------------------------------------------------------------------------------

def measure(dataset: str = gm.DEFAULT_DATASET, seed: int = 0, ae=None,
            noise: tuple = NOISE) -> dict:
    """Test accuracy on clean labels of
      `noisy`: pixels, every training label, a share `noise[i]` of them wrong;
      `codes`: the autoencoder's codes (learned without labels), PER_CLASS correct labels per class;
      `pixels_few`: pixels, the same few correct labels (what the codes add);
    and `crossing`, the share of wrong labels where `noisy` falls below `codes`.
    `ae` defaults to gm.get_model(code_spec(dataset, seed)) (trained once, then cached).
    Results of cached models are kept in memory, keyed by the model's Spec."""
    spec = code_spec(dataset, seed) if ae is None else getattr(ae, "spec", None)
    key = (dataset, seed, spec, tuple(noise))
    if spec is None or key not in _MEMORY:
        if ae is None:
            ae = gm.get_model(spec)
        with few_threads():
            r = _compute(dataset, seed, ae, tuple(noise))
        if spec is None:
            return r
        with _LOCK:
            _MEMORY[key] = r
            while len(_MEMORY) > 8:
                _MEMORY.pop(next(iter(_MEMORY)))
    return copy.deepcopy(_MEMORY[key])


_MEMORY: dict = {}
_LOCK = threading.Lock()


def _compute(dataset: str, seed: int, ae, noise: tuple) -> dict:
    t0 = time.perf_counter()
    data = gm.load_dataset(dataset)
    n_classes = len(data.classes)
    noisy = [classify(data.x_train, flip_labels(data.y_train, p, n_classes, seed), data.x_test,
                      data.y_test, n_classes, seed) for p in noise]
    z, zt = latent.codes(ae, data.x_train), latent.codes(ae, data.x_test)
    codes = few_labels(z, data.y_train, zt, data.y_test, n_classes)
    pixels_few = few_labels(data.x_train, data.y_train, data.x_test, data.y_test, n_classes)
    return {"dataset": dataset, "noise": list(noise), "noisy": noisy, "codes": codes,
            "pixels_few": pixels_few, "crossing": crossing(noise, noisy, codes),
            "per_class": PER_CLASS, "n_labels": PER_CLASS * n_classes, "n_train": len(data.x_train),
            "latent_dim": ae.latent_dim, "seconds": time.perf_counter() - t0}


def judge(r: dict) -> Verdict:
    """Where the curves cross: never (every label still wins at the highest share measured),
    or from share `cross` of wrong labels on, the few correct labels win."""
    values = {"clean": r["noisy"][0], "worst": r["noisy"][-1], "worst_share": r["noise"][-1],
              "codes": r["codes"], "pixels_few": r["pixels_few"], "n_labels": r["n_labels"],
              "n_train": r["n_train"]}
    if r["crossing"] is None:
        return verdict("labels.verdict.never", **values)
    return verdict("labels.verdict.cross", cross=r["crossing"], **values)


def answer(r: dict) -> str:
    """The tour's answer key the measured crossing supports."""
    c = r["crossing"]
    name = "never" if c is None else "low" if c < LOW else "mid" if c <= HIGH else "high"
    return f"labels.tour.answer.{name}"


def tour_step(dataset: str = gm.DEFAULT_DATASET, seed: int = 0, ae=None) -> dict:
    """The lecture tour's step: measure (about 1 s on digits, 5 s on MNIST once the
    autoencoder is cached) and return
      number      the share of wrong labels where the curves cross (when they never do:
                  the highest share measured, with number_key "labels.tour.number_never"),
                  worded by t(number_key, number=number)
      figure_data the `measure` dict: ui.figures.demos.fig_labels(figure_data)
      question, answers, answer: catalog keys (answer is the one the measurement supports)
      verdict     the Verdict of `judge`"""
    r = measure(dataset, seed, ae)
    return {"number": r["noise"][-1] if r["crossing"] is None else r["crossing"],
            "number_key": "labels.tour.number" if r["crossing"] is not None else "labels.tour.number_never",
            "figure_data": r, "question": "labels.tour.question",
            "answers": [f"labels.tour.answer.{a}" for a in ANSWERS], "answer": answer(r),
            "verdict": judge(r)}
