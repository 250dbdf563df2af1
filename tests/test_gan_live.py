"""The live GAN session (lessons.gan_live) and its meters (lessons.gan_cockpit, gm.metrics):
each step moves only the network it names, the collapse meter tells a collapsed generator
from a real one, the verdicts on a run are the right keys with the right numbers, and
pause really stops the background steps."""
from __future__ import annotations

import sys
import time

import numpy as np
import pytest
import torch
import torch.nn as nn

import gm
from gm import metrics
from lessons import gan_live
from gm.referee import get_referee
from lessons import gan_cockpit as cockpit


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
    assert live.snap["action"] == "D"
    live.step_g()
    d2, g2 = params(live.model.discriminator), params(live.model.generator)
    assert same(d1, d2) and not same(g1, g2)
    assert live.snap["moved"]["D"] == 0 and live.snap["moved"]["G"] > 0
    assert [r["net"] for r in live.history] == ["D", "G"]
    live.d_steps = 3
    live.step()  # a round: 3 D updates against a fixed G, then one G update
    assert [r["net"] for r in live.history[2:]] == ["D", "D", "D", "G"]
    assert live.snap["action"] == "D+G"


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
    spread = metrics.mean_pairwise_distance(data.x_train[:256])
    gan = gm.get_model("gan", "digits", seed=0)  # the cached model the page samples
    real = cockpit.collapse_meter(gan.sample(256, seed=1), referee, spread)
    assert not real["collapsed"] and real["classes_covered"] >= 8 and real["diversity"] > 0.7
    assert real["verdict"].key == "gan.collapse.no" and real["verdict"]["n"] == 256

    collapsed = gm.get_model("gan", "digits", seed=0)
    collapsed.generator = _Constant(data.x_train[(data.y_train == 3).nonzero()[0, 0]])
    meter = cockpit.collapse_meter(collapsed.sample(256, seed=1), referee, spread)
    assert meter["collapsed"] and meter["classes_covered"] == 1 and meter["diversity"] < 0.01
    assert meter["histogram"][3] == 1.0 and meter["verdict"].key == "gan.collapse.yes"
    # ... and the run's verdicts say so once past warm-up, naming the class
    history = [{"it": i, "net": n, "d_loss": 1.3, "d_fake": 0.4, "g_loss": 0.8, "g_grad": 1.0}
               for i in range(400) for n in "DG"]
    [(level, v)] = cockpit.diagnose(history, meter)
    assert (level, v.key, v["n"], v["classes"]) == ("warning", "gan.diag.collapse", 1, "3")
    assert v["diversity"] == meter["diversity"]
    assert cockpit.diagnose(history[:200], meter)[0][1].key == "gan.diag.warming_up"  # not yet


