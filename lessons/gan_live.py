"""Live, steerable GAN training for the cockpit page: a `LiveGAN` holds one GAN, its two
optimizers, the data and fixed noise, and can be stepped by hand (D only, G only, or a
D:G round) or run in a background thread that a page starts and pauses.

Why a thread per session and not gm.jobs: jobs train a cached model to completion and
then free the worker; a live session runs for as long as a student watches, pauses and
resumes, and is never cached. Holding a jobs worker would stall every cached model the
other pages wait for. So live sessions have their own bound: at most `max_live()` run
at once across the server ($GM_LIVE_GANS, default 2); the others wait for a slot, and a
session nobody has looked at for `IDLE_PAUSE` seconds pauses itself.

It lives beside the GAN lesson, not in the engine, because it runs the lesson's own
measurements on every snapshot. Every update goes through gm.train.d_step / g_step: each network learns against a
fixed opponent, and `moved` reports how far each net's parameters went since the last
snapshot, so a "D only" step visibly leaves G where it was. What a snapshot measures
(collapse meter, memorization check, verdicts, chart arrays) is the lesson's:
`lessons.gan_cockpit`.
"""
from __future__ import annotations

import copy
import os
import sys
import threading
import time

import torch

from gm.data import load_dataset
from gm.device import set_threads
from gm.metrics import mean_pairwise_distance, nearest_training
from gm.models import build, make_config
from gm.train import LiveRates, d_step, g_step, gan_optimizers

from . import gan_cockpit as cockpit

IDLE_PAUSE = 45.0   # seconds without a `touch()` before a running (or waiting) session pauses itself
N_EVAL = 256        # generated and real images scored for histograms and the collapse meter
MAX_TIMELINE = 120  # saved fixed-noise grids; when full, every other one is dropped
# A GAN step is ~50 tiny torch calls, each releasing and re-taking the GIL. Beside a busy
# Python thread (the page rendering charts) each re-take waits up to sys.getswitchinterval()
# (5 ms): steps got 3x slower (benchmarks/gan_cockpit.py). While live trainings run, the
# interval is 0.5 ms, which gave back most of that; the old value returns when none runs.
SWITCH_INTERVAL = 0.0005
_saved_interval: float | None = None

_slots_lock = threading.Lock()
_slots: threading.BoundedSemaphore | None = None
_running: set = set()


def max_live() -> int:
    return max(1, int(os.environ.get("GM_LIVE_GANS", "2")))


def _sem() -> threading.BoundedSemaphore:
    global _slots
    with _slots_lock:
        if _slots is None:
            _slots = threading.BoundedSemaphore(max_live())
        return _slots


def _enter() -> None:
    global _saved_interval
    with _slots_lock:
        if not _running:
            _saved_interval = sys.getswitchinterval()
            sys.setswitchinterval(min(SWITCH_INTERVAL, _saved_interval))


def _leave() -> None:
    with _slots_lock:
        if not _running and _saved_interval is not None:
            sys.setswitchinterval(_saved_interval)


def running_count() -> int:
    """Live trainings holding a slot right now, across all sessions."""
    return len(_running)


def _flat(module: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in module.parameters()])


def _grad_norm(module: torch.nn.Module) -> float:
    g = [p.grad.detach().flatten() for p in module.parameters() if p.grad is not None]
    return float(torch.cat(g).norm()) if g else 0.0


