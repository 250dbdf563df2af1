"""Shared set-up for the AppTest suites: a temporary model cache pre-filled with exactly the
models a page asks for (so it renders at once instead of showing the training panel), and
small helpers to run a page and read what it shows."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import gm
from gm.referee import second_spec, spec as referee_spec
from gm.store import entry_path

ROOT = Path(__file__).resolve().parent.parent
# the longest single run: a tour page ends by measuring the next step ('harder' trains 16
# small runs: 15 s on an idle 2-core machine, over 60 s on a busy CI one)
RUN_TIMEOUT = 240


@contextmanager
def pretrained(path: Path, models: list[tuple[str, dict]], referee: bool = True):
    """Point GM_CACHE_DIR at `path` and put `models` (digits, seed 0) into it, trained (see
    `stock`); st caches are cleared so no page sees a model from another test module's cache."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GM_CACHE_DIR", str(path))
    try:
        specs = [gm.Spec(name, "digits", seed=0, **config) for name, config in models]
        for spec in specs + ([referee_spec("digits"), second_spec("digits")] if referee else []):
            stock(spec, path)
        clear_caches()
        yield path
    finally:
        mp.undo()


_POOL: list[Path] = []


def stock(spec: gm.Spec, cache: Path) -> None:
    """Put a trained `spec` into `cache`: trained once per test run into one shared pool
    (many modules ask for the same digits models), then copied, so each module's cache
    still holds exactly the models it asked for."""
    if not _POOL:
        _POOL.append(Path(tempfile.mkdtemp(prefix="gm-test-pool-")))
        atexit.register(shutil.rmtree, _POOL[0], True)
    gm.get_model(spec, cache=str(_POOL[0]))
    target = entry_path(spec, str(cache))
    if not target.exists():
        shutil.copytree(entry_path(spec, str(_POOL[0])), target)


def cache_fixtures(models: list[tuple[str, dict]], referee: bool = True):
    """The two fixtures of every AppTest module: `cache`, a module-wide temporary cache
    holding `models`, and `clear`, fresh st caches for each test. Use as
    `cache, clear = cache_fixtures(MODELS)` at module level."""
    @pytest.fixture(scope="module", autouse=True)
    def cache(tmp_path_factory):
        with pretrained(tmp_path_factory.mktemp("gm-cache"), models, referee) as path:
            yield path

    @pytest.fixture(autouse=True)
    def clear():
        clear_caches()

    return cache, clear


def clear_caches() -> None:
    """st.cache_resource survives across AppTest instances in one process: start clean."""
    st.cache_resource.clear()
    st.cache_data.clear()


def page(path: str, **query) -> AppTest:
    """Run a page (path relative to the repository) with URL query values; no exception.
    The pages open on the 8x8 digits here (?dataset=digits), whose models the fixtures
    train in seconds; tests/test_phenomena.py and tests/e2e check the default dataset."""
    at = AppTest.from_file(str(ROOT / path), default_timeout=RUN_TIMEOUT)
    at.query_params.update({"dataset": "digits", **query})
    at.run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label.startswith(label))


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)
