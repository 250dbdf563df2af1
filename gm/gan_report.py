"""What the GAN cockpit measures: samples with their D(x), noise-space interpolation,
the mode-collapse meter, the memorization check, plain-words diagnoses of a failing
run, and the arrays behind the live charts (so their preparation can be timed).

Pure functions on tensors and plain lists; nothing here trains or imports Streamlit.
"""
from __future__ import annotations

import numpy as np
import torch

from .latent import lerp, slerp
from .metrics import COVERED, class_histogram

COLLAPSE_CLASSES = 3      # at most this many classes with >= 5% of samples: collapsed
COLLAPSE_DIVERSITY = 0.5  # spread below half of the real images' spread: collapsed


# --- sampling ---------------------------------------------------------------------------------

@torch.no_grad()
def sample_sheet(model, n: int, seed: int, referee=None) -> dict:
    """n samples from fixed noise `seed`, each with its D(x) and (given a referee) the
    class it looks like and how sure the referee is."""
    was = model.training
    model.eval()
    z = model.noise(n, seed=seed)
    x = model.generator(z)
    out = {"z": z, "x": x, "d": model.d_score(x).tolist()}
    if referee is not None:
        p = referee.predict_proba(x)
        out["label"], out["confidence"] = p.argmax(1).tolist(), p.max(1).values.tolist()
    model.train(was)
    return out


@torch.no_grad()
def noise_path(model, z0: torch.Tensor, z1: torch.Tensor, steps: int = 9,
               mode: str = "slerp") -> dict:
    """Images along a straight (lerp) or great-circle (slerp) path in noise space, and D(x)."""
    was = model.training
    model.eval()
    z = (slerp if mode == "slerp" else lerp)(z0, z1, torch.linspace(0, 1, steps))
    x = model.generator(z)
    model.train(was)
    return {"x": x, "d": model.d_score(x).tolist()}


# --- mode collapse and memorization -------------------------------------------------------------

def mean_pairwise_distance(x: torch.Tensor) -> float:
    """Mean Euclidean distance between distinct images of a batch (pixel space)."""
    f = x.flatten(1).float()
    n = len(f)
    if n < 2:
        return 0.0
    return float(torch.cdist(f, f).sum() / (n * (n - 1)))


@torch.no_grad()
def collapse_meter(samples: torch.Tensor, referee, real_spread: float) -> dict:
    """The referee's class histogram of `samples`, the classes holding >= 5% of them and
    the diversity: their mean pairwise distance over that of real images (1 = as varied
    as the data, 0 = one image repeated). Collapsed when few classes or low diversity."""
    hist = class_histogram(referee.predict_proba(samples))
    covered = sum(h >= COVERED for h in hist)
    diversity = mean_pairwise_distance(samples) / max(real_spread, 1e-8)
    return {"histogram": hist, "classes_covered": covered, "diversity": diversity,
            "collapsed": covered <= COLLAPSE_CLASSES or diversity < COLLAPSE_DIVERSITY}


