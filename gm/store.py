"""The model cache: `get_model` loads a trained model or trains and saves it.

One folder per model, named `<model>-<dataset>-<key>`, the key `gm.Spec.cache_key` (model
name, full config, dataset and its variant, format version). It holds `model.pt` (plain tensors and
types only, loaded with `weights_only=True`) and a readable `config.json` with metrics and
training time. Writes go to a temporary folder that is renamed into place, so a crash
never leaves half a model; a file lock makes two processes train a model once.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import time
from pathlib import Path

import torch

from .data import load_dataset, user_folder
from .device import resolve_device
from .files import check_folder, locked, replace_folder, sweep, temp_name
from .models import build
from .spec import FORMAT_VERSION, Spec, as_spec
from .train import evaluate, fit

log = logging.getLogger("gm")


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """`path`, else $GM_CACHE_DIR, else ~/.cache/gm/models."""
    return user_folder(path, "GM_CACHE_DIR", "models")


def entry_path(spec: Spec, cache: str | None = None, data_root: str | None = None) -> Path:
    """Folder where this exact model lives (whether or not it exists yet)."""
    return cache_dir(cache) / f"{spec.name}-{spec.dataset}-{spec.cache_key(data_root)}"


def is_cached(spec: Spec, cache: str | None = None, data_root: str | None = None) -> bool:
    path = entry_path(spec, cache, data_root)
    return not path.is_symlink() and (path / "model.pt").is_file()


def read_info(path: Path) -> dict:
    """The config.json of a cache entry (metrics, training time, history)."""
    return json.loads((Path(path) / "config.json").read_text())


def get_model(spec: Spec | str, dataset: str | None = None, *, device: str = "auto",
              cache: str | None = None, data_root: str | None = None, force: bool = False,
              progress=None, cancel=None, pin: bool = False, **config) -> torch.nn.Module:
    """A trained model in eval mode, on the CPU: loaded from the cache when this exact Spec
    was trained before, else trained on `device` and cached. Takes a `gm.Spec`, or a name,
    a dataset and settings, as `gm.Spec` does: `get_model("vae", "digits", beta=4.0)`.

    The returned model has `.spec`, `.info` (the entry's config.json contents, with
    metrics) and `.cache_path`. Unknown model names or settings raise ValueError.
    `pin=True` (train.py) marks the entry as pre-trained: `evict` never removes it."""
    spec = as_spec(spec, dataset, **config)
    data = load_dataset(spec.dataset, data_root)
    path = entry_path(spec, cache, data_root)
    check_folder(path.parent, writable=False)
    if not force:
        model = _try_load(path, spec, repair=False)  # no lock: a reader never deletes
        if model is not None:
            return _used(model, pin)
    check_folder(path.parent, writable=True)
    sweep(path.parent)
    with locked(path.with_name(path.name + ".lock"), f"the cache entry of {spec!r}"):
        if not force:  # another process may have trained it while we waited
            model = _try_load(path, spec, repair=True)
            if model is not None:
                return _used(model, pin)
        torch.manual_seed(spec.config.seed)
        model = build(spec.name, spec.config, data.shape)
        dev = resolve_device(device)
        with torch.enable_grad():  # a caller inside torch.no_grad() still gets a trained model
            result = fit(model, data, dev, progress=progress, cancel=cancel)
        model.cpu().eval()
        metrics = evaluate(model, data.x_test, data.y_test)
        info = {"name": spec.name, "dataset": spec.dataset, "config": spec.settings(),
                "n_train": len(data.x_train), "format": FORMAT_VERSION,
                "n_params": sum(p.numel() for p in model.parameters()),
                "device": str(dev), "train_seconds": round(result["train_seconds"], 3),
                "epochs": result["epochs"], "steps": result["steps"],
                "metrics": metrics, "history": result["history"],
                "created": time.strftime("%Y-%m-%d %H:%M:%S")}
        _save(path, model, info, pin)
    model.info, model.cache_path, model.spec = info, path, spec
    return model


PINNED = "pinned"  # marker file: trained ahead of class by train.py, never evicted


def _used(model, pin: bool):
    """Note the use (the entry's mtime orders evictions) and pin it if asked."""
    try:
        if pin:
            (model.cache_path / PINNED).touch()
        os.utime(model.cache_path)
    except OSError:  # a read-only cache still serves its models
        pass
    return model


def evict(cache: str | None = None, max_bytes: int | None = None) -> list[Path]:
    """Delete the least recently used entries that train.py did not pin until the cache
    holds at most `max_bytes` (default $GM_CACHE_MAX_MB, else 2048 MB). Returns them."""
    if max_bytes is None:
        max_bytes = int(float(os.environ.get("GM_CACHE_MAX_MB", 2048)) * 2 ** 20)
    root = cache_dir(cache)
    entries = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()
               and not p.name.startswith(".") and (p / "model.pt").is_file()] if root.is_dir() else []
    size = {p: sum(f.stat().st_size for f in p.iterdir() if f.is_file()) for p in entries}
    total, removed = sum(size.values()), []
    for p in sorted((p for p in entries if not (p / PINNED).exists()), key=lambda p: p.stat().st_mtime):
        if total <= max_bytes:
            break
        gone = temp_name(p)
        try:
            os.replace(p, gone)  # out of sight at once, then deleted
        except OSError:
            continue
        shutil.rmtree(gone, ignore_errors=True)
        total -= size[p]
        removed.append(p)
        log.info("cache over %d MB: evicted %s", max_bytes >> 20, p.name)
    return removed


