"""The app shell (the ui package): background training shared across sessions and reruns, and
controls mirrored in the URL with bad values ignored."""
from __future__ import annotations

import time

import pytest
import streamlit as st
import torch
from streamlit.testing.v1 import AppTest

from gm import jobs
from ui.text import t


def page_needing_a_model():
    from types import SimpleNamespace

    import streamlit as st

    import ui
    s = ui.setup(SimpleNamespace(SLUG="t"))
    z = st.select_slider("Code size", [2, 4, 8], key=ui.param("latent", 4, options=[2, 4, 8]))
    ae, = ui.require(s.spec("ae", latent_dim=z, epochs=40))
    st.metric("test MSE", f"{ae.info['metrics']['test_mse']:.4f}")
    ui.share()


@pytest.fixture(autouse=True)
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("GM_CACHE_DIR", str(tmp_path))
    st.cache_resource.clear()
    st.cache_data.clear()
    jobs._manager = jobs.JobManager(1)
    yield
    for j in jobs.manager().jobs():
        j.cancel()


def on_digits(at: AppTest) -> AppTest:
    """The 8x8 digits: their models train in a second, whatever the default dataset."""
    at.query_params["dataset"] = "digits"
    return at


def active_jobs():
    return [j for j in jobs.manager().jobs() if j.name == "ae"]


def test_training_runs_in_background_shared_by_sessions_and_reruns():
    a = on_digits(AppTest.from_function(page_needing_a_model, default_timeout=30)).run()
    assert not a.exception
    assert [i.value for i in a.info] == [t("train.waiting")]  # the page did not block
    first = active_jobs()
    assert len(first) == 1 and first[0].state in ("queued", "running")
    a.run()  # a rerun finds the same job instead of starting again
    b = on_digits(AppTest.from_function(page_needing_a_model, default_timeout=30)).run()  # a second session
    assert [j.id for j in active_jobs()] == [first[0].id]
    assert first[0].wait(120) is not None
    b.run()
    assert not b.exception and b.metric[0].label == "test MSE"


def test_queue_position_and_cancel():
    jobs._manager = jobs.JobManager(1)
    a = on_digits(AppTest.from_function(page_needing_a_model, default_timeout=30)).run()
    a.select_slider(key="t.latent").set_value(8).run()  # second distinct model queues behind
    js = sorted(active_jobs(), key=lambda j: j.id)
    assert len(js) == 2 and js[1].position() == 1
    js[1].cancel()
    assert js[1].state == "cancelled"
    js[0].cancel()
    deadline = time.time() + 30
    while js[0].active and time.time() < deadline:
        time.sleep(0.05)
    assert js[0].state in ("cancelled", "done")


def test_url_params_set_controls_and_bad_ones_are_ignored():
    at = AppTest.from_function(page_needing_a_model, default_timeout=30)
    at.query_params["latent"] = "8"
    at.query_params["seed"] = "banana"
    at.run()
    assert not at.exception
    assert at.select_slider(key="t.latent").value == 8
    assert at.number_input(key="seed").value == 0
    assert any("seed=banana" in c.value for c in at.caption)
    ok = AppTest.from_function(page_needing_a_model, default_timeout=30)
    ok.query_params["latent"] = "999"
    ok.run()
    assert ok.select_slider(key="t.latent").value == 4 and not ok.exception


@pytest.mark.parametrize("raw", ["[log in again](http://evil.example/login)",
                                 "![x](http://evil.example/pixel.png)", "nan", "inf", "-inf"])
def test_link_values_are_shown_as_text_and_nan_is_refused(raw):
    at = AppTest.from_function(page_needing_a_model, default_timeout=30)
    at.query_params["seed"] = raw
    at.run()
    assert not at.exception and at.number_input(key="seed").value == 0
    note = next(c.value for c in at.caption if "seed" in c.value)
    assert "](" not in note.replace("\\]\\(", "")  # every bracket escaped: no link, no image
    assert "evil" not in note or "\\[" in note


def test_nan_and_inf_never_pass_a_range_check():
    from ui.params import parse
    for raw in ("nan", "NaN", "inf", "-inf", "1e999"):
        assert parse(raw, 0.5, lo=0.0, hi=1.0) is None
    assert parse("0.25", 0.5, lo=0.0, hi=1.0) == 0.25


def test_main_figure_digits_are_drawn_at_84_px_or_more():
    """ui.digit_cell: a whole multiple of the digit's side (crisp pixels), at least 84 px."""
    from ui.images import DIGIT, digit_cell, grid
    assert DIGIT == 84 and digit_cell(28) == 84 and digit_cell(8) == 88 and digit_cell(16) == 96
    x = torch.rand(10, 1, 28, 28)
    assert grid(x, ncols=10, cell=digit_cell(28)).shape == (84 + 4, 10 * 86 + 2)  # 862 px: fits at 1280
