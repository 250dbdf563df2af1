"""A process-wide background queue for training, so that training never blocks a page.

Why: Streamlit reruns the whole page script on every widget change. A training run in
the script thread would freeze the page, and the next rerun would kill it halfway. So
pages `submit` a request here and poll the returned `Job` (state, progress, a live loss
history) from a fragment. The queue also bounds how many models train at once (the
teaching machine has 2 cores) and deduplicates identical requests: a second session
asking for the same model gets the same `Job` and waits on it instead of training again.

    job = manager().submit(gm.Spec("vae", "digits", beta=4.0))
    job.state, job.progress, job.history, job.position()
    model = job.wait(timeout=60)   # the model once done, else None (see job.state/error)

Workers are daemon threads calling `gm.store.get_model`, so a finished job is also in the
on-disk cache, and a model trained before is simply loaded.
"""
from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from collections import deque

from .data import DatasetError
from .files import CacheError
from .spec import Spec
from .store import cache_dir, evict, get_model
from .train import Cancelled

log = logging.getLogger("gm")
STATES = ("queued", "running", "done", "failed", "cancelled")
_ids = itertools.count(1)


class Job:
    """One training request. Fields are written only by the worker thread (single
    attribute assignments and list appends), so any thread may read them without a lock;
    copy `history` with `list(job.history)` before iterating while it runs."""

    def __init__(self, manager: "JobManager", key: tuple, spec: Spec,
                 cache: str | None, data_root: str | None, owner: str | None = None,
                 watch: float | None = None):
        self.id, self.key, self.spec = next(_ids), key, spec
        self.owner = owner            # the session that asked first (its budget pays)
        self.watch = watch            # seconds without a look before it is cancelled
        self.last_seen = time.monotonic()
        self.name, self.dataset = spec.name, spec.dataset
        self.cache, self.data_root = cache, data_root
        self.state = "queued"
        self.progress, self.epoch, self.epochs = 0.0, 0, 0
        self.history: list[dict] = []
        self.error = ""
        self.model = None
        self.submitted, self.started, self.finished = time.time(), None, None
        self._manager = manager
        self._cancel = threading.Event()
        self._done = threading.Event()

    def seen(self) -> None:
        """Someone is still looking at this job (its training panel calls this)."""
        self.last_seen = time.monotonic()

    def abandoned(self) -> bool:
        """A watched job nobody has looked at for `watch` seconds: its page was closed."""
        return self.watch is not None and time.monotonic() - self.last_seen > self.watch

    def position(self) -> int | None:
        """0 while running, 1.. for the place in the queue, None once finished."""
        return self._manager._position(self)

    def cancel(self) -> None:
        """A queued job is dropped and never starts; a running one stops at its next step."""
        self._cancel.set()
        self._manager._drop_queued(self)

    def wait(self, timeout: float | None = None):
        """Block until finished (or `timeout` seconds); the model if done, else None."""
        self._done.wait(timeout)
        return self.model if self.state == "done" else None

    @property
    def active(self) -> bool:
        return self.state in ("queued", "running")

    def _finish(self, state: str, error: str = "") -> None:
        self.error, self.finished = error, time.time()
        self.state = state
        self._done.set()

    def __repr__(self) -> str:
        return f"Job({self.id}, {self.name!r}, {self.dataset!r}, state={self.state!r})"


class Refused(Exception):
    """A training request over a limit; `reason` is 'session' or 'queue'."""

    def __init__(self, reason: str, limit: int):
        super().__init__(f"{reason} limit of {limit} reached")
        self.reason, self.limit = reason, limit


