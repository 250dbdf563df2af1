"""The home page (app.py) and lessons.home behind it: supervised vs unsupervised (k-means on
codes), discriminative vs generative ("Make a new one"). Models are pre-trained once into a
temporary cache so the page renders at once. Tests check numbers and verdict keys; the page
must show the catalog's wording of what the lesson computed."""
from __future__ import annotations

import functools
import os
import re

import numpy as np
import torch

import gm
import lessons
from apptest_support import ROOT, cache_fixtures, captions, page
from gm.referee import get_referee
from lessons import home as lesson
from ui.text import num, say, t

MODELS = [("ae", {"latent_dim": 8}), ("vae", {})]

cache, clear = cache_fixtures(MODELS)


def models():
    ae, vae, ref = lesson.specs("digits", 0)
    return gm.get_model(ae), gm.get_model(vae), get_referee("digits")


@functools.cache
def clusters() -> dict:
    return lesson.clusters(models()[0], 0)


@functools.cache
def quality(label: int) -> dict:
    _, vae, ref = models()
    return lesson.class_quality(vae, ref, label)


def metrics(at) -> dict:
    return {m.label: m for m in at.metric}


# --- the page as a whole -------------------------------------------------------------------------

def test_renders_every_section_with_no_raw_key_and_links_every_page():
    at = page("app.py")
    assert not at.info  # models came from the cache: no training panel
    assert [h.value for h in at.header] == [t("home.s1"), t("home.s2")]
    assert at.title[0].value == t("home.heading")
    shown = [e.value for kind in ("markdown", "caption", "header", "subheader", "title")
             for e in getattr(at, kind)] + [m.label for m in at.metric]
    raw = [s for s in shown if re.search(r"\bhome\.[a-z_.]+\b", s)]
    assert not raw, raw
    links = [e.proto.label for e in at.get("page_link")]
    for i, l in enumerate(lessons.LESSONS[1:]):
        item = t("home.map_item", i=i + 1, nav=t(f"{l.SLUG}.nav"), what=t(f"{l.SLUG}.what"))
        assert (item in links) == os.path.exists(ROOT / l.PAGE), l.SLUG


# --- 1. supervised vs unsupervised ----------------------------------------------------------------

def test_the_supervised_gallery_shows_every_class_even_on_a_test_set_ordered_by_class():
    """The embedded MNIST's test set is ordered by class: the gallery takes the first image of
    each class in turn, so its (x, y) pairs show ten labels, not twelve 0s."""
    shown = lesson.gallery("digits")
    y = gm.load_dataset("digits").y_test[shown]
    assert len(shown) == lesson.SHOWN and set(y[:10].tolist()) == set(range(10))
    ordered = lesson.gallery("mnist")
    assert set(gm.load_dataset("mnist").y_test[ordered][:10].tolist()) == set(range(10))
    at = page("app.py")
    want = [t("home.y_is", y=str(int(c))) for c in y]
    assert [i.proto.imgs[k].caption for i in at.get("image")[:1] for k in range(len(want))] == want


def test_cluster_scores_are_far_above_chance_and_the_page_shows_them():
    found = clusters()
    sc = found["scores"]
    for where in ("codes", "pixels"):
        assert 0.3 < sc[where]["ari"] <= 1.0 and 0.3 < sc[where]["nmi"] <= 1.0  # chance is 0
    assert found["gallery"].shape == (10 * lesson.PER_CLUSTER, 1, 8, 8)
    gap = sc["codes"]["ari"] - sc["pixels"]["ari"]
    want = "better" if gap > lesson.SAME_ARI else "worse" if gap < -lesson.SAME_ARI else "same"
    assert found["verdict"].key == f"home.clusters.{want}"
    assert (found["verdict"]["pixels"], found["verdict"]["fewer"]) == (64, 8)
    at = page("app.py")
    shown = metrics(at)
    assert shown[t("home.ari_codes")].value == num(sc["codes"]["ari"], ".2f")
    assert shown[t("home.ari_pixels")].value == num(sc["pixels"]["ari"], ".2f")
    assert shown[t("home.nmi_codes")].value == num(sc["codes"]["nmi"], ".2f")
    assert say(found["verdict"]) in captions(at)
    assert t("home.clusters.caption", n=found["n_test"]) in captions(at)


