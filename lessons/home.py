"""The lab's home: supervised vs unsupervised learning (k-means on an autoencoder's codes
against k-means on raw pixels, scored by labels it never saw), discriminative vs
generative models (a logistic regression P(y | x) beside a VAE whose codes, one Gaussian
per class, give P(x | y)), and how good the VAE's new digits of a class are: how often the
referee reads the class asked for, and how far they lie from their nearest training image."""
from __future__ import annotations

import numpy as np
import torch

import gm
from gm import Spec, latent
from gm.metrics import mean_pairwise_distance, memorization, nearest_training
from gm.referee import spec as referee_spec

from .verdict import verdict

SLUG = "home"
PAGE = "app.py"
AE_DIM = 8                                      # the clustered autoencoder's code size
PAIRS = ("0,1", "1,7", "3,8", "4,9", "5,6", "all")  # the "Classes" radio
SHOWN = 12            # test images in the supervised / unsupervised gallery
PER_CLUSTER = 12      # members shown per k-means cluster
NEW = 8               # new digits per press of "Make a new one"
MEASURED = 500        # new digits the referee rate and the novelty are measured on
SAME_ARI = 0.03       # codes and pixels within this ARI group "about as well"
COPY_RATIO = 0.5      # nearest-training distance below half a real digit's: close to copies
VARIED = 0.6          # spread (mean pairwise distance) at least this share of real digits':
                      # varied (measured: MNIST-5k VAE .73-.83 by class, 8x8 digits .21-.64)


