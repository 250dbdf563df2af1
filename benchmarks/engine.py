"""Engine speed figures (issue: the gm engine). Prints medians measured side by side.

    python benchmarks/engine.py                 # digits
    python benchmarks/engine.py --mnist         # also MNIST from ../shared/data (10k split)

- every autoencoder's training time and test MSE, beside the published reference
  (a 64-128-128-z autoencoder, Adam 1e-3, batch 64, 300 epochs, constant rate);
- how long the GAN takes until its samples cover all ten classes (the referee labels them);
- `python train.py` for all digits models, from an empty cache;
- loading a cached model.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn as nn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import gm  # noqa: E402
from gm.device import set_threads  # noqa: E402
from gm.store import load_entry  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


def reference_ae(data, z: int, epochs: int = 300) -> tuple[float, float]:
    """The reference: 64-128-128-z, ReLU, sigmoid output, MSE, Adam 1e-3, batch 64."""
    torch.manual_seed(0)
    n = data.x_train[0].numel()
    m = nn.Sequential(nn.Flatten(), nn.Linear(n, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                      nn.Linear(128, z), nn.Linear(z, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(),
                      nn.Linear(128, n), nn.Sigmoid())
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    x = data.x_train.flatten(1)
    t = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            xb = x[perm[i:i + 64]]
            loss = ((m(xb) - xb) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    secs = time.perf_counter() - t
    with torch.no_grad():
        xt = data.x_test.flatten(1)
        return secs, float(((m(xt) - xt) ** 2).mean())


def med(xs):
    return statistics.median(xs)


def autoencoders(dataset: str, root, repeats: int, cache: Path) -> None:
    data = gm.load_dataset(dataset, root)
    print(f"\n## {dataset}: autoencoders (median of {repeats}; one thread)")
    print(f"{'model':<28}{'train s':>9}{'test MSE':>10}{'params':>10}")
    if dataset == "digits":
        for z in (2, 8):
            runs = [reference_ae(data, z) for _ in range(max(1, repeats // 2))]
            print(f"{'reference 64-128-128-' + str(z):<28}{med(r[0] for r in runs):>9.2f}"
                  f"{med(r[1] for r in runs):>10.4f}{'':>10}")
    specs = [("ae", {"latent_dim": 2}), ("ae", {"latent_dim": 8}), ("overcomplete_ae", {}),
             ("sparse_ae", {}), ("denoising_ae", {}), ("conv_ae", {}), ("vae", {})]
    for name, cfg in specs:
        secs, mse = [], []
        for r in range(repeats):
            m = gm.get_model(name, dataset, cache=cache / f"r{r}", data_root=root, force=True, **cfg)
            secs.append(m.info["train_seconds"])
            mse.append(m.info["metrics"]["test_mse"])
        label = name + "".join(f" {k}={v}" for k, v in cfg.items())
        print(f"{label:<28}{med(secs):>9.2f}{med(mse):>10.4f}{m.info['n_params']:>10,}")


def gan_coverage(dataset: str, root, cache: Path) -> None:
    """Seconds of training until the referee finds all ten classes at >= 5% of the samples."""
    from gm.referee import get_referee
    from mnist_embedded import gan_time_to_ten_classes  # the one measurement, beside this script

    data = gm.load_dataset(dataset, root)
    secs, steps = gan_time_to_ten_classes(data, get_referee(dataset, cache=cache, data_root=root))
    print(f"\n## {dataset}: GAN with defaults: all 10 classes first after {secs:.1f}s ({steps} steps)")


def cli_and_load(cache: Path) -> None:
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "train.py", "--cache-dir", str(cache / "cli")], cwd=ROOT,
                       capture_output=True, text=True)
    total = time.perf_counter() - t
    print(f"\n## python train.py (all digits models, empty cache): {total:.1f}s wall, exit {r.returncode}")
    print(r.stdout.strip())
    for path in sorted((cache / "cli").glob("*-digits-*")):
        if not path.is_dir():
            continue
        times = []
        for _ in range(7):
            t = time.perf_counter()
            load_entry(path)
            times.append(time.perf_counter() - t)
        print(f"load {path.name.split('-digits-')[0]:<16} median {med(times) * 1000:.1f} ms")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mnist", action="store_true", help="also measure MNIST from ../shared/data")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    set_threads()
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        autoencoders("digits", None, args.repeats, cache)
        gan_coverage("digits", None, cache)
        cli_and_load(cache)
        if args.mnist:
            autoencoders("mnist", SHARED, 1, cache)
            gan_coverage("mnist", SHARED, cache)


if __name__ == "__main__":
    main()
