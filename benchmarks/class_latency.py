"""A class session with K students (issue 15): how long until the students' screens show
the teacher's step, how long until a drawing is on the projector, and what one rerun
costs the server.

    python train.py && python benchmarks/class_latency.py            # one server, K = 10
    python benchmarks/class_latency.py --course                      # 2 servers, nginx, Redis

Starts the app on 127.0.0.1 only (with --course: course.py, the teacher pinned to server 1
and the students spread over both), opens the teacher's tour and starts a class session,
then K students join in their own Chromium contexts (the system Chromium; no browser is
downloaded). Measured:

1. step: the teacher presses → (the clicker's key) --moves times; each student's page
   notes, in the browser, when its headline turns into the teacher's new one
   (a MutationObserver, wall clock). Delay = that moment minus the key press.
   Before that, not timed, one tab visits those steps once, so their measurements are
   cached (as after the first class, or a dry run before it).
2. drawing: a student's drawing is put on the board (the store call the Send button makes)
   and the teacher's board page notes when
   its count changes (the board re-reads the store every BOARD_EVERY s). Delay = that
   moment minus the call.
3. server time: CPU seconds the app server processes use (/proc, user + system) while the
   class sits still (the followers' polls) and per teacher move (every session's rerun),
   so the browsers' own work on this machine is not counted.

Prints medians and 95th percentiles; exits 1 when the median step delay is over 1 s.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT))
import appserver  # noqa: E402
from ui.classroom import POLL  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
H1 = "[data-testid='stMain'] h1"
WATCH = """(sel) => { window.__seen = {}; const note = () => { const e = document.querySelector(sel);
  if (e) { const h = e.innerText.trim(); if (!(h in window.__seen)) window.__seen[h] = Date.now(); } };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true}); note(); }"""


def cpu_seconds(ports: list[int]) -> float:
    """User + system CPU seconds of the processes serving `ports` (their command lines)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0.0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if b"streamlit" not in b" ".join(cmd) or not any(str(p).encode() in cmd for p in ports):
                continue
            f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12])) / tick
        except (OSError, IndexError):
            continue
    return total


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="class_latency.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--moves", type=int, default=8)
    ap.add_argument("--drawings", type=int, default=8)
    ap.add_argument("--course", action="store_true", help="two app servers behind nginx, Redis")
    ap.add_argument("--cache-dir", default=os.environ.get("GM_CACHE_DIR"))
    a = ap.parse_args(argv)
    if not 1 <= a.students <= 60:
        ap.error("--students must be 1 to 60")
    from playwright.sync_api import sync_playwright
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        ap.error("no chromium on PATH: apt-get install -y chromium")
    env = {"GM_OFFLINE": "1", **({"GM_CACHE_DIR": a.cache_dir} if a.cache_dir else {})}
    run = Path(tempfile.mkdtemp(prefix="gm-class-bench-"))
    if a.course:
        srv = appserver.Course(env, run / "course")
        ports, url = srv.app_ports, srv.url
    else:
        srv = appserver.Server(env, run / "server.log")
        ports, url = [srv.port], srv.url
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=chromium, args=ARGS)

            def tab(server: int, w=1000, h=700):
                ctx = b.new_context(viewport={"width": w, "height": h})
                if a.course:
                    ctx.add_cookies([{"name": "gm_server", "value": str(server), "url": url}])
                page = ctx.new_page()
                page.set_default_timeout(180_000)
                return page

            def idle(page):
                page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")

            teacher = tab(1, 1280, 720)
            from lessons.tour import IDS
            for server in range(1, len(ports) + 1):  # warm-up, not timed: each step measured once
                warm = tab(server)
                for step in IDS[:a.moves + 2]:
                    warm.goto(f"{url}/Tour?step={step}")
                    warm.locator(H1).first.wait_for()
                    warm.wait_for_timeout(1500)  # the script is running (the state reads idle before it starts)
                    idle(warm)
                warm.context.close()
            teacher.goto(f"{url}/Tour?step={IDS[0]}")
            idle(teacher)
            teacher.get_by_role("button", name="Start a class session").click()
            code = teacher.locator("[role='dialog'] .gm-join-code").first
            code.wait_for()
            code = code.inner_text().replace(" ", "").strip()
            teacher.keyboard.press("Escape")
            students = []
            for i in range(a.students):
                s = tab(1 + i % len(ports), 420, 800)
                s.goto(f"{url}/Tour?join={code}")
                s.get_by_text("you follow the teacher").first.wait_for()
                students.append(s)
            print(f"{a.students} students joined class {code} on {len(ports)} server(s)", flush=True)
            for s in students:
                s.evaluate(WATCH, H1)
            time.sleep(3)
            c0 = cpu_seconds(ports)
            time.sleep(10)
            still = (cpu_seconds(ports) - c0) / 10

            delays, per_move = [], []
            teacher.locator(H1).first.click()
            for m in range(a.moves):
                before = teacher.locator(H1).first.inner_text().strip()
                c0, t0 = cpu_seconds(ports), time.time()
                teacher.keyboard.press("ArrowRight")
                teacher.wait_for_function(f"(h) => {{ const e = document.querySelector(\"{H1}\"); return e && e.innerText.trim() != h; }}", arg=before)
                now = teacher.locator(H1).first.inner_text().strip()
                for s in students:
                    s.wait_for_function("(h) => window.__seen && (h in window.__seen)", arg=now, timeout=60_000)
                    delays.append(s.evaluate("(h) => window.__seen[h]", now) / 1000 - t0)
                idle(teacher)
                for s in students:
                    idle(s)
                time.sleep(1.5)  # the figure's images and the polls settle
                per_move.append(cpu_seconds(ports) - c0 - 1.5 * still - (time.time() - t0 - 1.5) * still)
                print(f"  move {m + 1}: median {statistics.median(delays[-a.students:]):.2f} s, "
                      f"slowest {max(delays[-a.students:]):.2f} s", flush=True)

            teacher.get_by_role("button", name="The class's digits").click()
            teacher.get_by_text("No drawings yet").first.wait_for()
            from gm import classroom as cls
            store = cls.connect(srv.redis_url) if a.course else None
            drawn = []
            x = np.zeros((28, 28), np.uint8)
            x[5:23, 12:16] = 255
            for k in range(a.drawings):
                teacher.evaluate("() => { window.__count = null; const t = () => { const m = document.body.innerText.match(/On the board: (\\d+)/);"
                                 " if (m) window.__count = [+m[1], Date.now()]; }; window.__obs && window.__obs.disconnect();"
                                 " window.__obs = new MutationObserver(t); window.__obs.observe(document.body, {subtree: true, childList: true, characterData: true}); }")
                if store is None:  # one server: draw through the page a student would use
                    s = students[k % len(students)]
                    s.goto(f"{url}/Class?join={code}")
                    idle(s)
                    _draw(s)
                    t0 = time.time()
                    s.get_by_role("button", name="Send to the board").click()
                else:
                    t0 = time.time()
                    store.draw(code, f"bench-{k}", x, label=1)
                teacher.wait_for_function(f"() => window.__count && window.__count[0] >= {k + 1}", timeout=30_000)
                drawn.append(teacher.evaluate("() => window.__count[1]") / 1000 - t0)
                time.sleep(0.6)
            b.close()
    finally:
        srv.stop()
    print(f"\nclass session, {a.students} students, {len(ports)} app server(s){' behind nginx, Redis' if a.course else ''}:")
    print(f"  teacher's step -> students' screens: median {statistics.median(delays):.2f} s, "
          f"95th percentile {pct(delays, 0.95):.2f} s, slowest {max(delays):.2f} s ({len(delays)} screens)")
    print(f"  drawing -> projector:               median {statistics.median(drawn):.2f} s, "
          f"slowest {max(drawn):.2f} s ({len(drawn)} drawings)")
    print(f"  server CPU while the class sits still: {still * 1000:.0f} ms per second "
          f"({a.students} followers polling every {POLL} s)")
    print(f"  server CPU per teacher move: median {statistics.median(per_move) * 1000:.0f} ms, "
          f"= {statistics.median(per_move) * 1000 / (a.students + 1):.0f} ms per session rerun")
    return 0 if statistics.median(delays) <= 1.0 else 1


def _draw(s) -> None:
    """A "1" on the student's canvas."""
    canvas = s.locator("[data-testid='stMain'] canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    cx, top = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.18
    s.mouse.move(cx, top)
    s.mouse.down()
    for i in range(1, 13):
        s.mouse.move(cx, top + i * box["height"] * 0.055)
    s.mouse.up()
    s.wait_for_timeout(400)
    s.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")


if __name__ == "__main__":
    sys.exit(main())
