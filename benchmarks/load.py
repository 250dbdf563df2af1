"""A class at once: K browser sessions against one `streamlit run app.py` (issue 7).

    python train.py && python benchmarks/load.py              # K = 10 sessions
    python benchmarks/load.py --sessions 30 --cache-dir ~/.cache/gm/models

Starts the app on 127.0.0.1 only, with the model cache given (default: the usual cache,
filled by `train.py` first), and drives K concurrent sessions of the system Chromium
(`apt-get install chromium`, `pip install playwright`; no browser is downloaded).

1. warm-up: one session visits every page once, so every model the default views need is
   cached (the app trains what is missing in the background) - not timed.
2. click-through: K sessions at once open the home page, click every page in the sidebar
   and move one control on each twice (a cheap move: the page's models are cached).
   Latency = time from the key press or click to the page's script being idle again,
   measured in the browser (a MutationObserver on the app's script state).
3. same uncached model: every session opens the Autoencoder with the same new seed at
   once; the background queue must train it once (the sidebar says how many jobs run).
4. distinct uncached models: every session asks for its own new seed at once; the jobs
   queue (the machine trains a bounded number at a time) and every session gets its page.

Reports the median and 95th percentile latency, every error seen (exceptions on a page,
JavaScript errors, time-outs, dropped connections; must be zero) and the server's peak
memory (resident set of the server and its children; must stay under 2 GiB). Exits 1
when either bound is broken. Stops by itself after --max-seconds.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
import appserver  # noqa: E402  (the same server launcher as the end-to-end tests)

GIB = 1024 ** 3
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

# one cheap control per page: (kind, label); every move re-renders from cached models
MOVES = {
    "": ("number", "Test image"),
    "Autoencoder": ("slider", "Labelled examples per class"),
    "Overcomplete_and_sparse": ("number", "Test digit to probe with"),
    "Denoising": ("slider", "Test noise level"),
    "Convolutional": ("number", "Test digit"),
    "VAE": ("number", "First test image"),
    "Latent_gaps": ("toggle", "Overlay 300 samples"),
    "Interpolation": ("slider", "Steps"),
    "GAN": ("number", "Noise seed"),
}

# records every change of the app's script state with its time, for latencies
OBSERVER = """() => {
  if (window.__gm) return;
  window.__gm = [];
  const app = document.querySelector("[data-testid='stApp']");
  const log = () => window.__gm.push([performance.now(), app.getAttribute('data-test-script-state')]);
  new MutationObserver(log).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  log();
}"""
RERUN_DONE = """(t0) => {
  const ev = (window.__gm || []).filter(e => e[0] >= t0);
  const ran = ev.findIndex(e => e[1] === 'running');
  if (ran < 0) return null;
  const done = ev.slice(ran).find(e => e[1] === 'notRunning');
  return done ? done[0] - t0 : null;
}"""
STATE = """() => {
  const a = document.querySelector("[data-testid='stApp']");
  const main = document.querySelector("[data-testid='stMain']") || document.body;
  const side = document.querySelector("[data-testid='stSidebar']");
  return {script: a && a.getAttribute('data-test-script-state'),
          conn: a && a.getAttribute('data-test-connection-state'),
          training: (main.innerText || '').includes('Training the model'),
          stale: document.querySelectorAll("[data-stale='true']").length,
          blocks: main.querySelectorAll("[data-testid='stElementContainer']").length,
          exceptions: [...document.querySelectorAll("[data-testid='stException']")].map(e => e.innerText.slice(0, 300)),
          jobs: side ? ((side.innerText.match(/Training now: (\\d+) job/) || [])[1] || null) : null};
}"""


# --- server and its memory ---------------------------------------------------------------------

def proc_tree(pid: int):
    """A process and all its descendants, as /proc folders of those still alive."""
    todo, seen = [pid], set()
    while todo:
        q = todo.pop()
        if q in seen:
            continue
        seen.add(q)
        folder = Path(f"/proc/{q}")
        try:
            for task in (folder / "task").iterdir():
                todo.extend(int(k) for k in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
        yield folder


def cpu_tree(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants."""
    total, tick = 0.0, os.sysconf("SC_CLK_TCK")
    for folder in proc_tree(pid):
        try:
            fields = (folder / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, ValueError, IndexError):
            pass
    return total


