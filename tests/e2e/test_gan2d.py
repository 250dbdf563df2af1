"""The GAN in the plane in Chromium at a projector's 1280x720: the student draws a target
with the mouse, presses Play and sees D's surface and G's points move (the update count
grows while the page redraws itself), then pauses; the plane is above the fold."""
from __future__ import annotations

import re

import pytest

from test_bad_input import _draw


def updates(student) -> int:
    label = student.page.locator("[data-testid='stMetric']").filter(has_text="Updates").first
    return int(re.sub(r"\D", "", label.locator("[data-testid='stMetricValue']").inner_text()))


@pytest.mark.e2e
def test_draw_a_target_play_and_watch_it_learn(student):
    student.page.set_viewport_size({"width": 1280, "height": 720})
    student.open("GAN_in_the_plane", "target=drawn")
    student.assert_ok()
    assert student.page.get_by_text("Draw a shape on the black square").count() == 1
    _draw(student, [[(0.15, 0.2), (0.85, 0.2), (0.85, 0.8), (0.15, 0.8), (0.15, 0.22)]])  # a square
    student.assert_ok("after drawing a target")
    student.wait_drawn(charts=1)
    assert updates(student) == 0
    student.page.get_by_role("button", name="Play").click()
    student.page.wait_for_timeout(4000)
    moving = updates(student)
    student.page.wait_for_timeout(2000)
    assert updates(student) > moving > 0, "the live panel does not redraw while it trains"
    student.page.get_by_role("button", name="Pause").click()
    student.settle()
    student.assert_ok("after pausing")
    student.wait_drawn(charts=1)  # the paused plane is drawn anew (its chart config changes)
    plane = student.page.locator("[data-testid='stPlotlyChart']").first
    box = None
    for _ in range(30):  # bounded: the paused plane may be drawn anew between two looks
        plane.wait_for(state="visible", timeout=30_000)
        box = plane.bounding_box()
        if box is not None:
            break
        student.page.wait_for_timeout(500)
    assert box is not None, "the paused plane never stayed on the page"
    assert box["y"] + box["height"] <= 720 + 40, box  # the plane in view (its x-axis title may spill)
    student.shot("GAN_in_the_plane-drawn")
