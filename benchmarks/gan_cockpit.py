"""GAN cockpit benchmark: live training speed on digits with and without the page's
chart updates running beside it, the time to prepare one live-panel render, and the
sample quality (Frechet distance in referee features, classes covered) of the cached
GANs for digits and MNIST.

    python benchmarks/gan_cockpit.py [--seconds 8] [--mnist-root /work/shared/data] [--skip-mnist]
"""
from __future__ import annotations

import argparse
import base64
import io
import statistics
import threading
import time

import torch
from PIL import Image

import gm
from gm import metrics
from lessons import gan_live
from gm.referee import get_referee
from ui.figures import gan as gan_figs
from ui.images import grid


def render_prep(live: gan_live.LiveGAN) -> dict:
    """What the page's live fragment computes before sending: data, figures, images."""
    v = live.view()
    figs = [gan_figs.fig_losses(v["curves"]), gan_figs.fig_scores(v["hist"]),
            gan_figs.fig_classes(v["collapse"], live.data.classes)]
    imgs = [grid(v["fixed"], ncols=8, cell=64),
            grid(torch.cat([v["memo"]["shown"], v["memo"]["nearest"]]), ncols=8, cell=64)]
    pngs = []
    for img in imgs:  # the page embeds its live grids as base64 PNGs
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, "PNG")
        pngs.append(base64.b64encode(buf.getvalue()))
    return {"json": [f.to_json() for f in figs], "imgs": pngs}


def live_speed(seconds: float, render_hz: float) -> dict:
    live = gan_live.LiveGAN("digits", seed=0)
    live.start()
    times, stop = [], threading.Event()

    def renderer():  # on a fixed 1/render_hz schedule, like st.fragment(run_every=...)
        start = time.perf_counter()
        while not stop.is_set():
            t = time.perf_counter()
            render_prep(live)
            times.append(time.perf_counter() - t)
            stop.wait(max(0.0, start + len(times) / render_hz - time.perf_counter()))

    th = threading.Thread(target=renderer) if render_hz > 0 else None
    while live.state != "running":
        time.sleep(0.01)
    it0, t0 = live.it, time.perf_counter()
    if th:
        th.start()
    time.sleep(seconds)
    stop.set()
    if th:
        th.join()
    rate = (live.it - it0) / (time.perf_counter() - t0)
    live.pause()
    meter = live.snap["collapse"]
    out = {"updates_per_s": rate, "g_updates": live.n_g, "classes_covered": meter["classes_covered"],
           "diversity": meter["diversity"]}
    if times:
        out |= {"renders": len(times), "render_ms_median": 1000 * statistics.median(times),
                "render_ms_p90": 1000 * sorted(times)[int(0.9 * len(times))],
                "renders_per_s": len(times) / seconds}
    return out


def time_to_all_classes(limit: float = 30.0) -> float | None:
    """Seconds of live training (fresh weights) until the referee sees all 10 classes."""
    live = gan_live.LiveGAN("digits", seed=0)
    live.start()
    t0 = time.perf_counter()
    try:
        while time.perf_counter() - t0 < limit:
            time.sleep(0.25)
            if live.snap.get("collapse", {}).get("classes_covered") == 10:
                return time.perf_counter() - t0
        return None
    finally:
        live.pause()


def quality(dataset: str, data_root: str | None = None, n: int = 1000) -> dict:
    t0 = time.perf_counter()
    gan = gm.get_model("gan", dataset, data_root=data_root, seed=0)
    got = time.perf_counter() - t0
    data = gm.load_dataset(dataset, data_root)
    ref = get_referee(dataset, data_root=data_root)
    fr = ref.features(data.x_test)
    r = metrics.sample_report(gan.sample(n, seed=0), ref, data.x_test, fr)
    floor = metrics.sample_report(data.x_train[:n], ref, data.x_test, fr)
    return {"fd": r["fd"], "classes_covered": r["classes_covered"], "fd_real_train": floor["fd"],
            "train_seconds": gan.info.get("train_seconds"), "get_model_s": got,
            "referee_acc": ref.info.get("test_accuracy")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--mnist-root", default="/work/shared/data")
    ap.add_argument("--skip-mnist", action="store_true")
    a = ap.parse_args()
    get_referee("digits")
    print("live training on digits (fresh MLP GAN, one background thread):")
    alone = live_speed(a.seconds, 0)
    print(f"  alone:                {alone['updates_per_s']:.0f} updates/s")
    beside = live_speed(a.seconds, 5)
    print(f"  with 5 renders/s:     {beside['updates_per_s']:.0f} updates/s; render prep median "
          f"{beside['render_ms_median']:.1f} ms, p90 {beside['render_ms_p90']:.1f} ms; "
          f"{beside['renders_per_s']:.1f} renders/s achieved (target >= 5; render time allows "
          f"{1000 / beside['render_ms_median']:.0f}/s)")
    t = time_to_all_classes()
    print(f"  all 10 classes covered after {t:.1f} s of live training" if t else
          "  all 10 classes NOT covered within 30 s")
    print("sample quality of the cached GANs (1,000 samples vs the test split, referee features):")
    sets = [("digits", None)] + ([] if a.skip_mnist else [("mnist", a.mnist_root)])
    for ds, root in sets:
        q = quality(ds, root)
        print(f"  {ds:7s} FD {q['fd']:.2f} (real training images: {q['fd_real_train']:.2f}) · "
              f"classes covered {q['classes_covered']}/10 · trained in {q['train_seconds']} s · "
              f"referee accuracy {q['referee_acc']}")


if __name__ == "__main__":
    main()
