"""Class sessions (gm.classroom, ui.classroom, lessons.classroom, pages/11_Class.py): the
store's contract on both backends (in this process, and a real redis-server), two store
objects on one Redis seeing one class (two app servers), and a teacher and students in
AppTest: follow the teacher, explore alone, answer, count, draw onto the board."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time

import numpy as np
import pytest
import torch

import gm
import lessons.classroom as board
from apptest_support import cache_fixtures, page
from gm import classroom as cls

MODELS = [("ae", {"latent_dim": 8}), ("vae", {}), ("ae", {"latent_dim": 2}), ("vae", {"latent_dim": 2})]
cache, clear = cache_fixtures(MODELS)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def redis_url():
    """A real redis-server on loopback, in memory only, for this module."""
    exe = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not shutil.which(exe):
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    p = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 20
    while True:
        try:
            cls.connect(url)
            break
        except cls.ClassError:
            assert time.monotonic() < deadline and p.poll() is None, "redis-server did not start"
            time.sleep(0.1)
    yield url
    p.terminate()
    p.wait(10)


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return cls.connect("")
    return cls.connect(request.getfixturevalue("redis_url"))


# --- the store's contract, on both backends ----------------------------------------------------

def test_a_session_has_an_unguessable_code_and_only_its_teacher_moves_it(store):
    codes = {store.start()[0] for _ in range(20)}
    assert len(codes) == 20
    assert all(len(c) == cls.CODE_LENGTH and set(c) <= set(cls.CODE_ALPHABET) for c in codes)
    code, token = store.start()
    assert store.follow(code)["step"] == "" and store.exists(code.lower())
    assert store.move(code, token, "vae", revealed=True) == 1
    assert store.follow(code) == {"step": "vae", "revealed": True, "moves": 1, "cleared": 0,
                                  "drawn": 0, "students": 0}
    other_code, other_token = store.start()
    for bad in ("", "x" * 32, other_token):
        with pytest.raises(cls.ClassError) as e:
            store.move(code, bad, "gan")
        assert e.value.reason == "not_teacher"
    assert store.follow(code)["step"] == "vae"
    with pytest.raises(cls.ClassError) as e:
        store.follow("NOSUCHCD")
    assert e.value.reason == "unknown"


def test_answers_count_each_students_last_answer(store):
    code, token = store.start()
    assert store.join(code, "a") == 1 and store.join(code, "b") == 2
    store.answer(code, "a", "vae", 0)
    store.answer(code, "b", "vae", 2)
    store.answer(code, "a", "vae", 2)  # changed their mind
    store.answer(code, "a", "gan", 1)
    assert store.answers(code, "vae") == {2: 2}
    assert store.answers(code, "gan") == {1: 1} and store.answers(code, "kl") == {}
    for bad in (-1, 10, "1", 1.5):
        with pytest.raises(cls.ClassError):
            store.answer(code, "a", "vae", bad)
    assert store.follow(code)["students"] == 2


def test_drawings_are_checked_throttled_and_never_lost(store):
    code, token = store.start()
    digit = np.zeros((28, 28), np.float32)
    digit[6:22, 12:16] = 1.0  # a "1"
    ids = [store.draw(code, "a", digit, label=1), store.draw(code, "b", (digit * 255).astype(np.uint8))]
    with pytest.raises(cls.ClassError) as e:  # a third in the same second from "a" is fine
        store.draw(code, "a", digit)
        store.draw(code, "a", digit)          # the third: more than 2 a second
    assert e.value.reason == "throttled"
    for bad, reason in [(np.zeros((2000, 2000)), "too_big"), (np.zeros((28, 27)), "bad_drawing"),
                        (np.zeros((3, 28, 28)), "too_big"), (np.full((28, 28), np.nan), "bad_drawing")]:
        with pytest.raises(cls.ClassError) as e:
            store.draw(code, "c", bad)
        assert e.value.reason == reason
    with pytest.raises(cls.ClassError):
        store.draw(code, "c", digit, label=12)
    got = store.drawings(code)
    assert [d.id for d in got][:2] == ids and len(got) == 3  # nothing refused was written, nothing lost
    assert got[0].label == 1 and got[1].label is None and got[0].pixels.dtype == np.uint8
    assert np.array_equal(got[0].pixels, got[1].pixels) and got[0].pixels.max() == 255
    with pytest.raises(cls.ClassError):
        store.clear(code, "not the token")
    store.clear(code, token)
    assert store.drawings(code) == [] and store.follow(code)["cleared"] == 1
    store.end(code, token)
    assert not store.exists(code)


def test_two_servers_on_one_redis_share_one_class(redis_url):
    teacher_side, student_side = cls.connect(redis_url), cls.connect(redis_url)
    code, token = teacher_side.start()
    student_side.join(code, "s1")
    teacher_side.move(code, token, "gaps")
    assert student_side.follow(code)["step"] == "gaps"
    student_side.answer(code, "s1", "gaps", 1)
    student_side.draw(code, "s1", np.ones((28, 28)), label=8)
    assert teacher_side.answers(code, "gaps") == {1: 1}
    assert len(teacher_side.drawings(code)) == 1 and teacher_side.follow(code)["students"] == 1
    # the throttle is shared too: a student cannot double their rate by switching servers
    student_side.draw(code, "s1", np.ones((28, 28)))
    with pytest.raises(cls.ClassError):
        teacher_side.draw(code, "s1", np.ones((28, 28)))


def test_a_store_that_cannot_be_reached_says_so():
    with pytest.raises(cls.ClassError) as e:
        cls.connect(f"redis://127.0.0.1:{free_port()}/0")
    assert e.value.reason == "no_redis"
    with pytest.raises(cls.ClassError) as e:
        cls.connect("mongodb://x")
    assert e.value.reason == "bad_store"


# --- the board's numbers -----------------------------------------------------------------------

def test_the_board_reads_real_digits_as_digits_and_noise_as_none():
    """Real test digits posted as drawings: the referee reads nearly all as the digit said;
    uniform noise: nearly all 'no digit'."""
    import ui.models  # noqa: F401  (the referee as the pages load it)
    from gm.referee import get_judges
    data = gm.load_dataset("digits")
    ae, vae = (gm.get_model(s) for s in board.specs("digits", 0))
    ref = get_judges("digits")[0]
    maps = board.maps(ae, vae, 0)
    usual = {"ae": board.test_error(ae), "vae": board.test_error(vae)}
    x, y = data.x_test[:40], [int(v) for v in data.y_test[:40]]
    b = board.board(ae, vae, ref, x, y, maps, usual)
    assert b["n"] == 40 and len(b["fooled"]) <= 4 and len(b["strange"]) <= 4
    assert 0.5 < b["ratio"]["ae"] < 2 and 0.5 < b["ratio"]["vae"] < 2  # the test digits' own error
    noise = torch.rand(20, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    n = board.board(ae, vae, ref, noise, [None] * 20, maps, usual)
    assert len(n["strange"]) >= 18 and n["fooled"] == [] and n["ratio"]["ae"] > 3
    assert board.board(ae, vae, ref, x[:0], [], maps, usual)["n"] == 0


# --- teacher and students in the app ----------------------------------------------------------

def texts(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_students_follow_the_teacher_answer_and_explore_alone():
    teacher = page("pages/0_Tour.py", step="unsupervised")
    teacher.button(key="class-start").click().run()
    code = teacher.session_state["class.code"]
    assert f"{code[:4]} {code[4:]}" in texts(teacher)
    students = [page("pages/0_Tour.py", join=code.lower()) for _ in range(2)]
    assert all("you follow the teacher" in texts(s) for s in students)
    assert not [b for s in students for b in s.button if b.key in ("tour-next", "tour-back")]  # locked

    teacher.button(key="tour-next").click().run()          # the class moves with the teacher
    step = teacher.session_state["tour.step"]
    for s in students:
        s.run()
        assert s.session_state["tour.step"] == step
    students[0].button(key="tour-answer-1").click().run()  # answers, on their own devices
    students[1].button(key="tour-answer-0").click().run()
    students[1].button(key="tour-answer-1").click().run()
    teacher.run()
    assert "**2** answers" in texts(teacher)
    assert not [b for b in students[0].button if b.key == "tour-reveal"]  # the teacher reveals
    assert any("the teacher reveals" in c.value for c in students[0].caption)
    teacher.button(key="tour-reveal").click().run()        # the distribution beside the model's answer
    labels = [b.label for b in teacher.button if b.key.startswith("tour-answer-")]
    assert len(labels) == len(lessons_step(step).answers)
    assert sum("2 of 2 (100" in x for x in labels) == 1 and sum("0 of 2 (0" in x for x in labels) == len(labels) - 1
    students[0].run()
    assert step in students[0].session_state["tour.revealed"]

    students[0].button(key="class-explore").click().run()  # explore alone: Next works, no snapping back
    students[0].button(key="tour-next").click().run()
    alone = students[0].session_state["tour.step"]
    assert alone != step
    students[0].run()
    assert students[0].session_state["tour.step"] == alone
    students[0].button(key="class-back").click().run()     # back to the teacher
    students[0].run()
    assert students[0].session_state["tour.step"] == step

    with pytest.raises(cls.ClassError):                    # a student cannot move the class
        cls.connect("").move(code, "guess", "gan")


def lessons_step(step_id):
    import lessons.tour as tour
    return tour.step(step_id)


def test_a_wrong_code_says_so_and_the_board_shows_the_class_digits():
    lost = page("pages/0_Tour.py", join="NOSUCH12")
    assert any("no class session with that code" in w.value for w in lost.warning)
    teacher = page("pages/11_Class.py")
    teacher.button(key="class-start").click().run()
    code, token = teacher.session_state["class.code"], teacher.session_state["class.token"]
    assert "No drawings yet" in texts(teacher)
    store = cls.connect("")  # not this one: the app's store is the server's own
    assert not store.exists(code)
    from ui.classroom import _store
    app_store = _store("")
    data = gm.load_dataset("digits")
    for i in range(3):
        app_store.draw(code, f"s{i}", data.x_test[i, 0].numpy(), label=int(data.y_test[i]))
    teacher.run()
    assert teacher.metric[0].value == "3"
    assert "On the board: 3." in texts(teacher)
    student = page("pages/11_Class.py", join=code)  # sees everyone's digits, cannot clear them
    assert "On the board: 3." in texts(student) and "You are in class" in texts(student)
    assert not [b for b in student.button if b.key == "class-clear"]
    teacher.button(key="class-clear").click().run()
    assert app_store.drawings(code) == [] and token