def rss_tree(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total = 0
    for folder in proc_tree(pid):
        try:
            for line in (folder / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            pass
    return total


class Server(appserver.Server):
    """The app server, sampling its memory (with children) four times a second."""

    def __init__(self, cache: Path, data: Path | None, log: Path):
        env = {"GM_CACHE_DIR": str(cache), **({"GM_DATA_DIR": str(data)} if data else {})}
        super().__init__(env, log)
        self.peak, self._stop = 0, threading.Event()
        self.samples: list[tuple[float, int]] = []
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        t0 = time.monotonic()
        while not self._stop.is_set():
            r = rss_tree(self.proc.pid)
            self.peak = max(self.peak, r)
            self.samples.append((time.monotonic() - t0, r))
            self._stop.wait(0.25)

    def cpu(self) -> float:
        return cpu_tree(self.proc.pid)

    def rss(self) -> int:
        return rss_tree(self.proc.pid)

    def stop(self) -> None:
        self._stop.set()
        super().stop()


# --- one student -------------------------------------------------------------------------------

def url_path(file: Path) -> str:
    return re.sub(r"^[0-9]+[_ -]*", "", file.stem)


class Session:
    def __init__(self, n: int, page, base: str, errors: list, timeout: float):
        self.n, self.page, self.base, self.errors, self.timeout = n, page, base, errors, timeout
        page.on("pageerror", lambda e: errors.append(f"session {n}: javascript error: {e}"))

    def error(self, what: str) -> None:
        self.errors.append(f"session {self.n} at {self.page.url}: {what}")

    async def idle(self, timeout: float | None = None) -> dict:
        """Wait until the script is idle with no training panel and no stale elements."""
        deadline = time.monotonic() + (timeout or self.timeout)
        since, s = None, {}
        while time.monotonic() < deadline:
            s = await self.page.evaluate(STATE)
            ok = (s["script"] == "notRunning" and not s["training"] and not s["stale"]
                  and s["blocks"] > 0)
            if s["conn"] not in (None, "CONNECTED"):
                ok = False
            if ok:
                since = since or time.monotonic()
                if time.monotonic() - since >= 0.3:
                    break
            else:
                since = None
            await asyncio.sleep(0.1)
        else:
            self.error(f"not idle after {timeout or self.timeout:.0f}s ({s})")
        for e in s.get("exceptions") or []:
            self.error(f"exception on the page: {e}")
        return s

    async def open(self, path: str = "", query: str = "") -> None:
        await self.page.goto(f"{self.base}/{path}" + (f"?{query}" if query else ""))
        await self.page.evaluate(OBSERVER)
        await self.idle()

    async def nav(self, path: str) -> None:
        links = self.page.locator("[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']")
        for i in range(await links.count()):
            href = (await links.nth(i).get_attribute("href")) or ""
            tail = href.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
            if (path and tail == path) or (not path and href.split("?")[0].rstrip("/") in (self.base, "")):
                await links.nth(i).click()
                await self.idle()
                return
        self.error(f"no sidebar link to /{path}")

    async def move(self, kind: str, label: str) -> float | None:
        """Make the move and return the ms from it to the script being idle again."""
        main = self.page.locator("[data-testid='stMain']")
        label_loc = self.page.locator("[data-testid='stWidgetLabel']", has_text=label)
        try:
            if kind == "toggle":
                target = main.locator("[data-testid='stCheckbox']").filter(has_text=label).first.locator("label").first
            elif kind == "slider":
                target = main.locator("[data-testid='stSlider']").filter(has=label_loc).first \
                    .locator("input[type='range'], [role='slider']").first
            else:
                target = main.locator("[data-testid='stNumberInput']").filter(has=label_loc).first \
                    .locator("[data-testid='stNumberInputStepUp']").first
            await target.wait_for(state="attached", timeout=30_000)
            if kind == "slider":
                await target.focus()
            url0 = self.page.url
            t0 = await self.page.evaluate("performance.now()")
            if kind == "slider":
                await target.press("ArrowRight" if random.random() < 0.5 else "ArrowLeft")
            else:
                await target.click()
            # done: a 'running' -> 'notRunning' change after the move; or, when the browser
            # drew both in one frame (a fast rerun under load), the URL now carries the new
            # value (written at the end of the run) and the script is idle
            ms = None
            deadline = time.monotonic() + min(60.0, self.timeout)
            while ms is None and time.monotonic() < deadline:
                ms = await self.page.evaluate(RERUN_DONE, t0)
                if ms is None and self.page.url != url0:
                    now, state = await self.page.evaluate(
                        "() => [performance.now(), document.querySelector(\"[data-testid='stApp']\")"
                        ".getAttribute('data-test-script-state')]")
                    if state == "notRunning":
                        ms = now - t0
                if ms is None:
                    await asyncio.sleep(0.02)
            if ms is None:
                st = await self.page.evaluate("() => (window.__gm || []).slice(-4)")
                self.error(f"{kind} {label!r}: no rerun finished within 60s after the move "
                           f"(last script states: {st})")
            await self.idle()
            return ms
        except Exception as e:  # a widget that never answers is an error, not a crash
            self.error(f"{kind} {label!r}: {type(e).__name__}: {str(e).splitlines()[0]}")
            return None


# --- scenarios -----------------------------------------------------------------------------------

async def new_session(browser, n, base, errors, timeout):
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})
    return ctx, Session(n, await ctx.new_page(), base, errors, timeout)


