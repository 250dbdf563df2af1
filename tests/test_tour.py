"""The lecture tour (lessons.tour, ui.tour, pages/0_Tour.py): every step is complete in both
languages, each judge picks one of its step's answers, the step is in the URL, and the
page renders step 1 from a small digits cache, moves with Next and Back, answers Reveal,
and shows the training panel (never a blank screen) for a step whose models are missing."""
from __future__ import annotations

import string

import pytest

import lessons
import lessons.tour as tour
from apptest_support import cache_fixtures, page
from ui import text
from ui.text import say, t

# step 1 (unsupervised) and step 2 (generative): an 8-number AE, the VAE and the referee
MODELS = [("ae", {"latent_dim": 8}), ("vae", {})]
cache, clear = cache_fixtures(MODELS)


# --- pure: the steps ------------------------------------------------------------------------------

def keys_of(s: tour.Step) -> list:
    return [s.headline, s.label] + ([s.question] if s.question else []) + list(s.answers)


def test_steps_are_unique_in_the_lectures_order_and_link_to_their_lesson():
    assert len(set(tour.IDS)) == len(tour.IDS) and 12 <= len(tour.IDS) <= 18
    assert all(x.replace("_", "").isalnum() and x.islower() for x in tour.IDS)
    lecture = ["unsupervised", "labels", "generative", "harder", "autoencoder", "bottleneck",
               "features", "stacked", "interpolation", "overcomplete", "sparse", "denoising",
               "convolutional", "vae", "kl", "gaps", "gan", "gan2d"]
    assert list(tour.IDS) == lecture
    for s in tour.STEPS:
        assert s.page == s.lesson.PAGE and s.page.endswith(".py")
        assert not s.answers or 2 <= len(s.answers) <= 4, s.id


@pytest.mark.parametrize("lang", ["en", "da"])
def test_every_step_reads_in_both_languages(lang):
    cat = text.catalog(lang)
    for s in tour.STEPS:
        for v in keys_of(s):
            assert v.key.startswith("tour." if s.id not in tour.DEMOS else f"{s.id}.tour."), v.key
            assert v.key in cat, (lang, v.key)
            assert "{" not in say(v, lang), (lang, v.key)  # every field filled
    assert text.t("tour.next", "da") != text.t("tour.next", "en")


def test_danish_and_english_messages_have_the_same_fields():
    en, da = text.catalog("en"), text.catalog("da")
    fields = lambda m: {(f, spec) for _, f, spec, _ in string.Formatter().parse(m) if f is not None}
    for key in (k for k in en if k.startswith("tour.")):
        assert fields(en[key]) == fields(da[key]), key


# one made-up measurement per branch of each judge: (facts, the answer it supports)
CASES = {
    "unsupervised": [({"codes": 0.8, "pixels": 0.5}, 0), ({"codes": 0.4, "pixels": 0.6}, 1),
                     ({"codes": 0.6, "pixels": 0.61}, 2)],
    "generative": [({"rate": 0.95}, 0), ({"rate": 0.5}, 1), ({"rate": 0.1}, 2)],
    "bottleneck": [({"ae": 0.01, "pca": 0.02}, 0), ({"ae": 0.03, "pca": 0.02}, 1), ({"ae": 0.02, "pca": 0.0201}, 2)],
    "features": [({"codes": 0.9, "pixels": 0.7}, 0), ({"codes": 0.6, "pixels": 0.8}, 1),
                 ({"codes": 0.8, "pixels": 0.81}, 2)],
    "stacked": [({"one": 0.01, "three": 0.008}, 0), ({"one": 0.01, "three": 0.0101}, 1),
                ({"one": 0.01, "three": 0.014}, 2)],
    "interpolation": [({"lowest": 0.9, "mean": 0.95}, 0), ({"lowest": 0.4, "mean": 0.9}, 1)],
    "overcomplete": [({"corr": 0.9, "ink": 1.0}, 0), ({"corr": 0.1, "ink": 0.8}, 1), ({"corr": 0.0, "ink": 0.05}, 2)],
    "sparse": [({"sparse": 0.05, "wide": 0.8}, 0), ({"sparse": 0.8, "wide": 0.8}, 1), ({"sparse": 0.9, "wide": 0.5}, 2)],
    "denoising": [({"denoising_ae": 16, "overcomplete_ae": 10, "ae": 11}, 0),
                  ({"denoising_ae": 9, "overcomplete_ae": 12, "ae": 11}, 1),
                  ({"denoising_ae": 9, "overcomplete_ae": 10, "ae": 11}, 2)],
    "convolutional": [({"conv": 0.01, "fc": 0.02}, 0), ({"conv": 0.02, "fc": 0.01}, 1), ({"conv": 0.01, "fc": 0.01}, 2)],
    "vae": [({"same": 0.9, "spread": 0.05}, 0), ({"same": 1.0, "spread": 0.0}, 1), ({"same": 0.4, "spread": 0.1}, 2)],
    "kl": [({"collapsed": True, "coverage": 1.0}, 0), ({"collapsed": False, "coverage": 0.9}, 1),
           ({"collapsed": False, "coverage": 0.3}, 2)],
    "gaps": [({"ae_prior": 0.9, "vae_prior": 0.3}, 0), ({"ae_prior": 0.5, "vae_prior": 0.8}, 1),
             ({"ae_prior": 0.9, "vae_prior": 0.95}, 2), ({"ae_prior": 0.4, "vae_prior": 0.3}, 3)],
    "gan": [({"covered": 10, "of": 10}, 0), ({"covered": 5, "of": 10}, 1), ({"covered": 1, "of": 10}, 2)],
}


