"""One way a page gets a model and one way it computes on it, both keyed by `gm.Spec`.

`require(*specs)` returns the loaded models when they are cached, else queues them for
background training, draws a live training panel and stops the page until they are
ready. `compute(fn, *args)` runs a lesson's pure function once per distinct arguments
(Specs among them arrive as the loaded models) and caches the result for every session.
"""
from __future__ import annotations

import importlib
import os
import threading

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import gm
from gm import jobs
from gm import referee as _referee

from .params import share
from .text import t


@st.cache_resource(max_entries=64, show_spinner=False)
def loaded(spec: gm.Spec):
    """The shared, loaded model of a cached Spec (a load takes milliseconds). Never mutate it."""
    return gm.get_model(spec)


def _resolve(value):
    return loaded(value) if isinstance(value, gm.Spec) else value


@st.cache_data(max_entries=512, show_spinner=False)
def _compute(module: str, name: str, args: tuple, kwargs: tuple):
    fn = getattr(importlib.import_module(module), name)
    return fn(*map(_resolve, args), **{k: _resolve(v) for k, v in kwargs})


def compute(fn, *args, **kwargs):
    """`fn(*args, **kwargs)`, cached on the function and its (hashable) arguments; each
    `gm.Spec` argument is handed to `fn` as its loaded model. Call `require` first."""
    return _compute(fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))


_warmed: set = set()
_warm_lock = threading.Lock()


def warm(fn, *argsets: tuple) -> None:
    """Call `fn(*args)` for each of `argsets` in a background thread, once per server
    process, so that a control moved later finds the result ready. `fn` is a lesson's
    memoized function (functools.cache), cheap once warm; the page's own call answers at
    once then, or computes it itself if it comes first."""
    key = (fn.__module__, fn.__qualname__, argsets)
    with _warm_lock:
        if key in _warmed:
            return
        _warmed.add(key)
    threading.Thread(target=lambda: [fn(*args) for args in argsets], name="gm-warm", daemon=True).start()


WATCH = float(os.environ.get("GM_JOB_WATCH", 90))  # s without a look: the tab was closed


def _session() -> str | None:
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def submit(spec: gm.Spec):
    """Queue `spec` for training on this session's budget; a refusal is shown and stops
    the page (the session's own limit, or the server's queue bound)."""
    try:
        return jobs.manager().submit(spec, owner=_session(), watch=WATCH)
    except jobs.Refused as e:
        st.warning(t(f"train.refused.{e.reason}", limit=e.limit))
        st.stop()


def require(*specs: gm.Spec):
    """The models for `specs`: loaded instantly when cached, else queued for background
    training with a live panel, and the page stops until they are ready."""
    models, waiting = [], []
    for spec in specs:
        try:
            cached = gm.is_cached(spec)
        except (ValueError, gm.DatasetError, gm.CacheError) as e:
            st.error(t("train.cannot_use", name=spec.name, error=str(e)))
            st.stop()
        if cached:
            models.append(loaded(spec))
            continue
        job = submit(spec)
        if job.state == "done":
            models.append(loaded(spec))
        else:
            waiting.append(job)
    if waiting:
        st.info(t("train.waiting"))
        for job in waiting:
            training_panel(job.id)
        share()
        st.stop()
    return models


def cached(*specs: gm.Spec) -> list[gm.Spec]:
    """Those of `specs` that are in the model cache now (nothing is trained)."""
    return [s for s in specs if gm.is_cached(s)]


def train_missing(*specs: gm.Spec) -> None:
    """Queue every uncached Spec for background training and draw a live panel for each
    (the page goes on; each panel reruns the page when its model is ready)."""
    for spec in specs:
        if not gm.is_cached(spec):
            job = submit(spec)
            if job.active:
                training_panel(job.id)


def referee_spec(dataset: str) -> gm.Spec:
    return _referee.spec(dataset)


def referee(dataset: str):
    """The dataset's referee classifier, required like any model."""
    return require(referee_spec(dataset))[0]


def judges(dataset: str):
    """The referee and the second judge (another architecture, trained apart)."""
    return tuple(require(referee_spec(dataset), _referee.second_spec(dataset)))


@st.fragment(run_every=0.7)
def training_panel(job_id: int) -> None:
    """Live progress, loss curve, queue position and a cancel button for one job."""
    job = jobs.manager().get(job_id)
    if job is None:  # long finished and forgotten: the page asks again
        st.rerun(scope="app")
    job.seen()
    changed = ", ".join(f"{k}={v}" for k, v in job.spec.changed().items() if k != "seed")
    with st.container(border=True):
        # the button first, beside the title: it stays in one place while the progress bar
        # and the loss curve below it appear and grow (a moving button is hard to press)
        head, act = st.columns([5, 1], vertical_alignment="center")
        head.markdown(t("train.panel_title", name=job.name, dataset=job.dataset,
                        settings=changed or t("train.defaults")))
        if job.state == "done":
            st.rerun(scope="app")
        if job.state not in ("queued", "running"):
            if act.button(t("train.retry"), key=f"retry-{job.id}"):
                submit(job.spec)
                st.rerun(scope="app")
            if job.state != "cancelled":
                st.error(t("train.failed", state=t(f"train.state.{job.state}"), error=job.error))
            elif job.error:  # gm.jobs: nobody looked at the job any more (its tab was closed)
                st.warning(t("train.cancelled_unwatched"))
            else:
                st.warning(t("train.cancelled_now"))
            return
        if act.button(t("train.cancel"), key=f"cancel-{job.id}"):
            job.cancel()
        if job.state == "queued":
            st.progress(0.0, text=t("train.queued", position=job.position(),
                                    workers=jobs.manager().max_workers))
        else:
            st.progress(min(1.0, job.progress),
                        text=t("train.running", epoch=job.epoch, epochs=job.epochs))
            if job.history:
                st.line_chart([{k: v for k, v in h.items() if k in ("loss", "d_loss", "g_loss")}
                               for h in job.history], height=160)
