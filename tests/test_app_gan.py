"""The GAN cockpit page through AppTest: the sampling view renders from the cached GAN,
and the live view starts, steps D only, steps G only and pauses a real training run."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import gm
from gm.referee import get_referee

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "8_GAN.py")
LIVE = "gan.live.digits.0.fresh"


@pytest.fixture(scope="module", autouse=True)
def cache(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("GM_CACHE_DIR", str(tmp_path_factory.mktemp("gm-cache")))
    gm.get_model("gan", "digits", seed=0)  # the config the page asks for
    get_referee("digits")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    mp.undo()


def page(mode: str) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["mode"] = mode
    return at.run()


def texts(at) -> str:
    return " ".join(str(e.value) for kind in ("markdown", "caption", "success", "error", "warning")
                    for e in getattr(at, kind))


def test_sampling_view_shows_samples_with_their_d_score():
    at = page("sample")
    assert not at.exception
    captions = [i.proto.imgs[0].caption for i in at.get("image")]
    assert sum("D(x)=" in c and "?" in c for c in captions) == 16
    assert "Fréchet distance" in texts(at) and "classes covered" in texts(at)
    assert "(real training images)" in texts(at) and "(uniform noise)" in texts(at)  # both anchors
    seed = at.number_input(key="gan.noise").value
    at.button(key="gan.new_noise").click().run()
    assert not at.exception and at.number_input(key="gan.noise").value == seed + 1


def test_live_view_step_d_only_step_g_only_start_and_pause():
    at = page("live")
    assert not at.exception
    live = at.session_state[LIVE]
    at.button(key="gan.step_d").click().run()
    assert not at.exception and (live.n_d, live.n_g) == (1, 0)
    assert live.snap["moved"]["D"] > 0 and live.snap["moved"]["G"] == 0
    assert at.metric[0].label.startswith("Discriminator") and at.metric[0].delta == "moved"
    assert at.metric[1].delta == "frozen"
    at.button(key="gan.step_g").click().run()
    assert (live.n_d, live.n_g) == (1, 1) and live.snap["moved"]["D"] == 0
    assert at.metric[0].delta == "frozen" and at.metric[1].delta == "moved"

    at.slider(key="gan.ratio").set_value(2).run()
    at.button(key="gan.step").click().run()
    assert (live.n_d, live.n_g) == (3, 2)

    at.button(key="gan.start").click().run()
    assert not at.exception and live.running
    deadline = time.time() + 20
    while live.n_g < 50 and time.time() < deadline:
        time.sleep(0.05)
    at.run()  # a rerun does not kill the training
    assert at.session_state[LIVE] is live and live.running and live.n_g >= 50
    assert "updates/s" in texts(at)
    at.button(key="gan.pause").click().run()
    assert not at.exception and not live.running
    n = live.it
    time.sleep(0.3)
    assert live.it == n
    assert "Paused" in texts(at)


def test_recipe_sets_the_controls_and_the_running_session_follows():
    at = page("live")
    at.button(key="gan.recipe.1").click().run()
    assert not at.exception
    assert at.slider(key="gan.ratio").value == 5
    live = at.session_state[LIVE]
    assert live.d_steps == 5 and live.lr == {"D": 5e-3, "G": 1e-4}