class JobManager:
    """A FIFO of training jobs served by at most `max_workers` daemon threads, with a
    budget: at most `max_queued` jobs wait, one owner (a browser session) has at most
    `per_owner` jobs of its own waiting or running, and a watched job that nobody looks
    at any more (its tab was closed) is cancelled."""

    def __init__(self, max_workers: int = 1, keep: int = 50, max_queued: int = 8,
                 per_owner: int = 3):
        self.max_workers = max(1, int(max_workers))
        self.max_queued, self.per_owner = max_queued, per_owner
        self._cv = threading.Condition()
        self._queue: deque[Job] = deque()
        self._running: list[Job] = []
        self._by_key: dict[str, Job] = {}
        self._recent: deque[Job] = deque(maxlen=keep)
        self._workers: list[threading.Thread] = []

    def submit(self, spec: Spec, cache: str | None = None, data_root: str | None = None,
               owner: str | None = None, watch: float | None = None) -> Job:
        """The job for this exact Spec (and cache folder): the queued, running or finished
        one when it exists, else a new queued one. With an `owner`, a new job counts
        against that owner's budget and the global queue bound (Refused when over);
        `watch` seconds without `job.seen()` cancel it."""
        key = (spec, str(cache_dir(cache).resolve()), str(data_root))
        with self._cv:
            old = self._by_key.get(key)
            if old is not None and old.state in ("queued", "running", "done"):
                old.seen()
                return old
            if owner is not None:
                mine = sum(1 for j in [*self._queue, *self._running] if j.owner == owner)
                if mine >= self.per_owner:
                    raise Refused("session", self.per_owner)
                if len(self._queue) >= self.max_queued:
                    raise Refused("queue", self.max_queued)
            job = Job(self, key, spec, cache, data_root, owner, watch)
            self._by_key[key] = job
            self._remember(job)
            self._queue.append(job)
            if len(self._workers) < self.max_workers:
                t = threading.Thread(target=self._work, name=f"gm-train-{len(self._workers)}",
                                     daemon=True)
                self._workers.append(t)
                t.start()
            self._cv.notify()
        return job

    def jobs(self) -> list[Job]:
        """Recent jobs, newest first (for a status view)."""
        with self._cv:
            return list(reversed(self._recent))

    def get(self, job_id: int) -> Job | None:
        """A job by id (pages keep ids, not Job objects, in their fragments): every waiting
        or running job, and the most recent finished ones."""
        with self._cv:
            return next((j for j in [*self._running, *self._queue, *self._recent]
                         if j.id == job_id), None)

    def running(self) -> list[Job]:
        with self._cv:
            return list(self._running)

    # --- internals ----------------------------------------------------------------------------

    def _remember(self, job: Job) -> None:
        with self._cv:
            if len(self._recent) == self._recent.maxlen:  # forget the oldest if finished
                old = self._recent[0]
                if not old.active and self._by_key.get(old.key) is old:
                    del self._by_key[old.key]
            self._recent.append(job)

    def _position(self, job: Job) -> int | None:
        with self._cv:
            if not job.active:
                return None
            if job in self._running:
                return 0
            try:
                return self._queue.index(job) + 1
            except ValueError:
                return None

    def _drop_queued(self, job: Job) -> None:
        with self._cv:
            if job in self._queue:
                self._queue.remove(job)
                job._finish("cancelled")

    def _work(self) -> None:
        while True:
            with self._cv:
                while not self._queue:
                    self._cv.wait()
                job = self._queue.popleft()
                if job.abandoned():  # its page was closed while it waited
                    job._finish("cancelled", "nobody was watching")
                    continue
                self._running.append(job)
                job.started, job.state = time.time(), "running"
            try:
                self._run(job)
            finally:
                with self._cv:
                    self._running.remove(job)

    def _run(self, job: Job) -> None:
        def progress(info: dict) -> None:
            job.epoch, job.epochs = info["epoch"], info["epochs"]
            job.progress = info["step"] / max(1, info["steps"])
            job.history.append(info["losses"])  # last, so len(history) <= epoch for readers

        try:
            job.model = get_model(job.spec, cache=job.cache, data_root=job.data_root,
                                  progress=progress,
                                  cancel=lambda: job._cancel.is_set() or job.abandoned())
        except Cancelled:
            job._finish("cancelled", "nobody was watching" if job.abandoned() else "")
        except (ValueError, DatasetError, CacheError) as e:
            job._finish("failed", str(e))
        except Exception as e:  # a worker must survive anything one job does
            log.exception("training job %s failed", job)
            job._finish("failed", f"{type(e).__name__}: {e}")
        else:
            job.progress = 1.0
            job._finish("done")
            if job.owner is not None:  # trained on demand: keep the cache within its cap
                evict(job.cache)


_manager: JobManager | None = None
_manager_lock = threading.Lock()


def default_workers() -> int:
    """$GM_TRAIN_WORKERS, else 1 on machines with 2 cores or fewer, else 2."""
    env = os.environ.get("GM_TRAIN_WORKERS")
    if env:
        return max(1, int(env))
    return 1 if (os.cpu_count() or 1) <= 2 else 2


def manager() -> JobManager:
    """The process-wide queue shared by every Streamlit session."""
    global _manager
    with _manager_lock:
        if _manager is None:
            _manager = JobManager(default_workers())
        return _manager
