"""Training speed in the two memory layouts, side by side (why gm.train.fit trains in
channels-last): seconds per epoch of `gm.train.fit` itself, the one training loop, on the
embedded MNIST, for each 28x28 model with a convolution; the layouts alternate, median of
the repeats.

    python benchmarks/layout.py [--threads 1] [--epochs 2] [--repeats 3]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import gm  # noqa: E402
import gm.train  # noqa: E402
from gm.models import build  # noqa: E402
from gm.referee import spec as referee_spec  # noqa: E402

LAYOUTS = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}


def epoch_seconds(spec: gm.Spec, data, layout) -> float:
    """fit's own wall time per epoch for `spec`, with fit's layout set to `layout`."""
    gm.train.LAYOUT = layout
    torch.manual_seed(spec.config.seed)
    model = build(spec.name, spec.config, data.shape)
    result = gm.train.fit(model, data)
    return result["train_seconds"] / result["epochs"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=1, help="torch threads (train.py: 1 per worker)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    os.environ["GM_THREADS"] = str(args.threads)  # fit's own thread choice (gm.device.threads_for)
    data = gm.load_dataset("mnist")
    specs = [gm.Spec("conv_ae", "mnist"), gm.Spec("conv_ae", "mnist", upsample="nearest"),
             gm.Spec("gan", "mnist"), referee_spec("mnist")]
    print(f"s per epoch of gm.train.fit ({len(data.x_train)} images), {args.threads} thread(s), "
          f"median of {args.repeats} x {args.epochs} epochs")
    for spec in specs:
        spec = spec.replace(epochs=args.epochs)
        times = {k: [] for k in LAYOUTS}
        for _ in range(args.repeats):
            for name, layout in LAYOUTS.items():
                times[name].append(epoch_seconds(spec, data, layout))
        a, b = (statistics.median(times[k]) for k in LAYOUTS)
        print(f"  {spec!r:<70} contiguous {a:5.2f}  channels_last {b:5.2f}  ratio {a / b:.2f}x")


if __name__ == "__main__":
    main()
