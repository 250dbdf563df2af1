"""Server-side time of moving through the lecture tour step by step, models cached (issue 14).

    python train.py && python benchmarks/tour_speed.py [--dataset digits] [--rounds 2]

Runs pages/0_Tour.py in AppTest, presses Next from the first step to the last and Back
again, and times each rerun. It first times each step's measurement alone (the lesson
functions, models loaded). The first walk fills Streamlit's measurement caches (each step's
lesson computations, once per server; the page also measures the next step while the
class looks at the current one); the later walks are what the teacher waits for. Prints
the median and the slowest step-to-step time per walk (target: median <= 300 ms).
"""
from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

import gm  # noqa: E402
import lessons.tour as tour  # noqa: E402
from ui.text import t  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)


def walk(at: AppTest) -> list[tuple[str, float]]:
    """Next to the end, then Back to the start: (step arrived at, seconds) per press."""
    times = []
    for key, n in (("tour-next", len(tour.IDS) - 1), ("tour-back", len(tour.IDS) - 1)):
        for _ in range(n):
            t0 = time.perf_counter()
            at.button(key=key).click().run()
            times.append((at.query_params["step"], time.perf_counter() - t0))
            assert not at.exception, at.exception
            if any(i.value == t("train.waiting") for i in at.info):
                sys.exit(f"models of step {at.query_params['step']} are not cached: run "
                         f"`python train.py --dataset {at.query_params['dataset']}` first")
    return times


def measurements(dataset: str) -> None:
    """Each step's measurement alone, models loaded: what a first visit computes."""
    for s in tour.STEPS:
        models = [gm.get_model(x) for x in s.specs(dataset, 0)]
        t0 = time.perf_counter()
        s.measure(*models, seed=0)
        print(f"  {s.id:<14} {1000 * (time.perf_counter() - t0):8.0f} ms")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", choices=gm.DATASETS, default=gm.DEFAULT_DATASET)
    p.add_argument("--rounds", type=int, default=2, help="walks after the first (default 2)")
    args = p.parse_args(argv)
    print(f"tour on {args.dataset}: {len(tour.IDS)} steps ({', '.join(tour.IDS)})")
    print("each step's measurement, first time in this process:")
    measurements(args.dataset)
    at = AppTest.from_file(str(ROOT / "pages" / "0_Tour.py"), default_timeout=300)
    at.query_params.update(dataset=args.dataset, step=tour.IDS[0])
    t0 = time.perf_counter()
    at.run()
    print(f"first render (step 1 measured): {1000 * (time.perf_counter() - t0):.0f} ms")
    for r in range(args.rounds + 1):
        times = walk(at)
        ms = [1000 * s for _, s in times]
        slow = max(times, key=lambda x: x[1])
        what = "cold: measures each step once" if r == 0 else "models and measurements cached"
        print(f"walk {r} ({what}): median {statistics.median(ms):.0f} ms, "
              f"slowest {1000 * slow[1]:.0f} ms (to {slow[0]}), {len(ms)} moves")


if __name__ == "__main__":
    main()
