"""Bad input gets a clear message on the page and the session goes on: nonsense in a link,
an empty or huge drawing, a dataset missing offline, a corrupt cache file."""
from __future__ import annotations

import pytest


@pytest.mark.e2e
def test_nonsense_link_values_are_ignored_with_a_notice(student):
    student.open("Autoencoder", "latent=banana&depth=99&labels=-3&seed=abc&dataset=klingon")
    student.assert_ok()
    text = student.page.locator("[data-testid='stApp']").inner_text()
    for bad in ("latent=banana", "depth=99", "labels=-3"):
        assert f"Ignored {bad}" in text or f"Ignored `{bad}`" in text, f"no notice for {bad}"
    assert student.slider_value("Code size") == "8"              # the defaults are used
    assert student.number_value("Seed", sidebar=True) == "0"
    student.wait_drawn(images=1, charts=1)
    student.slider("Code size", "ArrowLeft")                     # and the session goes on
    student.assert_ok()
    assert student.query().get("latent") == "4"


def _draw(student, points):
    canvas = student.page.locator("[data-testid='stMain'] canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    m = student.page.mouse
    for stroke in points:
        m.move(box["x"] + stroke[0][0] * box["width"], box["y"] + stroke[0][1] * box["height"])
        m.down()
        for x, y in stroke[1:]:
            m.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=6)
        m.up()
    student.page.wait_for_timeout(500)
    student.settle()


@pytest.mark.e2e
def test_drawings_empty_small_and_huge(student):
    student.open("Latent_gaps")
    student.assert_ok()
    hint = student.page.get_by_text("Draw a digit on the black square")
    assert hint.count() == 1, "an empty canvas shows no hint"
    before = student.drawn()["images"]
    _draw(student, [[(0.5, 0.15), (0.5, 0.85)]])                  # a "1"
    student.assert_ok("after drawing a digit")
    assert hint.count() == 0
    student.wait_drawn(images=before + 1)
    # a scribble over the whole square
    _draw(student, [[(0.02, y / 10), (0.98, y / 10 + 0.05)] for y in range(10)])
    student.assert_ok("after a drawing that fills the canvas")
    student.wait_drawn(images=before + 1)
    student.shot("Latent_gaps-drawing")


@pytest.mark.e2e
def test_missing_dataset_says_what_to_do(student):
    student.open("Autoencoder")                                   # GM_DATA_DIR is an empty folder
    student.select("Dataset", "Fashion-MNIST (28x28)", sidebar=True)
    student.assert_ok()
    text = student.page.locator("[data-testid='stApp']").inner_text()
    assert "not on this machine" in text, text[:2000]
    assert "idx" in text and "GM_DATA_DIR" in text
    student.shot("missing-dataset")
    student.select("Dataset", "Digits", sidebar=True)             # and the session goes on
    student.assert_ok()
    student.wait_drawn(images=1, charts=1)


@pytest.mark.e2e
def test_corrupt_cache_file_is_retrained(student, model_cache):
    import torch

    import gm
    # a model this server has never loaded (seed 7), trained, then its weights overwritten
    spec = gm.Spec("ae", "digits", seed=7, latent_dim=8)
    path = gm.store.entry_path(spec, cache=str(model_cache))
    if not (path / "model.pt").is_file():
        gm.get_model(spec, cache=str(model_cache))
    (path / "model.pt").write_bytes(b"this is not a torch file" * 10)
    student.open("Autoencoder", "dataset=digits&seed=7&latent=8&depth=1")
    student.assert_ok()
    student.wait_drawn(images=1, charts=1)
    state = torch.load(path / "model.pt", weights_only=True)      # retrained and saved again
    assert state["config"]["seed"] == 7
