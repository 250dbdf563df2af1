"""gm: the generative-models lab's engine. Datasets, the model zoo, one training loop,
the model cache keyed by `Spec`, the background job queue, and the metrics and latent-space
maths that measure every claim of the lecture. Never imports Streamlit or plotly.

    import gm
    data = gm.load_dataset("digits")
    spec = gm.Spec("vae", "digits", latent_dim=2)
    vae = gm.get_model(spec)                 # trained once, then loaded from the cache
    x = vae.sample(16, seed=0)
"""
from .data import (DATASETS, DEFAULT_DATASET, Dataset, DatasetError, corrupt, dataset_status,
                   load_dataset)
from .device import describe_device, resolve_device
from .files import CacheError
from .models import MODELS, make_config
from .spec import Spec
from .store import cache_dir, get_model, is_cached, load_entry
from .train import Cancelled, fit

__all__ = ["DATASETS", "DEFAULT_DATASET", "Dataset", "DatasetError", "corrupt",
           "dataset_status", "load_dataset", "CacheError", "describe_device", "resolve_device", "MODELS",
           "make_config", "Spec", "cache_dir", "get_model", "is_cached", "load_entry",
           "Cancelled", "fit"]
