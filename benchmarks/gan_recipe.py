"""The 28x28 GAN's recipe, measured step by step under both judges (embedded MNIST).

    PYTHONPATH=. python3 benchmarks/gan_recipe.py              # seeds 0-2
    PYTHONPATH=. python3 benchmarks/gan_recipe.py --seeds 5

Trains, for each seed, the GAN three ways with the one fit loop:
  1. DCGAN's pair as it was: the conv discriminator alone, G's last weights, 2e-3 for 2,400 steps;
  2. the two-path discriminator (that conv path plus a fully connected path), otherwise as 1;
  3. today's default: the two-path D, G's running weight average (ema 0.99), 4e-3 for 1,200 steps.
Each is scored on 1,000 samples by the CNN referee and by the second judge (an MLP, trained
apart): Frechet distance as a share of uniform noise's, classes covered, precision and recall.
Prints every run and the medians; the judges come from a cache (trained on first use).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile

RECIPES = {
    "1 DCGAN pair, last G, 2e-3 x 2,400": ({"lr": 2e-3, "steps": 2400, "ema": 0.0}, "conv"),
    "2 two-path D, last G, 2e-3 x 2,400": ({"lr": 2e-3, "steps": 2400, "ema": 0.0}, "two_path"),
    "3 two-path D, averaged G, 4e-3 x 1,200": ({}, "two_path"),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--cache", default=None, help="where the judges are cached (default: a temp folder)")
    args = ap.parse_args()
    os.environ["GM_DATA_DIR"] = tempfile.mkdtemp(prefix="gm-empty-data-")
    os.environ["GM_OFFLINE"] = "1"

    import torch

    import gm
    from gm import metrics
    from gm.models import build, make_config
    from gm.referee import get_judges
    from gm.train import fit

    data = gm.load_dataset("mnist")
    judges = get_judges("mnist", cache=args.cache or tempfile.mkdtemp(prefix="gm-judges-"))
    scales = [(j, metrics.sample_anchors(j, data)["ceiling"]["fd"], j.features(data.x_test)) for j in judges]
    print(f"{data!r}; {gm.describe_device()}; judges: {', '.join(j.kind for j in judges)}\n")
    print(f"{'recipe':42} seed {'train s':>8}" + "".join(f"  {j.kind + ' FD':>8} {'cov':>3} {'P':>4} {'R':>4}"
                                                        for j in judges))
    rows = {name: [] for name in RECIPES}
    for seed in range(args.seeds):
        for name, (settings, d) in RECIPES.items():
            cfg = make_config("gan", seed=seed, **settings)
            torch.manual_seed(cfg.seed)
            gan = build("gan", cfg, data.shape)
            if d == "conv":  # DCGAN's discriminator: the two-path D's conv path on its own
                gan.discriminator = gan.discriminator.conv
            secs = fit(gan, data)["train_seconds"]
            x = gan.sample(1000, seed=0)
            row = [secs]
            for judge, ceiling, real in scales:
                r = metrics.sample_report(x, judge, data.x_test, real)
                row += [r["fd"] / ceiling, r["classes_covered"], r["precision"], r["recall"]]
            rows[name].append(row)
            print(f"{name:42} {seed:>4} {secs:>8.1f}" + "".join(
                f"  {row[i]:>8.1%} {row[i + 1]:>3} {row[i + 2]:>4.2f} {row[i + 3]:>4.2f}"
                for i in range(1, len(row), 4)), flush=True)
    print("\nmedians")
    for name, runs in rows.items():
        med = [statistics.median(col) for col in zip(*runs)]
        print(f"{name:42} {'':>4} {med[0]:>8.1f}" + "".join(
            f"  {med[i]:>8.1%} {med[i + 1]:>3.0f} {med[i + 2]:>4.2f} {med[i + 3]:>4.2f}"
            for i in range(1, len(med), 4)))


if __name__ == "__main__":
    main()
