"""Measurements behind every claim of the lecture: reconstruction error, the VAE's ELBO
and its parts, sample quality scored by the referee (gm.referee), and what codes are
good for (a linear probe with few labels, k-means against hidden labels).

Images are tensors (N,1,H,W) in [0,1]; features are (N,D). Nothing here trains a
generative model; the referee and the small sklearn models are trained where noted.
"""
from __future__ import annotations

import numpy as np
import torch
from scipy import linalg

COVERED = 0.05  # a class is "covered" when at least 5% of the samples fall in it


# --- reconstruction -----------------------------------------------------------------------------

def mse(xhat: torch.Tensor, x: torch.Tensor) -> float:
    """Mean squared error per pixel."""
    return float(((xhat.float() - x.float()) ** 2).mean())


def psnr(xhat: torch.Tensor, x: torch.Tensor, data_range: float = 1.0) -> float:
    """Peak signal-to-noise ratio in dB of the mean per-pixel MSE over the whole set
    (not a mean of per-image PSNRs, which is infinite for one perfect copy)."""
    return float(10 * np.log10(data_range ** 2 / max(mse(xhat, x), 1e-12)))


# --- the VAE's objective ------------------------------------------------------------------------

@torch.no_grad()
def vae_elbo(vae, x: torch.Tensor, seed: int = 0, threshold: float = 0.01) -> dict:
    """Negative ELBO in nats per image and its parts: Bernoulli reconstruction term and
    KL(q(z|x) || N(0,I)), the KL per latent dimension, and two counts of active dims:
    `active_dims` (mean KL of the dim > `threshold` nats) and `active_dims_burda`
    (Var_x E_q[z_d] > `threshold`, the activity criterion of Burda et al. 2016)."""
    from .models.vae import kl_normal
    torch.manual_seed(seed)
    mu, logvar = vae.encode_dist(x)
    z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
    p = vae.decode(z).flatten(1).clamp(1e-6, 1 - 1e-6)
    recon = torch.nn.functional.binary_cross_entropy(p, x.flatten(1), reduction="sum") / len(x)
    kl_dim = kl_normal(mu, logvar).mean(0)
    return {"neg_elbo": float(recon + kl_dim.sum()), "recon": float(recon),
            "kl": float(kl_dim.sum()), "kl_per_dim": [round(float(k), 4) for k in kl_dim],
            "active_dims": int((kl_dim > threshold).sum()),
            "active_dims_burda": int((mu.var(0) > threshold).sum())}


# --- sample quality in the referee's feature space -----------------------------------------------