class LiveGAN(LiveRates):
    """One steerable GAN training session (see the module docstring)."""

    def __init__(self, dataset: str = "digits", *, seed: int = 0, model=None,
                 data_root: str | None = None, referee=None, lr_g: float | None = None,
                 lr_d: float | None = None, d_steps: int | None = None, n_fixed: int = 32,
                 grid_every: int = 25, snapshot_s: float = 0.15, pause_s: float = 0.002,
                 **config):
        self.data = load_dataset(dataset, data_root)
        self.dataset, self.seed = dataset, seed
        if model is None:  # fresh random weights
            torch.manual_seed(seed)
            model = build("gan", make_config("gan", seed=seed, **config), self.data.shape)
        else:              # a private copy: the cached model is shared and must not change
            model = copy.deepcopy(model)
        self.model = model.train()
        cfg = model.config
        self.d_steps = int(d_steps or cfg.d_steps)
        self.batch_size = cfg.batch_size
        self.opt_d, self.opt_g = gan_optimizers(model, cfg.lr, cfg.lr_d)
        self.set_lr(lr_g=lr_g, lr_d=lr_d)
        if referee is None:
            from .referee import get_referee
            referee = get_referee(dataset, data_root=data_root)
        self.referee = referee
        self._gen = torch.Generator().manual_seed(seed)
        self.fixed_z = model.noise(n_fixed, seed=10_000 + seed)
        self.eval_z = model.noise(N_EVAL, seed=20_000 + seed)
        idx = torch.randperm(len(self.data.x_train), generator=self._gen)[:N_EVAL]
        self.real_eval = self.data.x_train[idx]
        self.real_spread = mean_pairwise_distance(self.real_eval)
        _, test_nn = nearest_training(self.data.x_test[:200], self.data.x_train)
        self.memo_baseline = float(test_nn.median())
        self.grid_every, self.snapshot_s, self.pause_s = grid_every, snapshot_s, pause_s
        self.history: list[dict] = []     # one row per network update
        self.timeline: list[tuple[int, torch.Tensor]] = []  # (update index, fixed-noise samples)
        self.it = self.n_d = self.n_g = 0
        # note: "" or "idle" (paused by itself after IDLE_PAUSE s unwatched); error: the exception
        self.state, self.error, self.note = "paused", "", ""
        self.last_seen = time.time()
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._prev = {"D": _flat(model.discriminator), "G": _flat(model.generator)}
        self._last_snap, self._rate_it, self._snap_cost = time.perf_counter(), 0, 0.0
        self.snap: dict = {}
        self.snapshot(action="start")

    # --- steering ---------------------------------------------------------------------------

    def _batch(self) -> torch.Tensor:
        idx = torch.randint(0, len(self.data.x_train), (self.batch_size,), generator=self._gen)
        return self.data.x_train[idx]

    def step_d(self, snapshot: bool = True) -> dict:
        """One discriminator update against the fixed current generator."""
        with self._lock:
            out = d_step(self.model, self.opt_d, self._batch())
            self.it, self.n_d = self.it + 1, self.n_d + 1
            self.history.append({"it": self.it, "net": "D", **out})
            self._after(snapshot, "D")
            return out

    def step_g(self, snapshot: bool = True) -> dict:
        """One generator update against the fixed current discriminator."""
        with self._lock:
            out = g_step(self.model, self.opt_g, self.batch_size)
            out["g_grad"] = _grad_norm(self.model.generator)
            self.it, self.n_g = self.it + 1, self.n_g + 1
            self.history.append({"it": self.it, "net": "G", **out})
            self._after(snapshot, "G")
            return out

    def step(self, snapshot: bool = True) -> None:
        """One round: `d_steps` discriminator updates, then one generator update."""
        with self._lock:
            for _ in range(self.d_steps):
                self.step_d(snapshot=False)
            self.step_g(snapshot=False)
            self._after(snapshot, "D+G")

    def _after(self, snapshot: bool, action: str) -> None:
        if self.it % self.grid_every == 0:
            self._save_grid()
        if snapshot:
            self.snapshot(action)

    # --- the background thread -----------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Train in the background until `pause()` (waits for a free slot first)."""
        self.touch()
        if self.running:
            return
        self._stop.clear()
        self.error, self.note, self.state = "", "", "waiting"
        self._thread = threading.Thread(target=self._run, name="gm-live-gan", daemon=True)
        self._thread.start()

    def pause(self, timeout: float = 5.0) -> None:
        """Stop after the current update; returns once the thread has stopped."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)
        self.state = "paused"

    def touch(self) -> None:
        """A page is watching: keeps a running session from pausing itself."""
        self.last_seen = time.time()

    def _idle(self) -> bool:
        if time.time() - self.last_seen > IDLE_PAUSE:
            self.note = "idle"
            return True
        return False

    def _run(self) -> None:
        sem, got = _sem(), False
        try:
            while not self._stop.is_set() and not got and not self._idle():
                got = sem.acquire(timeout=0.2)
            if not got:
                return
            _enter()
            _running.add(id(self))
            self.state = "running"
            set_threads()
            while not self._stop.is_set():
                if self._idle():
                    break
                # measuring costs too (~10 ms on digits, ~0.3 s on MNIST): keep it under 20%
                due = max(self.snapshot_s, 4 * self._snap_cost)
                self.step(snapshot=time.perf_counter() - self._last_snap > due)
                time.sleep(self.pause_s)  # yield the CPU to the page threads
        except Exception as e:  # shown on the page instead of killing the server thread
            self.error = f"{type(e).__name__}: {e}"
        finally:
            if got:
                _running.discard(id(self))
                _leave()
                sem.release()
            self.state = "paused"
            self.snapshot("pause")

    # --- what the page draws -------------------------------------------------------------------

    def _samples(self, z: torch.Tensor) -> torch.Tensor:
        g = self.model.generator
        was = g.training
        g.eval()  # batch-norm generators sample with running statistics
        with torch.no_grad():
            x = g(z)
        g.train(was)
        return x

    def _save_grid(self) -> None:
        self.timeline.append((self.it, self._samples(self.fixed_z)))
        if len(self.timeline) > MAX_TIMELINE:  # keep the whole run at a coarser step
            self.timeline = self.timeline[::2]
            self.grid_every *= 2

    def snapshot(self, action: str = "") -> dict:
        """Measure the current state (called after updates; pages only read `snap`)."""
        with self._lock:
            t0 = time.perf_counter()
            m = self.model
            fake = self._samples(self.eval_z)
            with torch.no_grad():
                d_real, d_fake = m.d_score(self.real_eval).tolist(), m.d_score(fake).tolist()
            fixed = self._samples(self.fixed_z)
            now = {"D": _flat(m.discriminator), "G": _flat(m.generator)}
            moved = {k: float((now[k] - self._prev[k]).norm()) for k in now}
            self._prev = now
            collapse = cockpit.collapse_meter(fake, self.referee, self.real_spread)
            memo = cockpit.memo_check(fixed[:cockpit.MEMO_SHOWN], self.data.x_train, self.memo_baseline)
            self.snap = {"it": self.it, "n_d": self.n_d, "n_g": self.n_g, "action": action,
                         "fixed": fixed, "d_real": d_real, "d_fake": d_fake, "moved": moved,
                         "collapse": collapse, "memo": memo, "time": time.time(),
                         "diagnoses": cockpit.diagnose(self.history, collapse)}
            t = time.perf_counter()
            self.snap["rate"] = (self.it - self._rate_it) / max(t - self._last_snap, 1e-6)
            self._last_snap, self._rate_it, self._snap_cost = t, self.it, t - t0
            return self.snap

    def view(self) -> dict:
        """Everything the live panel draws, prepared (the part of a render worth timing)."""
        self.touch()
        s = self.snap
        return {**s, "curves": cockpit.loss_curves(list(self.history)),
                "hist": cockpit.score_histograms(s["d_real"], s["d_fake"]),
                "timeline": list(self.timeline), "state": self.state, "lr": self.lr,
                "d_steps": self.d_steps, "error": self.error, "note": self.note,
                "slots": (running_count(), max_live())}
