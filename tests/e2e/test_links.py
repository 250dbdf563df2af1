"""A shared link reproduces the view it was copied from, and the URL follows the controls."""
from __future__ import annotations

import pytest


@pytest.mark.e2e
def test_link_sets_the_controls(student):
    student.open("Autoencoder", "latent=4&depth=1&labels=10")
    student.assert_ok()
    assert student.slider_value("Code size") == "4"
    assert student.slider_value("Labelled examples per class") == "10"
    assert student.page.get_by_text("4 numbers").count() >= 1, "the page does not describe code size 4"
    student.wait_drawn(images=1, charts=1)


@pytest.mark.e2e
def test_url_follows_a_moved_control(student):
    student.open("Autoencoder")
    assert student.query().get("latent") == "8"
    student.slider("Code size", "ArrowRight")        # 8 -> 16
    student.assert_ok()
    assert student.query().get("latent") == "16", student.page.url
    link = student.page.url
    # the copied link, opened by someone else, shows the same view
    other = student.page.context.browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        # the slider is found by its label: the page's first slider is not always Code size
        viewer = type(student)(other.new_page(), student.base, student.screens)
        viewer.page.goto(link)
        viewer.settle()
        viewer.page.get_by_text("16 numbers").first.wait_for(timeout=120_000)
        assert viewer.slider_value("Code size") == "16", viewer.page.url
    finally:
        other.close()


@pytest.mark.e2e
def test_link_to_vae_view(student):
    student.open("VAE", "latent=8&beta=1.0&first=3")
    student.assert_ok()
    assert student.radio_value("Code size") == "8"
    assert student.number_value("First test image") == "3"
    assert student.slider_value("β") == "1.0"
    student.wait_drawn(images=4, charts=2)


@pytest.mark.e2e
def test_controls_survive_a_training_panel(student):
    import random
    seed = random.randint(5000, 9999)                 # a model nobody trained yet
    student.open("Autoencoder", f"seed={seed}&labels=10")
    student.radio("Hidden layers", "2")               # trains in the background: panel, page stops
    assert student.query().get("labels") == "10"
    student.radio("Hidden layers", "1")
    assert student.query().get("labels") == "10", student.page.url
    assert student.slider_value("Labelled examples per class") == "10"
