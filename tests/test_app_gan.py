"""The GAN page through AppTest, and lessons.gan behind its sampling view: the sheet shows
the trained GAN's samples with their D(x), the quality line and the balance caption are
the catalog's wording of what the lesson measured, the walk starts and ends at the chosen
samples, and the live view starts, steps D only, steps G only and pauses a real run."""
from __future__ import annotations

import time

import pytest
import torch
from streamlit.testing.v1 import AppTest

import gm
from apptest_support import ROOT, RUN_TIMEOUT, cache_fixtures, captions, page
from gm.referee import get_judges, get_referee
from lessons import gan as lesson
from lessons import gan_cockpit
from ui.text import say, t

PAGE = "pages/8_GAN.py"
LIVE = "gan.live.digits.0.fresh"

cache, clear = cache_fixtures([("gan", {})])


def models():
    return gm.get_model(*lesson.specs("digits", 0)), get_referee("digits")


def image_captions(at) -> list[str]:
    return [i.proto.imgs[0].caption for i in at.get("image")]


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_balance_verdict_follows_the_gap_between_real_and_fake_scores():
    assert lesson.balance(0.50, 0.45).key == "gan.balance.close"
    ahead = lesson.balance(0.80, 0.30)
    assert ahead.key == "gan.balance.d_ahead" and ahead["gap"] == pytest.approx(0.5)
    assert lesson.balance(0.30, 0.60).key == "gan.balance.fooled"


def test_sampling_view_shows_samples_with_their_d_score_and_the_measured_quality():
    gan, ref = models()
    q = lesson.quality(gan, *get_judges("digits"))
    assert q["second_share"] <= 0.1 and q["second_covered"] >= 9  # the second judge agrees
    assert 0.5 < q["precision"] <= 1 and 0.5 < q["recall"] <= 1
    assert q["floor"] < q["fd"] < q["ceiling"] and q["share"] == pytest.approx(q["fd"] / q["ceiling"])
    assert q["classes_covered"] >= 8 and 0 < q["d_fake"] < 1 and 0 < q["d_real"] < 1
    assert q["balance"] == lesson.balance(q["d_real"], q["d_fake"])
    at = page(PAGE, mode="sample")
    sheet = lesson.sheet(gan, ref, 0)
    assert len(sheet["d"]) == lesson.SHEET
    expected = [t("gan.sample.caption", i=i, d=d, label=c, real=r)
                for i, (d, c, r) in enumerate(zip(sheet["d"], sheet["label"], sheet["realism"]))]
    assert image_captions(at)[:lesson.SHEET] == expected
    quality = t("gan.quality", n=lesson.SCORED, fd=q["fd"], floor=q["floor"], ceiling=q["ceiling"],
                share=q["share"], covered=q["classes_covered"], of=10, seconds=q["seconds"])
    assert quality in markdown(at) and say(q["balance"]) in captions(at)
    assert t("gan.judges", precision=q["precision"], recall=q["recall"], second=q["second_share"],
             covered=q["second_covered"], of=10) in captions(at)
    # how the GAN was made: the 8x8 MLP pair, its updates and the weight average
    assert q["built"] == lesson.built(gan) and q["built"].key == "gan.built.mlp"
    assert q["built"]["steps"] == gan.info["steps"] > 0 and say(q["built"]) in captions(at)
    # a new noise seed draws a new sheet
    at.button(key="gan.new_noise").click().run()
    assert not at.exception and at.number_input(key="gan.noise").value == 1
    new = lesson.sheet(gan, ref, 1)
    assert image_captions(at)[0] == t("gan.sample.caption", i=0, d=new["d"][0], label=new["label"][0],
                                         real=new["realism"][0])
    assert new["d"] != sheet["d"]


def test_the_walk_runs_from_one_sample_to_another_and_follows_the_url():
    gan, ref = models()
    sheet = lesson.sheet(gan, ref, 7)
    slerp, lerp = lesson.walk(gan, 7, 2, 5, "slerp"), lesson.walk(gan, 7, 2, 5, "lerp")
    assert len(slerp["d"]) == lesson.STEPS
    for w in (slerp, lerp):  # both paths start at sample #2 and end at #5
        assert torch.allclose(w["x"][0], sheet["x"][2], atol=1e-5)
        assert torch.allclose(w["x"][-1], sheet["x"][5], atol=1e-5)
    assert (slerp["x"][4] - lerp["x"][4]).abs().max() > 1e-3  # ... by different ways
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=RUN_TIMEOUT)  # page()'s own `path` is taken
    at.query_params.update(dataset="digits", mode="sample", noise="7", a="2", b="5", path="lerp")
    at.run()
    assert not at.exception
    assert at.number_input(key="gan.noise").value == 7 and at.radio(key="gan.path").value == "lerp"
    assert image_captions(at)[lesson.SHEET:] == [t("gan.walk.dx", d=d) for d in lerp["d"]]
    assert t("gan.walk.caption") in captions(at)


def moved(at) -> tuple[str, str]:
    """The deltas under the D and G 'moved' metrics."""
    m = {m.label: m.delta for m in at.metric}
    return m[t("gan.moved.D")], m[t("gan.moved.G")]


def test_live_view_step_d_only_step_g_only_start_and_pause():
    at = page(PAGE, mode="live")
    live = at.session_state[LIVE]
    assert (live.n_d, live.n_g) == (0, 0)
    warming = gan_cockpit.diagnose([], None)[0][1]
    assert [s.value for s in at.success] == [say(warming)]
    assert say(live.snap["collapse"]["verdict"]) in captions(at)
    assert say(live.snap["memo"]["verdict"]) in markdown(at)
    at.button(key="gan.step_d").click().run()
    assert not at.exception and (live.n_d, live.n_g) == (1, 0)
    assert live.snap["moved"]["D"] > 0 and live.snap["moved"]["G"] == 0
    assert moved(at) == (t("gan.delta.moved"), t("gan.delta.frozen"))
    at.button(key="gan.step_g").click().run()
    assert (live.n_d, live.n_g) == (1, 1) and live.snap["moved"]["D"] == 0
    assert moved(at) == (t("gan.delta.frozen"), t("gan.delta.moved"))

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
    assert f"### {t('gan.state.running')} · " in markdown(at)
    at.button(key="gan.pause").click().run()
    assert not at.exception and not live.running
    n = live.it
    time.sleep(0.3)
    assert live.it == n
    assert f"### {t('gan.state.paused')}\n" in markdown(at)


def test_recipe_sets_the_controls_and_the_running_session_follows():
    at = page(PAGE, mode="live")
    at.button(key="gan.recipe.1").click().run()
    assert not at.exception
    assert lesson.RECIPES["d_wins"] == (5, 5e-3, 1e-4)
    assert at.slider(key="gan.ratio").value == 5
    live = at.session_state[LIVE]
    assert live.d_steps == 5 and live.lr == {"D": 5e-3, "G": 1e-4}
    at.button(key="gan.reset").click().run()
    assert not at.exception and at.session_state[LIVE] is not live
