"""A class session in the app; `gm.classroom` holds the state, this draws it.

- The teacher starts a session from the tour: the projector shows the join code and a QR
  code of the join link (segno); every move and reveal of the teacher's tour is published.
- A student opens the link (…/Tour?join=CODE) on a phone or laptop, no account, no name:
  a fragment polls the store every POLL seconds and moves the student's tour with the
  teacher's, until the student switches to exploring on their own.
- Each student's answer goes to the store; the teacher's screen counts them live and, on
  reveal, shows the class's distribution beside the model's answer.
- Students draw digits for the class board (pages/11_Class.py).

One store per server process (st.cache_resource), chosen by $GM_CLASS_STORE: in-process
by default, Redis when several app servers share a class. The teacher's secret lives in
the teacher's browser session only.
"""
from __future__ import annotations

import io
import os
import secrets
import socket
from urllib.parse import urlsplit

import streamlit as st

import lessons.classroom as board_page
from gm import classroom as cls

from .text import num, t

POLL = 0.25       # s between a follower's looks at the teacher's step
COUNT_EVERY = 1.0  # s between the teacher's looks at the class's answers
BOARD_EVERY = 0.5  # s between the board's looks at the class's drawings
CODE, TOKEN, ME, FOLLOW, SENT = "class.code", "class.token", "class.me", "class.follow", "class.published"


@st.cache_resource(show_spinner=False)
def _store(url: str) -> cls.ClassStore:
    return cls.connect(url)


def store() -> cls.ClassStore:
    return _store(os.environ.get("GM_CLASS_STORE", "").strip())


def message(e: cls.ClassError) -> str:
    return t(f"class.error.{e.reason}", **e.args_)


def call(fn, *args, quiet: bool = False, **kw):
    """A store call; a refusal (or a store that cannot be reached) is said, never raised."""
    try:
        return fn(*args, **kw)
    except cls.ClassError as e:
        if not quiet:
            st.warning(message(e), icon=":material/info:")
        return None
    except Exception as e:  # noqa: BLE001  Redis gone: the lesson goes on without the class
        if not quiet:
            st.warning(t("class.error.store_down", error=str(e)[:120]), icon=":material/cloud_off:")
        return None


def me() -> str:
    """This browser session's anonymous id."""
    return st.session_state.setdefault(ME, secrets.token_hex(8))


# --- who am I in the class ---------------------------------------------------------------------

def role() -> tuple[str | None, str | None]:
    """('teacher', code), ('student', code) or (None, None). A ?join=CODE link joins."""
    s = st.session_state
    join = st.query_params.get("join")
    if join and not s.get(TOKEN):
        code = cls.clean_code(join)
        if s.get(CODE) != code:
            s.pop(CODE, None)
            if call(store().join, code, me()) is None:
                st.query_params.pop("join", None)
                return None, None
            s[CODE], s[FOLLOW] = code, True
    code = s.get(CODE)
    if code and s.get(TOKEN):
        return "teacher", code
    return ("student", code) if code else (None, None)


def start() -> None:
    """The teacher's button: a new session, this browser session its teacher."""
    made = call(store().start)
    if made:
        st.session_state[CODE], st.session_state[TOKEN] = made
        st.session_state.pop(SENT, None)
        st.session_state["class.show_qr"] = True


def end() -> None:
    code, token = st.session_state.get(CODE), st.session_state.get(TOKEN)
    if code and token:
        call(store().end, code, token, quiet=True)
    for k in (CODE, TOKEN, SENT):
        st.session_state.pop(k, None)


# --- the join link -----------------------------------------------------------------------------