# --- 2. discriminative vs generative ------------------------------------------------------------

def test_discriminate_separates_the_pair_and_its_bars_are_probabilities():
    clf = lesson.discriminate("digits", (3, 8), 0)
    assert set(clf["y"].tolist()) == {3, 8} and clf["classes"] == [3, 8]
    assert np.allclose(clf["proba"].sum(1), 1) and clf["proba"].shape == (len(clf["x"]), 2)
    assert clf["accuracy"] > 0.9
    assert lesson.classes_of("all", 10) == tuple(range(10)) and lesson.classes_of("4,9", 10) == (4, 9)


def test_class_pair_changes_both_sides():
    at = page("app.py")
    at.radio(key="home.classes").set_value("3,8").run()
    assert not at.exception
    acc = lesson.discriminate("digits", (3, 8), 0)["accuracy"]
    assert t("home.dis.caption", classes="3, 8", acc=acc) in captions(at)
    assert at.radio(key="home.target").options == ["3", "8"]
    assert at.radio(key="home.target").value == 3
    assert t("home.labelled", y="3") in metrics(at)


def test_make_a_new_one_draws_new_digits_the_referee_reads_as_the_class():
    _, vae, ref = models()
    first, second = lesson.generate(vae, ref, 0, 0), lesson.generate(vae, ref, 0, 1)
    assert first["images"].shape == (lesson.NEW, 1, 8, 8)
    assert (first["images"] - second["images"]).abs().max() > 0.05  # a new draw set
    assert first["hits"] == sum(r == 0 for r in first["read"])
    # the class-conditional VAE makes real 0s, and they are not copies of training images
    q = quality(0)
    assert q["rate"] >= 0.8 and q["novelty"] >= lesson.COPY_RATIO
    assert q["verdict"].key == "home.novel" and q["verdict"]["ratio"] == q["novelty"]
    assert 0 < q["variety"] < 1.5 and q["spread"]["ratio"] == q["variety"]
    assert q["spread"].key == ("home.varied" if q["variety"] >= lesson.VARIED else "home.alike")

    at = page("app.py")
    m = metrics(at)[t("home.labelled", y="0")]
    assert m.value == num(q["rate"], ".0%")
    assert m.delta == t("home.hits", hits=first["hits"], n=lesson.NEW)
    assert t("home.gen.read", draw=0) in captions(at) and say(q["verdict"]) in captions(at)
    assert say(q["spread"]) in captions(at)
    at.button(key="home.make").click().run()
    assert not at.exception
    assert at.session_state["home.draw"] == 1
    assert t("home.gen.read", draw=1) in captions(at)
    m = metrics(at)[t("home.labelled", y="0")]
    assert m.value == num(q["rate"], ".0%")  # measured on 500 digits, not on this draw set
    assert m.delta == t("home.hits", hits=second["hits"], n=lesson.NEW)
    # the discriminative side has the button, disabled
    assert at.button(key="home.no_make").disabled


def test_novelty_verdict_says_copies_when_the_new_digits_are_training_images(monkeypatch):
    """Feed class_quality a 'generator' that returns training images: the ratio drops to 0."""
    _, vae, ref = models()
    d = gm.load_dataset("digits")
    zeros = d.x_train[d.y_train == 0]
    monkeypatch.setattr(lesson.latent, "generate_class",
                        lambda model, g, label, n, seed=0: zeros[torch.arange(n) % len(zeros)])
    q = lesson.class_quality(vae, ref, 0)
    assert q["novelty"] < 1e-6 and q["verdict"].key == "home.copies" and q["rate"] > 0.9


def test_variety_verdict_says_alike_when_every_new_digit_is_the_same(monkeypatch):
    """Feed class_quality one image 500 times: no spread at all, and the page would say so."""
    _, vae, ref = models()
    one = gm.load_dataset("digits").x_test[:1]
    monkeypatch.setattr(lesson.latent, "generate_class",
                        lambda model, g, label, n, seed=0: one.repeat(n, 1, 1, 1))
    q = lesson.class_quality(vae, ref, 0)
    assert q["variety"] == 0.0 and q["spread"].key == "home.alike"
