"""Datasets as in-memory tensors, and the noise used to corrupt them.

`load_dataset(name)` returns a `Dataset` with float32 images shaped (N,1,H,W) in
[0,1] and int64 labels. `digits` ships inside scikit-learn and always works
offline; `mnist` and `fashion_mnist` are read from torchvision's folder layout
(`<root>/MNIST/raw/*-ubyte[.gz]`) and downloaded through torchvision when missing
and online.
"""
from __future__ import annotations

import functools
import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

DATASETS = ("digits", "mnist", "fashion_mnist")
DEFAULT_DATASET = "digits"
DIGIT_CLASSES = tuple(str(i) for i in range(10))
FASHION_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")
SPLIT_SEED = 0

# torchvision folder name and the four idx files of each 28x28 dataset
_IDX = {
    "mnist": ("MNIST", "https://ossci-datasets.s3.amazonaws.com/mnist/"),
    "fashion_mnist": ("FashionMNIST", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
}
_FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
          "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


class DatasetError(RuntimeError):
    """A dataset that cannot be loaded; the message says what to do about it."""


@dataclass
class Dataset:
    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    classes: tuple[str, ...]
    notice: str = ""  # e.g. "only the 10k test split was found; split 80/20"

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.x_train.shape[1:])

    def __repr__(self) -> str:
        return (f"Dataset({self.name!r}, train={len(self.x_train)}, test={len(self.x_test)}, "
                f"shape={self.shape})")


def user_folder(path: str | os.PathLike | None, env: str, name: str) -> Path:
    """`path` if given, else $`env`, else ~/.cache/gm/`name` (XDG_CACHE_HOME respected)."""
    if path is not None:
        return Path(path).expanduser()
    if os.environ.get(env):
        return Path(os.environ[env]).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gm" / name


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """The data folder: `root`, else $GM_DATA_DIR, else ~/.cache/gm/data."""
    return user_folder(root, "GM_DATA_DIR", "data")


