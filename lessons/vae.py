"""The variational autoencoder: the encoder gives a mean and a deviation per input, z is
sampled with the reparameterization trick, and the KL term pulls every q(z|x) towards
N(0, I); beta weighs that pull. What the page measures: the posterior of each input, the
ELBO's parts on the test set, posterior collapse, and how much of the prior the inputs'
95% regions cover (no gaps between the clusters)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

import gm
from gm import Spec, latent, metrics

from .verdict import verdict

SLUG = "vae"
PAGE = "pages/5_VAE.py"
DIMS = (2, 8)
BETAS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)  # the beta slider (2-D code)
SHOWN = 4                                 # inputs shown from `first` on
COLLAPSE_KL = 0.5       # nats per image: below this the code carries almost nothing
COLLAPSE_SPREAD = 0.2   # reconstructions vary less than 20% as much as the data do
FULL_COVERAGE = 0.8     # share of the prior inside some input's 95% region: "no gaps"


@dataclass(frozen=True)
class Choice:
    """What the page's controls return."""
    latent: int = 2
    beta: float = 1.0
    first: int = 0


def specs(choice: Choice, dataset: str, seed: int) -> tuple[Spec]:
    return (Spec("vae", dataset, seed=seed, latent_dim=choice.latent, beta=choice.beta),)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """The models `python train.py` trains before class, so the page answers at once."""
    specs = [Spec("vae", dataset, seed=seed, latent_dim=2, beta=b) for b in BETAS]
    return specs + [Spec("vae", dataset, seed=seed, latent_dim=8)]


# --- the posterior q(z|x) ----------------------------------------------------------------------

@torch.no_grad()
def posterior(vae, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of q(z|x), each (N, latent_dim)."""
    vae.eval()
    mu, logvar = vae.encode_dist(x)
    return mu.numpy(), (0.5 * logvar).exp().numpy()


def region_radius(dims: int, mass: float = 0.95) -> float:
    """Radius, in standard deviations, of the ellipse (ellipsoid) that holds `mass` of a
    `dims`-dimensional Gaussian: 2.45 for 95% in 2-D (a 2-sigma ellipse holds only 86%)."""
    from scipy.stats import chi2
    return float(np.sqrt(chi2.ppf(mass, dims)))


def ellipse(mu, sigma, k: float, n: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Outline of the k-sigma ellipse of an axis-aligned 2-D Gaussian N(mu, diag(sigma^2))."""
    t = np.linspace(0, 2 * np.pi, n)
    return mu[0] + k * sigma[0] * np.cos(t), mu[1] + k * sigma[1] * np.sin(t)


def prior_coverage(mu: np.ndarray, sd: np.ndarray, n: int = 2000, seed: int = 0) -> float:
    """Share of prior samples z ~ N(0, I) that lie inside at least one input's 95% region
    of q(z|x): the part of the prior the decoder was trained near. With beta = 0 nothing
    pulls the codes together, the regions shrink to points and the prior falls in the gaps."""
    z = torch.randn(n, mu.shape[1], generator=torch.Generator().manual_seed(seed))
    m, s = torch.as_tensor(mu), torch.as_tensor(sd).clamp_min(1e-8)
    r2 = region_radius(mu.shape[1]) ** 2
    inside = torch.zeros(n, dtype=torch.bool)
    for i in range(0, len(m), 512):  # (n, 512, d) at a time keeps memory small
        inside |= (((z[:, None] - m[None, i:i + 512]) / s[None, i:i + 512]).pow(2).sum(-1) <= r2).any(1)
    return float(inside.float().mean())


@torch.no_grad()
def resample(vae, x: torch.Tensor, k: int = 8, seed: int = 0) -> torch.Tensor:
    """k decodings of each input with z = mu + sigma * eps, fresh eps ~ N(0,I) each:
    (N*k, C, H, W), input by input."""
    vae.eval()
    mu, logvar = vae.encode_dist(x)
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(len(x), k, mu.shape[1], generator=g)
    z = mu[:, None] + eps * (0.5 * logvar).exp()[:, None]
    return vae.decode(z.reshape(-1, mu.shape[1])).clamp(0, 1)


@torch.no_grad()
def spread(xhat: torch.Tensor, x: torch.Tensor) -> float:
    """How much reconstructions differ from one another, relative to the data: total
    per-pixel variance across images of `xhat` over that of `x` (1 = as varied as
    the data, 0 = all the same)."""
    return float(xhat.flatten(1).var(0).sum() / x.flatten(1).var(0).sum().clamp_min(1e-12))


def elbo_panel(vae, x: torch.Tensor, seed: int = 0) -> dict:
    """gm.metrics.vae_elbo on `x` plus the spread of the mean reconstructions and a
    `collapsed` flag (KL below COLLAPSE_KL nats or spread below COLLAPSE_SPREAD)."""
    out = metrics.vae_elbo(vae, x, seed=seed)
    out["spread"] = spread(vae.reconstruct(x).clamp(0, 1), x)
    out["collapsed"] = out["kl"] < COLLAPSE_KL or out["spread"] < COLLAPSE_SPREAD
    out["latent_dim"] = vae.latent_dim
    return out


# --- what the page shows -----------------------------------------------------------------------

def test_stats(vae) -> dict:
    """The test set through the encoder: mu and sd per image, the ELBO panel, the prior
    coverage (2-D codes only: there 2,000 test regions can fill the space), the two most
    informative dimensions, and the verdicts the captions word."""
    d = gm.load_dataset(vae.spec.dataset)
    beta = vae.config.beta
    mu, sd = posterior(vae, d.x_test)
    panel = elbo_panel(vae, d.x_test)
    cov = prior_coverage(mu, sd) if mu.shape[1] == 2 else None
    if cov is None:
        gaps = None
        smooth = verdict("vae.smooth.beta0_8d") if beta == 0 else verdict("vae.smooth.8d")
    elif cov >= FULL_COVERAGE:
        gaps, smooth = verdict("vae.coverage.full", cov=cov), verdict("vae.smooth.none")
    else:
        gaps = (verdict("vae.coverage.partial_beta0", cov=cov) if beta == 0
                else verdict("vae.coverage.partial", cov=cov))
        smooth = verdict("vae.smooth.gaps")
    collapse = (verdict("vae.collapse", beta=beta, kl=panel["kl"], spread=panel["spread"])
                if panel["collapsed"] else None)
    order = np.argsort(panel["kl_per_dim"])[::-1]
    return {"mu": mu, "sd": sd, "panel": panel, "coverage": cov, "radius": region_radius(2),
            "dims": (int(order[0]), int(order[1])), "gaps": gaps, "smooth": smooth,
            "collapse": collapse, "labels": d.y_test.numpy()}


def draws(vae, first: int, seed: int) -> dict:
    """SHOWN test inputs from `first` above their decoded means, and 8 draws of z each."""
    x = gm.load_dataset(vae.spec.dataset).x_test[first:first + SHOWN]
    return {"inputs_and_means": torch.cat([x, vae.reconstruct(x).clamp(0, 1)]),
            "resampled": resample(vae, x, 8, seed), "index": list(range(first, first + len(x)))}


def generated(vae, seed: int, dims: tuple[int, int]) -> dict:
    """32 prior samples and the decoded 15x15 manifold over two dimensions."""
    return {"samples": latent.prior_samples(vae, 32, seed),
            "manifold": latent.decoded_grid(vae, 15, 2.5, dims)}
