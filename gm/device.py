"""Which device to train on, and how many CPU threads to use."""
from __future__ import annotations

import os

import torch


def check_device(device: str) -> str | None:
    """Why `device` cannot be used on this machine, or None when it can."""
    if device in ("auto", "cpu"):
        return None
    kind, _, index = device.partition(":")
    if kind == "cuda":
        if index and not index.isdigit():
            return f"{device!r} is not a device: use cuda or cuda:N with N a number"
        if not torch.cuda.is_available():
            return "no CUDA GPU is available on this machine (use --device cpu or auto)"
        if index and int(index) >= torch.cuda.device_count():
            return f"there is no {device} (this machine has {torch.cuda.device_count()} GPU(s))"
        return None
    if kind == "mps" and not index:
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            return "Apple MPS is not available on this machine (use --device cpu or auto)"
        return None
    return f"invalid device {device!r} (choose auto, cpu, cuda, cuda:N or mps)"


def resolve_device(device: str = "auto") -> torch.device:
    """'auto' picks CUDA, then Apple MPS, then the CPU."""
    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    return torch.device(device)


def device_info(device: str = "auto") -> dict:
    """What trains: {'kind': 'cuda' | 'mps' | 'cpu', 'name': the GPU's name, 'cores': CPU cores}."""
    d = resolve_device(device)
    name = torch.cuda.get_device_name(d) if d.type == "cuda" else ""
    return {"kind": d.type, "name": name, "cores": os.cpu_count() or 1}


def describe_device(device: str = "auto") -> str:
    info = device_info(device)
    if info["kind"] == "cuda":
        return f"GPU: {info['name']}"
    if info["kind"] == "mps":
        return "Apple GPU (MPS)"
    cores = info["cores"]
    return f"CPU ({cores} core{'s' if cores > 1 else ''})"


SMALL_IMAGE = 256  # pixels: 8x8 digits are small, 28x28 MNIST is not


def threads_for(pixels: int | None = None) -> int:
    """Threads for training on images of `pixels` pixels, measured in benchmarks/threads.py
    on 2 cores: 8x8 models run fastest on one thread (extra threads add synchronisation
    cost to tiny matrix products); 28x28 models train 1.6-1.9x faster on two (the overcomplete
    AE 14.0 -> 8.2 ms a step, the conv AE 26.6 -> 15.9, the GAN 21.5 -> 11.8).
    $GM_THREADS overrides (train.py sets it so its parallel workers share the cores)."""
    if os.environ.get("GM_THREADS"):
        return max(1, int(os.environ["GM_THREADS"]))
    if pixels is not None and pixels <= SMALL_IMAGE:
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def set_threads(n: int | None = None, pixels: int | None = None) -> int:
    """Set torch's intra-op threads to `n`, or to threads_for(pixels)."""
    n = n or threads_for(pixels)
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
