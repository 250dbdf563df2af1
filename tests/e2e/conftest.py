"""End-to-end harness: a real `streamlit run app.py` server and the system Chromium,
driven by Playwright as a student would (sidebar links, keyboard on sliders, clicks).

    python -m pytest tests/e2e -q            # about 3-5 minutes on 2 CPU cores

The session trains every default model (28x28 MNIST, the embedded 5,000 digits: the data
folder is empty and downloads are off) into a fresh cache with `train.py --skip-sweeps`
(6-10 minutes)
before it starts the server, so pages render from the cache; pages that
need other models show the background training panel and the tests wait for it.
Set GM_E2E_CACHE=<folder> to reuse a cache between runs (train.py then only checks it).
Screenshots of every page go to a folder under /tmp/gm-e2e-screens, printed at the end.
Without Chromium or Playwright every test here is skipped with one line saying how to
install them; a browser is never downloaded.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from appserver import ROOT, Server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
try:
    import playwright.sync_api  # noqa: F401
    HAVE_PLAYWRIGHT = True
except ImportError:
    HAVE_PLAYWRIGHT = False

SKIP_REASON = None
if not CHROMIUM:
    SKIP_REASON = "no chromium on PATH: install it with `apt-get install chromium` to run tests/e2e"
elif not HAVE_PLAYWRIGHT:
    SKIP_REASON = "playwright is not installed: `pip install playwright` to run tests/e2e"

APP = "[data-testid='stApp']"
EXCEPTION = "[data-testid='stException']"
IMAGES = "[data-testid='stImage'] img"
CHARTS = "[data-testid='stPlotlyChart']"
TRAINING = "Training the model"
NAV_LINKS = "[data-testid='stSidebar'] a[data-testid='stPageLink-NavLink']"  # ui.py's navigation
THUMB = "input[type='range'], [role='slider']"   # a slider's keyboard-focusable thumb
SCREENS: dict = {}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            if SKIP_REASON:
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_terminal_summary(terminalreporter):
    if SCREENS.get("dir"):
        n = len(list(Path(SCREENS["dir"]).glob("*.png")))
        terminalreporter.write_line(f"e2e screenshots ({n}): {SCREENS['dir']}")


# --- server: tests/e2e/appserver.py ------------------------------------------------------------

@pytest.fixture(scope="session")
def e2e_tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


def data_dir(e2e_tmp: Path) -> Path:
    """The session's data folder: empty, so MNIST is the embedded subset, as in a classroom
    with no download."""
    data = e2e_tmp / "data"
    data.mkdir(exist_ok=True)
    return data


def _wait_showing_progress(proc, log: Path, timeout: float, say) -> int | str:
    """Wait for `proc`, printing each model train.py finishes (its log's `[i/n]` lines) as
    it goes, so that the minutes this fixture takes never look hung."""
    deadline, shown = time.monotonic() + timeout, 0
    while True:
        try:
            rc = proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            rc = None
        lines = log.read_text(errors="replace").splitlines()
        for line in lines[shown:]:
            if line.lstrip().startswith("[") or line.startswith("training "):
                say(f"  train.py: {line.strip()}")
        shown = len(lines)
        if rc is not None:
            return rc
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return f"killed after {timeout:.0f} s"


@pytest.fixture(scope="session")
def model_cache(e2e_tmp, pytestconfig) -> Path:
    """A model cache pre-filled by `train.py --skip-sweeps` with every model a page or the
    tour opens with (the denoising page's other noise kinds train when a test asks)."""
    cache = Path(os.environ.get("GM_E2E_CACHE") or e2e_tmp / "models")
    cache.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "train.py", "--skip-sweeps", "--cache-dir", str(cache), "--data-dir", str(data_dir(e2e_tmp))]
    if any(cache.iterdir()):  # a reused cache only needs loading: one process is quickest
        cmd += ["--jobs", "1"]
    log = e2e_tmp / "train.log"
    with open(log, "w") as out:  # a file, not a pipe: a stray worker can never hold us up
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, "GM_OFFLINE": "1"})
        reporter = pytestconfig.pluginmanager.get_plugin("terminalreporter")
        capture = pytestconfig.pluginmanager.get_plugin("capturemanager")

        def say(line: str) -> None:  # past pytest's capture, to the terminal (or CI's log)
            if reporter and capture:
                with capture.global_and_fixture_disabled():
                    reporter.write_line(line)
                    reporter.flush()
        rc = _wait_showing_progress(proc, log, 900, say)
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
    assert rc == 0, f"`{' '.join(cmd[1:])}` failed ({rc}):\n{tail}"
    return cache