async def click_through(browser, base, k, pages, errors, timeout, repeats=2):
    lat: list[float] = []
    per_page: dict[str, list[float]] = {p: [] for p in pages}

    async def one(n):
        ctx, s = await new_session(browser, n, base, errors, timeout)
        try:
            await asyncio.sleep(n * 0.3)  # students arrive within a few seconds
            await s.open()
            for p in pages:
                if p:
                    await s.nav(p)
                if p in MOVES:
                    for _ in range(repeats):
                        ms = await s.move(*MOVES[p])
                        if ms is not None:
                            lat.append(ms)
                            per_page[p].append(ms)
        finally:
            await ctx.close()

    await asyncio.gather(*(one(n) for n in range(k)))
    return lat, per_page


async def uncached(browser, base, k, seeds, errors, timeout):
    """Every session opens the Autoencoder with its seed at once; returns seconds to the
    page shown, per session, and the most training jobs any sidebar reported."""
    done, jobs_seen = [], [0]

    async def one(n):
        ctx, s = await new_session(browser, n, base, errors, timeout)
        try:
            t0 = time.monotonic()
            await s.page.goto(f"{base}/Autoencoder?seed={seeds[n]}&latent=8&depth=1")
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                st = await s.page.evaluate(STATE)
                if st["jobs"]:
                    jobs_seen[0] = max(jobs_seen[0], int(st["jobs"]))
                if st["exceptions"]:
                    break
                if (st["script"] == "notRunning" and not st["training"] and not st["stale"]
                        and st["blocks"] > 0
                        and await s.page.locator("[data-testid='stMain'] [data-testid='stImage'] img").count()):
                    break
                await asyncio.sleep(0.2)
            await s.idle()
            done.append(time.monotonic() - t0)
        finally:
            await ctx.close()

    await asyncio.gather(*(one(n) for n in range(k)))
    return done, jobs_seen[0]


def trained_seconds(cache: Path, first: int, k: int) -> dict[int, list[float]]:
    """Seed -> training seconds of the Autoencoder entries the uncached scenarios made."""
    import json
    out: dict[int, list[float]] = {}
    for d in Path(cache).glob("ae-digits-*"):
        try:
            info = json.loads((d / "config.json").read_text())
        except (OSError, ValueError):
            continue
        seed = info.get("config", {}).get("seed")
        if isinstance(seed, int) and first <= seed <= first + k:
            out.setdefault(seed, []).append(info.get("train_seconds", 0.0))
    return out


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q / 100 * (len(xs) - 1))))]


