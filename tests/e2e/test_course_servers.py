"""A large course on one machine (course.py): two app servers behind nginx with sticky
sessions and one Redis. The teacher's browser is on one server, a student's phone on the
other; they see one class: the student follows the teacher's step, answers, and draws a
digit with a finger-sized canvas that lands on the teacher's board."""
from __future__ import annotations

import re
import shutil
import time

import pytest

from appserver import Course
from conftest import Student, app_env

NEEDS = [b for b in ("nginx", "redis-server") if not (shutil.which(b) or shutil.which(f"/usr/sbin/{b}"))]
pytestmark = pytest.mark.skipif(bool(NEEDS), reason=f"{NEEDS} missing: apt-get install -y nginx redis-server")


@pytest.fixture(scope="module")
def course(model_cache, e2e_tmp):
    c = Course(app_env(model_cache, e2e_tmp), e2e_tmp / "course")
    try:
        yield c
    finally:
        c.stop()


def person(browser, course, server: int, screens, **ctx):
    """A browser pinned to app server `server` by nginx's sticky cookie."""
    context = browser.new_context(**ctx)
    context.add_cookies([{"name": "gm_server", "value": str(server), "url": course.url}])
    return Student(context.new_page(), course.url, screens)


def served_by(p: Student) -> str:
    return next(c["value"] for c in p.page.context.cookies() if c["name"] == "gm_server")


def headline(p: Student) -> str:
    return p.page.locator("[data-testid='stMain'] h1").first.inner_text().strip()


def wait_text(p: Student, pattern: str, timeout: float = 15) -> re.Match:
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, p.page.locator("[data-testid='stMain']").inner_text())
        if m:
            return m
        assert time.monotonic() < deadline, f"{pattern!r} not on {p.page.url} after {timeout} s"
        p.page.wait_for_timeout(100)


def test_teacher_and_students_on_two_servers_share_one_class(course, browser, screens):
    teacher = person(browser, course, 1, screens, viewport={"width": 1280, "height": 720})
    phone = person(browser, course, 2, screens, viewport={"width": 390, "height": 844},
                   is_mobile=True, has_touch=True, device_scale_factor=2)
    laptop = person(browser, course, 1, screens, viewport={"width": 1280, "height": 800})
    try:
        teacher.open("Tour", "step=unsupervised")
        teacher.button("Start a class session")
        dialog = teacher.page.locator("[role='dialog']")
        dialog.wait_for(timeout=15_000)
        dialog.locator("img").first.wait_for(timeout=15_000)   # the QR code
        code = re.search(r"\b([A-Z2-9]{4}) ([A-Z2-9]{4})\b", dialog.inner_text())
        assert code, dialog.inner_text()
        teacher.shot("course-teacher-join-qr")
        code = code[1] + code[2]
        teacher.page.keyboard.press("Escape")
        dialog.wait_for(state="detached", timeout=10_000)

        for p in (phone, laptop):
            p.open("Tour", f"join={code}")
            wait_text(p, "you follow the teacher")
        assert (served_by(teacher), served_by(phone), served_by(laptop)) == ("1", "2", "1")
        wait_text(teacher, r"· 2 joined")

        teacher.page.locator("[data-testid='stMain'] h1").first.click()  # focus the page, not a field
        before = headline(teacher)
        teacher.page.keyboard.press("ArrowRight")               # the clicker's key
        t0 = time.monotonic()
        teacher.page.wait_for_function("(h) => document.querySelector(\"[data-testid='stMain'] h1\")"
                                       " && document.querySelector(\"[data-testid='stMain'] h1\").innerText.trim() != h",
                                       arg=before, timeout=15_000)
        now = headline(teacher)
        for p in (phone, laptop):
            p.page.wait_for_function("(h) => { const e = document.querySelector(\"[data-testid='stMain'] h1\");"
                                     " return e && e.innerText.trim() == h; }", arg=now, timeout=15_000)
        follow_s = time.monotonic() - t0
        phone.shot("course-phone-follows")

        phone.button(phone.page.locator("[data-testid='stMain'] [class*='st-key-tour-answer-'] button")
                     .first.inner_text().strip(), settle=False)
        wait_text(teacher, r"\b1\b answers from the class")

        phone.settle()  # the step's first measurement on this server runs before the canvas is drawn on
        phone.page.get_by_text("Draw a digit for the class").click()
        send = phone.page.locator("[data-testid='stMain'] [data-testid='stButton'] button:not([disabled])") \
            .filter(has_text="Send to the board")
        for _ in range(3):  # bounded: a stroke drawn while the page reran can be lost; draw again
            canvas = phone.page.locator("[data-testid='stMain'] canvas").last
            canvas.scroll_into_view_if_needed()
            canvas.wait_for(timeout=15_000)
            box = canvas.bounding_box()
            cx, top = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.18
            phone.page.mouse.move(cx, top)
            phone.page.mouse.down()
            for i in range(1, 13):                              # a "1", top to bottom
                phone.page.mouse.move(cx, top + i * box["height"] * 0.055)
            phone.page.mouse.up()
            phone.settle()
            if send.count():
                break
        assert send.count(), "the phone's drawing never reached its server: Send stayed disabled"
        phone.page.locator("[data-testid='stMain'] [data-testid='stButtonGroup'] button").filter(
            has_text=re.compile(r"^1$")).first.click()
        phone.settle()
        phone.button("Send to the board")
        wait_text(phone, r"drawing no\. 1 is on the board")
        phone.shot("course-phone-drew")

        teacher.button("The class's digits", settle=False)     # the board polls: wait for its text
        wait_text(teacher, r"On the board: 1\.", timeout=120)
        teacher.shot("course-teacher-board")
        laptop.open("Class", f"join={code}", settle=False)      # a student on the first server
        wait_text(laptop, r"On the board: 1\.", timeout=120)    # sees the phone's digit (the second's)
        assert not teacher.exceptions() and not phone.exceptions() and not laptop.exceptions()
        print(f"\nstudents on the other server followed the teacher's step within {follow_s:.2f} s")
    finally:
        for p in (teacher, phone, laptop):
            p.page.context.close()
