"""Every sentence a student reads comes from here: gettext catalogs (`ui/locale/<lang>/
LC_MESSAGES/gm.po`, managed with Babel) looked up per session, never installed process-wide
(one server serves a whole class, and two students may read two languages at once).

Messages are keyed: `t("vae.title")`. A message may hold Python format fields, and numbers
in them are written in the session's locale through Babel: `{cov:.0%}`, `{mse:.4f}`,
`{n:,}` (thousands separator). Lessons return `Verdict(key, values)`; `say(v)` words it.

    pybabel extract -F babel.cfg -o ui/locale/gm.pot .     # the keys the code uses
    pybabel update -i ui/locale/gm.pot -d ui/locale -D gm   # into every language's catalog
"""
from __future__ import annotations

import contextvars
import functools
import re
import string
from pathlib import Path

import streamlit as st
from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "gm"
DEFAULT_LANGUAGE = "en"
# every catalog in ui/locale is a language, named in itself ("English", "dansk"):
# a new language is its catalog and nothing else
LANGUAGES = {p.parent.parent.name: Locale.parse(p.parent.parent.name).get_display_name(p.parent.parent.name)
             for p in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"),
                             key=lambda p: (p.parent.parent.name != DEFAULT_LANGUAGE, str(p)))}
_SIGNIFICANT = re.compile(r"^\.(\d+)g$")
_SPEC = re.compile(r"^(\+)?(,)?\.(\d+)([f%])$")


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """The translated messages of one language (untranslated and fuzzy ones left out)."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.is_file():
        return {}
    with open(path, "rb") as f:
        cat = read_po(f, locale=lang)
    return {m.id: m.string for m in cat if m.id and m.string and not m.fuzzy}


_bound: contextvars.ContextVar[str | None] = contextvars.ContextVar("gm_language", default=None)


def bound(fn):
    """`fn` (a widget's format function) speaking the language of the run that drew the
    widget, also when called again after the run (AppTest reads widgets back that way)."""
    lang = language()

    def call(value):
        token = _bound.set(lang)
        try:
            return fn(value)
        finally:
            _bound.reset(token)
    return call


def language() -> str:
    """This session's language (ui.page sets it from the URL, the switch or the browser)."""
    if _bound.get() is not None:
        return _bound.get()
    try:
        lang = st.session_state.get("lang", DEFAULT_LANGUAGE)
    except Exception:  # outside a Streamlit session (scripts, tests)
        lang = DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


class _LocaleFormatter(string.Formatter):
    """str.format, with numbers written by Babel in the session's locale."""

    def __init__(self, locale: str):
        self.locale = locale
        self.percent = Locale.parse(locale).percent_formats[None].pattern  # "#,##0 %" in Danish

    def format_field(self, value, spec: str):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            m = _SPEC.match(spec)
            if m:
                sign, group, digits, kind = m.groups()
                frac = "0" * int(digits)
                pattern = ("#,##0" if group else "0") + (f".{frac}" if frac else "")
                if kind == "%":  # the locale's own percent layout ("50 %" in Danish)
                    out = format_percent(value, self.percent.replace("#,##0", pattern), locale=self.locale)
                else:
                    out = format_decimal(value, pattern, locale=self.locale)
                return ("+" + out) if sign and value >= 0 else out
            m = _SIGNIFICANT.match(spec)
            if m:  # significant digits: 1e-4 stays 0.0001, 0.00123 stays 0.00123
                return format_decimal(value, "@" + "#" * (int(m.group(1)) - 1), locale=self.locale)
            if spec == ",":
                return format_decimal(value, "#,##0", locale=self.locale)
            if spec in ("", "g") and isinstance(value, float):
                return format_decimal(value, "0.###", locale=self.locale)
        return super().format_field(value, spec)


@functools.cache
def _formatter(lang: str) -> _LocaleFormatter:
    return _LocaleFormatter(str(Locale.parse(lang)))


def t(key: str, lang: str | None = None, **values) -> str:
    """The message `key` in this session's language, its fields filled from `values`.
    A key missing from the catalog shows as itself (a test finds every such key)."""
    lang = lang or language()
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    return _formatter(lang).format(text, **values) if values else text


def has(key: str) -> bool:
    """Whether the catalog holds `key` (optional parts, such as a lesson's formula)."""
    return key in catalog(DEFAULT_LANGUAGE)


def say(verdict, lang: str | None = None) -> str:
    """A lesson's verdict (a key and its numbers) as a sentence."""
    return t(verdict.key, lang, **dict(verdict.values))


def num(value: float, spec: str = ".2f", lang: str | None = None) -> str:
    """One number in the session's locale, for metrics and figure labels."""
    return _formatter(lang or language()).format_field(value, spec)