def test_every_judge_returns_one_of_its_answers_and_reaches_each():
    asking = [s for s in tour.STEPS if s.question is not None and s.id not in tour.DEMOS]
    assert {s.id for s in asking} == set(CASES)
    for s in asking:
        seen = set()
        for facts, want in CASES[s.id]:
            got = tour.answer(s, {"facts": facts})
            assert got == want and 0 <= got < len(s.answers), (s.id, facts, got)
            seen.add(got)
        assert seen == set(range(len(s.answers))), s.id  # no answer the model could never give


def test_a_demo_step_is_a_measurement_whose_answer_is_the_demos_own():
    """labels, harder and gan2d bring their own tour_step; demo_step turns it into a
    measurement with the demo's plot, and the step's judge returns the demo's answer."""
    for name in tour.DEMOS:
        s = tour.step(name)
        keys = [a.key for a in s.answers]
        for i, key in enumerate(keys):
            fake = {"number": 0.5, "number_key": f"{name}.tour.number", "figure_data": {"x": 1},
                    "answers": keys, "answer": key, "verdict": tour.verdict(f"{name}.tour.question")}
            m = tour.demo_step(fake, name)
            assert m["figure"] == {"kind": "plot", "name": name, "data": {"x": 1}}
            assert tour.answer(s, m) == i and m["number"].key == f"{name}.tour.number"


def test_neighbours_stop_at_both_ends_and_pretrain_is_every_steps_model():
    assert tour.neighbour(tour.IDS[0], -1) == tour.IDS[0]
    assert tour.neighbour(tour.IDS[-1], 1) == tour.IDS[-1]
    assert tour.neighbour(tour.IDS[0], 1) == tour.IDS[1]
    needed = {sp for s in tour.STEPS for sp in s.specs("digits", 0) if sp.name != "referee"}
    assert needed <= set(lessons.pretrain("digits"))  # train.py trains the whole tour
    quick = set(lessons.pretrain("digits", sweeps=False))  # train.py --skip-sweeps: still the whole tour
    assert needed <= quick < set(lessons.pretrain("digits"))
    assert {s.config.noise for s in quick if s.name == "denoising_ae"} == {"mask"}


def test_a_measurement_gives_its_number_figure_and_answer():
    import gm
    s = tour.step("unsupervised")
    m = s.measure(*[gm.get_model(sp) for sp in s.specs("digits", 0)], seed=0)
    assert m["figure"]["kind"] in tour.FIGURES and m["number"].key == "tour.unsupervised.number"
    (caption, images, ncols), = m["figure"]["panels"]
    assert images.shape[1:] == (1, 8, 8) and ncols <= tour.SHOWN_CLASSES
    assert tour.answer(s, m) in range(len(s.answers))
    assert say(m["number"]) == t("tour.unsupervised.number", ari=m["facts"]["codes"])


# --- the page ---------------------------------------------------------------------------------------

def test_step_one_renders_and_next_and_back_move_through_the_url():
    at = page("pages/0_Tour.py")
    s = tour.STEPS[0]
    assert at.title[0].value == say(s.headline)
    assert [m.label for m in at.metric] == [say(s.label)]
    assert at.metric[0].value == t("tour.hidden_number")  # ask first: the number waits for Reveal
    assert at.query_params["step"] == s.id
    assert at.button(key="tour-back").disabled
    assert t("tour.count", i=1, n=len(tour.IDS)) in [m.value for m in at.markdown]
    at.button(key="tour-next").click().run()
    assert not at.exception and at.title[0].value == say(tour.STEPS[1].headline)
    assert at.query_params["step"] == tour.IDS[1]
    at.button(key="tour-back").click().run()
    assert not at.exception and at.title[0].value == say(s.headline)
    assert at.query_params["step"] == s.id


def test_guess_then_reveal_marks_the_models_answer_and_shows_the_number():
    import gm
    at = page("pages/0_Tour.py", step="unsupervised")
    s = tour.step("unsupervised")
    m = s.measure(*[gm.get_model(sp) for sp in s.specs("digits", 0)], seed=0)
    right = tour.answer(s, m)
    at.button(key="tour-answer-0").click().run()
    assert at.button(key="tour-answer-0").proto.type == "primary"  # the class's guess
    at.button(key="tour-reveal").click().run()
    assert not at.exception
    assert at.metric[0].value == say(m["number"])
    assert at.button(key=f"tour-answer-{right}").proto.type == "primary"
    shown = [e.value for e in list(at.success) + list(at.info)]
    assert shown == [say(m["why"])]


def test_a_step_link_opens_that_step_in_danish():
    at = page("pages/0_Tour.py", step="generative", lang="da")
    assert at.title[0].value == say(tour.step("generative").headline, "da")
    assert at.button(key="tour-next").label == text.t("tour.next", "da")


def test_a_step_whose_models_are_missing_shows_the_training_panel_not_a_blank_screen():
    from gm import jobs
    at = page("pages/0_Tour.py", step="stacked")  # its 3-layer autoencoder is not in the cache
    try:
        assert at.title[0].value == say(tour.step("stacked").headline)
        assert t("train.waiting") in [i.value for i in at.info]
        assert [b.label for b in at.button if b.key and b.key.startswith("tour-answer")]
    finally:
        for j in jobs.manager().jobs():
            j.cancel()