def specs(dataset: str, seed: int) -> tuple[Spec, Spec, Spec]:
    """The 8-number autoencoder that is clustered, the VAE that makes new digits, and the
    dataset's referee that reads them."""
    return (Spec("ae", dataset, seed=seed, latent_dim=AE_DIM), Spec("vae", dataset, seed=seed),
            referee_spec(dataset))


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once
    (the AE and VAE are the autoencoder and VAE lessons'; the referee is always trained)."""
    return []


def gallery(dataset: str) -> torch.Tensor:
    """The SHOWN test images of the supervised / unsupervised gallery, the first of each
    class in turn (0, 1, ..., 9, 0, 1, ...): a test set ordered by class, as the embedded
    MNIST's is, would otherwise show twelve 0s labelled y = 0."""
    y = gm.load_dataset(dataset).y_test
    firsts = [torch.nonzero(y == c).squeeze(1) for c in torch.unique(y)]
    rounds = max(len(f) for f in firsts)
    order = [int(f[r]) for r in range(rounds) for f in firsts if r < len(f)]
    return torch.tensor(order[:SHOWN])


def classes_of(pair: str, n_classes: int) -> tuple[int, ...]:
    """The class indices of a PAIRS choice ("3,8" -> (3, 8); "all" -> every class)."""
    return tuple(range(n_classes)) if pair == "all" else tuple(int(c) for c in pair.split(","))


# --- 1. supervised vs unsupervised -------------------------------------------------------------

def clusters(ae, seed: int) -> dict:
    """k-means on the test images' codes and on their raw pixels, scored against the hidden
    labels (ARI, NMI); the code clusters as a gallery (one row per cluster, largest first);
    and the verdict: do the codes group the digits better than, worse than or about as well
    as the pixels (ARI gap beyond SAME_ARI)?"""
    d = gm.load_dataset(ae.spec.dataset)
    scores = latent.cluster_demo(ae, d, seed)
    assign = kmeans_labels(latent.codes(ae, d.x_test), len(d.classes), seed)
    pixels = int(np.prod(d.shape))
    gap = scores["codes"]["ari"] - scores["pixels"]["ari"]
    sizes = {"pixels": pixels, "fewer": pixels // ae.latent_dim}
    said = (verdict("home.clusters.better", **sizes) if gap > SAME_ARI else
            verdict("home.clusters.worse", **sizes) if gap < -SAME_ARI else
            verdict("home.clusters.same", **sizes))
    return {"scores": scores, "gallery": cluster_gallery(d.x_test, assign, PER_CLUSTER),
            "n_test": len(d.x_test), "verdict": said}


# --- 2. discriminative vs generative -----------------------------------------------------------

def discriminate(dataset: str, classes: tuple[int, ...], seed: int) -> dict:
    """A logistic regression P(y | x) on the pixels of the training images of `classes`:
    the test images of those classes, their labels, its probabilities for each (columns in
    the order of `classes_`), and its test accuracy."""
    d = gm.load_dataset(dataset)
    keep = torch.tensor(classes)
    tr, te = torch.isin(d.y_train, keep), torch.isin(d.y_test, keep)
    clf = fit_classifier(d.x_train[tr], d.y_train[tr], seed=seed)
    xt, yt = d.x_test[te], d.y_test[te].numpy()
    p = clf.predict_proba(xt.flatten(1).numpy())
    return {"x": xt, "y": yt, "proba": p, "classes": [int(c) for c in clf.classes_],
            "accuracy": float((clf.classes_[p.argmax(1)] == yt).mean())}


def class_gaussian(vae, label: int) -> dict[int, tuple]:
    """p(z | y = label): one Gaussian fitted to the VAE's codes of that class's training
    digits (as `latent.class_gaussians` fits every class), keyed by the label."""
    d = gm.load_dataset(vae.spec.dataset)
    return latent.class_gaussians(vae, d.x_train[d.y_train == label], d.y_train[d.y_train == label])


def generate(vae, referee, label: int, draw: int, n: int = NEW) -> dict:
    """`n` new digits of class `label` (draw set `draw`: z ~ p(z | y), decoded), the class
    the referee reads in each, and how many of them it reads as `label`."""
    new = latent.generate_class(vae, class_gaussian(vae, label), label, n, seed=1000 * draw + label)
    read = referee.predict_proba(new).argmax(1)
    return {"images": new, "read": read.tolist(), "hits": int((read == label).sum())}


def class_quality(vae, referee, label: int, n: int = MEASURED) -> dict:
    """Measured on `n` new digits of the class: `rate`, the share the referee reads as
    `label`; `novelty`, their median distance to the nearest training image over held-out
    real digits' of the class (0 = copies, about 1 = as new as a real digit); `variety`, their
    mean pairwise distance over that of the held-out real digits of the class (0 = all the
    same, 1 = as varied as real ones); a verdict for each."""
    d = gm.load_dataset(vae.spec.dataset)
    bulk = latent.generate_class(vae, class_gaussian(vae, label), label, n, seed=label)
    rate = float((referee.predict_proba(bulk).argmax(1) == label).float().mean())
    real = d.x_test[d.y_test == label]  # held-out digits of the class: both scales
    baseline = float(nearest_training(real, d.x_train)[1].median())
    novelty = memorization(bulk, d.x_train, baseline)["ratio"]
    said = (verdict("home.novel", ratio=novelty, label=d.classes[label]) if novelty >= COPY_RATIO
            else verdict("home.copies", ratio=novelty, label=d.classes[label]))
    variety = mean_pairwise_distance(bulk) / max(mean_pairwise_distance(real), 1e-12)
    spread = (verdict("home.varied", ratio=variety, label=d.classes[label]) if variety >= VARIED
              else verdict("home.alike", ratio=variety, label=d.classes[label]))
    return {"rate": rate, "novelty": novelty, "verdict": said, "variety": variety, "spread": spread}


# --- measurements behind this lesson ------------------------------------------------------

def fit_classifier(x: torch.Tensor, y: torch.Tensor, max_train: int = 5000, seed: int = 0):
    """A logistic regression p(y | x) on flattened pixels (at most `max_train` images):
    a discriminative model. Returns the fitted sklearn estimator."""
    from sklearn.linear_model import LogisticRegression
    idx = np.random.default_rng(seed).permutation(len(x))[:max_train]
    clf = LogisticRegression(max_iter=500)
    clf.fit(x[idx].flatten(1).numpy(), y[idx].numpy())
    return clf


def kmeans_labels(features: torch.Tensor, k: int = 10, seed: int = 0) -> np.ndarray:
    """Cluster index of every row of `features` (k-means, 10 restarts)."""
    from sklearn.cluster import KMeans
    return KMeans(k, n_init=10, random_state=seed).fit_predict(features.flatten(1).numpy())


def cluster_gallery(x: torch.Tensor, assign: np.ndarray, per_cluster: int = 10) -> torch.Tensor:
    """Up to `per_cluster` members of each cluster, one row per cluster (blank padding),
    clusters ordered by size: what k-means found without labels."""
    rows = []
    for c in sorted(np.unique(assign), key=lambda c: -(assign == c).sum()):
        members = x[torch.as_tensor(np.flatnonzero(assign == c)[:per_cluster])]
        pad = torch.ones((per_cluster - len(members), *x.shape[1:]))
        rows.append(torch.cat([members, pad]))
    return torch.cat(rows)
