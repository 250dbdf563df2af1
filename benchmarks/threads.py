"""How many torch threads suit the lab's small models? Times a few hundred training steps
of each digits model at 1 and 2 threads, side by side, and prints medians and the ratio.

    python benchmarks/threads.py
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gm  # noqa: E402
from gm.models import build, make_config  # noqa: E402
from gm.train import gan_optimizers, gan_step  # noqa: E402


def steps_per_second(name: str, threads: int, data, n_steps: int = 200) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    cfg = make_config(name)
    model = build(name, cfg, data.shape).train()
    xb = data.x_train[:cfg.batch_size]
    if name == "gan":
        opt_d, opt_g = gan_optimizers(model, cfg.lr)
        step = lambda: gan_step(model, opt_d, opt_g, xb)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            loss = model.loss(xb)["loss"]
            opt.zero_grad()
            loss.backward()
            opt.step()
    for _ in range(20):
        step()
    t = time.perf_counter()
    for _ in range(n_steps):
        step()
    return n_steps / (time.perf_counter() - t)


def main() -> None:
    data = gm.load_dataset("digits")
    print(f"{'model':<16}{'1 thread':>10}{'2 threads':>11}{'1/2 ratio':>11}   (steps/s, median of 5)")
    for name in gm.MODELS:
        runs = {1: [], 2: []}
        for _ in range(5):  # interleaved, so drift in machine load hits both alike
            for k in (1, 2):
                runs[k].append(steps_per_second(name, k, data))
        a, b = statistics.median(runs[1]), statistics.median(runs[2])
        print(f"{name:<16}{a:>10.0f}{b:>11.0f}{a / b:>11.2f}")


if __name__ == "__main__":
    main()
