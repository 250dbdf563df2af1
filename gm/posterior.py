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