@torch.no_grad()
def nearest_training(samples: torch.Tensor, x_train: torch.Tensor,
                     chunk: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
    """Index of and distance to each sample's nearest training image (pixel space)."""
    s = samples.flatten(1).float()
    best_d = torch.full((len(s),), float("inf"))
    best_i = torch.zeros(len(s), dtype=torch.long)
    for i in range(0, len(x_train), chunk):
        d = torch.cdist(s, x_train[i:i + chunk].flatten(1).float())
        v, j = d.min(1)
        better = v < best_d
        best_d[better], best_i[better] = v[better], j[better] + i
    return best_i, best_d


def memorization(samples: torch.Tensor, x_train: torch.Tensor, baseline: float) -> dict:
    """Nearest training image of each sample; `ratio` = median sample distance over
    `baseline`, the median distance of held-out test images to their nearest training
    image. Test images are new by construction: a ratio well below 1 means copying."""
    idx, dist = nearest_training(samples, x_train)
    med = float(dist.median())
    return {"index": idx.tolist(), "distance": dist.tolist(), "median": med,
            "ratio": med / max(baseline, 1e-8), "copying": med / max(baseline, 1e-8) < 0.5}


# --- diagnoses --------------------------------------------------------------------------------

def _recent(rows: list[dict], key: str, n: int = 50) -> list[float]:
    return [r[key] for r in rows[-n:] if key in r]


def diagnose(history: list[dict], collapse: dict | None, warmup: int = 300) -> list[tuple[str, str]]:
    """Plain-words verdicts on a run from its update history (rows with 'net' = 'D' or
    'G', and 'd_loss', 'd_fake', 'g_loss', 'g_grad') and the latest collapse meter.
    Returns (level, text) pairs, level 'error', 'warning' or 'ok'."""
    d_rows = [r for r in history if r["net"] == "D"]
    g_rows = [r for r in history if r["net"] == "G"]
    if len(g_rows) < warmup and len(d_rows) < warmup:
        return [("ok", f"Warming up: {len(d_rows)} D and {len(g_rows)} G updates so far; "
                       f"verdicts start after {warmup}.")]
    out = []
    d_loss, d_fake = _recent(d_rows, "d_loss"), _recent(d_rows, "d_fake")
    grads = [r["g_grad"] for r in g_rows]
    if d_loss and np.mean(d_loss) < 0.1 and np.mean(d_fake) < 0.05:
        text = (f"**The discriminator wins.** Its loss is {np.mean(d_loss):.3f} (near zero) and "
                f"it gives generated images D(x) = {np.mean(d_fake):.3f}.")
        if grads:
            now, peak = float(np.mean(grads[-50:])), float(np.max(grads))
            text += (f" The generator's gradient norm is {now:.3g}, {now / max(peak, 1e-12):.0%} of "
                     f"its peak {peak:.3g}: it gets {'almost no' if now < 0.1 * peak else 'a weak'} "
                     f"signal about how to improve.")
        out.append(("error", text + " Try a lower D learning rate or fewer D steps per G step."))
    g_loss = _recent(g_rows, "g_loss")
    if g_loss and (np.mean(g_loss) > 5 or not np.isfinite(g_loss).all()):
        out.append(("error", f"**The generator's loss explodes:** {np.mean(g_loss):.1f} over the last "
                             f"{len(g_loss)} G updates (a balanced game sits near 0.7-2). "
                             f"Lower the learning rates."))
    if collapse is not None and collapse["collapsed"] and len(g_rows) >= warmup:
        top = sorted(range(len(collapse["histogram"])), key=lambda c: -collapse["histogram"][c])
        top = [str(c) for c in top[:collapse["classes_covered"] or 1]]
        out.append(("warning", f"**The samples collapse to a few classes:** the referee finds "
                               f"{collapse['classes_covered']} class(es) with at least 5% of samples "
                               f"({', '.join(top)}), diversity {collapse['diversity']:.2f} of the "
                               f"real images'."))
    if not out:
        out.append(("ok", "No trouble detected: neither network dominates, the losses are finite "
                          "and the samples spread over the classes."))
    return out


# --- arrays behind the live charts --------------------------------------------------------------

def loss_curves(history: list[dict], max_points: int = 300) -> dict:
    """Per network: update index and loss, bin-averaged to at most `max_points` points."""
    out = {}
    for net, key in (("D", "d_loss"), ("G", "g_loss")):
        rows = [(r["it"], r[key]) for r in history if r["net"] == net]
        if not rows:
            out[net] = (np.zeros(0), np.zeros(0))
            continue
        a = np.asarray(rows, dtype=float)
        if len(a) > max_points:
            k = -(-len(a) // max_points)
            m = len(a) // k * k
            a = a[:m].reshape(-1, k, 2).mean(1)
        out[net] = (a[:, 0], a[:, 1])
    return out


def score_histograms(d_real: list[float], d_fake: list[float], bins: int = 20) -> dict:
    """Counts of D(x) in `bins` equal bins over [0, 1] for real and generated images."""
    edges = np.linspace(0, 1, bins + 1)
    return {"centers": (edges[:-1] + edges[1:]) / 2,
            "real": np.histogram(d_real, edges)[0], "fake": np.histogram(d_fake, edges)[0]}


# --- figures (plotly; built from the arrays above, no Streamlit) ----------------------------------
# plain dicts without plotly's per-property validation: 3x faster, which matters at 5 redraws/s

_LAYOUT = dict(margin=dict(l=10, r=10, t=30, b=10), font=dict(size=16),
               legend=dict(orientation="h", y=1.14))


def _hline(y: float, text: str) -> dict:
    return {"shapes": [dict(type="line", xref="paper", x0=0, x1=1, y0=y, y1=y,
                            line=dict(color="gray", dash="dot"))],
            "annotations": [dict(xref="paper", x=1, y=y, text=text, showarrow=False,
                                 xanchor="right", yanchor="bottom", font=dict(color="gray"))]}


def _figure(data: list, layout: dict):
    import plotly.graph_objects as go
    return go.Figure({"data": data, "layout": _LAYOUT | layout}, _validate=False)


def fig_losses(curves: dict):
    """D and G loss against the update index; log(4) ~ 1.39 marks the balanced game."""
    data = [dict(type="scatter", x=curves[net][0].tolist(), y=curves[net][1].tolist(),
                 mode="lines" if len(curves[net][0]) > 30 else "lines+markers", marker=dict(size=10),
                 name=f"{net} loss", line=dict(color=color, width=3))
            for net, color in (("D", "#d62728"), ("G", "#1f77b4"))]
    return _figure(data, dict(height=320, xaxis=dict(title=dict(text="update")),
                              yaxis=dict(title=dict(text="loss")), uirevision="losses",
                              **_hline(float(np.log(4)), "D loss at balance, log 4")))


def fig_scores(hist: dict):
    """Histograms of D(x) on real and on generated images."""
    c = hist["centers"].tolist()
    data = [dict(type="bar", x=c, y=hist["real"].tolist(), name="real images",
                 marker=dict(color="#2ca02c"), opacity=0.7),
            dict(type="bar", x=c, y=hist["fake"].tolist(), name="generated",
                 marker=dict(color="#ff7f0e"), opacity=0.7)]
    return _figure(data, dict(barmode="overlay", height=320, uirevision="scores",
                              xaxis=dict(title=dict(text="D(x): discriminator's 'real' probability"),
                                         range=[0, 1]),
                              yaxis=dict(title=dict(text="images"))))


def fig_classes(collapse: dict, classes):
    """The referee's class histogram of generated samples, with the 5% coverage line."""
    h = collapse["histogram"]
    data = [dict(type="bar", x=[str(c) for c in classes], y=h,
                 marker=dict(color=["#1f77b4" if v >= COVERED else "#c7c7c7" for v in h]))]
    return _figure(data, dict(height=300, uirevision="classes",
                              xaxis=dict(title=dict(text="class the referee sees"), type="category"),
                              yaxis=dict(title=dict(text="share of samples"), tickformat=".0%"),
                              **_hline(COVERED, "5%")))
