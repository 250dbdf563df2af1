"""Training speed in the two memory layouts, side by side (why gm.train.fit trains in
channels-last): ms per optimizer step of each 28x28 model with a convolution, on random
batches, the layouts alternating, median of the repeats.

    python benchmarks/layout.py [--threads 1] [--steps 30] [--repeats 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gm  # noqa: E402
from gm.models import build  # noqa: E402
from gm.referee import spec as referee_spec  # noqa: E402
from gm.train import gan_optimizers, gan_step  # noqa: E402

LAYOUTS = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}


def stepper(spec: gm.Spec, layout):
    torch.manual_seed(0)
    m = build(spec.name, spec.config, (1, 28, 28)).to(memory_format=layout).train()
    x = torch.rand(spec.config.batch_size, 1, 28, 28)
    y = torch.randint(0, 10, (len(x),))
    if spec.name == "gan":
        opt_d, opt_g = gan_optimizers(m, 1e-3)
        return lambda: gan_step(m, opt_d, opt_g, x)
    opt = torch.optim.Adam(m.parameters(), 1e-3)

    def step():
        opt.zero_grad()
        (m.loss(x, y) if spec.name == "referee" else m.loss(x))["loss"].backward()
        opt.step()
    return step


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="torch threads (train.py: 1 per worker)")
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    specs = [gm.Spec("conv_ae", "mnist"), gm.Spec("conv_ae", "mnist", upsample="nearest"),
             gm.Spec("gan", "mnist"), referee_spec("mnist")]
    print(f"ms per training step, {args.threads} thread(s), median of {args.repeats} x {args.steps} steps")
    for spec in specs:
        times = {k: [] for k in LAYOUTS}
        for _ in range(args.repeats):
            for name, layout in LAYOUTS.items():
                step = stepper(spec, layout)
                for _ in range(3):
                    step()
                t = time.perf_counter()
                for _ in range(args.steps):
                    step()
                times[name].append((time.perf_counter() - t) / args.steps * 1000)
        a, b = (statistics.median(times[k]) for k in LAYOUTS)
        print(f"  {spec!r:<58} contiguous {a:6.1f}  channels_last {b:6.1f}  ratio {a / b:.2f}x")


if __name__ == "__main__":
    main()
