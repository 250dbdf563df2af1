"""Every page in Danish in a real browser: opened with ?lang=da, no exception, and no
English sentence of the catalog left anywhere in the visible text; the sidebar switch
changes the language of a running session and the link keeps it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ui import text

ROOT = Path(__file__).resolve().parents[2]
PAGES = [""] + [re.sub(r"^[0-9]+[_ -]*", "", p.stem) for p in sorted((ROOT / "pages").glob("*.py"))]


def english_fragments() -> set[str]:
    """Literal runs of 4+ words from every English message whose Danish differs: if one of
    them is on a Danish page, a sentence bypassed the translation."""
    en, da = text.catalog("en"), text.catalog("da")
    out = set()
    for key, msg in en.items():
        if da.get(key) == msg or "\\" in msg:
            continue
        for run in re.split(r"\{[^}]*\}|\*\*|[*`_\n]|<[^>]+>", msg):
            run = run.strip(" .,:;()·—-")
            if run in da.get(key, ""):  # a command or a name the Danish keeps as it is
                continue
            if len(run.split()) >= 4 and len(run) >= 20:
                out.add(run)
    return out


def visible(student) -> str:
    return student.page.locator("[data-testid='stApp']").inner_text()


@pytest.mark.e2e
@pytest.mark.parametrize("path", PAGES, ids=[p or "home" for p in PAGES])
def test_every_page_reads_in_danish(student, path):
    student.page.set_viewport_size({"width": 1280, "height": 720})  # a projector
    student.open(path, "lang=da")
    student.assert_ok(f"/{path} in Danish")
    shown = visible(student)
    left = sorted(f for f in english_fragments() if f in shown)
    assert not left, f"English left on /{path}?lang=da: {left[:5]}"
    assert re.search(r"[æøå]", shown), "no Danish letters on the page"
    student.shot(f"da-{path or 'home'}")


@pytest.mark.e2e
def test_the_sidebar_switch_changes_the_language_and_the_link_keeps_it(student):
    student.open("", "lang=en")
    student.nav("VAE")  # a page switch keeps the language (a radio would fall back to its first)
    assert text.t("vae.heading", "en") in visible(student)
    student.radio(text.t("sidebar.language", "en"), "dansk", sidebar=True)
    assert text.t("vae.heading", "da") in visible(student)
    assert student.query().get("lang") == "da"
    student.nav("Autoencoder")  # the choice follows the student to the next page
    assert text.t("autoencoder.heading", "da") in visible(student)
