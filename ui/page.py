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
from .text import DEFAULT_LANGUAGE, LANGUAGES, bound, has, t


MAX_SEED = 99  # seeds a link can ask for: each one is another set of models to train


@dataclass(frozen=True)
class Settings:
    dataset: str
    seed: int

    def spec(self, name: str, **config) -> gm.Spec:
        """The Spec of model `name` on this page's dataset and seed."""
        return gm.Spec(name, self.dataset, **{"seed": self.seed, **config})


def _browser_language() -> str:
    """The browser's preferred language when the lab speaks it, else English."""
    try:
        code = (st.context.locale or "").replace("_", "-").split("-")[0].lower()
    except Exception:  # older Streamlit, or no browser (AppTest)
        code = ""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


# a little less side padding than Streamlit's 5rem: a row of ten 28x28 digits at 84 px
# (862 px) then fits beside the open sidebar on a 1280 px projector
_CSS = "<style>[data-testid='stMainBlockContainer'] {padding-left: 2rem; padding-right: 2rem;}</style>"


def setup(lesson) -> Settings:
    """Page config and the shared sidebar for a lesson module; call first on every page.
    The language comes from the link (?lang=da), else this session's choice in the
    sidebar, else the browser's language, else English; each session has its own."""
    start_page(lesson.SLUG)
    lang_key = param("lang", _browser_language(), options=list(LANGUAGES), shared=True)
    title = t(f"{lesson.SLUG}.title")
    st.set_page_config(page_title=t("app.tab_title", title=title), page_icon="🧪", layout="wide")
    st.html(_CSS)
    with st.sidebar:
        if len(LANGUAGES) > 1:
            st.radio(t("sidebar.language"), list(LANGUAGES), format_func=LANGUAGES.get,
                     horizontal=True, key=lang_key)
        _navigation()
        dataset = st.selectbox(t("sidebar.dataset"), list(gm.DATASETS),
                               key=param("dataset", gm.DEFAULT_DATASET, options=list(gm.DATASETS),
                                         shared=True),
                               format_func=bound(lambda d: t("sidebar.dataset_option",
                                                             label=t(f"dataset.{d}"),
                                                             status=dataset_status(d))))
        seed = st.number_input(t("sidebar.seed"), 0, MAX_SEED,
                               key=param("seed", 0, lo=0, hi=MAX_SEED, shared=True),
                               help=t("sidebar.seed_help"))
        if _status(dataset) == "missing":
            st.warning(t("sidebar.dataset_missing", dataset=dataset,
                         folder=str(gm.data.raw_folder(dataset))))
        st.caption(t("sidebar.device", device=_device()))
        _jobs_summary()
    try:
        data = gm.load_dataset(dataset)
    except gm.DatasetError as e:
        st.error(str(e))
        st.info(t("sidebar.switch_to_digits"))
        st.stop()
    if data.notice_key:
        st.sidebar.caption(_data_notice(data.notice_key, data.notice_values))
    return Settings(dataset, int(seed))


def link(page: str, label: str, icon: str | None = None) -> bool:
    """A link to another page of the lab; False where there are no pages to link to
    (AppTest runs a page file without the app around it)."""
    try:
        st.page_link(page, label=label, icon=icon)
        return True
    except StreamlitAPIException:
        return False


def _navigation() -> None:
    for lesson in lessons.LESSONS:
        if not link(lesson.PAGE, t(f"{lesson.SLUG}.nav")):
            return
    st.divider()


@st.cache_data(ttl=30, show_spinner=False)
def _status(name: str) -> str:
    return gm.dataset_status(name)


def dataset_status(name: str) -> str:
    return t(f"dataset.status.{_status(name).replace(' ', '_')}")


def _data_notice(key: str, values: dict) -> str:
    """The dataset's notice (gm.Dataset.notice_key) in the session's language."""
    if key == "data.embedded":
        return t("data.embedded", **values)
    return t("data.test_split_only", **values)


def _device() -> str:
    info = gm.device.device_info()
    if info["kind"] == "cuda":
        return t("device.gpu", name=info["name"])
    return t("device.mps") if info["kind"] == "mps" else t("device.cpu", cores=info["cores"])


def _jobs_summary() -> None:
    active = [j for j in jobs.manager().jobs() if j.state in ("queued", "running")]
    if active:
        st.caption(t("sidebar.training_now", n=len(active), jobs=", ".join(
            f"{j.name} ({t(f'train.state.{j.state}')})" for j in active[:4])))


def intro(lesson) -> None:
    """A lesson's opening explanation and its key formula (both from the catalog)."""
    st.title(t(f"{lesson.SLUG}.heading"))
    st.markdown(t(f"{lesson.SLUG}.intro"))
    if has(f"{lesson.SLUG}.formula"):
        st.latex(t(f"{lesson.SLUG}.formula"))
