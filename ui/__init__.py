"""The one place where Streamlit and plotly meet the engine (`gm`) and the lessons.

A page is a view of one lesson module:

    import lessons.vae as lesson
    import ui
    s = ui.setup(lesson)                               # page config + the shared sidebar
    beta = st.select_slider(ui.t("vae.beta"), lesson.BETAS, key=ui.param("beta", 1.0, options=lesson.BETAS))
    vae, = ui.require(*lesson.specs(choice, s.dataset, s.seed))   # stops the page while it trains
    stats = ui.compute(lesson.test_stats, vae.spec)     # cached per Spec for every session
    st.caption(ui.say(stats["verdict"]))                # the verdict in the student's language
    ui.share()                                          # the URL now reproduces this view

Modules: `page` (set-up, sidebar), `params` (URL-mirrored controls), `models` (require,
compute, the training panel), `text` (the message catalogs), `images`, `figures/`.
"""
from __future__ import annotations

from .figures import chart
from .images import digit_cell, grid, show as images
from .models import (cached, compute, judges, loaded, referee, referee_spec, require, train_missing,
                     training_panel, warm)
from .page import Settings, intro, link, setup
from .params import param, share
from .text import bound, num, say, t

__all__ = ["chart", "digit_cell", "grid", "images", "cached", "train_missing", "compute", "judges", "loaded", "referee", "referee_spec", "require",
           "training_panel", "warm", "Settings", "intro", "link", "setup", "param", "share", "bound", "num", "say", "t"]
