"""The models the lab's pages show by default and in their sweeps, so `python train.py`
can train them all before class and every page then answers instantly.

Configs are written as the pages ask for them; `gm.get_model` normalizes them, so `{}`
and `{"latent_dim": 8}` name the same cached `ae`.
"""
from __future__ import annotations

from .denoise import TRAIN_LEVELS
from .data import NOISES

AE_SIZES = (2, 4, 8, 16, 32, 64)                            # Autoencoder: rate-distortion curve
AE_DEPTHS = {1: (256,), 2: (256, 128), 3: (512, 256, 128)}  # Autoencoder: stacked
VAE_BETAS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0)                  # VAE: beta slider (2-D code)


def lecture_models() -> list[tuple[str, dict]]:
    """(name, config) for every model a page shows without the student asking for a new
    setting, in the order a lecture meets them."""
    specs: list[tuple[str, dict]] = [("ae", {"latent_dim": z}) for z in AE_SIZES]
    specs += [("ae", {"latent_dim": 8, "hidden": list(h)}) for d, h in AE_DEPTHS.items() if d > 1]
    specs += [("overcomplete_ae", {}), ("sparse_ae", {})]
    specs += [("denoising_ae", {"noise": k, "noise_level": lv}) for k in NOISES for lv in TRAIN_LEVELS]
    specs += [("conv_ae", {}), ("conv_ae", {"upsample": "nearest"})]
    specs += [("vae", {"latent_dim": 2, "beta": b}) for b in VAE_BETAS] + [("vae", {"latent_dim": 8})]
    specs += [("gan", {})]
    return specs
