"""GAN in the plane page: a view of lessons.gan2d through ui.gan2d. GAN Lab's picture,
driven by the image GAN's own two-player step: the student picks the target (a mixture of
8 Gaussians, a ring, a spiral, a line) or draws one, and watches D's decision surface and
G's points move live, with precision, recall and D's two mean scores measured."""
import streamlit as st

import lessons.gan2d as lesson
import ui
from ui import gan2d as view

s = ui.setup(lesson)
ui.intro(lesson)
picture, side = st.columns([3, 2], gap="medium")
with side:
    target = st.radio(ui.t("gan2d.target"), lesson.TARGETS, format_func=lambda v: ui.t(f"gan2d.target.{v}"),
                      key=ui.param("target", "gaussians8", options=lesson.TARGETS))
    lr = st.select_slider(ui.t("gan2d.lr"), lesson.LR, format_func=lambda v: ui.t("gan.lr", lr=v),
                          key=ui.param("lr", lesson.DEFAULT_LR, options=lesson.LR), help=ui.t("gan2d.lr_help"))
    points = view.drawn_points(picture) if target == "drawn" else None
if target == "drawn" and points is None:
    ui.share()
    st.stop()
live = view.session(target, lr, s.seed, points)
with side:
    running = view.controls(live)
with picture:
    view.panel(live, running)
ui.share()
