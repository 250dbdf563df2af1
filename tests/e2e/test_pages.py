"""Every page in a real browser: opened from the sidebar, its main controls moved and its
buttons pressed, with no exception, every image loaded and every chart drawn."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the suite skips without playwright (conftest)
    PlaywrightTimeout = TimeoutError

ROOT = Path(__file__).resolve().parents[2]


def url_path(file: Path) -> str:
    """Streamlit's URL path of a page file: the name without its number prefix."""
    return re.sub(r"^[0-9]+[_ -]*", "", file.stem)


PAGES = [""] + [url_path(p) for p in sorted((ROOT / "pages").glob("*.py"))]


# --- what each page must show, and the moves a student makes on it ------------------------------
# images/charts: the least number of loaded images and drawn plotly charts after the first
# render (and `after`, once the moves are done, where they change the view). Pages without
# an entry get the generic check: something is drawn, and every slider in the main area
# moves one step.

def _home(s):
    s.radio("Classes", "1 and 7")
    s.number("Test image", step_up=1)
    s.radio("Make a new", "7")
    s.button("Make a new one")


def _autoencoder(s):
    s.slider("Code size", "ArrowLeft")            # code size 4: trained in the background
    s.radio("Hidden layers", "2")                 # a stacked autoencoder: trained too
    s.radio("Hidden layers", "1")
    s.slider("Labelled examples per class", "ArrowRight")
    _train_missing(s, "missing size")


def _train_missing(s, text):
    """Press 'Train the missing ...' when shown: the jobs queue and a progress panel appears;
    then cancel them (the Cancel buttons), so they do not load the machine for later tests."""
    missing = s.page.locator("[data-testid='stMain'] [data-testid='stButton'] button").filter(has_text=text)
    if not missing.count():
        return
    s.button(text)
    s.page.locator("[data-testid='stMain'] [data-testid='stProgress']").first.wait_for(
        state="attached", timeout=20_000)
    cancel = s.page.locator("[data-testid='stMain'] [data-testid='stButton'] button:not([disabled])") \
        .filter(has_text="Cancel")
    for _ in range(12):  # bounded: each panel redraws itself every 0.7 s, so a click may miss
        if not cancel.count():
            break
        try:
            cancel.first.click(timeout=5_000)
        except PlaywrightTimeout:
            pass
        s.page.wait_for_timeout(400)
    s.settle()


def _sparse(s):
    s.number("Test digit to probe with", step_up=1)
    s.slider("Target rate", "ArrowRight")         # a new sparse model: trained in the background
    # (the penalty radio and the weight slider, each another model, are the AppTests')


def _denoising(s):
    s.slider("Test noise level", "ArrowRight")
    s.button("New noise")
    s.radio("Score", "MSE")
    s.slider("Training noise level", "ArrowLeft")  # another level: trained in the background
    s.radio("Noise kind", "gaussian")
    _train_missing(s, "missing level")


def _convolutional(s):
    s.number("Test digit", step_up=1)
    s.select("Feature maps of layer", 0)
    # not the code size: three models at a new size train for 3-4 minutes on 2 busy cores;
    # the VAE's new β below shows a page training in the background


def _vae(s):
    s.slider("β", "ArrowLeft")
    s.radio("Code size", "8")
    s.slider("β", "ArrowLeft")                    # a new β at code size 8: trained in the background
    s.number("First test image", step_up=1)
    s.button("Resample")


def _gaps(s):
    s.radio("View", "PCA")
    s.toggle("Overlay 300 samples")
    s.radio("View", "t-SNE")
    s.slider("t-SNE perplexity", "ArrowLeft")
    s.number("t-SNE seed", step_up=1)
    s.radio("Code size", "8")
    s.radio("View", "Raw")


def _interpolation(s):
    s.select("From", "3")
    s.number("which one", step_up=1)
    s.slider("Steps", "ArrowRight")
    s.radio("Path", "slerp")
    s.radio("Code size of the autoencoder", "8")


def _gan(s):
    s.number("Noise seed", step_up=1)
    s.button("New noise")
    s.number("To sample #", step_up=1)
    s.radio("Path", "lerp")
    s.radio("View", "Train a GAN live")
    s.slider("D steps per G step", "ArrowRight")
    s.slider("D learning rate", "ArrowLeft")
    s.slider("G learning rate", "ArrowRight")
    for b in ("Single step", "Step D only", "Step G only"):
        s.button(b)
    s.button("Start", settle=False)
    s.page.wait_for_timeout(1500)                  # a few live refreshes at 5 per second
    s.assert_ok("while training live")
    s.button("Pause")
    s.slider("Timeline", "ArrowLeft", times=5)
    s.button("Reset")


def _class(s):
    s.button("Start a class session")              # the teacher's board: QR code and two maps
    s.assert_ok("after starting a class session")


SPECS = {
    "": dict(images=3, charts=1, actions=_home),
    "Autoencoder": dict(images=1, charts=1, actions=_autoencoder),
    "Overcomplete_and_sparse": dict(images=8, charts=2, actions=_sparse),
    "Denoising": dict(images=3, charts=1, actions=_denoising),
    "Convolutional": dict(images=3, charts=0, actions=_convolutional),
    "VAE": dict(images=4, charts=3, actions=_vae),
    "Latent_gaps": dict(images=1, charts=2, actions=_gaps),
    "Interpolation": dict(images=2, charts=1, actions=_interpolation),
    "GAN": dict(images=16, charts=0, actions=_gan, after=dict(images=2, charts=3)),
    "Glossary": dict(images=0, charts=0, actions=None),  # words and links only
    "Class": dict(images=0, charts=0, actions=_class, after=dict(images=1, charts=2)),  # join or start first
}


def _generic(s):
    sliders = s.page.locator("[data-testid='stMain'] [data-testid='stSlider']").locator(s.THUMB)
    for i in range(sliders.count()):
        thumb = sliders.nth(i)
        if thumb.is_disabled() or thumb.get_attribute("aria-disabled") == "true":
            continue
        thumb.focus()
        thumb.press("ArrowRight")
        s.settle()
        s.assert_ok(f"after moving slider {i}")


@pytest.mark.e2e
@pytest.mark.parametrize("path", PAGES, ids=[p or "home" for p in PAGES])
def test_page_from_sidebar(student, path):
    spec = SPECS.get(path, dict(images=0, charts=0, actions=_generic))
    student.open()                                    # the home page, then the sidebar link
    student.assert_ok("on the home page")
    if path:
        student.nav(path)
    student.assert_ok("after opening it")
    drawn = student.wait_drawn(spec["images"], spec["charts"])
    if path not in SPECS:
        assert drawn["images"] + drawn["charts"] >= 1, f"nothing drawn on /{path}: {drawn}"
    # a row of digits keeps its size on a 1280 px projector, the sidebar open (ui.digit_cell)
    assert not student.shrunk_grids(), f"image grids drawn smaller than made on /{path}"
    student.shot(path or "home")
    if spec["actions"]:
        spec["actions"](student)
        student.assert_ok("after moving its controls")
        after = spec.get("after", spec)
        student.wait_drawn(after["images"], after["charts"])
        student.shot(f"{path or 'home'}-after")
