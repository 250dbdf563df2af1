"""The referee: a small classifier per dataset that scores what the models make.

An MLP for 8x8 digits, a LeNet-sized CNN for 28x28 images. It is trained once on the
training split and cached on disk beside the models (same cache folder, same atomic
write, plain tensors loaded with `weights_only=True`). Its penultimate layer is the
feature space for Frechet distances, its softmax the labeller for class histograms,
the classifier score and class-conditional generation.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from .data import Dataset, load_dataset
from .device import set_threads
from .store import _lock, _save, cache_dir

REFEREE_VERSION = 1
# training settings per image size; part of the cache key
_SETTINGS = {"mlp": {"epochs": 30, "lr": 1e-2, "batch_size": 64, "shift": 0, "seed": 0},
             "cnn": {"epochs": 12, "lr": 3e-3, "batch_size": 64, "shift": 2, "seed": 0}}


def _kind(shape) -> str:
    return "mlp" if shape[1] <= 16 else "cnn"


class Referee(nn.Module):
    """Classifier with `features(x)` (penultimate layer) and `predict_proba(x)`."""

    def __init__(self, shape: tuple[int, int, int], n_classes: int = 10):
        super().__init__()
        self.shape = tuple(shape)
        self.kind = _kind(shape)
        n = shape[0] * shape[1] * shape[2]
        if self.kind == "mlp":
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(n, 256), nn.ReLU(),
                                      nn.Linear(256, 128), nn.ReLU())       # 128 features
            width = 128
        else:  # LeNet-sized: 2 conv + pool blocks, then a hidden layer
            h = shape[1] // 4
            self.body = nn.Sequential(
                nn.Conv2d(shape[0], 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),  # 16 x 14 x 14
                nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),        # 32 x 7 x 7
                nn.Flatten(), nn.Linear(32 * h * h, 128), nn.ReLU())                # 128 features
            width = 128
        self.head = nn.Linear(width, n_classes)
        self.info: dict = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @torch.no_grad()
    def features(self, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
        """Penultimate-layer activations, (N, 128)."""
        self.eval()
        return torch.cat([self.body(x[i:i + batch_size].float())
                          for i in range(0, len(x), batch_size)])

    @torch.no_grad()
    def predict_proba(self, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
        """Softmax class probabilities, (N, n_classes)."""
        self.eval()
        return torch.cat([F.softmax(self(x[i:i + batch_size].float()), 1)
                          for i in range(0, len(x), batch_size)])

    @torch.no_grad()
    def accuracy(self, x: torch.Tensor, y: torch.Tensor) -> float:
        return float((self.predict_proba(x).argmax(1) == y).float().mean())


def _shift(x: torch.Tensor, max_shift: int, g: torch.Generator) -> torch.Tensor:
    """Random translation by up to `max_shift` pixels (zero padded): cheap augmentation."""
    if max_shift <= 0:
        return x
    n, _, h, w = x.shape
    pad = F.pad(x, (max_shift,) * 4)
    dx, dy = torch.randint(0, 2 * max_shift + 1, (2, n), generator=g)
    rows = (dy[:, None] + torch.arange(h)[None])[:, None, :, None]
    cols = (dx[:, None] + torch.arange(w)[None])[:, None, None, :]
    idx = torch.arange(n)[:, None, None, None]
    return pad[idx, torch.zeros_like(idx), rows, cols]


def train_referee(data: Dataset, progress=None) -> Referee:
    """Train a referee on `data.x_train` (Adam, one-cycle rate, random shifts)."""
    set_threads()
    s = _SETTINGS[_kind(data.shape)]
    torch.manual_seed(s["seed"])
    ref = Referee(data.shape, len(data.classes))
    g = torch.Generator().manual_seed(s["seed"])
    x, y = data.x_train, data.y_train
    per_epoch = -(-len(x) // s["batch_size"])
    opt = torch.optim.Adam(ref.parameters(), lr=s["lr"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, s["lr"], total_steps=s["epochs"] * per_epoch)
    ref.train()
    for epoch in range(s["epochs"]):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), s["batch_size"]):
            idx = perm[i:i + s["batch_size"]]
            loss = F.cross_entropy(ref(_shift(x[idx], s["shift"], g)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        if progress is not None:
            progress({"epoch": epoch + 1, "epochs": s["epochs"]})
    return ref.eval()


def referee_path(dataset: str, n_train: int, shape, cache: str | None = None) -> Path:
    blob = json.dumps({"dataset": dataset, "n_train": n_train, "settings": _SETTINGS[_kind(shape)],
                       "version": REFEREE_VERSION}, sort_keys=True)
    return cache_dir(cache) / f"referee-{dataset}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}"


def get_referee(dataset: str = "digits", cache: str | None = None,
                data_root: str | None = None, progress=None) -> Referee:
    """The dataset's referee, loaded from the cache or trained (seconds) and cached.
    `.info` holds its held-out accuracy and training time."""
    data = load_dataset(dataset, data_root)
    path = referee_path(dataset, len(data.x_train), data.shape, cache)
    ref = _load(path, data.shape, len(data.classes))
    if ref is not None:
        return ref
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock(path.with_name(path.name + ".lock")):
        ref = _load(path, data.shape, len(data.classes))
        if ref is not None:
            return ref
        t0 = time.perf_counter()
        ref = train_referee(data, progress)
        info = {"name": "referee", "dataset": dataset, "config": _SETTINGS[ref.kind],
                "kind": ref.kind, "n_train": len(data.x_train),
                "train_seconds": round(time.perf_counter() - t0, 3),
                "test_accuracy": round(ref.accuracy(data.x_test, data.y_test), 4),
                "created": time.strftime("%Y-%m-%d %H:%M:%S")}
        _save(path, ref, info)  # writes plain tensors, then renames into place
    ref.info = info
    return ref


def _load(path: Path, shape, n_classes: int) -> Referee | None:
    if not (path / "model.pt").is_file():
        return None
    try:
        state = torch.load(path / "model.pt", map_location="cpu", weights_only=True)
        ref = Referee(tuple(state["shape"]), n_classes)
        ref.load_state_dict(state["state_dict"])
        ref.info = json.loads((path / "config.json").read_text())
        return ref.eval()
    except Exception:  # unreadable entry: train again
        return None
