"""Controls mirrored in the URL: every widget a page draws through `param` starts from
(in order) this session's earlier value, the link's query string, else its default, and
`share()` writes the values back, so a link reproduces the view."""
from __future__ import annotations

import math

import streamlit as st

from .text import t

_SHADOW = "_gm_shadow"    # widget values kept across page switches
_PARAMS = "_gm_params"    # params registered by the page in this run
_KEYS = "_gm_param_keys"  # every widget key param() ever handed out in this session


def start_page(page: str) -> None:
    """Called by ui.setup: forget last run's params, keep the values of this page's controls
    that a stopped run did not draw, and of the shared ones (dataset, seed, language) across
    a page switch: Streamlit would clean both up, and a radio would fall back to its first
    option. Re-assigning a value makes it the session's, which Streamlit keeps."""
    st.session_state[_PARAMS] = {}
    st.session_state["_gm_page"] = page
    for key in st.session_state.get(_KEYS, ()):
        if (key.startswith(f"{page}.") or "." not in key) and key in st.session_state:
            st.session_state[key] = st.session_state[key]


def param(name: str, default, *, options=None, lo=None, hi=None, shared: bool = False) -> str:
    """Initialise the widget value `name` once per session, from (in order) this session's
    earlier value, the URL query string, else `default`; returns the widget key. Bad URL
    values are ignored with a notice. `shared` params (dataset, seed) are the same on every page."""
    key = name if shared else f"{st.session_state.get('_gm_page', '')}.{name}"
    st.session_state.setdefault(_PARAMS, {})[name] = key
    st.session_state.setdefault(_KEYS, set()).add(key)
    shadow = st.session_state.setdefault(_SHADOW, {})
    if key not in st.session_state:
        value = shadow.get(key, default)
        raw = st.query_params.get(name)
        if key not in shadow and raw is not None:
            parsed = parse(raw, default, options, lo, hi)
            if parsed is None:  # shown where the control is, even if the page stops later
                note = t("params.ignored", name=plain(name), raw=plain(raw[:40]), default=plain(repr(default)))
                st.caption(note)
                st.toast(note, icon="ℹ️")
            else:
                value = parsed
        st.session_state[key] = value
    return key


_MARKDOWN = set("\\`*_{}[]<>()#+-.!|~$:")


def plain(text: str) -> str:
    """User text shown as itself: every character Markdown (or a link) could use escaped."""
    return "".join("\\" + c if c in _MARKDOWN else c for c in text.replace("\n", " "))


def parse(raw: str, default, options=None, lo=None, hi=None):
    """A URL value as the type of `default`, or None when it is not a valid value."""
    try:
        if isinstance(default, bool):
            if raw.lower() not in ("true", "false", "1", "0"):
                return None
            v = raw.lower() in ("true", "1")
        elif isinstance(default, int):
            v = int(raw)
        elif isinstance(default, float):
            v = float(raw)
            if not math.isfinite(v):
                return None
        else:
            v = raw
    except ValueError:
        return None
    if options is not None:
        return v if v in options else None
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        return None
    return v


def share() -> None:
    """Mirror this page's controls into the URL. Call at the end of a page."""
    shadow = st.session_state.setdefault(_SHADOW, {})
    params = dict(st.query_params)  # keep values of controls this run did not reach
    for name, key in st.session_state.get(_PARAMS, {}).items():
        if key in st.session_state:
            shadow[key] = st.session_state[key]
            params[name] = str(st.session_state[key])
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)
