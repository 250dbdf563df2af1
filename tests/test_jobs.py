"""The background training queue: dedup by Spec, bounded workers, cancel, failures, live
history."""
import time

import pytest

from gm import Spec
from gm.jobs import JobManager, manager

LONG = 5000  # epochs of "ae" on digits: minutes, so it is surely still running when cancelled


def until(cond, timeout=30.0):
    """Poll `cond` (a state change made by a worker thread) until it holds."""
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting for a job")
        time.sleep(0.005)


def entries(cache):
    return [p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")]


@pytest.fixture
def jm():
    return JobManager(max_workers=1)


def test_identical_requests_share_one_job_and_train_once(jm, tmp_path):
    a = jm.submit(Spec("ae", "digits", epochs=2), cache=tmp_path)
    b = jm.submit(Spec("ae", "digits", epochs=2, seed=0), cache=str(tmp_path))  # same after defaults
    assert a is b
    model = a.wait(60)
    assert a.state == "done" and model is not None and a.progress == 1.0
    assert a.epoch == a.epochs == 2 and len(a.history) == 2 and "loss" in a.history[0]
    assert a.started is not None and a.finished >= a.started and a.position() is None
    assert jm.submit(Spec("ae", "digits", epochs=2), cache=tmp_path) is a  # finished and good
    assert len(entries(tmp_path)) == 1
    other = jm.submit(Spec("ae", "digits", epochs=2, seed=1), cache=tmp_path)
    assert other is not a and other.wait(60) is not None
    assert len(entries(tmp_path)) == 2
    assert jm.jobs()[:2] == [other, a]


def test_max_workers_bounds_concurrency_and_cancel_queued(jm, tmp_path):
    first = jm.submit(Spec("ae", "digits", epochs=LONG), cache=tmp_path)
    until(lambda: first.state == "running")
    second = jm.submit(Spec("ae", "digits", epochs=LONG, seed=1), cache=tmp_path)
    third = jm.submit(Spec("ae", "digits", epochs=2, seed=2), cache=tmp_path)
    assert [first.position(), second.position(), third.position()] == [0, 1, 2]
    assert jm.running() == [first]
    assert second.state == "queued" and second.started is None

    second.cancel()  # queued: dropped at once, never starts
    assert second.state == "cancelled" and second.position() is None
    assert third.position() == 1
    first.cancel()
    assert third.wait(60) is not None
    assert first.state == "cancelled" and second.started is None and second.history == []
    assert len(entries(tmp_path)) == 1  # only `third` was saved


def test_cancel_running_job_leaves_no_cache_entry(jm, tmp_path):
    job = jm.submit(Spec("ae", "digits", epochs=LONG), cache=tmp_path)
    until(lambda: len(job.history) >= 2)  # the live loss curve grows while it runs
    assert job.state == "running" and job.position() == 0 and 0 < job.progress < 1
    assert job.epochs == LONG and job.epoch >= 2
    job.cancel()
    assert job.wait(30) is None
    assert job.state == "cancelled" and job.model is None and job.error == ""
    assert entries(tmp_path) == []
    again = jm.submit(Spec("ae", "digits", epochs=LONG), cache=tmp_path)  # cancelled: a new job
    assert again is not job and again.id != job.id
    again.cancel()
    again.wait(30)
    assert again.state == "cancelled"


def test_bad_settings_are_refused_before_any_job_is_made():
    with pytest.raises(ValueError, match="not_a_setting"):
        Spec("ae", "digits", not_a_setting=3)
    with pytest.raises(ValueError, match="unknown model"):
        Spec("no_such_model")
    with pytest.raises(ValueError, match="unknown dataset"):
        Spec("ae", "no_such_dataset")


def test_dataset_error_fails_the_job_and_the_worker_survives(jm, tmp_path):
    raw = tmp_path / "data" / "MNIST" / "raw"  # a corrupt test pair: no download is tried
    raw.mkdir(parents=True)
    for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (raw / stem).write_bytes(b"junk")
    bad = jm.submit(Spec("ae", "mnist", epochs=1), cache=tmp_path, data_root=tmp_path / "data")
    assert bad.wait(60) is None
    assert bad.state == "failed" and "corrupt or truncated" in bad.error
    ok = jm.submit(Spec("ae", "digits", epochs=1), cache=tmp_path)
    assert ok.wait(60) is not None


def test_manager_is_a_singleton():
    assert manager() is manager()
    assert manager().max_workers >= 1


# --- the training budget ---------------------------------------------------------------------

def test_a_session_has_a_budget_and_the_queue_a_bound(tmp_path):
    from gm.jobs import Refused
    jm = JobManager(max_workers=1, max_queued=3, per_owner=2)
    a1 = jm.submit(Spec("ae", "digits", epochs=LONG), cache=tmp_path, owner="a")
    until(lambda: a1.state == "running")
    a2 = jm.submit(Spec("ae", "digits", epochs=LONG, seed=1), cache=tmp_path, owner="a")
    with pytest.raises(Refused) as e:
        jm.submit(Spec("ae", "digits", epochs=LONG, seed=2), cache=tmp_path, owner="a")
    assert e.value.reason == "session" and e.value.limit == 2
    assert jm.submit(Spec("ae", "digits", epochs=LONG), cache=tmp_path, owner="b") is a1  # shared, free
    b = [jm.submit(Spec("ae", "digits", epochs=LONG, seed=s), cache=tmp_path, owner=f"b{s}")
         for s in (3, 4)]
    with pytest.raises(Refused) as e:  # 3 waiting behind the running one: the queue is full
        jm.submit(Spec("ae", "digits", epochs=LONG, seed=5), cache=tmp_path, owner="c")
    assert e.value.reason == "queue"
    unbudgeted = jm.submit(Spec("ae", "digits", epochs=1, seed=6), cache=tmp_path)  # no owner: no budget
    assert unbudgeted.state == "queued"
    unbudgeted.cancel()
    for j in [a1, a2, *b]:
        j.cancel()


def test_a_job_nobody_watches_is_cancelled(jm, tmp_path):
    job = jm.submit(Spec("ae", "digits", epochs=LONG), cache=tmp_path, owner="a", watch=1.0)
    until(lambda: job.state == "running")
    for _ in range(10):  # watched: it keeps running
        job.seen()
        time.sleep(0.1)
    assert job.state == "running"
    assert job.wait(30) is None  # then nobody looks any more
    assert job.state == "cancelled" and job.error == "nobody was watching"
    assert entries(tmp_path) == []


def test_a_waiting_job_is_found_after_many_newer_ones(tmp_path):
    jm = JobManager(max_workers=1, keep=5)
    first = jm.submit(Spec("ae", "digits", epochs=LONG), cache=tmp_path)
    later = [jm.submit(Spec("ae", "digits", epochs=LONG, seed=s), cache=tmp_path) for s in range(1, 12)]
    assert jm.get(first.id) is first and jm.get(later[-1].id) is later[-1]
    for j in [first, *later]:
        j.cancel()


def test_eviction_keeps_pinned_models_and_drops_the_least_recently_used(tmp_path):
    import os

    import gm
    pinned = gm.get_model(Spec("ae", "digits", epochs=1, latent_dim=2), cache=tmp_path, pin=True)
    old = gm.get_model(Spec("ae", "digits", epochs=1, latent_dim=4), cache=tmp_path)
    new = gm.get_model(Spec("ae", "digits", epochs=1, latent_dim=6), cache=tmp_path)
    os.utime(old.cache_path, (1, 1))
    size = sum(f.stat().st_size for f in new.cache_path.iterdir())
    removed = gm.store.evict(tmp_path, max_bytes=2 * size + size // 2)
    assert removed == [old.cache_path]
    assert pinned.cache_path.is_dir() and new.cache_path.is_dir()
    assert gm.store.evict(tmp_path, max_bytes=0) == [new.cache_path]  # pinned stays, whatever the cap
    assert pinned.cache_path.is_dir()
