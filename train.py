"""Train and cache the lecture's models ahead of class.

    python train.py                      # every model the pages show, on digits (1-1.5 min on 2 cores)
    python train.py --dataset mnist --models vae gan
    python train.py --dry-run            # one epoch each, for tests

Trains each page's default models and the sweeps its sliders walk through (gm.presets),
through gm.get_model, the same path the app uses, so the app then shows them instantly.
Two models train at once on a machine with 2 or more cores (one thread each). Ends with
a table of parameters, time and test metrics.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed

import gm
from gm.models import MODELS
from gm.presets import lecture_models
from gm.referee import settings as referee_settings

KEY_METRIC = {"gan": None, "vae": "test_loss"}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="train.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", choices=gm.DATASETS, default="digits")
    p.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS),
                   metavar="MODEL", help=f"models to train (default: all): {', '.join(MODELS)}")
    p.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda, mps")
    p.add_argument("--data-dir", help="data folder (default $GM_DATA_DIR or ~/.cache/gm/data)")
    p.add_argument("--cache-dir", help="model cache (default $GM_CACHE_DIR or ~/.cache/gm/models)")
    p.add_argument("--force", action="store_true", help="retrain even when cached")
    p.add_argument("--dry-run", action="store_true",
                   help="one epoch each, into a separate cache entry (for tests)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="models trained at once, one process each (default: 2 on 2+ cores)")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("argument --jobs: must be at least 1")
    if args.device not in ("auto", "cpu", "cuda", "mps") and not args.device.startswith("cuda:"):
        p.error(f"argument --device: invalid choice {args.device!r} (choose auto, cpu, cuda or mps)")
    return args


def bar(info: dict, name: str, width: int = 24) -> None:
    done = info["step"] / max(1, info["steps"])
    loss = next(iter(info["losses"].items()), ("", 0.0))
    sys.stderr.write(f"\r  {name:<16} [{'#' * int(done * width):<{width}}] "
                     f"{info['epoch']:>3}/{info['epochs']} epochs  {loss[0]} {loss[1]:.4f}  "
                     f"{info['elapsed']:.1f}s ")
    sys.stderr.flush()


def train_one(args: argparse.Namespace, name: str, config: dict, show_bar: bool) -> tuple:
    """Train (or load) one model; returns a row of the final table."""
    config = {**config, "epochs": 1} if args.dry_run else config
    t = time.perf_counter()
    model = gm.get_model(name, args.dataset, device=args.device, cache=args.cache_dir,
                         data_root=args.data_dir, force=args.force,
                         progress=(lambda info: bar(info, name)) if show_bar else None, **config)
    wall = time.perf_counter() - t
    if show_bar:
        sys.stderr.write("\n")
    info = model.info
    metrics = info.get("metrics", {})
    key = KEY_METRIC.get(name, "test_mse")
    label = name + "".join(f" {k}={v}" for k, v in config.items() if k != "epochs")
    row = (label, info["n_params"], info["train_seconds"], wall, metrics.get("test_loss"), key,
           metrics.get(key) if key else None)
    return row


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        data = gm.load_dataset(args.dataset, args.data_dir)
    except gm.DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if data.notice:
        print(f"note: {data.notice}")
    specs = [(n, c) for n, c in lecture_models() if n in args.models]
    specs.append(("referee", referee_settings(args.dataset, args.data_dir)))  # scores the others
    print(f"training {len(specs)} model(s) on {args.dataset} ({len(data.x_train)} train / "
          f"{len(data.x_test)} test) on {gm.describe_device(args.device)}, {args.jobs} at a time",
          flush=True)
    t0 = time.perf_counter()
    if args.jobs == 1:
        rows = [train_one(args, n, c, True) for n, c in specs]
    else:
        # spawn, not fork: a child forked after torch started its thread pool can hang
        # The parent reports each model as it finishes: children writing to one stream
        # overwrite each other's lines when it is a file.
        with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(train_one, args, n, c, False) for n, c in specs]
            for i, fut in enumerate(as_completed(futures), 1):
                label, _, secs, *_ = fut.result()
                print(f"  [{i}/{len(specs)}] {label} ({secs:.1f}s)", flush=True)
            rows = [f.result() for f in futures]
    print()
    print(f"{'model':<46} {'params':>9}{'train s':>9}{'wall s':>8}{'test loss':>11}  key metric")
    for label, n, tr, wall, loss, key, val in rows:
        loss_s = f"{loss:.4f}" if loss is not None else "-"
        key_s = f"{key} {val:.4f}" if val is not None else "-"
        print(f"{label:<46} {n:>9,}{tr:>9.2f}{wall:>8.2f}{loss_s:>11}  {key_s}")
    print(f"total {time.perf_counter() - t0:.1f}s; cache: {gm.cache_dir(args.cache_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
