"""Page set-up and the sidebar every page shares: the lab's navigation (read from
`lessons.LESSONS`), the dataset and seed every model is trained with, the device, the
training queue."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from streamlit.errors import StreamlitAPIException

import gm
import lessons
from gm import jobs

from .params import param, start_page
from .text import has, t


MAX_SEED = 99  # seeds a link can ask for: each one is another set of models to train


@dataclass(frozen=True)
class Settings:
    dataset: str
    seed: int

    def spec(self, name: str, **config) -> gm.Spec:
        """The Spec of model `name` on this page's dataset and seed."""
        return gm.Spec(name, self.dataset, **{"seed": self.seed, **config})


def setup(lesson) -> Settings:
    """Page config and the shared sidebar for a lesson module; call first on every page."""
    title = t(f"{lesson.SLUG}.title")
    st.set_page_config(page_title=t("app.tab_title", title=title), page_icon="🧪", layout="wide")
    start_page(lesson.SLUG)
    with st.sidebar:
        _navigation()
        dataset = st.selectbox(t("sidebar.dataset"), list(gm.DATASETS),
                               key=param("dataset", gm.DEFAULT_DATASET, options=list(gm.DATASETS),
                                         shared=True),
                               format_func=lambda d: t("sidebar.dataset_option",
                                                       label=t(f"dataset.{d}"),
                                                       status=dataset_status(d)))
        seed = st.number_input(t("sidebar.seed"), 0, MAX_SEED,
                               key=param("seed", 0, lo=0, hi=MAX_SEED, shared=True),
                               help=t("sidebar.seed_help"))
        if gm.dataset_status(dataset) == "missing":
            st.warning(t("sidebar.dataset_missing", dataset=dataset,
                         folder=str(gm.data.raw_folder(dataset))))
        st.caption(t("sidebar.device", device=gm.describe_device()))
        _jobs_summary()
    try:
        data = gm.load_dataset(dataset)
    except gm.DatasetError as e:
        st.error(str(e))
        st.info(t("sidebar.switch_to_digits"))
        st.stop()
    if data.notice:
        st.sidebar.caption(data.notice)
    return Settings(dataset, int(seed))


def _navigation() -> None:
    for lesson in lessons.LESSONS:
        try:
            st.page_link(lesson.PAGE, label=t(f"{lesson.SLUG}.nav"))
        except StreamlitAPIException:  # AppTest runs a page file without the app around it
            return
    st.divider()


@st.cache_data(ttl=30, show_spinner=False)
def _status(name: str) -> str:
    return gm.dataset_status(name)


def dataset_status(name: str) -> str:
    return t("dataset.status." + _status(name).replace(" ", "_"))


def _jobs_summary() -> None:
    active = [j for j in jobs.manager().jobs() if j.state in ("queued", "running")]
    if active:
        st.caption(t("sidebar.training_now", n=len(active), jobs=", ".join(
            f"{j.name} ({t('train.state.' + j.state)})" for j in active[:4])))


def intro(lesson) -> None:
    """A lesson's opening explanation and its key formula (both from the catalog)."""
    st.title(t(f"{lesson.SLUG}.heading"))
    st.markdown(t(f"{lesson.SLUG}.intro"))
    if has(f"{lesson.SLUG}.formula"):
        st.latex(t(f"{lesson.SLUG}.formula"))
