"""The message catalogs: every key the code asks for is in the English catalog, every
message formats, and no page or UI module shows a sentence that bypasses the catalog."""
from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
import gm
import lessons
from ui import text

ROOT = Path(__file__).resolve().parent.parent
VIEWS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
UI = sorted((ROOT / "ui").rglob("*.py"))


def _keys(node) -> tuple[set[str], set[str]]:
    """(literal keys, f-string key patterns) a key argument can take; a conditional
    expression can take either branch."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.IfExp):
        a, b = _keys(node.body), _keys(node.orelse)
        return a[0] | b[0], a[1] | b[1]
    if isinstance(node, ast.JoinedStr):
        parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "[A-Za-z0-9_]+" for v in node.values]
        return set(), {"".join(parts)}
    return set(), set()


def used_keys() -> tuple[set[str], set[str]]:
    """Keys (and f-string key patterns) passed to t(...) and verdict(...) anywhere in the app."""
    keys, patterns = set(), set()
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").rglob("*.py"),
                 *(ROOT / "lessons").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and (
                    getattr(node.func, "id", None) in ("t", "verdict")
                    or getattr(node.func, "attr", None) in ("t", "verdict")):
                k, pat = _keys(node.args[0])
                keys |= k
                patterns |= pat
    return keys, patterns


def dynamic_keys() -> set[str]:
    """Keys built at run time from the lesson list and the engine's names."""
    keys = {f"{l.SLUG}.{part}" for l in lessons.LESSONS for part in ("nav", "title", "what")}
    keys |= {f"{l.SLUG}.{part}" for l in lessons.LESSONS if l.SLUG != "home" for part in ("heading", "intro")}
    keys |= {f"dataset.{d}" for d in gm.DATASETS}
    keys |= {f"dataset.status.{s}" for s in ("ready", "test_split_only", "missing")}
    keys |= {f"train.state.{s}" for s in ("queued", "running")}
    return keys


def test_every_key_the_code_uses_is_in_the_english_catalog():
    cat = text.catalog("en")
    keys, patterns = used_keys()
    used = keys | dynamic_keys()
    assert len(used) > 400
    missing = sorted(k for k in used if k not in cat)
    assert not missing, missing
    # a key built at run time must match at least one message (e.g. f"train.state.{state}")
    unmatched = sorted(p for p in patterns if not any(re.fullmatch(p, k) for k in cat))
    assert not unmatched, unmatched


def test_every_message_is_a_valid_format_string():
    """Messages are filled by str.format; only LaTeX formulas (never filled) may hold other braces."""
    for key, msg in text.catalog("en").items():
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(msg) if f is not None]
        except ValueError:
            assert "\\" in msg, key  # a formula
            continue
        assert all(f.isidentifier() for f in fields) or "\\" in msg, (key, fields)


def test_numbers_follow_the_locale():
    assert text.t("vae.coverage.full", "en", cov=0.987).count("99%") == 1
    f = text._formatter("da")
    assert f.format("{a:.4f} {n:,} {p:.0%}", a=0.0123, n=12345, p=0.5) == "0,0123 12.345 50\xa0%"


RENDER = {"title", "header", "subheader", "markdown", "caption", "metric", "button", "radio",
          "selectbox", "select_slider", "slider", "number_input", "info", "warning", "error",
          "success", "toast", "write", "text", "checkbox", "toggle", "expander", "tabs",
          "page_link", "latex", "multiselect", "text_input", "progress", "spinner", "status",
          "download_button", "segmented_control", "pills", "popover", "form_submit_button"}
TEXT_KW = {"label", "help", "caption", "text", "placeholder", "value", "title", "name",
           "xaxis_title", "yaxis_title", "hovertemplate"}


def literal_text(node) -> str | None:
    """The words of a str literal or f-string part, if it holds any letters."""
    parts = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
    words = re.sub(r"<[^>]*>", "", "".join(parts))  # markup is not text
    return words if sum(c.isalpha() for c in words) >= 3 else None


def test_no_sentence_in_views_bypasses_the_catalog():
    """Strings of three or more letters handed to Streamlit's text-showing calls in the
    pages must come from ui.t (keys and format codes are fine elsewhere)."""
    offenders = []
    for path in VIEWS:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in RENDER:
                args = list(node.args) + [k.value for k in node.keywords if k.arg in TEXT_KW]
                for a in args:
                    if literal_text(a):
                        offenders.append(f"{path.name}:{a.lineno}: {literal_text(a)!r}")
    assert not offenders, "\n".join(offenders)


def test_views_are_thin():
    """Pages are views of 90 lines or less with no maths and no caches of their own."""
    for path in VIEWS:
        src = path.read_text()
        assert len(src.splitlines()) <= 90, (path.name, len(src.splitlines()))
        for banned in ("import torch", "import numpy", "st.cache_data", "st.cache_resource",
                       "json.dumps", "from gm import"):
            assert banned not in src, (path.name, banned)


def test_engine_and_lessons_never_import_the_ui():
    for folder in ("gm", "lessons"):
        for path in (ROOT / folder).rglob("*.py"):
            src = path.read_text()
            for banned in ("import streamlit", "import plotly", "from plotly", "import ui", "from ui"):
                assert banned not in src, (str(path.relative_to(ROOT)), banned)
