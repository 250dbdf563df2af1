"""The model registry: one dict from name to (config class, model class).

The same dict feeds `gm.get_model`, the CLI's choices and the app's select boxes.
"""
from __future__ import annotations

from dataclasses import asdict, fields

from .ae import AEConfig, DenoisingConfig, MLPAutoencoder, OvercompleteConfig, SparseConfig
from .conv_ae import ConvAEConfig, ConvAutoencoder
from .gan import GAN, GANConfig
from .referee import Referee, RefereeConfig
from .vae import VAE, VAEConfig

MODELS = {
    "ae": (AEConfig, MLPAutoencoder),
    "overcomplete_ae": (OvercompleteConfig, MLPAutoencoder),
    "sparse_ae": (SparseConfig, MLPAutoencoder),
    "denoising_ae": (DenoisingConfig, MLPAutoencoder),
    "conv_ae": (ConvAEConfig, ConvAutoencoder),
    "vae": (VAEConfig, VAE),
    "gan": (GANConfig, GAN),
}
# models the lab uses to measure the others; cached like them, not listed as lecture models
HELPERS = {"referee": (RefereeConfig, Referee)}
_ALL = {**MODELS, **HELPERS}


def make_config(name: str, **config):
    """Validated config for a registered model; unknown names or keys raise ValueError."""
    if name not in _ALL:
        raise ValueError(f"unknown model {name!r}; valid models: {', '.join(MODELS)}")
    cls = _ALL[name][0]
    valid = [f.name for f in fields(cls)]
    bad = [k for k in config if k not in valid]
    if bad:
        raise ValueError(f"unknown setting(s) {', '.join(map(repr, bad))} for {name!r}; "
                         f"valid settings: {', '.join(valid)}")
    for f in fields(cls):  # lists from JSON or the URL become tuples, so keys are stable
        if isinstance(config.get(f.name), list):
            config[f.name] = tuple(config[f.name])
    cfg = cls(**config)
    cfg.validate()
    cfg.check_schedule()
    return cfg


def build(name: str, config, shape):
    return _ALL[name][1](config, shape)


def config_dict(config) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v) for k, v in asdict(config).items()}
