"""The model cache: `get_model` loads a trained model or trains and saves it.

One folder per model, named `<model>-<dataset>-<key>`, the key a hash of (model name, full
config, dataset and its size, format version). It holds `model.pt` (plain tensors and
types only, loaded with `weights_only=True`) and a readable `config.json` with metrics and
training time. Writes go to a temporary folder that is renamed into place, so a crash
never leaves half a model; a file lock makes two processes train a model once.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import torch

from .data import load_dataset, user_folder
from .device import resolve_device
from .models import build, config_dict, make_config
from .train import evaluate, fit

FORMAT_VERSION = 1
log = logging.getLogger("gm")


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """`path`, else $GM_CACHE_DIR, else ~/.cache/gm/models."""
    return user_folder(path, "GM_CACHE_DIR", "models")


def model_key(name: str, dataset: str, config, n_train: int) -> str:
    blob = json.dumps({"name": name, "dataset": dataset, "n_train": n_train,
                       "config": config_dict(config), "format": FORMAT_VERSION}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def entry_path(name: str, dataset: str = "digits", cache: str | None = None,
               data_root: str | None = None, **config) -> Path:
    """Folder where this exact model lives (whether or not it exists yet)."""
    cfg = make_config(name, **config)
    n_train = len(load_dataset(dataset, data_root).x_train)
    return cache_dir(cache) / f"{name}-{dataset}-{model_key(name, dataset, cfg, n_train)}"


def is_cached(name: str, dataset: str = "digits", cache: str | None = None,
              data_root: str | None = None, **config) -> bool:
    return (entry_path(name, dataset, cache, data_root, **config) / "model.pt").is_file()


def read_info(path: Path) -> dict:
    """The config.json of a cache entry (metrics, training time, history)."""
    return json.loads((Path(path) / "config.json").read_text())


def get_model(name: str, dataset: str = "digits", *, device: str = "auto",
              cache: str | None = None, data_root: str | None = None, force: bool = False,
              progress=None, cancel=None, **config) -> torch.nn.Module:
    """A trained model in eval mode, on the CPU: loaded from the cache when this exact
    configuration was trained before, else trained on `device` and cached.

    The returned model has `.info` (the entry's config.json contents, with metrics) and
    `.cache_path`. Unknown model names or config keys raise ValueError."""
    cfg = make_config(name, **config)
    data = load_dataset(dataset, data_root)
    path = cache_dir(cache) / f"{name}-{dataset}-{model_key(name, dataset, cfg, len(data.x_train))}"
    if not force:
        model = _try_load(path)
        if model is not None:
            return model
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path.with_name(path.name + ".lock")):
        if not force:  # another process may have trained it while we waited
            model = _try_load(path)
            if model is not None:
                return model
        torch.manual_seed(cfg.seed)
        model = build(name, cfg, data.shape)
        dev = resolve_device(device)
        result = fit(model, data, dev, progress=progress, cancel=cancel)
        model.cpu().eval()
        metrics = evaluate(model, data.x_test, data.y_test)
        info = {"name": name, "dataset": dataset, "config": config_dict(cfg),
                "n_train": len(data.x_train), "format": FORMAT_VERSION,
                "n_params": sum(p.numel() for p in model.parameters()),
                "device": str(dev), "train_seconds": round(result["train_seconds"], 3),
                "epochs": result["epochs"], "steps": result["steps"],
                "metrics": metrics, "history": result["history"],
                "created": time.strftime("%Y-%m-%d %H:%M:%S")}
        _save(path, model, info)
    model.info, model.cache_path = info, path
    return model


def _save(path: Path, model, info: dict) -> None:
    """Write into a temporary folder, then rename it into place (atomic on one filesystem)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")
    tmp.mkdir(parents=True)
    try:
        state = {"format": FORMAT_VERSION, "name": info["name"], "dataset": info["dataset"],
                 "config": info["config"], "shape": list(model.shape),
                 "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
        torch.save(state, tmp / "model.pt")
        (tmp / "config.json").write_text(json.dumps(info, indent=1))
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def load_entry(path: Path) -> torch.nn.Module:
    """Rebuild a model from its cache folder alone (config and shape are in the file)."""
    state = torch.load(Path(path) / "model.pt", map_location="cpu", weights_only=True)
    if state.get("format") != FORMAT_VERSION:
        raise ValueError(f"cache format {state.get('format')} is not {FORMAT_VERSION}")
    cfg = make_config(state["name"], **state["config"])
    model = build(state["name"], cfg, tuple(state["shape"]))
    model.load_state_dict(state["state_dict"])
    model.eval()
    model.info, model.cache_path = read_info(path), Path(path)
    return model


def _try_load(path: Path):
    if not (path / "model.pt").exists():
        return None
    try:
        return load_entry(path)
    except Exception as e:  # corrupt, truncated or foreign: report, then retrain
        log.warning("cache entry %s is unreadable (%s: %s); retraining it", path,
                    type(e).__name__, e)
        shutil.rmtree(path, ignore_errors=True)
        return None


@contextmanager
def _lock(path: Path):
    with open(path, "a+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