def _save(path: Path, model, info: dict, pin: bool = False) -> None:
    """Write into a temporary folder, then swap it into place (atomic on one filesystem)."""
    tmp = temp_name(path)
    tmp.mkdir(parents=True)
    try:
        state = {"format": FORMAT_VERSION, "name": info["name"], "dataset": info["dataset"],
                 "config": info["config"], "shape": list(model.shape),
                 "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()}}
        torch.save(state, tmp / "model.pt")
        (tmp / "config.json").write_text(json.dumps(info, indent=1))
        if pin:
            (tmp / PINNED).touch()
        replace_folder(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def load_entry(path: Path, expect: Spec | None = None) -> torch.nn.Module:
    """Rebuild a model from its cache folder alone (config and shape are in the file);
    with `expect`, the entry must hold exactly that Spec or ValueError is raised."""
    state = torch.load(Path(path) / "model.pt", map_location="cpu", weights_only=True)
    if state.get("format") != FORMAT_VERSION:
        raise ValueError(f"cache format {state.get('format')} is not {FORMAT_VERSION}")
    spec = Spec(state["name"], state["dataset"], **state["config"])
    if expect is not None and spec != expect:
        raise ValueError(f"the entry holds {spec!r}, not {expect!r}")
    info = read_info(path)
    if (info.get("name"), info.get("dataset"), info.get("config")) != (spec.name, spec.dataset, spec.settings()):
        raise ValueError("config.json describes another model than model.pt holds")
    model = build(spec.name, spec.config, tuple(state["shape"]))
    model.load_state_dict(state["state_dict"])
    model.eval()
    model.info, model.cache_path, model.spec = info, Path(path), spec
    return model


def _try_load(path: Path, spec: Spec, repair: bool):
    """The entry's model, or None. Only a caller holding the entry's lock (`repair`)
    reports a bad entry and clears it for retraining; others just fall through to the
    lock, so a reader never deletes what another process is replacing."""
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        if repair:
            log.warning("cache entry %s is not a folder; replacing it", path)
            path.unlink()
        return None
    if not (path / "model.pt").is_file():
        return None
    try:
        return load_entry(path, spec)
    except Exception as e:  # corrupt, truncated or foreign: report, then retrain
        if repair:
            log.warning("cache entry %s is unreadable (%s: %s); retraining it", path,
                        type(e).__name__, e)
        return None
