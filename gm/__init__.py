"""gm: the generative-models lab. Datasets, the model zoo, one training loop, the model
cache and the metrics that measure every claim of the lecture. Never imports Streamlit.

    import gm
    data = gm.load_dataset("digits")
    vae = gm.get_model("vae", latent_dim=2)      # trained once, then loaded from the cache
    x = vae.sample(16, seed=0)
"""
from .data import DATASETS, Dataset, DatasetError, corrupt, dataset_status, load_dataset
from .device import describe_device, resolve_device
from .models import MODELS, make_config
from .store import cache_dir, get_model, is_cached, load_entry
from .train import Cancelled, fit

__all__ = ["DATASETS", "Dataset", "DatasetError", "corrupt", "dataset_status", "load_dataset",
           "describe_device", "resolve_device", "MODELS", "make_config", "cache_dir",
           "get_model", "is_cached", "load_entry", "Cancelled", "fit"]