def test_pairwise_distance_and_nearest_training_image():
    x = torch.zeros(3, 1, 2, 2)
    x[1] += 1.0  # distance 2 from the two zero images, which are 0 apart
    assert metrics.mean_pairwise_distance(x) == pytest.approx((2 + 2 + 0) * 2 / 6)
    assert metrics.mean_pairwise_distance(x[:1]) == 0.0
    train = torch.rand(50, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    samples = train[[7, 31]] + 0.01
    idx, dist = metrics.nearest_training(samples, train, chunk=8)  # across chunks
    assert idx.tolist() == [7, 31] and dist.max() < 0.1


def test_memorization_check_catches_copies(live):
    x = live.data.x_train[:8]
    memo = cockpit.memo_check(x, live.data.x_train, live.memo_baseline)
    assert memo["index"] == list(range(8)) and memo["copying"] and memo["median"] == 0
    assert memo["verdict"].key == "gan.memo.copying" and memo["verdict"]["ratio"] == 0
    assert torch.equal(memo["pairs"], torch.cat([x, x]))
    fresh = live.snap["memo"]  # a fresh G draws blobs, not copies
    assert not fresh["copying"] and fresh["verdict"].key == "gan.memo.new"
    assert fresh["verdict"]["ratio"] == fresh["ratio"] >= 0.5 and len(fresh["shown"]) == cockpit.MEMO_SHOWN


def test_discriminator_wins_verdict_quotes_the_generators_vanishing_gradient():
    history = [{"it": i, "net": "D", "d_loss": 0.02, "d_fake": 0.01} for i in range(400)]
    history += [{"it": i, "net": "G", "g_loss": 4.0, "g_grad": 1.0 if i < 100 else 0.01}
                for i in range(400)]
    [(level, v)] = cockpit.diagnose(history, None)
    assert (level, v.key) == ("error", "gan.diag.d_wins.no_signal")
    assert v["d_loss"] == pytest.approx(0.02) and v["d_fake"] == pytest.approx(0.01)
    assert (v["grad"], v["peak"]) == (pytest.approx(0.01), 1.0) and v["share"] == pytest.approx(0.01)
    for r in history[400 + 350:]:
        r["g_grad"] = 0.5  # half its peak: a weak signal, not none
    assert cockpit.diagnose(history, None)[0][1].key == "gan.diag.d_wins.weak_signal"


def test_exploding_generator_loss_and_a_healthy_run():
    rows = [{"it": i, "net": n, "d_loss": 1.3, "d_fake": 0.4, "g_loss": 0.8, "g_grad": 1.0}
            for i in range(400) for n in "DG"]
    healthy = cockpit.diagnose(rows, None)
    assert [(lvl, v.key) for lvl, v in healthy] == [("ok", "gan.diag.ok")]
    rows[-1]["g_loss"] = float("inf")  # one non-finite loss is enough
    assert [v.key for _, v in cockpit.diagnose(rows, None)] == ["gan.diag.g_explodes.not_finite"]
    for r in rows[-60:]:  # the last 30 of the 50 recent G updates
        r["g_loss"] = 8.0
    [(level, v)] = cockpit.diagnose(rows, None)
    assert (level, v.key, v["n"]) == ("error", "gan.diag.g_explodes", 50)
    assert v["g_loss"] == pytest.approx((20 * 0.8 + 30 * 8.0) / 50)
    [(level, v)] = cockpit.diagnose(rows[:10], None)
    assert (level, v.key, v["n_d"], v["n_g"], v["warmup"]) == ("ok", "gan.diag.warming_up", 5, 5, 300)


def test_chart_arrays():
    history = [{"it": i, "net": "D", "d_loss": float(i)} for i in range(1000)]
    curves = cockpit.loss_curves(history, max_points=300)
    assert len(curves["D"][0]) <= 300 and len(curves["G"][0]) == 0
    assert curves["D"][1][0] == pytest.approx(np.mean(range(4)))  # bins of 4 updates
    h = cockpit.score_histograms([0.99, 0.97, 0.5], [0.01], bins=10)
    assert h["real"].tolist() == [0] * 5 + [1] + [0] * 3 + [2] and h["fake"][0] == 1
    assert (h["real_mean"], h["fake_mean"]) == (pytest.approx(0.82), 0.01)
    timeline = [(25, "a"), (50, "b"), (75, "c"), (100, "d")]
    assert cockpit.timeline_frame(timeline, 100) is None and cockpit.timeline_frame([], 10) is None
    assert cockpit.timeline_frame(timeline, 0) == (25, "a")
    assert cockpit.timeline_frame(timeline, 60) == (75, "c")


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
    step, samples = live.timeline[-1]
    assert step % 25 == 0 and samples.shape == (32, 1, 8, 8)


def test_an_unwatched_session_pauses_itself(live):
    assert not live._idle() and live.note == ""
    live.last_seen = time.time() - gan_live.IDLE_PAUSE - 1
    assert live._idle() and live.note == "idle"  # the page words it (gan.note.idle)


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
