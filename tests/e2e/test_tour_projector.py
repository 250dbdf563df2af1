"""The lecture tour at a projector: Chromium at 1280x720 with the sidebar folded away, the
whole tour driven by a clicker's keys (→, PageDown, Space) in English and Danish. On every
step, measured in the browser: the smallest visible letter (18 px or more; plot tick labels
16 px or more), no truncated text (an element wider inside than out), the headline and
the figure above the fold; the class's guess and the reveal work; a screenshot of what the
room sees is saved per step (and one at 1024x768)."""
from __future__ import annotations

import pytest

import lessons.tour as tour
from ui import text

KEYS = ("ArrowRight", "PageDown", "Space")
FIGURE = ".st-key-tour-figure"

MEASURE = """() => {
  const vw = innerWidth, vh = innerHeight, out = {small: [], ticks: [], truncated: []};
  const shown = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.visibility === 'hidden' || parseFloat(cs.opacity) === 0) return false;
    }
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.left < vw;
  };
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const node = walk.currentNode, words = node.textContent.trim(), el = node.parentElement;
    if (!words || !el || el.closest('script, style, noscript') || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (el.closest('svg')) { if (size < 16) out.ticks.push([words.slice(0, 40), size]); }
    else if (size < 18) out.small.push([words.slice(0, 40), size, el.className.toString().slice(0, 40)]);
  }
  for (const el of document.querySelectorAll("[data-testid='stMain'] *")) {
    if (el.closest('svg, .js-plotly-plot') || el.querySelector('img, svg') && !el.innerText.trim() || !shown(el)) continue;
    const cs = getComputedStyle(el), clips = cs.textOverflow === 'ellipsis' || cs.overflowX !== 'visible';
    if (clips && (el.innerText || '').trim() && el.scrollWidth > el.clientWidth + 1)
      out.truncated.push([(el.innerText || '').slice(0, 50), el.scrollWidth, el.clientWidth, el.tagName]);
  }
  const main = document.querySelector("[data-testid='stMain']");
  const h1 = main.querySelector('h1'), fig = main.querySelector("%s");
  out.headline = h1 ? h1.innerText : null;
  out.headline_bottom = h1 ? h1.getBoundingClientRect().bottom : null;
  out.figure_bottom = fig ? fig.getBoundingClientRect().bottom : null;
  out.figure_height = fig ? fig.getBoundingClientRect().height : null;
  out.scrolled = (document.querySelector("[data-testid='stMain']") || {}).scrollTop || 0;
  out.sidebar = (document.querySelector("[data-testid='stSidebar']") || {getAttribute: () => null})
      .getAttribute('aria-expanded');
  return out;
}""" % FIGURE


def fold_sidebar(student) -> None:
    """The teacher folds the sidebar away (the tour asks the browser to start it folded)."""
    bar = student.page.locator("[data-testid='stSidebar']")
    if bar.count() and bar.get_attribute("aria-expanded") == "true":
        student.page.locator("[data-testid='stSidebarCollapseButton'] button").first.click()
        student.page.wait_for_timeout(500)


def wait_figure(student) -> None:
    student.page.locator(FIGURE).first.wait_for(state="visible", timeout=60_000)
    student.page.wait_for_function("""(sel) => {
        const f = document.querySelector(sel);
        if (!f) return false;
        const imgs = [...f.querySelectorAll('img')], charts = f.querySelectorAll("[data-testid='stPlotlyChart']");
        const drawn = [...charts].every(c => c.querySelector('.main-svg'));
        return (imgs.length || charts.length) && imgs.every(i => i.complete && i.naturalWidth > 0) && drawn;
    }""", arg=FIGURE, timeout=60_000)


def check(student, where: str, width: int, height: int) -> dict:
    m = student.page.evaluate(MEASURE)
    assert not m["small"], f"{where}: letters under 18 px: {m['small'][:6]}"
    assert not m["ticks"], f"{where}: plot letters under 16 px: {m['ticks'][:6]}"
    assert not m["truncated"], f"{where}: truncated: {m['truncated'][:6]}"
    assert m["scrolled"] == 0 and m["headline_bottom"] <= height, (where, m)
    assert m["figure_bottom"] is not None and m["figure_bottom"] <= height, \
        f"{where}: the figure ends at {m['figure_bottom']:.0f} px, below the {height} px fold"
    return m


@pytest.mark.e2e
@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_whole_tour_by_keyboard_at_a_projector(student, lang):
    page = student.page
    page.set_viewport_size({"width": 1280, "height": 720})
    student.open("Tour", f"lang={lang}&step={tour.IDS[0]}")
    fold_sidebar(student)
    report = []
    for i, step_id in enumerate(tour.IDS):
        s = tour.step(step_id)
        student.settle()
        assert student.query().get("step") == step_id, page.url
        wait_figure(student)
        student.assert_ok(step_id)
        shot = str(student.screens / f"tour-{lang}-{i + 1:02d}-{step_id}")
        page.screenshot(path=shot + ".png")
        m = check(student, f"{lang}/{step_id}", 1280, 720)
        assert m["headline"] == text.say(s.headline, lang)
        if s.question is not None:                       # the class guesses, the teacher reveals
            student.button(text.say(s.answers[0], lang))
            student.button(text.t("tour.reveal", lang))
            wait_figure(student)
            page.screenshot(path=shot + "-revealed.png")
            m = check(student, f"{lang}/{step_id} revealed", 1280, 720)
            assert page.locator("[data-testid='stAlert']").count() >= 1
        report.append((step_id, round(m["figure_bottom"]), round(m["headline_bottom"])))
        if i + 1 < len(tour.IDS):
            page.locator("[data-testid='stMain'] h1").first.click()  # focus the page, not a field
            page.keyboard.press(KEYS[i % len(KEYS)])
            page.wait_for_function("(h) => { const e = document.querySelector(\"[data-testid='stMain'] h1\");"
                                   " return e && e.innerText !== h; }", arg=m["headline"], timeout=60_000)
    page.keyboard.press("PageUp")                        # and back again
    page.wait_for_function("(h) => document.querySelector(\"[data-testid='stMain'] h1\").innerText !== h",
                           arg=text.say(tour.STEPS[-1].headline, lang), timeout=60_000)
    student.settle()
    assert student.query().get("step") == tour.IDS[-2]
    print(f"\n{lang} figure/headline bottoms (px):", report)


@pytest.mark.e2e
@pytest.mark.parametrize("step_id", ["overcomplete", "bottleneck", "gaps"])
def test_a_step_fits_a_1024x768_projector(student, step_id):
    student.page.set_viewport_size({"width": 1024, "height": 768})
    student.open("Tour", f"lang=da&step={step_id}")
    fold_sidebar(student)
    wait_figure(student)
    student.assert_ok(step_id)
    check(student, f"1024/{step_id}", 1024, 768)
    student.button(text.t("tour.reveal", "da"))
    wait_figure(student)
    check(student, f"1024/{step_id} revealed", 1024, 768)
    student.page.screenshot(path=str(student.screens / f"tour-1024-{step_id}.png"))


@pytest.mark.e2e
def test_the_full_page_link_opens_the_lesson_in_the_steps_state(student):
    student.open("Tour", "step=kl")
    student.button(text.t("tour.full_page", "en", page=text.t("vae.nav", "en")))
    student.page.wait_for_url(lambda u: "/VAE" in u, timeout=30_000)
    student.settle()
    student.assert_ok("VAE from the tour")
    assert student.query().get("beta") == "8.0", student.page.url
    assert student.slider_value("β") == "8.0"
