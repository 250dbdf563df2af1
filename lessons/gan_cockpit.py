"""What the live GAN cockpit measures (lessons.gan_live calls these on every snapshot): the
mode-collapse meter, the memorization check, verdicts on a failing run (keys + numbers,
worded in the catalog), and the arrays behind the live charts, so their preparation can
be timed. Pure functions on tensors and plain lists; nothing here trains."""
from __future__ import annotations

import numpy as np
import torch

from gm.metrics import COVERED, class_histogram, mean_pairwise_distance, memorization

from .verdict import Verdict, verdict

COLLAPSE_CLASSES = 3      # at most this many classes with >= 5% of samples: collapsed
COLLAPSE_DIVERSITY = 0.5  # spread below half of the real images' spread: collapsed
WARMUP = 300              # updates of D or G before the run gets a verdict
RECENT = 50               # updates the verdicts average over
D_WINS_LOSS, D_WINS_FAKE = 0.1, 0.05  # D's loss and D(fake) below these: D wins
NO_SIGNAL = 0.1           # G's gradient norm below this share of its peak: "almost no signal"
G_LOSS_EXPLODES = 5.0     # G's recent loss above this (or not finite): exploding
MEMO_SHOWN = 8            # fixed-noise samples the memorization check shows


# --- mode collapse and memorization -------------------------------------------------------------

@torch.no_grad()
def collapse_meter(samples: torch.Tensor, referee, real_spread: float) -> dict:
    """The referee's class histogram of `samples`, the classes holding >= 5% of them and
    the diversity: their mean pairwise distance over that of real images (1 = as varied
    as the data, 0 = one image repeated). Collapsed when few classes or low diversity;
    `verdict` words it for the meter's caption."""
    hist = class_histogram(referee.predict_proba(samples))
    covered = sum(h >= COVERED for h in hist)
    diversity = mean_pairwise_distance(samples) / max(real_spread, 1e-8)
    collapsed = covered <= COLLAPSE_CLASSES or diversity < COLLAPSE_DIVERSITY
    n = len(samples)
    said = verdict("gan.collapse.yes", n=n) if collapsed else verdict("gan.collapse.no", n=n)
    return {"histogram": hist, "classes_covered": covered, "diversity": diversity,
            "collapsed": collapsed, "verdict": said}


def memo_check(shown: torch.Tensor, x_train: torch.Tensor, baseline: float) -> dict:
    """gm.metrics.memorization of the `shown` samples, with each one's nearest training
    image, both rows stacked for one grid ('pairs'), and the verdict: copying or new."""
    memo = memorization(shown, x_train, baseline)
    nearest = x_train[memo["index"]]
    values = {"n": len(shown), "median": memo["median"], "ratio": memo["ratio"]}
    said = verdict("gan.memo.copying", **values) if memo["copying"] else verdict("gan.memo.new", **values)
    return memo | {"shown": shown, "nearest": nearest, "pairs": torch.cat([shown, nearest]), "verdict": said}


# --- verdicts on a run ---------------------------------------------------------------------------

def _recent(rows: list[dict], key: str, n: int = RECENT) -> list[float]:
    return [r[key] for r in rows[-n:] if key in r]


def diagnose(history: list[dict], collapse: dict | None, warmup: int = WARMUP) -> list[tuple[str, Verdict]]:
    """Verdicts on a run from its update history (rows with 'net' = 'D' or 'G', and
    'd_loss', 'd_fake', 'g_loss', 'g_grad') and the latest collapse meter: (level,
    verdict) pairs, level 'error', 'warning' or 'ok'."""
    d_rows = [r for r in history if r["net"] == "D"]
    g_rows = [r for r in history if r["net"] == "G"]
    if len(g_rows) < warmup and len(d_rows) < warmup:
        return [("ok", verdict("gan.diag.warming_up", n_d=len(d_rows), n_g=len(g_rows), warmup=warmup))]
    out = []
    d_loss, d_fake = _recent(d_rows, "d_loss"), _recent(d_rows, "d_fake")
    grads = [r["g_grad"] for r in g_rows]
    if d_loss and np.mean(d_loss) < D_WINS_LOSS and np.mean(d_fake) < D_WINS_FAKE:
        values = {"d_loss": float(np.mean(d_loss)), "d_fake": float(np.mean(d_fake))}
        if grads:
            now, peak = float(np.mean(grads[-RECENT:])), float(np.max(grads))
            values |= {"grad": now, "share": now / max(peak, 1e-12), "peak": peak}
            out.append(("error", verdict("gan.diag.d_wins.no_signal", **values) if now < NO_SIGNAL * peak
                        else verdict("gan.diag.d_wins.weak_signal", **values)))
        else:
            out.append(("error", verdict("gan.diag.d_wins", **values)))
    g_loss = _recent(g_rows, "g_loss")
    if g_loss and not np.isfinite(g_loss).all():
        out.append(("error", verdict("gan.diag.g_explodes.not_finite", n=len(g_loss))))
    elif g_loss and np.mean(g_loss) > G_LOSS_EXPLODES:
        out.append(("error", verdict("gan.diag.g_explodes", g_loss=float(np.mean(g_loss)), n=len(g_loss))))
    if collapse is not None and collapse["collapsed"] and len(g_rows) >= warmup:
        hist = collapse["histogram"]
        top = sorted(range(len(hist)), key=lambda c: -hist[c])[:collapse["classes_covered"] or 1]
        out.append(("warning", verdict("gan.diag.collapse", n=collapse["classes_covered"],
                                       classes=", ".join(map(str, top)), diversity=collapse["diversity"])))
    return out or [("ok", verdict("gan.diag.ok"))]


# --- arrays behind the live charts ----------------------------------------------------------------

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
    """Counts of D(x) in `bins` equal bins over [0, 1] for real and generated images, and
    the mean D(x) of each."""
    edges = np.linspace(0, 1, bins + 1)
    return {"centers": (edges[:-1] + edges[1:]) / 2,
            "real": np.histogram(d_real, edges)[0], "fake": np.histogram(d_fake, edges)[0],
            "real_mean": float(np.mean(d_real)), "fake_mean": float(np.mean(d_fake))}


def timeline_frame(timeline: list, pct: int):
    """The saved (update index, fixed-noise samples) at `pct`% of the run, None for 'now'
    (100%, or nothing saved yet)."""
    if pct >= 100 or not timeline:
        return None
    return timeline[min(len(timeline) - 1, int(pct / 100 * len(timeline)))]
