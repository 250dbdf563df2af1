"""Train and cache the lecture's models ahead of class.

    python train.py                      # every model the pages show, on MNIST (3-5 min on 2 cores)
    python train.py --dataset mnist --models vae gan
    python train.py --skip-sweeps        # what the pages open with (not the other noise kinds)
    python train.py --dry-run            # one epoch each, for tests

Trains each lesson's default models and the sweeps its sliders walk through
(`lessons.pretrain`: every lesson module's `pretrain`),
through gm.get_model, the same path the app uses, so the app then shows them instantly.
Two models train at once on a machine with 2 or more cores (one thread each). Ends with
a table of parameters, time and test metrics.
"""
from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

import gm
import lessons
from gm.models import MODELS

KEY_METRIC = {"gan": None, "vae": "test_loss"}
MAX_JOBS = 64


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="train.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", choices=gm.DATASETS, default=gm.DEFAULT_DATASET)
    p.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS),
                   metavar="MODEL", help=f"models to train (default: all): {', '.join(MODELS)}")
    p.add_argument("--device", default="auto", help="auto (CUDA, then MPS, then CPU), cpu, cuda, mps")
    p.add_argument("--data-dir", help="data folder (default $GM_DATA_DIR or ~/.cache/gm/data)")
    p.add_argument("--cache-dir", help="model cache (default $GM_CACHE_DIR or ~/.cache/gm/models)")
    p.add_argument("--force", action="store_true", help="retrain even when cached")
    p.add_argument("--skip-sweeps", action="store_true",
                   help="only the models the pages and the tour open with: the settings a control "
                        "reaches beyond them (other noise kinds) train when asked")
    p.add_argument("--dry-run", action="store_true",
                   help="one epoch each, into a separate cache entry (for tests)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="models trained at once, one process each (default: 2 on 2+ cores)")
    args = p.parse_args(argv)
    if not 1 <= args.jobs <= MAX_JOBS:
        p.error(f"argument --jobs: must be between 1 and {MAX_JOBS}")
    problem = gm.device.check_device(args.device)
    if problem:
        p.error(f"argument --device: {problem}")
    for flag, value in (("--cache-dir", args.cache_dir), ("--data-dir", args.data_dir)):
        if value is not None and not value.strip():
            p.error(f"argument {flag}: an empty path (leave the flag out for the default)")
        if value and os.path.exists(value) and not os.path.isdir(value):
            p.error(f"argument {flag}: {value} is a file, not a folder")
    return args


def worker_init(parent: int, threads: int) -> None:
    """Worker initializer: the workers share the cores (`threads` torch threads each,
    through $GM_THREADS), and the kernel kills a worker when train.py dies (Linux's
    PR_SET_PDEATHSIG), so a killed run leaves no ~800 MiB process behind."""
    os.environ.setdefault("GM_THREADS", str(threads))
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def bar(info: dict, name: str, width: int = 24) -> None:
    done = info["step"] / max(1, info["steps"])
    loss = next(iter(info["losses"].items()), ("", 0.0))
    sys.stderr.write(f"\r  {name:<16} [{'#' * int(done * width):<{width}}] "
                     f"{info['epoch']:>3}/{info['epochs']} epochs  {loss[0]} {loss[1]:.4f}  "
                     f"{info['elapsed']:.1f}s ")
    sys.stderr.flush()


def train_one(args: argparse.Namespace, spec: gm.Spec, show_bar: bool) -> tuple:
    """Train (or load) one model; returns a row of the final table."""
    spec = spec.replace(epochs=1) if args.dry_run else spec
    name = spec.name
    t = time.perf_counter()
    model = gm.get_model(spec, device=args.device, cache=args.cache_dir,
                         data_root=args.data_dir, force=args.force, pin=not args.dry_run,
                         progress=(lambda info: bar(info, name)) if show_bar else None)
    wall = time.perf_counter() - t
    if show_bar:
        sys.stderr.write("\n")
    info = model.info
    metrics = info.get("metrics", {})
    key = KEY_METRIC.get(name, "test_mse")
    label = name + "".join(f" {k}={v}" for k, v in spec.changed().items() if k != "epochs")
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
    # the referee scores the others, so it always comes along
    specs = [s for s in lessons.pretrain(args.dataset, data_root=args.data_dir, sweeps=not args.skip_sweeps)
             if s.name in args.models or s.name == "referee"]
    print(f"training {len(specs)} model(s) on {args.dataset} ({len(data.x_train)} train / "
          f"{len(data.x_test)} test) on {gm.describe_device(args.device)}, {args.jobs} at a time",
          flush=True)
    t0 = time.perf_counter()
    try:
        rows = train_all(args, specs)
    except gm.CacheError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print()
    report(rows, t0, args)
    return 0


def train_all(args: argparse.Namespace, specs: list) -> list:
    """Train (or load) every Spec, `args.jobs` at a time; the final table's rows."""
    if args.jobs == 1:
        rows = [train_one(args, s, True) for s in specs]
    else:
        # spawn, not fork: a child forked after torch started its thread pool can hang
        # The parent reports each model as it finishes: children writing to one stream
        # overwrite each other's lines when it is a file.
        signal.signal(signal.SIGTERM, lambda *_: os._exit(143))  # workers die with us (worker_init)
        with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=worker_init,
                                 initargs=(os.getpid(), max(1, (os.cpu_count() or 1) // args.jobs))) as pool:
            futures = [pool.submit(train_one, args, s, False) for s in specs]
            for i, fut in enumerate(as_completed(futures), 1):
                label, _, secs, *_ = fut.result()
                print(f"  [{i}/{len(specs)}] {label} ({secs:.1f}s)", flush=True)
            rows = [f.result() for f in futures]
    return rows


def report(rows: list, t0: float, args: argparse.Namespace) -> None:
    print(f"{'model':<46} {'params':>9}{'train s':>9}{'wall s':>8}{'test loss':>11}  key metric")
    for label, n, tr, wall, loss, key, val in rows:
        loss_s = f"{loss:.4f}" if loss is not None else "-"
        key_s = f"{key} {val:.4f}" if val is not None else "-"
        print(f"{label:<46} {n:>9,}{tr:>9.2f}{wall:>8.2f}{loss_s:>11}  {key_s}")
    print(f"total {time.perf_counter() - t0:.1f}s; cache: {gm.cache_dir(args.cache_dir)}")


if __name__ == "__main__":
    sys.exit(main())
