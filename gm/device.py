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
    return f"CPU ({cores} core{'s' if cores > 1 else ''}, one thread per training)"


def set_threads(n: int | None = None) -> int:
    """Small models run fastest on one thread here (measured in benchmarks/threads.py):
    extra threads add synchronisation cost to tiny matrix products. $GM_THREADS overrides."""
    n = n or int(os.environ.get("GM_THREADS", "1"))
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return n