def app_env(model_cache: Path, e2e_tmp: Path) -> dict:
    """An app server's environment: the session's cache and empty data folder, offline."""
    return {"GM_CACHE_DIR": str(model_cache), "GM_DATA_DIR": str(data_dir(e2e_tmp)), "GM_OFFLINE": "1"}


@pytest.fixture(scope="session")
def server(model_cache, e2e_tmp):
    srv = Server(app_env(model_cache, e2e_tmp), e2e_tmp / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="session")
def screens() -> Path:
    base = Path("/tmp/gm-e2e-screens")
    base.mkdir(parents=True, exist_ok=True)
    d = Path(tempfile.mkdtemp(prefix=time.strftime("%Y%m%d-%H%M%S-"), dir=base))
    SCREENS["dir"] = str(d)
    return d


# --- a student in a browser ------------------------------------------------------------------

class Student:
    """One browser tab (a fresh Streamlit session) with the moves a person makes."""
    THUMB = THUMB

    def __init__(self, page, base_url: str, screens: Path):
        self.page, self.base, self.screens = page, base_url, screens
        self.js_errors: list[str] = []
        page.on("pageerror", lambda e: self.js_errors.append(str(e)))
        page.set_default_timeout(30_000)

    # navigation
    def open(self, path: str = "", query: str = "", timeout: float = 180, settle: bool = True) -> None:
        """Go to a page; wait until it is idle unless `settle` is False (a page that polls
        several times a second is never idle for long on a busy machine)."""
        url = f"{self.base}/{path}" + (f"?{query}" if query else "")
        self.page.goto(url)
        if settle:
            self.settle(timeout)

    def nav(self, url_path: str, timeout: float = 180) -> None:
        """Click the page's link in the sidebar navigation, as a person would."""
        links = self.page.locator(NAV_LINKS)
        target, deadline = None, time.monotonic() + 20
        while target is None and time.monotonic() < deadline:  # the script draws the links
            for i in range(links.count()):
                href = links.nth(i).get_attribute("href") or ""
                if href.rstrip("/").rsplit("/", 1)[-1].split("?")[0] == url_path or \
                        (url_path == "" and href.rstrip("/") in (self.base, "")):
                    target = links.nth(i)
                    break
            else:
                self.page.wait_for_timeout(200)
        assert target is not None, f"no sidebar link to /{url_path}"
        target.click()
        self.page.wait_for_url(lambda u: u.split("?")[0].rstrip("/").endswith("/" + url_path)
                               if url_path else True)
        self.settle(timeout)

    # waiting
    def state(self) -> dict:
        return self.page.evaluate("""(t) => {
            const a = document.querySelector("[data-testid='stApp']");
            const main = document.querySelector("[data-testid='stMain']") || document.body;
            return {script: a && a.getAttribute('data-test-script-state'),
                    conn: a && a.getAttribute('data-test-connection-state'),
                    training: (main.innerText || '').includes(t),
                    stale: document.querySelectorAll("[data-stale='true']").length,
                    blocks: main.querySelectorAll("[data-testid='stElementContainer']").length};
        }""", TRAINING)

    def settle(self, timeout: float = 180, quiet: float = 0.4) -> float:
        """Wait until the script is idle, no training panel shows, and both hold for `quiet`
        seconds; returns the seconds waited."""
        t0 = time.monotonic()
        deadline, since = t0 + timeout, None
        while True:
            s = self.state()
            ok = s["script"] == "notRunning" and not s["training"] and not s["stale"] and s["blocks"] > 0
            now = time.monotonic()
            if ok:
                since = since or now
                if now - since >= quiet:
                    return now - t0
            else:
                since = None
            if now > deadline:
                self.shot("TIMEOUT")
                raise AssertionError(f"page not idle after {timeout:.0f}s: {s} at {self.page.url}")
            self.page.wait_for_timeout(100)

    # checks
    def exceptions(self) -> list[str]:
        return [e.inner_text()[:600] for e in self.page.locator(EXCEPTION).all()]

    def assert_ok(self, what: str = "") -> None:
        exc = self.exceptions()
        assert not exc, f"exception on {self.page.url} {what}:\n" + "\n---\n".join(exc)
        assert self.state()["conn"] in (None, "CONNECTED"), f"connection lost: {self.state()}"
        assert not self.js_errors, f"javascript errors on {self.page.url}: {self.js_errors}"

    def drawn(self) -> dict:
        """How many images loaded and plotly charts drew (with their SVG) in the main area."""
        return self.page.evaluate("""() => {
            const main = document.querySelector("[data-testid='stMain']") || document;
            const imgs = [...main.querySelectorAll("[data-testid='stImage'] img, [data-testid='stMarkdownContainer'] img")];
            const charts = [...main.querySelectorAll("[data-testid='stPlotlyChart']")];
            return {images: imgs.filter(i => i.complete && i.naturalWidth > 0).length,
                    broken: imgs.filter(i => i.complete && i.naturalWidth === 0).length,
                    charts: charts.filter(c => c.querySelector('.js-plotly-plot .main-svg')).length,
                    charts_total: charts.length};
        }""")

    def wait_drawn(self, images: int = 0, charts: int = 0, timeout: float = 20) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            d = self.drawn()
            if d["images"] >= images and d["charts"] >= charts and not d["broken"]:
                return d
            if time.monotonic() > deadline:
                raise AssertionError(f"expected >= {images} images and >= {charts} charts drawn "
                                     f"on {self.page.url}, found {d}")
            self.page.wait_for_timeout(200)

    def shrunk_grids(self, width: int = 1280, height: int = 720) -> list:
        """At a projector's size, the grids of main-figure digits (cells of ui.digit_cell: 84 px
        for 28x28, 88 for 8x8; told by their height, rows of cell + 2 px) over 400 px wide that
        the page draws narrower than they are: their digits then fall under that size."""
        size = self.page.viewport_size
        try:
            self.page.set_viewport_size({"width": width, "height": height})
            self.page.wait_for_timeout(500)
            return self.page.evaluate("""() => {
                const main = document.querySelector("[data-testid='stMain']") || document;
                const digits = h => [86, 90].some(row => (h - 2) % row === 0);
                return [...main.querySelectorAll("[data-testid='stImage'] img")]
                    .filter(i => i.naturalWidth > 400 && digits(i.naturalHeight))
                    .map(i => [i.naturalWidth, Math.round(i.getBoundingClientRect().width)])
                    .filter(([n, w]) => w < n - 2);
            }""")
        finally:
            self.page.set_viewport_size(size)

    def shot(self, name: str) -> Path:
        """The whole page: Streamlit scrolls inside its main area, so the viewport is made as
        tall as the content for the shot (at most 8000 px), then restored."""
        path = self.screens / f"{name}.png"
        size = self.page.viewport_size
        try:
            h = self.page.evaluate("""() => Math.max(...[...document.querySelectorAll(
                "[data-testid='stMain'], [data-testid='stMainBlockContainer'], [data-testid='stAppViewContainer']")]
                .map(e => e.scrollHeight), window.innerHeight)""")
            self.page.set_viewport_size({"width": size["width"], "height": min(8000, int(h) + 40)})
            self.page.wait_for_timeout(300)
            self.page.screenshot(path=str(path), timeout=20_000)
        except Exception:  # a screenshot never fails a test by itself
            pass
        finally:
            self.page.set_viewport_size(size)
        return path

    # controls (found by their visible label, in the main area unless sidebar=True)
    def _area(self, sidebar: bool):
        return self.page.locator("[data-testid='stSidebar']" if sidebar else "[data-testid='stMain']")

    def widget(self, testid: str, label: str, sidebar: bool = False):
        box = self._area(sidebar).locator(f"[data-testid='{testid}']").filter(
            has=self.page.locator("[data-testid='stWidgetLabel']", has_text=label))
        try:
            box.first.wait_for(state="attached", timeout=30_000)
        except Exception:
            self.shot("MISSING-WIDGET")
            raise AssertionError(f"no {testid} labelled {label!r} on {self.page.url}") from None
        return box.first

    def slider(self, label: str, key: str = "ArrowRight", times: int = 1) -> None:
        """Focus the slider's thumb and press an arrow key, as a keyboard user would."""
        thumb = self.widget("stSlider", label).locator(THUMB).first
        thumb.focus()
        for _ in range(times):
            thumb.press(key)
        self.settle()

    def slider_value(self, label: str) -> str:
        thumb = self.widget("stSlider", label).locator(THUMB).first
        return thumb.get_attribute("aria-valuetext") or thumb.get_attribute("aria-valuenow")

    def radio(self, label: str, option: str, sidebar: bool = False) -> None:
        box = self.widget("stRadio", label, sidebar)
        box.locator("label").filter(has_text=option).first.click()
        self.settle()

    def radio_value(self, label: str) -> str:
        box = self.widget("stRadio", label)
        return box.locator("label").filter(has=self.page.locator("input:checked")).first.inner_text().strip()

    def select(self, label: str, option: str | int, sidebar: bool = False) -> None:
        """Open a selectbox by clicking it and click the option (its text, or its position
        in the list when an int), as a person would."""
        box = self.widget("stSelectbox", label, sidebar)
        field = box.locator("input, [data-baseweb='select']").first
        field.scroll_into_view_if_needed()
        listed = self.page.locator("[role='option']")
        for attempt in range(4):                      # a click, then the keyboard, then again
            if listed.count():
                break
            if attempt % 2 == 0:
                field.click()
            else:
                field.press("ArrowDown")
            try:
                listed.first.wait_for(state="visible", timeout=3000)
            except Exception:
                pass
        if isinstance(option, int):
            options = self.page.locator("[role='option']").nth(option)
        else:
            options = self.page.get_by_role("option", name=option, exact=True)
            if not options.count():
                options = self.page.locator("[role='option']").filter(has_text=option)
        options.first.click()
        self.settle()

    def number(self, label: str, value=None, step_up: int = 0) -> None:
        box = self.widget("stNumberInput", label)
        if value is not None:
            inp = box.locator("input").first
            inp.fill(str(value))
            inp.press("Enter")
        for _ in range(step_up):
            box.locator("[data-testid='stNumberInputStepUp']").first.click()
            self.settle()
        self.settle()

    def number_value(self, label: str, sidebar: bool = False) -> str:
        return self.widget("stNumberInput", label, sidebar).locator("input").first.input_value()

    def toggle(self, label: str) -> None:
        self._area(False).locator("[data-testid='stCheckbox']").filter(has_text=label).first \
            .locator("label").first.click()
        self.settle()

    def button(self, text: str, settle: bool = True) -> None:
        self._area(False).locator("[data-testid='stButton'] button:not([disabled])") \
            .filter(has_text=text).first.click()
        if settle:
            self.settle()

    def query(self) -> dict:
        from urllib.parse import parse_qs, urlparse
        return {k: v[0] for k, v in parse_qs(urlparse(self.page.url).query).items()}


@pytest.fixture
def student(server, browser, screens):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    try:
        yield Student(page, server.url, screens)
    finally:
        ctx.close()