def _lan_address() -> str | None:
    """This machine's address on the local network (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
    except OSError:
        return None


def join_link(code: str) -> tuple[str, bool]:
    """The link students open, and whether it was guessed (the teacher's browser shows
    localhost, which a phone cannot reach: this machine's network address stands in).
    $GM_PUBLIC_URL (the address students reach the app at) wins over both."""
    public = os.environ.get("GM_PUBLIC_URL", "").rstrip("/")
    if public:
        return f"{public}/Tour?join={code}", False
    try:
        here = urlsplit(st.context.url or "")
    except Exception:  # noqa: BLE001  AppTest has no browser URL
        here = urlsplit("")
    host, port = here.hostname or "localhost", here.port
    guessed = host in ("localhost", "127.0.0.1", "::1")
    if guessed:
        host = _lan_address() or host
    netloc = f"{host}:{port}" if port else host
    return f"{here.scheme or 'http'}://{netloc}/Tour?join={code}", guessed


def qr_png(link: str, scale: int = 8) -> bytes:
    import segno
    buf = io.BytesIO()
    segno.make(link, error="m").save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def spaced(code: str) -> str:
    """ABCD EFGH: easier to read aloud and to type."""
    return f"{code[:4]} {code[4:]}"


_CSS = """<style>
[data-testid="stMain"] div.gm-join-code, div.gm-join-code {font: 700 4.2rem/1.1 ui-monospace, "DejaVu Sans Mono", monospace; letter-spacing: 0.12em;
    color: #000; white-space: nowrap;}
[role="dialog"] p, [role="dialog"] a {font-size: 1.35rem; line-height: 1.4;}
[role="dialog"] [data-testid="stCaptionContainer"] p {font-size: 1.05rem; color: #222;}
</style>"""


def join_card(code: str, qr: int = 260) -> None:
    """The QR code, the code in large letters and the link, for the projector."""
    st.html(_CSS)
    link, guessed = join_link(code)
    left, right = st.columns([1, 2], vertical_alignment="center")
    left.image(qr_png(link), width=qr)
    with right:
        st.markdown(t("class.join_with"))
        st.markdown(f"<div class='gm-join-code'>{spaced(code)}</div>", unsafe_allow_html=True)
        st.markdown(t("class.join_link", link=link))
        if guessed:
            st.caption(t("class.link_guessed"))


@st.dialog(" ", width="large")
def _join_dialog(code: str) -> None:
    join_card(code, qr=320)


# --- the tour's class strip ----------------------------------------------------------------------

def strip(step_id: str, revealed: bool, apply) -> bool:
    """The class line under the tour's headline; returns True when this screen follows the
    teacher (its Back and Next are then locked). The teacher's step is published here;
    `apply(step, revealed)` moves a follower's tour."""
    who, code = role()
    if who == "teacher":
        _publish(code, step_id, revealed)
        with st.container(horizontal=True, vertical_alignment="center", key="class-strip"):
            _joined(code)
            if st.button(t("class.show_qr"), key="class-qr", icon=":material/qr_code_2:"):
                st.session_state["class.show_qr"] = True
            if st.button(t("class.board"), key="class-board", icon=":material/draw:"):
                _switch(board_page.PAGE)
            st.button(t("class.end"), key="class-end", on_click=end, icon=":material/stop_circle:")
        if st.session_state.pop("class.show_qr", False):
            _join_dialog(code)
        return False
    if who == "student":
        following = st.session_state.get(FOLLOW, True)
        with st.container(horizontal=True, vertical_alignment="center", key="class-strip"):
            st.markdown(t("class.strip.following", code=spaced(code)) if following else t("class.strip.exploring", code=spaced(code)))
            if following:
                st.button(t("class.explore"), key="class-explore", on_click=_set_follow, args=(False,),
                          icon=":material/explore:")
            else:
                st.button(t("class.back_to_teacher"), key="class-back", on_click=_set_follow, args=(True,),
                          type="primary", icon=":material/school:")
        if following:
            _follow(code, apply)
        return following
    return False


def join_or_start() -> None:
    """For a screen in no class: type a code to join, or start a session as the teacher."""
    left, right = st.columns(2)
    with left.form("class-join"):
        typed = st.text_input(t("class.code"), max_chars=12, placeholder=t("class.code_example"))
        if st.form_submit_button(t("class.join"), type="primary", icon=":material/login:"):
            st.query_params["join"] = cls.clean_code(typed)
            st.rerun()
    right.markdown(t("classroom.teacher_hint"))
    right.button(t("class.start"), key="class-start", on_click=start, icon=":material/groups:")


@st.fragment(run_every=COUNT_EVERY)
def _joined(code: str) -> None:
    v = call(store().follow, code, quiet=True) or {}
    st.markdown(t("class.strip.teacher", code=spaced(code), n=v.get("students", 0)))


def _switch(page: str) -> None:
    from streamlit.errors import StreamlitAPIException
    try:
        st.switch_page(page)
    except StreamlitAPIException:  # AppTest runs a page without the app around it
        pass


def start_button() -> None:
    """For the tour's overview: start a class session (this screen becomes the teacher's)."""
    who, _ = role()
    if who is None:
        st.button(t("class.start"), key="class-start", on_click=start, icon=":material/groups:")


def _set_follow(on: bool) -> None:
    st.session_state[FOLLOW] = on


def _publish(code: str, step_id: str, revealed: bool) -> None:
    now = (code, step_id, bool(revealed))
    if st.session_state.get(SENT) != now:
        if call(store().move, code, st.session_state[TOKEN], step_id, bool(revealed)) is not None:
            st.session_state[SENT] = now


@st.fragment(run_every=POLL)
def _follow(code: str, apply) -> None:
    """Every POLL s: where the teacher is; a follower who is elsewhere (a jump in the
    overview, a reveal of their own) is moved back."""
    v = call(store().follow, code, quiet=True)
    if v and v["step"] and apply(v["step"], v["revealed"]):
        st.rerun(scope="app")


# --- answers -------------------------------------------------------------------------------------

def answered(step_id: str, choice: int) -> None:
    """A student's answer button: the answer goes to the class (the teacher's counts)."""
    who, code = role()
    if who == "student":
        call(store().answer, code, me(), step_id, choice)


def counts(step_id: str) -> None:
    """The teacher's live count of the class's answers to `step_id`."""
    who, code = role()
    if who == "teacher":
        _counts(code, step_id)


@st.fragment(run_every=COUNT_EVERY)
def _counts(code: str, step_id: str) -> None:
    got = call(store().answers, code, step_id, quiet=True) or {}
    st.container(key="class-counts").markdown(t("class.answers.count", n=sum(got.values())))


def tally(step_id: str) -> dict | None:
    """The class's answers to `step_id` ({answer: students}) on the teacher's screen; None
    elsewhere."""
    who, code = role()
    return (call(store().answers, code, step_id, quiet=True) or {}) if who == "teacher" else None


def with_tally(answer: str, i: int, got: dict) -> str:
    """An answer's button label with how many of the class chose it."""
    n = sum(got.values())
    return t("class.answers.bar", answer=answer, n=got.get(i, 0), total=n,
             share=num(got.get(i, 0) / n if n else 0, ".0%"))


def _board_version(code: str) -> tuple[tuple, bool]:
    v = call(store().follow, code, quiet=True) or {}
    return (code, v.get("drawn"), v.get("cleared")), bool(v)


def board(code: str, images, measure):
    """The board's drawings as images and their measurement (`images(drawings)` -> x,
    said; `measure(x, said)`), read again only when a drawing came or the board was cleared."""
    version, live = _board_version(code)
    kept = st.session_state.get("class.board")
    if kept is None or kept[0] != version or not live:
        x, said = images(call(store().drawings, code, quiet=True) or [])
        kept = (version, x, said, measure(x, said))
        st.session_state["class.board"] = kept
    return kept[1:]


@st.fragment(run_every=BOARD_EVERY)
def watch_board(code: str) -> None:
    """Every BOARD_EVERY s: one look at the board's version (no drawing, nothing sent to the
    browser); the page is drawn again only when a drawing came or the board was cleared."""
    version, live = _board_version(code)
    kept = st.session_state.get("class.board")
    if live and kept is not None and kept[0] != version:
        st.rerun(scope="app")


# --- drawing for the class -------------------------------------------------------------------

def draw_box(data_shape) -> None:
    """A student's canvas (a finger works on a phone), the digit they meant, and Send: the
    drawing goes to the class board, made into a dataset image first."""
    from gm import sketch

    from .canvas import drawing
    who, code = role()
    if who != "student":
        return
    n = st.session_state.setdefault("class.canvas", 0)
    pixels = drawing(f"class.canvas.{n}", size=260)
    said = st.segmented_control(t("class.draw.which"), list(range(10)), key=f"class.said.{n}")
    if st.button(t("class.draw.send"), key="class-send", type="primary", icon=":material/send:",
                 disabled=pixels is None):
        x = sketch.to_dataset_image(pixels, data_shape)
        if x is None:
            st.info(t("class.draw.blank"))
            return
        got = call(store().draw, code, me(), x[0].numpy(), label=said)
        if got is not None:
            st.session_state["class.canvas"] = n + 1  # a fresh canvas for the next digit
            st.session_state["class.sent"] = got
            st.rerun()
    if st.session_state.get("class.sent"):
        st.success(t("class.draw.sent", id=st.session_state["class.sent"]))