def load_dataset(name: str = DEFAULT_DATASET, root: str | os.PathLike | None = None,
                 download: bool = True) -> Dataset:
    """Load a dataset by name: 'digits' (built in), 'mnist' or 'fashion_mnist'."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if name == "digits":
        return _digits()
    return _idx_dataset(name, str(data_dir(root)), download)


def dataset_variant(name: str, root: str | os.PathLike | None = None) -> str:
    """Which variant of a dataset is in use (its training-set size tells the full MNIST
    from its test split alone): part of every cache key, so variants never mix."""
    return f"n_train={len(load_dataset(name, root).x_train)}"


def dataset_status(name: str, root: str | os.PathLike | None = None) -> str:
    """'ready', 'test split only' or 'missing' (no network access is tried)."""
    if name == "digits":
        return "ready"
    raw = raw_folder(name, root)
    have = {s: all(_find(raw, f) for f in _FILES[s]) for s in _FILES}
    if have["train"] and have["test"]:
        return "ready"
    return "test split only" if have["test"] else "missing"


def raw_folder(name: str, root: str | os.PathLike | None = None) -> Path:
    return data_dir(root) / _IDX[name][0] / "raw"


@functools.lru_cache(maxsize=1)
def _digits() -> Dataset:
    from sklearn.datasets import load_digits
    d = load_digits()
    x = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(d.target, dtype=torch.int64)
    tr, te = _stratified_split(y, 0.2)
    return Dataset("digits", x[tr], y[tr], x[te], y[te], DIGIT_CLASSES)


def _stratified_split(y: torch.Tensor, test_fraction: float):
    """Fixed-seed stratified split: indices of train and test."""
    g = np.random.default_rng(SPLIT_SEED)
    yn = y.numpy()
    train, test = [], []
    for c in np.unique(yn):
        idx = np.flatnonzero(yn == c)
        g.shuffle(idx)
        k = int(round(len(idx) * test_fraction))
        test.extend(idx[:k])
        train.extend(idx[k:])
    return torch.tensor(sorted(train)), torch.tensor(sorted(test))


def _find(raw: Path, stem: str) -> Path | None:
    for p in (raw / stem, raw / (stem + ".gz")):
        if p.is_file():
            return p
    return None


@functools.lru_cache(maxsize=4)
def _idx_dataset(name: str, root: str, download: bool) -> Dataset:
    raw = raw_folder(name, root)
    if download and dataset_status(name, root) == "missing":
        _download(name, root)
    parts = {}
    for split, stems in _FILES.items():
        paths = [_find(raw, s) for s in stems]
        if all(paths):
            parts[split] = _check_pair(_read_idx(paths[0]), _read_idx(paths[1]), paths)
    classes = FASHION_CLASSES if name == "fashion_mnist" else DIGIT_CLASSES
    if "test" not in parts:
        files = ", ".join(s + ".gz" for st in _FILES.values() for s in st)
        raise DatasetError(
            f"{name} is not on this machine and could not be downloaded. Put the idx files "
            f"({files}) into {raw} (the 10k test pair alone is enough), or set GM_DATA_DIR "
            f"to a folder that holds {_IDX[name][0]}/raw/.")
    as_x = lambda a: torch.tensor(a, dtype=torch.float32).div_(255.0).unsqueeze(1)
    as_y = lambda a: torch.tensor(a, dtype=torch.int64)
    xt, yt = parts["test"]
    if "train" in parts:
        xr, yr = parts["train"]
        return Dataset(name, as_x(xr), as_y(yr), as_x(xt), as_y(yt), classes)
    x, y = as_x(xt), as_y(yt)
    tr, te = _stratified_split(y, 0.2)
    note = (f"Only the 10k test split of {name} was found in {raw}; it is used as the whole "
            f"dataset, split 80/20 into {len(tr)} training and {len(te)} test images.")
    return Dataset(name, x[tr], y[tr], x[te], y[te], classes, notice=note)


MIN_IMAGES = 100  # fewer cannot be split into training and test images of every class


def _check_pair(images: np.ndarray, labels: np.ndarray, paths: list[Path]) -> tuple:
    """An idx image file and its labels must belong together: (N, H, W) images, N labels
    in 0..9, and enough of them to split."""
    problem = None
    if images.ndim != 3 or min(images.shape[1:]) < 4:
        problem = f"{paths[0].name} holds an array of shape {images.shape}, not images (N, H, W)"
    elif labels.ndim != 1:
        problem = f"{paths[1].name} holds an array of shape {labels.shape}, not a list of labels"
    elif len(labels) != len(images):
        problem = f"{len(images)} images in {paths[0].name} but {len(labels)} labels in {paths[1].name}"
    elif len(labels) and labels.max() > 9:
        problem = f"{paths[1].name} holds label {int(labels.max())}; labels must be 0-9"
    elif len(images) < MIN_IMAGES:
        problem = f"only {len(images)} images in {paths[0].name}; at least {MIN_IMAGES} are needed"
    if problem:
        raise DatasetError(f"the data files do not fit together: {problem}. Replace them with "
                           f"the original idx files.")
    return images, labels


def _download(name: str, root: str) -> None:
    """Fetch through torchvision; stay silent on failure (the caller explains)."""
    import torchvision.datasets as tvd
    cls = tvd.MNIST if name == "mnist" else tvd.FashionMNIST
    for train in (True, False):
        try:
            cls(root, train=train, download=True)
        except Exception:
            return


def _read_idx(path: Path) -> np.ndarray:
    """Read an idx file (optionally gzipped); raise DatasetError naming a bad file."""
    try:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as f:
            data = f.read()
        if len(data) < 8 or data[0] != 0 or data[1] != 0 or data[2] != 8:
            raise ValueError("not an idx file of unsigned bytes")
        ndim = data[3]
        dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
        n = int(np.prod(dims))
        offset = 4 + 4 * ndim
        if len(data) - offset != n:
            raise ValueError(f"expected {n} values, found {len(data) - offset} (truncated?)")
        return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(dims)
    except (OSError, EOFError, ValueError, gzip.BadGzipFile) as e:
        raise DatasetError(f"the data file {path} is corrupt or truncated ({e}); delete it and "
                           f"download it again") from None


# --- noise: used by the denoising autoencoder and the denoising page -------------------------

NOISES = ("mask", "gaussian", "salt_pepper")


def corrupt(x: torch.Tensor, kind: str, level: float,
            generator: torch.Generator | None = None) -> torch.Tensor:
    """Corrupt images in [0,1]. mask: each pixel multiplied by 0 with probability `level`
    (the lecture's denoising input); gaussian: add N(0, level^2) and clip; salt_pepper:
    a fraction `level` of pixels set to 0 or 1."""
    if kind not in NOISES:
        raise ValueError(f"unknown noise {kind!r}; choose one of {', '.join(NOISES)}")
    if level <= 0:
        return x
    u = torch.rand(x.shape, generator=generator, device=x.device)
    if kind == "mask":
        return x * (u >= level)
    if kind == "gaussian":
        n = torch.randn(x.shape, generator=generator, device=x.device)
        return (x + level * n).clamp_(0, 1)
    salt = torch.rand(x.shape, generator=generator, device=x.device) < 0.5
    return torch.where(u < level, salt.to(x.dtype), x)
