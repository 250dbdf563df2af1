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
from ui.catalog import extracted, template, used_keys

ROOT = Path(__file__).resolve().parent.parent
VIEWS = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py"))]
UI = sorted((ROOT / "ui").rglob("*.py"))


def dynamic_keys() -> set[str]:
    """Keys built at run time from the lesson list and the engine's names."""
    keys = {f"{l.SLUG}.{part}" for l in lessons.LESSONS for part in ("nav", "title", "what")}
    keys |= {f"{l.SLUG}.{part}" for l in lessons.LESSONS if l.SLUG != "home" for part in ("heading", "intro")}
    keys |= {f"dataset.{d}" for d in gm.DATASETS}
    keys |= {f"dataset.status.{s}" for s in ("ready", "test_split_only", "missing", "embedded")}
    keys |= {"data.test_split_only", "data.embedded"}  # gm.Dataset.notice_key
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


def test_babel_extracts_exactly_the_keys_the_code_uses():
    """`python -m ui.catalog` (Babel's extract and update) keeps the catalogs in step: its
    extractor must see every literal key as it is (a conditional inside t(...) reaches it
    merged), and its template must hold every key in use, so an update drops nothing."""
    literal, _ = used_keys()
    assert extracted() <= literal
    pot = {m.id for m in template() if m.id}
    assert (used_keys()[0] | dynamic_keys()) <= pot
    unused = sorted(set(text.catalog("en")) - pot)
    assert not unused, f"messages no code uses: {unused[:8]}"


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
RENDER |= {"Bar", "Scatter", "Heatmap", "Histogram", "update_layout", "add_annotation",
           "add_trace", "Figure", "image"}


def literal_text(node) -> str | None:
    """The words of a str literal or f-string part, if it holds any letters."""
    parts = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
    words = re.sub(r"<[^>]*>|%?\{[^}]*\}", "", "".join(parts))  # markup and templates are not text
    return words if sum(c.isalpha() for c in words) >= 3 else None


def test_no_sentence_in_views_bypasses_the_catalog():
    """Strings of three or more letters handed to Streamlit's text-showing calls, or to a
    figure's titles, names and hover texts, in the pages and the UI package must come from
    ui.t (keys and format codes are fine elsewhere)."""
    offenders = []
    for path in VIEWS + UI:
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


# --- every language --------------------------------------------------------------------------

def fields(msg: str) -> set[tuple[str, str]]:
    if "\\" in msg:  # a LaTeX formula: never filled, its \text{...} words are translated
        return set()
    try:
        return {(f, spec) for _, f, spec, _ in string.Formatter().parse(msg) if f is not None}
    except ValueError:  # a LaTeX formula: never filled
        return set()


@pytest.mark.parametrize("lang", [lang for lang in text.LANGUAGES if lang != "en"])
def test_every_message_is_translated_with_the_same_fields(lang):
    from babel.messages.pofile import read_po
    with open(text.LOCALE_DIR / lang / "LC_MESSAGES" / "gm.po", "rb") as f:
        cat = read_po(f, locale=lang)
    fuzzy = [m.id for m in cat if m.id and m.fuzzy]
    assert not fuzzy, fuzzy
    en, other = text.catalog("en"), text.catalog(lang)
    missing = sorted(k for k in en if not other.get(k, "").strip())
    assert not missing, missing
    wrong = sorted(k for k in en if fields(en[k]) != fields(other[k]))
    assert not wrong, [(k, fields(en[k]), fields(other[k])) for k in wrong[:5]]


def test_the_lab_speaks_danish_and_english():
    assert set(text.LANGUAGES) == {"en", "da"}
    assert text.t("vae.coverage.full", "da", cov=0.987) != text.t("vae.coverage.full", "en", cov=0.987)
    assert "99\xa0%" in text.t("vae.coverage.full", "da", cov=0.987)  # Babel's non-breaking space


def test_two_sessions_read_two_languages_at_the_same_time():
    """The language is per session (no process-wide gettext.install): a Danish and an
    English student render the same page in turn and each keeps their own."""
    from streamlit.testing.v1 import AppTest
    da = AppTest.from_file(str(ROOT / "pages" / "9_Glossary.py"), default_timeout=60)
    da.query_params["lang"] = "da"
    en = AppTest.from_file(str(ROOT / "pages" / "9_Glossary.py"), default_timeout=60)
    for _ in range(2):
        da.run()
        en.run()
        assert not da.exception and not en.exception
        assert da.title[0].value == text.t("glossary.heading", "da")
        assert en.title[0].value == text.t("glossary.heading", "en")
