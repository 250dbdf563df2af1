"""`Spec`: the one description of a trained model, and the only cache key anywhere.

A Spec is a model name, a dataset and the model's frozen config dataclass, in which every
setting that changes the trained weights is a field (the training schedule included).
The store names its folders by `spec.key`, the job queue deduplicates by Spec, and the
app's caches hash Specs, so no caller builds a key of its own.

    spec = gm.Spec("vae", "mnist", latent_dim=2, beta=4.0)
    spec.key                      # '3f0c...': the cache folder's hash
    spec.replace(beta=1.0)        # another model, another key
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, fields, replace as dc_replace

from .data import DEFAULT_DATASET, DATASETS, dataset_variant
from .models import config_dict, make_config

FORMAT_VERSION = 3  # 2: the schedule (steps, epoch caps, lr_8x8, output and loss) joined the key;
#                    3: fused Adam, and the GAN step sharing one batch of fakes (same settings, other weights)


@dataclass(frozen=True, init=False)
class Spec:
    """Frozen and hashable: `Spec(name, dataset, **config)` validates the config (unknown
    names, settings or datasets raise ValueError) and normalises it, so `Spec("ae")` and
    `Spec("ae", latent_dim=8)` are equal when 8 is the default."""
    name: str
    dataset: str
    config: object

    def __init__(self, name: str, dataset: str = DEFAULT_DATASET, config=None, **settings):
        if dataset not in DATASETS:
            raise ValueError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
        if config is None:
            config = make_config(name, **settings)
        elif settings:
            config = dc_replace(config, **settings)
        elif type(config) is not type(make_config(name)):
            raise ValueError(f"{type(config).__name__} is not the config of {name!r}")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dataset", dataset)
        object.__setattr__(self, "config", config)

    def replace(self, dataset: str | None = None, **settings) -> "Spec":
        """The same model with other settings (validated like a new Spec)."""
        return Spec(self.name, dataset or self.dataset, **{**self.settings(), **settings})

    def settings(self) -> dict:
        """The config as plain JSON types (lists for tuples)."""
        return config_dict(self.config)

    def changed(self) -> dict:
        """Only the settings that differ from the model's defaults (for labels)."""
        defaults = config_dict(make_config(self.name))
        return {k: v for k, v in self.settings().items() if defaults.get(k) != v}

    def cache_key(self, data_root: str | None = None) -> str:
        """The cache folder's hash: name, dataset and the variant found in `data_root`
        (full MNIST, its test split, the embedded subset), config, format version."""
        blob = json.dumps({"name": self.name, "dataset": self.dataset,
                           "variant": dataset_variant(self.dataset, data_root),
                           "config": self.settings(), "format": FORMAT_VERSION}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]

    @property
    def key(self) -> str:
        """`cache_key()` for the default data folder."""
        return self.cache_key()

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.dataset}-{self.key}"

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.changed().items())
        return f"Spec({self.name!r}, {self.dataset!r}{extra})"


def as_spec(spec_or_name, dataset: str | None = None, **config) -> Spec:
    """A Spec from a Spec, or from (name, dataset, **config) as `gm.get_model` accepts."""
    if isinstance(spec_or_name, Spec):
        if config or (dataset is not None and dataset != spec_or_name.dataset):
            raise ValueError("pass either a Spec or a name with settings, not both")
        return spec_or_name
    return Spec(spec_or_name, dataset or DEFAULT_DATASET, **config)


def config_fields(name: str) -> list[str]:
    """The names of a model's settings, for tests and error messages."""
    return [f.name for f in fields(type(make_config(name)))]
