"""Keeping the message catalogs in step with the code, with Babel's extract and update.

    python -m ui.catalog            # writes ui/locale/gm.pot, updates every language's gm.po

The template holds every key the code asks for: the literal ones Babel's extractor finds
in `t("...")` and `verdict("...")` calls, and, for keys built at run time
(`t(f"gan.mode.{m}")`), every key already in the English catalog that such a pattern
matches. New keys then appear in each catalog with an empty message to write; keys no code
uses any more become obsolete. Not imported by the app.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "ui" / "locale"
SOURCES = ("app.py", "pages", "ui", "lessons")
KEYWORDS = {"t": None, "verdict": None}


def _files():
    for name in SOURCES:
        path = ROOT / name
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def _keys(node) -> tuple[set[str], set[str]]:
    """(literal keys, patterns of keys built at run time) one key argument can take."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.IfExp):
        a, b = _keys(node.body), _keys(node.orelse)
        return a[0] | b[0], a[1] | b[1]
    if isinstance(node, ast.JoinedStr):
        parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"[A-Za-z0-9_+\-]+"
                 for v in node.values]
        return set(), {"".join(parts)}
    return set(), set()


def used_keys() -> tuple[set[str], set[str]]:
    """Every literal key, and every run-time key pattern, in the app's t()/verdict() calls."""
    keys, patterns = set(), set()
    for path in _files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and node.args and (
                    getattr(node.func, "id", None) in KEYWORDS
                    or getattr(node.func, "attr", None) in KEYWORDS):
                k, p = _keys(node.args[0])
                keys |= k
                patterns |= p
    return keys, patterns


def extracted() -> set[str]:
    """The literal keys as Babel's own extractor sees them."""
    found = set()
    for name in SOURCES:
        path = ROOT / name
        if path.is_file():
            with open(path, "rb") as f:
                found |= {m[1] for m in extract("python", f, keywords=KEYWORDS)}
        else:
            found |= {m[2] for m in extract_from_dir(path, method_map=[("**.py", "python")],
                                                       keywords=KEYWORDS)}
    return found - {""}


def catalog(lang: str) -> Catalog:
    with open(LOCALE / lang / "LC_MESSAGES" / "gm.po", "rb") as f:
        return read_po(f, locale=lang)


def template() -> Catalog:
    """The .pot: every key the code uses, with the English message's flags."""
    english = catalog("en")
    _, patterns = used_keys()
    keys = extracted() | {m.id for m in english if m.id and any(re.fullmatch(p, m.id) for p in patterns)}
    pot = Catalog(domain="gm", project="gm lab")
    for key in sorted(keys):
        old = english.get(key)
        pot.add(key, flags=old.flags if old is not None else (), auto_comments=old.auto_comments if old else ())
    return pot


def main() -> None:
    pot = template()
    with open(LOCALE / "gm.pot", "wb") as f:
        write_po(f, pot, width=100, omit_header=False)
    for po in sorted(LOCALE.glob("*/LC_MESSAGES/gm.po")):
        lang = po.parent.parent.name
        cat = catalog(lang)
        cat.update(pot, no_fuzzy_matching=True)
        with open(po, "wb") as f:
            write_po(f, cat, width=100, ignore_obsolete=True)
        empty = sum(1 for m in cat if m.id and not m.string)
        print(f"{lang}: {len(cat)} messages, {empty} to write")


if __name__ == "__main__":
    main()
