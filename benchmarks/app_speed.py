"""Server-side render times of every page, with models cached (issue: the app, part 1).

    python train.py && python benchmarks/app_speed.py

For each page: the first render in a new session, then, for each slider or select slider
on it, the median time to re-render after moving it (targets: first render <= 1 s, a
slider move <= 150 ms), timed once the page's background warm-up (ui.warm) is done. Also
the time from `streamlit run app.py` to a healthy server and a rendered home page in a
headless browser (target <= 5 s) when Chromium is present.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.chdir(ROOT)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
import appserver  # noqa: E402  (the same server launcher as the end-to-end tests)

import logging  # noqa: E402

from streamlit.testing.v1 import AppTest  # noqa: E402

from ui.text import t  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)  # bare-mode warnings, one per run


def pages() -> list[str]:
    return ["app.py"] + sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pages").glob("*.py"))


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def warmed() -> float:
    """Seconds until the background warm-ups a page started (ui.warm) are done (bounded)."""
    t = time.perf_counter()
    for thread in [th for th in threading.enumerate() if th.name == "gm-warm"]:
        thread.join(timeout=120)
    return time.perf_counter() - t


def page_times(path: str, repeats: int) -> None:
    at = AppTest.from_file(str(ROOT / path), default_timeout=120)
    cold = timed(at.run)  # first session: fills st.cache_data
    warming = warmed()  # moves are timed once the page's background warm-up is done
    if at.exception:
        print(f"{path:<40} EXCEPTION: {at.exception[0].message[:80]}")
        return
    if any(i.value == t("train.waiting") for i in at.info):
        print(f"{path:<40} models not cached: run `python train.py` first")
        return
    warm = timed(AppTest.from_file(str(ROOT / path), default_timeout=120).run)  # a new student, warm caches
    moves = []
    for s in list(at.slider) + list(at.select_slider):
        if not s.key or s.disabled:
            continue
        opts = getattr(s, "options", None)
        values = list(opts) if opts else [s.min, s.max]
        original = s.value
        for i in range(repeats):
            target = values[i % len(values)] if opts else values[i % 2]
            w = at.select_slider(key=s.key) if opts else at.slider(key=s.key)
            w.set_value(type(original)(target) if not isinstance(original, (tuple, list)) else original)
            moves.append(timed(at.run))
            if any(i.value == t("train.waiting") for i in at.info):
                moves.pop()  # an uncached setting: not a cached re-render
        (at.select_slider(key=s.key) if opts else at.slider(key=s.key)).set_value(original)
        at.run()
    med = f"{statistics.median(moves) * 1000:7.0f} ms ({len(moves)} moves)" if moves else "   no sliders"
    print(f"{path:<40} first {cold * 1000:6.0f} ms   new session {warm * 1000:6.0f} ms   "
          f"slider median {med}" + (f"   (after {warming:.1f} s of background warm-up)" if warming > 0.05 else ""))


def startup() -> None:
    """Seconds from launching the server to a healthy server and to the home page rendered
    in an already open browser (the teacher's browser is open before class)."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if not chromium:
        t0 = time.perf_counter()
        srv = appserver.Server({}, Path(tempfile.mkdtemp()) / "server.log")
        print(f"\nstreamlit run app.py: healthy after {time.perf_counter() - t0:.2f}s "
              "(no chromium/playwright: browser render not measured)")
        srv.stop()
        return
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = b.new_page()
        t0 = time.perf_counter()
        srv = appserver.Server({}, Path(tempfile.mkdtemp()) / "server.log")
        try:
            healthy = time.perf_counter() - t0
            page.goto(f"{srv.url}/")
            page.wait_for_selector("h1", timeout=60000)
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                                   timeout=60000)
            rendered = time.perf_counter() - t0
        finally:
            srv.stop()
            b.close()
    print(f"\nstreamlit run app.py: healthy after {healthy:.2f}s, home page rendered in the "
          f"browser after {rendered:.2f}s")


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=4)
    p.add_argument("--pages", nargs="*", help="only these page files")
    args = p.parse_args(argv)
    startup()  # first: the pages' AppTests leave live trainings (GAN in the plane) running a while
    for path in args.pages or pages():
        page_times(path, args.repeats)


if __name__ == "__main__":
    main()
