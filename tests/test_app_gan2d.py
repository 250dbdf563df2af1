"""The GAN-in-the-plane page (pages/10_GAN_in_the_plane.py, ui.gan2d) over lessons.gan2d:
it opens on the 8-blob mixture untrained, a step makes PER_TICK updates of the image
GAN's own step, Play and Pause swap, a new target starts a new session, and a drawn
target becomes points (a blank canvas gives a hint, not an error)."""
from __future__ import annotations

import numpy as np

from apptest_support import metric, page
from lessons import gan2d as lesson
from ui.text import num, say, t

PAGE = "pages/10_GAN_in_the_plane.py"


def test_opens_untrained_and_a_step_trains_it():
    at = page(PAGE)
    assert metric(at, t("gan2d.metric.updates")).value == num(0, ",d")
    live = at.session_state["gan2d.live"]
    assert live.target.name == "gaussians8" and live.it == 0
    assert say(live.state()["verdict"]) in [m.value for m in at.markdown]
    at.button(key="gan2d.step").click().run()
    assert not at.exception and live.it == lesson.PER_TICK
    assert metric(at, t("gan2d.metric.updates")).value == num(lesson.PER_TICK, ",d")


def test_play_pause_and_a_new_target_starts_again():
    at = page(PAGE)
    at.button(key="gan2d.play").click().run()
    assert not at.exception and at.session_state["gan2d.running"]
    assert at.button(key="gan2d.play").label == t("gan2d.pause")
    assert at.button(key="gan2d.step").disabled
    first = at.session_state["gan2d.live"]
    at.radio(key="gan2d.target").set_value("ring").run()
    assert not at.exception and at.session_state["gan2d.live"] is not first
    assert at.session_state["gan2d.live"].target.name == "ring" and not at.session_state["gan2d.running"]


def test_a_drawn_target_needs_ink_and_becomes_points():
    at = page(PAGE, target="drawn")
    assert not at.exception and t("gan2d.draw_hint", n=lesson.MIN_POINTS) in [i.value for i in at.info]
    assert lesson.points_from_drawing(None) is None
    canvas = np.zeros((100, 100, 4), np.uint8)
    assert lesson.points_from_drawing(canvas) is None  # blank
    canvas[40:60, 10:90] = 255  # a bar, 20 px tall and 80 px wide
    pts = lesson.points_from_drawing(canvas)
    assert len(pts) == lesson.MAX_POINTS and np.ptp(pts[:, 0]) == 79 and np.ptp(pts[:, 1]) == 19
    live = lesson.Live2D("drawn", points=pts)
    assert live.target.base[:, 0].std() > 2 * live.target.base[:, 1].std()  # wide stays wide
