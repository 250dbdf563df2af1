"""What a VAE's encoder says about its inputs: the posterior q(z|x) = N(mu, sigma^2) per
input, reconstructions with fresh noise eps (the reparameterization trick), and the
signs of posterior collapse (no KL, every input decoded to the same blur)."""
from __future__ import annotations

import numpy as np
import torch

from . import metrics

COLLAPSE_KL = 0.5       # nats per image: below this the code carries almost nothing
COLLAPSE_SPREAD = 0.2   # reconstructions vary less than 20% as much as the data do


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
    `collapsed` verdict (KL below COLLAPSE_KL nats or spread below COLLAPSE_SPREAD)."""
    out = metrics.vae_elbo(vae, x, seed=seed)
    out["spread"] = spread(vae.reconstruct(x).clamp(0, 1), x)
    out["collapsed"] = out["kl"] < COLLAPSE_KL or out["spread"] < COLLAPSE_SPREAD
    out["latent_dim"] = vae.latent_dim
    return out