def frechet_distance(fa: torch.Tensor, fb: torch.Tensor) -> float:
    """Frechet distance between Gaussians fitted to two feature sets (the FID formula,
    Heusel et al. 2017): |mu_a - mu_b|^2 + Tr(Ca + Cb - 2 (Ca Cb)^(1/2)).
    Tr (Ca Cb)^(1/2) is computed as Tr (Ca^(1/2) Cb Ca^(1/2))^(1/2), a symmetric matrix, by
    eigendecomposition: stable where scipy.linalg.sqrtm warns about singular products."""
    a, b = fa.double().numpy(), fb.double().numpy()
    mu_a, mu_b = a.mean(0), b.mean(0)
    ca, cb = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    w, v = linalg.eigh(ca)
    sa = (v * np.sqrt(w.clip(min=0))) @ v.T
    tr_covmean = np.sqrt(linalg.eigvalsh(sa @ cb @ sa).clip(min=0)).sum()
    return float(((mu_a - mu_b) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * tr_covmean)


def classifier_score(probs: torch.Tensor) -> float:
    """Inception-score analogue exp(E_x KL(p(y|x) || p(y))), from 1 (one class, or
    unsure labels) to the number of classes (confident and evenly spread)."""
    p = probs.double().clamp_min(1e-12)
    py = p.mean(0, keepdim=True)
    return float(torch.exp((p * (p.log() - py.log())).sum(1).mean()))


def class_histogram(probs: torch.Tensor) -> list[float]:
    """Fraction of samples the referee assigns to each class (argmax)."""
    counts = torch.bincount(probs.argmax(1), minlength=probs.shape[1]).double()
    return [round(float(c), 4) for c in counts / len(probs)]


def sample_report(samples: torch.Tensor, referee, real: torch.Tensor,
                  real_features: torch.Tensor | None = None) -> dict:
    """Frechet distance to `real` in the referee's features, precision and recall there
    (quality and coverage as two numbers), classifier score, class histogram, number of
    classes holding >= 5% of samples, mean referee confidence, and `realism`: the mean of
    the referee's P(a digit) (1 for a referee without a not-a-digit class)."""
    probs = referee.predict_proba(samples)
    fr = real_features if real_features is not None else referee.features(real)
    fs = referee.features(samples)
    hist = class_histogram(probs)
    n = min(len(fs), len(fr), 2000)  # k-NN balls on at most 2,000 points a side
    return {"fd": frechet_distance(fs, fr), **precision_recall(fr[:n], fs[:n]),
            "classifier_score": classifier_score(probs), "histogram": hist,
            "classes_covered": sum(h >= COVERED for h in hist),
            "confidence": float(probs.max(1).values.mean()),
            "realism": float(referee.realism(samples).mean()) if hasattr(referee, "realism") else 1.0,
            "n": len(samples)}


def _kth_radius(f: torch.Tensor, k: int) -> torch.Tensor:
    """Distance of each row of `f` to its k-th nearest other row."""
    d = torch.cdist(f, f)
    return d.kthvalue(k + 1, dim=1).values  # the 1st is the row itself, at 0


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> dict:
    """Improved precision and recall (Kynkaanniemi et al. 2019) of feature sets (N, D):
    each set's manifold is the union of balls reaching each point's k-th nearest
    neighbour. Precision = share of fake points inside the real manifold (quality);
    recall = share of real points inside the fake manifold (coverage)."""
    real, fake = real.double(), fake.double()
    r_real, r_fake = _kth_radius(real, k), _kth_radius(fake, k)
    d = torch.cdist(fake, real)                                   # (n_fake, n_real)
    precision = (d <= r_real[None, :]).any(1).double().mean()
    recall = (d.T <= r_fake[None, :]).any(1).double().mean()
    return {"precision": float(precision), "recall": float(recall), "k": k}


def sample_anchors(referee, data, n: int = 1000, seed: int = 0,
                   real_features: torch.Tensor | None = None) -> dict:
    """The two ends of the scale for `sample_report` against the test images:
    'floor' = real training images (the best a model can hope for), 'ceiling' =
    uniform-noise images (what no learning at all gives)."""
    g = torch.Generator().manual_seed(seed)
    noise = torch.rand((n, *data.x_test.shape[1:]), generator=g)
    fr = real_features if real_features is not None else referee.features(data.x_test)
    return {"floor": sample_report(data.x_train, referee, data.x_test, fr),
            "ceiling": sample_report(noise, referee, data.x_test, fr)}


# --- what codes are good for ------------------------------------------------------------------

def few_label_subset(y: torch.Tensor, per_class: int, seed: int = 0) -> np.ndarray:
    """Indices of `per_class` random examples of every class."""
    rng = np.random.default_rng(seed)
    yn = y.numpy()
    return np.concatenate([rng.choice(np.flatnonzero(yn == c), per_class, replace=False)
                           for c in np.unique(yn)])


def linear_probe(f_train: torch.Tensor, y_train: torch.Tensor, f_test: torch.Tensor,
                 y_test: torch.Tensor, per_class: int = 10, repeats: int = 5) -> float:
    """Test accuracy of a logistic regression (standardized features) trained on
    `per_class` labels per class, averaged over `repeats` random label draws."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    a, b = f_train.flatten(1).numpy(), f_test.flatten(1).numpy()
    accs = []
    for r in range(repeats):
        idx = few_label_subset(y_train, per_class, seed=r)
        clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        clf.fit(a[idx], y_train.numpy()[idx])
        accs.append(clf.score(b, y_test.numpy()))
    return float(np.mean(accs))


def cluster_agreement(features: torch.Tensor, labels: torch.Tensor, k: int = 10,
                      seed: int = 0) -> dict:
    """k-means on features, scored against the hidden labels: adjusted Rand index
    (0 = chance, 1 = identical partitions) and normalized mutual information."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    pred = KMeans(k, n_init=10, random_state=seed).fit_predict(features.flatten(1).numpy())
    return {"ari": float(adjusted_rand_score(labels.numpy(), pred)),
            "nmi": float(normalized_mutual_info_score(labels.numpy(), pred))}


# --- samples against the training set: variety and copying --------------------------------------

def mean_pairwise_distance(x: torch.Tensor) -> float:
    """Mean Euclidean distance between distinct images of a batch (pixel space)."""
    f = x.flatten(1).float()
    n = len(f)
    if n < 2:
        return 0.0
    return float(torch.cdist(f, f).sum() / (n * (n - 1)))


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
