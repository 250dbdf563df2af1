"""The background training queue: dedup, bounded workers, cancel, failures, live history."""
import time

import pytest

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
    a = jm.submit("ae", "digits", cache=tmp_path, epochs=2)
    b = jm.submit("ae", "digits", cache=str(tmp_path), epochs=2, seed=0)  # same after defaults
    assert a is b
    model = a.wait(60)
    assert a.state == "done" and model is not None and a.progress == 1.0
    assert a.epoch == a.epochs == 2 and len(a.history) == 2 and "loss" in a.history[0]
    assert a.started is not None and a.finished >= a.started and a.position() is None
    assert jm.submit("ae", "digits", cache=tmp_path, epochs=2) is a  # finished and good
    assert len(entries(tmp_path)) == 1
    other = jm.submit("ae", "digits", cache=tmp_path, epochs=2, seed=1)
    assert other is not a and other.wait(60) is not None
    assert len(entries(tmp_path)) == 2
    assert jm.jobs()[:2] == [other, a]


def test_max_workers_bounds_concurrency_and_cancel_queued(jm, tmp_path):
    first = jm.submit("ae", "digits", cache=tmp_path, epochs=LONG)
    until(lambda: first.state == "running")
    second = jm.submit("ae", "digits", cache=tmp_path, epochs=LONG, seed=1)
    third = jm.submit("ae", "digits", cache=tmp_path, epochs=2, seed=2)
    assert [first.position(), second.position(), third.position()] == [0, 1, 2]
    assert jm.queue_length() == 2 and jm.running() == [first]
    assert second.state == "queued" and second.started is None

    second.cancel()  # queued: dropped at once, never starts
    assert second.state == "cancelled" and second.position() is None
    assert third.position() == 1 and jm.queue_length() == 1
    first.cancel()
    assert third.wait(60) is not None
    assert first.state == "cancelled" and second.started is None and second.history == []
    assert len(entries(tmp_path)) == 1  # only `third` was saved


def test_cancel_running_job_leaves_no_cache_entry(jm, tmp_path):
    job = jm.submit("ae", "digits", cache=tmp_path, epochs=LONG)
    until(lambda: len(job.history) >= 2)  # the live loss curve grows while it runs
    assert job.state == "running" and job.position() == 0 and 0 < job.progress < 1
    assert job.epochs == LONG and job.epoch >= 2
    job.cancel()
    assert job.wait(30) is None
    assert job.state == "cancelled" and job.model is None and job.error == ""
    assert entries(tmp_path) == []
    again = jm.submit("ae", "digits", cache=tmp_path, epochs=LONG)  # cancelled: a new job
    assert again is not job and again.id != job.id
    again.cancel()
    again.wait(30)
    assert again.state == "cancelled"


def test_bad_config_fails_with_the_value_error_message(jm, tmp_path):
    job = jm.submit("ae", "digits", cache=tmp_path, not_a_setting=3)
    assert job.state == "failed" and "not_a_setting" in job.error
    assert job.wait(1) is None and job.position() is None
    unknown = jm.submit("no_such_model", cache=tmp_path)
    assert unknown.state == "failed" and "unknown model" in unknown.error


def test_dataset_error_fails_the_job_and_the_worker_survives(jm, tmp_path):
    raw = tmp_path / "data" / "MNIST" / "raw"  # a corrupt test pair: no download is tried
    raw.mkdir(parents=True)
    for stem in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        (raw / stem).write_bytes(b"junk")
    bad = jm.submit("ae", "mnist", cache=tmp_path, data_root=tmp_path / "data", epochs=1)
    assert bad.wait(60) is None
    assert bad.state == "failed" and "corrupt or truncated" in bad.error
    nodata = jm.submit("ae", "no_such_dataset", cache=tmp_path, epochs=1)
    assert nodata.wait(60) is None and "unknown dataset" in nodata.error
    ok = jm.submit("ae", "digits", cache=tmp_path, epochs=1)
    assert ok.wait(60) is not None


def test_manager_is_a_singleton():
    assert manager() is manager()
    assert manager().max_workers >= 1