async def main_async(a) -> int:
    from playwright.async_api import async_playwright
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    cache = Path(a.cache_dir).expanduser() if a.cache_dir else None
    if not a.no_train:
        print("train.py: every default digits model into the cache (skips cached ones)…", flush=True)
        subprocess.run([sys.executable, "train.py"] + (["--cache-dir", str(cache)] if cache else []),
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    if cache is None:
        sys.path.insert(0, str(ROOT))
        import gm
        cache = gm.cache_dir()
    log = Path(a.log)
    pages = [""] + [url_path(p) for p in sorted((ROOT / "pages").glob("*.py"))]
    errors: list[str] = []
    t_start = time.monotonic()
    srv = Server(cache, Path(a.data_dir) if a.data_dir else None, log)
    print(f"server {srv.url} (127.0.0.1 only), cache {cache}, {len(pages)} pages, "
          f"{a.sessions} sessions; idle server RSS {srv.rss() / 2**20:.0f} MiB", flush=True)
    report = {}
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=chromium, args=ARGS)
            # 1. warm-up (not timed): whatever the default views need gets trained now
            t = time.monotonic()
            warm_errors: list[str] = []
            await click_through(browser, srv.url, 1, pages, warm_errors, a.timeout, repeats=1)
            errors += [f"warm-up: {e}" for e in warm_errors]
            print(f"warm-up pass: {time.monotonic() - t:.0f}s", flush=True)

            # 2. K sessions click through every page
            t, c = time.monotonic(), srv.cpu()
            lat, per_page = await click_through(browser, srv.url, a.sessions, pages, errors, a.timeout)
            report["click"] = (lat, per_page, time.monotonic() - t)
            report["cpu_click"] = (srv.cpu() - c) / (time.monotonic() - t)
            print(f"click-through: {len(lat)} moves in {time.monotonic() - t:.0f}s", flush=True)

            # 3. one new model asked for by everyone at once, 4. a new model each
            base_seed = random.randint(1000, 9000) if a.seed is None else a.seed
            t, c = time.monotonic(), srv.cpu()
            same, jobs_same = await uncached(browser, srv.url, a.sessions, [base_seed] * a.sessions,
                                             errors, a.timeout)
            report["same"] = (same, jobs_same, time.monotonic() - t)
            report["cpu_same"] = (srv.cpu() - c) / (time.monotonic() - t)
            print(f"same uncached model: {time.monotonic() - t:.0f}s", flush=True)
            t, c = time.monotonic(), srv.cpu()
            seeds = [base_seed + 1 + i for i in range(a.sessions)]
            distinct, jobs_distinct = await uncached(browser, srv.url, a.sessions, seeds, errors, a.timeout)
            report["distinct"] = (distinct, jobs_distinct, time.monotonic() - t)
            report["cpu_distinct"] = (srv.cpu() - c) / (time.monotonic() - t)
            print(f"distinct uncached models: {time.monotonic() - t:.0f}s", flush=True)
            await browser.close()
    finally:
        srv.stop()

    trained = trained_seconds(cache, base_seed, a.sessions)
    peak = srv.peak
    print()
    print(f"=== load: {a.sessions} sessions, {os.cpu_count()} CPU cores shared by the server and "
          f"all the browsers; total {time.monotonic() - t_start:.0f}s")
    lat, per_page, secs = report["click"]
    if lat:
        print(f"click-through: {len(lat)} control moves in {secs:.0f}s; move -> page idle: "
              f"median {statistics.median(lat):.0f} ms, p95 {pct(lat, 95):.0f} ms, max {max(lat):.0f} ms")
        for pg, xs in per_page.items():
            if xs:
                print(f"    {pg or 'home':<26} n={len(xs):<3} median {statistics.median(xs):6.0f} ms"
                      f"   p95 {pct(xs, 95):6.0f} ms")
    same, jobs_same, secs = report["same"]
    print(f"  server CPU while clicking: {report['cpu_click']:.0%} of one core")
    t_same = trained.get(base_seed, [])
    print(f"same uncached model x{a.sessions}: all pages shown after {secs:.1f}s "
          f"(per session median {statistics.median(same):.1f}s, max {max(same):.1f}s); "
          f"training jobs at once: {jobs_same} (1 = trained once); cache entries: {len(t_same)}, "
          f"training took {', '.join(f'{x:.1f}s' for x in t_same)}; server CPU {report['cpu_same']:.0%}")
    distinct, jobs_distinct, secs = report["distinct"]
    print(f"distinct uncached models x{a.sessions}: all pages shown after {secs:.1f}s "
          f"(per session median {statistics.median(distinct):.1f}s, max {max(distinct):.1f}s); "
          f"jobs queued at once (most seen): {jobs_distinct}; training took "
          f"{', '.join(f'{x[0]:.1f}s' for s_, x in sorted(trained.items()) if s_ != base_seed)}; "
          f"server CPU {report['cpu_distinct']:.0%}")
    print(f"server peak memory (RSS incl. children): {peak / 2**20:.0f} MiB "
          f"({'under' if peak < 2 * GIB else 'OVER'} 2 GiB)")
    print(f"errors: {len(errors)}")
    for e in errors[:30]:
        print("   ", e)
    ok = not errors and peak < 2 * GIB and jobs_same <= 1 and len(t_same) == 1
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sessions", type=int, default=10, help="concurrent browser sessions (default 10)")
    p.add_argument("--cache-dir", help="model cache (default $GM_CACHE_DIR or ~/.cache/gm/models)")
    p.add_argument("--data-dir", help="data folder for the server (default $GM_DATA_DIR)")
    p.add_argument("--no-train", action="store_true", help="skip running train.py first")
    p.add_argument("--seed", type=int, help="first seed of the uncached models (default: random)")
    p.add_argument("--timeout", type=float, default=240, help="seconds one wait may take")
    p.add_argument("--max-seconds", type=float, default=1200, help="stop the whole run after this")
    p.add_argument("--log", default="/tmp/gm-load-server.log", help="server log file")
    a = p.parse_args(argv)
    if a.sessions < 1:
        p.error("--sessions must be at least 1")
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        print("no chromium on PATH: `apt-get install chromium`", file=sys.stderr)
        return 2
    try:
        import playwright  # noqa: F401
    except ImportError:
        print("playwright is not installed: `pip install playwright`", file=sys.stderr)
        return 2
    try:
        return asyncio.run(asyncio.wait_for(main_async(a), a.max_seconds))
    except asyncio.TimeoutError:
        print(f"FAIL: stopped after --max-seconds {a.max_seconds:.0f}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
