"""Train and cache the lecture's models ahead of class.

    python train.py                      # every model on the built-in digits (about a minute)
    python train.py --dataset mnist --models vae gan
    python train.py --dry-run            # a few steps each, for tests

Each model goes through gm.get_model, the same path the app uses, so whatever this
trains the app shows instantly. Ends with a table of parameters, time and test metrics.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import gm
from gm.models import MODELS

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
    args = p.parse_args(argv)
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


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        data = gm.load_dataset(args.dataset, args.data_dir)
    except gm.DatasetError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if data.notice:
        print(f"note: {data.notice}")
    print(f"training {len(args.models)} model(s) on {args.dataset} "
          f"({len(data.x_train)} train / {len(data.x_test)} test) on {gm.describe_device(args.device)}")
    rows, t0 = [], time.perf_counter()
    for name in args.models:
        config = {"epochs": 1} if args.dry_run else {}
        t = time.perf_counter()
        model = gm.get_model(name, args.dataset, device=args.device, cache=args.cache_dir,
                             data_root=args.data_dir, force=args.force,
                             progress=lambda info, n=name: bar(info, n), **config)
        sys.stderr.write("\n")
        info = model.info
        metrics = info.get("metrics", {})
        key = KEY_METRIC.get(name, "test_mse")
        rows.append((name, info["n_params"], info["train_seconds"], time.perf_counter() - t,
                     metrics.get("test_loss"), key, metrics.get(key) if key else None))
    print()
    print(f"{'model':<16}{'params':>10}{'train s':>9}{'wall s':>8}{'test loss':>11}  key metric")
    for name, n, tr, wall, loss, key, val in rows:
        loss_s = f"{loss:.4f}" if loss is not None else "-"
        key_s = f"{key} {val:.4f}" if val is not None else "-"
        print(f"{name:<16}{n:>10,}{tr:>9.2f}{wall:>8.2f}{loss_s:>11}  {key_s}")
    print(f"total {time.perf_counter() - t0:.1f}s; cache: {gm.cache_dir(args.cache_dir)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
