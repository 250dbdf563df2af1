"""The live GAN session (gm.gan_live) and its meters (gm.gan_report): each step moves
only the network it names, the collapse meter tells a collapsed generator from a real
one, and pause really stops the background steps."""
from __future__ import annotations

import sys
import time

import pytest
import torch
import torch.nn as nn

import gm
from gm import gan_live, gan_report
from gm.referee import get_referee


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    path = tmp_path_factory.mktemp("gm-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("GM_CACHE_DIR", str(path))
    yield path
    mp.undo()


@pytest.fixture(scope="module")
def referee(cache):
    return get_referee("digits")


@pytest.fixture()
def live(referee):
    g = gan_live.LiveGAN("digits", seed=0, referee=referee, snapshot_s=0.05)
    yield g
    g.pause()


def params(module):
    return [p.detach().clone() for p in module.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


def test_step_d_moves_only_d_and_step_g_only_g(live):
    d0, g0 = params(live.model.discriminator), params(live.model.generator)
    live.step_d()
    d1, g1 = params(live.model.discriminator), params(live.model.generator)
    assert not same(d0, d1) and same(g0, g1)
    assert live.snap["moved"]["D"] > 0 and live.snap["moved"]["G"] == 0
    live.step_g()
    d2, g2 = params(live.model.discriminator), params(live.model.generator)
    assert same(d1, d2) and not same(g1, g2)
    assert live.snap["moved"]["D"] == 0 and live.snap["moved"]["G"] > 0
    assert [r["net"] for r in live.history] == ["D", "G"]
    live.d_steps = 3
    live.step()  # a round: 3 D updates against a fixed G, then one G update
    assert [r["net"] for r in live.history[2:]] == ["D", "D", "D", "G"]


def test_learning_rates_reach_the_optimizers(live):
    live.set_lr(lr_g=2e-3, lr_d=5e-4)
    assert live.lr == {"G": 2e-3, "D": 5e-4}


class _Constant(nn.Module):
    """A 'generator' that ignores its noise and always draws the same training digit."""

    def __init__(self, image):
        super().__init__()
        self.image = image
        self.w = nn.Parameter(torch.zeros(1))

    def forward(self, z):
        return self.image.expand(len(z), *self.image.shape) + 0 * self.w


def test_collapse_meter_flags_a_collapsed_generator_and_not_a_trained_one(cache, referee):
    data = gm.load_dataset("digits")
    spread = gan_report.mean_pairwise_distance(data.x_train[:256])
    gan = gm.get_model("gan", "digits", seed=0)  # the cached model the page samples
    real = gan_report.collapse_meter(gan.sample(256, seed=1), referee, spread)
    assert not real["collapsed"] and real["classes_covered"] >= 8 and real["diversity"] > 0.7

    collapsed = gm.get_model("gan", "digits", seed=0)
    collapsed.generator = _Constant(data.x_train[(data.y_train == 3).nonzero()[0, 0]])
    meter = gan_report.collapse_meter(collapsed.sample(256, seed=1), referee, spread)
    assert meter["collapsed"] and meter["classes_covered"] == 1 and meter["diversity"] < 0.01
    assert meter["histogram"][3] == 1.0
    # ... and the diagnosis says so in words once past warm-up
    history = [{"it": i, "net": n, "d_loss": 1.3, "d_fake": 0.4, "g_loss": 0.8, "g_grad": 1.0}
               for i in range(400) for n in "DG"]
    text = " ".join(t for _, t in gan_report.diagnose(history, meter))
    assert "collapse" in text and "3" in text


def test_memorization_check_catches_copies(live):
    x = live.data.x_train[:8]
    memo = gan_report.memorization(x, live.data.x_train, live.memo_baseline)
    assert memo["index"] == list(range(8)) and memo["copying"] and memo["median"] == 0
    assert not live.snap["memo"]["copying"]  # a fresh G draws blobs, not copies


def test_discriminator_wins_diagnosis():
    history = [{"it": i, "net": "D", "d_loss": 0.02, "d_fake": 0.01} for i in range(400)]
    history += [{"it": i, "net": "G", "g_loss": 4.0, "g_grad": 1.0 if i < 100 else 0.01}
                for i in range(400)]
    levels = dict((t.split("**")[1], lvl) for lvl, t in gan_report.diagnose(history, None))
    assert levels == {"The discriminator wins.": "error"}


def test_background_training_runs_and_pause_stops_it(live):
    interval = sys.getswitchinterval()
    live.start()
    deadline = time.time() + 20
    while live.n_g < 30 and time.time() < deadline:
        time.sleep(0.05)
    assert live.running and live.n_g >= 30
    assert sys.getswitchinterval() <= gan_live.SWITCH_INTERVAL  # the step isn't starved of the GIL
    live.pause()
    assert not live.running and live.state == "paused"
    it = live.it
    time.sleep(0.3)
    assert live.it == it  # no step after pause
    assert gan_live.running_count() == 0 and sys.getswitchinterval() == interval
    assert len(live.timeline) >= 1 and live.snap["it"] == it


def test_live_trainings_are_bounded(referee, monkeypatch):
    monkeypatch.setattr(gan_live, "_slots", None)
    monkeypatch.setenv("GM_LIVE_GANS", "1")
    a = gan_live.LiveGAN("digits", seed=0, referee=referee)
    b = gan_live.LiveGAN("digits", seed=1, referee=referee)
    try:
        a.start()
        b.start()
        time.sleep(0.5)
        assert a.state == "running" and b.state == "waiting" and b.it == 0
        a.pause()
        deadline = time.time() + 5
        while b.state != "running" and time.time() < deadline:
            time.sleep(0.05)
        assert b.state == "running"
    finally:
        a.pause()
        b.pause()
    monkeypatch.setattr(gan_live, "_slots", None)
