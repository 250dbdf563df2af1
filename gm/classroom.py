"""Class state for a class session: the teacher's tour step, the class's answers and the
class's drawings, behind one small interface with two backends.

    store = connect()                       # $GM_CLASS_STORE: unset = in this process
    code, token = store.start()             # the join code (8 characters) and the teacher's secret
    store.move(code, token, "vae", revealed=False)   # only the token moves the class
    store.follow(code)                      # {'step': 'vae', 'revealed': False, 'moves': 3, ...}
    store.answer(code, student, "vae", 1)   # one answer per student per step (the last counts)
    store.draw(code, student, pixels, label=7)       # a 28x28 (or 8x8) drawing, uint8
    store.drawings(code); store.clear(code, token); store.end(code, token)

The class logic is written once, over six Redis-shaped primitives (hash set/get/increment,
list push/read, delete with expiry). `Memory` keeps them in this process (one server,
nothing to install); `Redis` keeps them in a Redis server (`GM_CLASS_STORE=redis://host:port/0`),
so several app servers share one class. Throttling is the `limits` library's moving window
on the same storage. A session, and every drawing in it, lives `TTL` seconds after its
last move, or until the teacher ends it. Nothing here imports Streamlit.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 8            # 31^8 = 8.5e11 codes
TTL = 6 * 3600             # seconds a session lives after its last move
SIDES = (8, 28)            # a drawing is a dataset image: 8x8 digits or 28x28 MNIST
MAX_DRAWINGS = 300         # on one board; the teacher clears it to make room
MAX_PER_STUDENT = 20       # drawings one student may have on the board
RATES = {"draw": "2/second;10/minute", "answer": "4/second;60/minute", "join": "10/minute"}


class ClassError(ValueError):
    """A request the class store refuses; `reason` is a catalog key (class.error.<reason>)
    and `args_` its numbers, so the UI says it in the student's language."""

    def __init__(self, reason: str, **args):
        super().__init__(reason)
        self.reason, self.args_ = reason, args


@dataclass(frozen=True)
class Drawing:
    id: int
    student: str
    label: int | None       # the digit the student says it is (None: not said)
    pixels: np.ndarray      # (side, side) uint8


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(text: str) -> str:
    """A code as typed (spaces, dashes, lower case) in its stored form."""
    return "".join(c for c in str(text).upper() if c.isalnum())[:CODE_LENGTH + 4]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ClassStore:
    """The class logic over a backend's primitives (`_hset`, `_hget`, `_hincr`, `_push`,
    `_read`, `_drop`). Every method checks its input before it writes anything."""
    url = "memory://"

    def __init__(self, url: str | None = None):
        from limits import parse_many, storage, strategies
        self.url = url or self.url
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(self.url))
        self._rates = {k: parse_many(v) for k, v in RATES.items()}

    # --- the teacher ---
    def start(self) -> tuple[str, str]:
        """A new session: its join code and the teacher's token (kept by the teacher's
        browser session only; the store keeps its hash)."""
        for _ in range(20):
            code = new_code()
            if not self._hget(self._k(code, "state")):
                break
        token = secrets.token_urlsafe(24)
        self._hset(self._k(code, "state"), {"teacher": _digest(token), "step": "", "revealed": "0",
                                            "moves": "0", "started": f"{time.time():.0f}"})
        self._touch(code)
        return code, token

    def move(self, code: str, token: str, step: str, revealed: bool = False) -> int:
        """Show the class `step` (revealed or not); returns the move count."""
        self._teacher(code, token)
        key = self._k(code, "state")
        self._hset(key, {"step": str(step)[:40], "revealed": "1" if revealed else "0"})
        moves = self._hincr(key, "moves")
        self._touch(code)
        return moves

    def clear(self, code: str, token: str) -> None:
        """Wipe the board (the drawings); the step and the answers stay."""
        self._teacher(code, token)
        self._drop(self._k(code, "drawings"))
        self._hincr(self._k(code, "state"), "cleared")

    def end(self, code: str, token: str) -> None:
        """Forget the session and everything in it."""
        self._teacher(code, token)
        steps = self._hget(self._k(code, "answered"))
        self._drop(*(self._k(code, f"answers:{s}") for s in steps),
                   *(self._k(code, k) for k in ("state", "drawings", "students", "answered")))

    def is_teacher(self, code: str, token: str | None) -> bool:
        state = self._hget(self._k(code, "state"))
        return bool(token and state and hmac.compare_digest(state.get("teacher", ""), _digest(token)))

    # --- everyone ---
    def exists(self, code: str) -> bool:
        return bool(self._hget(self._k(clean_code(code), "state")))

    def follow(self, code: str) -> dict:
        """What the teacher shows now: step ('' before the first move), revealed, the move
        count (changes with every move), the number of students who joined, how many
        drawings were ever sent and how many times the board was cleared (the board
        changed when either did)."""
        state = self._state(code)
        return {"step": state.get("step", ""), "revealed": state.get("revealed") == "1",
                "moves": int(state.get("moves", 0)), "cleared": int(state.get("cleared", 0)),
                "drawn": int(state.get("drawn", 0)),
                "students": len(self._hget(self._k(code, "students")))}

    def join(self, code: str, student: str) -> int:
        """A student joins; returns how many have joined."""
        self._state(code)
        self._throttle("join", code, student)
        key = self._k(code, "students")
        self._hset(key, {str(student)[:64]: f"{time.time():.0f}"})
        self._touch(code)
        return len(self._hget(key))

    def answer(self, code: str, student: str, step: str, choice: int) -> int:
        """The student's answer to the question of `step` (their last one counts); returns
        how many have answered it."""
        self._state(code)
        if not isinstance(choice, (int, np.integer)) or not 0 <= int(choice) < 10:
            raise ClassError("bad_answer")
        self._throttle("answer", code, student)
        step = str(step)[:40]
        self._hset(self._k(code, f"answers:{step}"), {str(student)[:64]: str(int(choice))})
        self._hset(self._k(code, "answered"), {step: "1"})
        self._touch(code, f"answers:{step}")
        return len(self._hget(self._k(code, f"answers:{step}")))

    def answers(self, code: str, step: str) -> dict[int, int]:
        """How many students gave each answer to `step`."""
        self._state(code)
        return dict(Counter(int(v) for v in self._hget(self._k(code, f"answers:{str(step)[:40]}")).values()))

    def draw(self, code: str, student: str, pixels, label: int | None = None) -> int:
        """Put a drawing on the board: `pixels` a square uint8 image of a dataset's side
        (SIDES), or floats in [0, 1]. Returns its id. Oversized or odd payloads, a student
        sending too often, a full board: ClassError, and nothing is written."""
        self._state(code)
        a = np.asarray(pixels)
        if a.size > max(SIDES) ** 2 or a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] not in SIDES:
            raise ClassError("too_big" if a.size > max(SIDES) ** 2 else "bad_drawing", sides=SIDES)
        if a.dtype.kind == "f":
            if not np.isfinite(a).all():
                raise ClassError("bad_drawing", sides=SIDES)
            a = np.clip(a, 0, 1) * 255
        a = np.asarray(a, dtype=np.uint8)
        if label is not None and not (isinstance(label, (int, np.integer)) and 0 <= int(label) <= 9):
            raise ClassError("bad_answer")
        board = self._read(self._k(code, "drawings"))
        if len(board) >= MAX_DRAWINGS:
            raise ClassError("board_full", n=MAX_DRAWINGS)
        student = str(student)[:64]
        if sum(json.loads(r)["student"] == student for r in board) >= MAX_PER_STUDENT:
            raise ClassError("too_many", n=MAX_PER_STUDENT)
        self._throttle("draw", code, student)
        n = self._hincr(self._k(code, "state"), "drawn")
        self._push(self._k(code, "drawings"), json.dumps(
            {"id": n, "student": student, "label": None if label is None else int(label),
             "side": a.shape[0], "px": a.tobytes().hex()}))
        self._touch(code)
        return n

    def drawings(self, code: str) -> list[Drawing]:
        self._state(code)
        out = []
        for raw in self._read(self._k(code, "drawings")):
            r = json.loads(raw)
            px = np.frombuffer(bytes.fromhex(r["px"]), dtype=np.uint8).reshape(r["side"], r["side"])
            out.append(Drawing(r["id"], r["student"], r["label"], px))
        return out

    # --- inside ---
    @staticmethod
    def _k(code: str, part: str) -> str:
        return f"gm:class:{code}:{part}"

    def _state(self, code: str) -> dict:
        state = self._hget(self._k(clean_code(code), "state"))
        if not state:
            raise ClassError("unknown")
        return state

    def _teacher(self, code: str, token: str) -> None:
        self._state(code)
        if not self.is_teacher(code, token):
            raise ClassError("not_teacher")

    def _throttle(self, kind: str, code: str, student: str) -> None:
        for rate in self._rates[kind]:
            if not self._limiter.test(rate, kind, code, student):
                raise ClassError("throttled", rate=str(rate))
        for rate in self._rates[kind]:
            self._limiter.hit(rate, kind, code, student)

    def _touch(self, code: str, *more: str) -> None:
        self._expire(*(self._k(code, k) for k in ("state", "drawings", "students", "answered", *more)))

    # the backend: Redis-shaped primitives
    def _hset(self, key: str, mapping: dict) -> None: raise NotImplementedError
    def _hget(self, key: str) -> dict: raise NotImplementedError
    def _hincr(self, key: str, field: str) -> int: raise NotImplementedError
    def _push(self, key: str, value: str) -> None: raise NotImplementedError
    def _read(self, key: str) -> list[str]: raise NotImplementedError
    def _drop(self, *keys: str) -> None: raise NotImplementedError
    def _expire(self, *keys: str) -> None: raise NotImplementedError


class Memory(ClassStore):
    """In this process: one app server, nothing to install. Expired sessions are swept
    when a new one starts."""

    def __init__(self, url: str | None = None):
        super().__init__("memory://")
        self._lock = threading.Lock()
        self._data: dict[str, object] = {}
        self._until: dict[str, float] = {}

    def start(self) -> tuple[str, str]:
        with self._lock:
            now = time.monotonic()
            for key in [k for k, t in self._until.items() if t < now]:
                self._data.pop(key, None)
                self._until.pop(key, None)
        return super().start()

    def _live(self, key: str):
        if self._until.get(key, float("inf")) < time.monotonic():
            self._data.pop(key, None)
        return self._data.get(key)

    def _hset(self, key, mapping):
        with self._lock:
            self._data[key] = {**(self._live(key) or {}), **{str(k): str(v) for k, v in mapping.items()}}

    def _hget(self, key):
        with self._lock:
            return dict(self._live(key) or {})

    def _hincr(self, key, field):
        with self._lock:
            h = self._data.setdefault(key, self._live(key) or {})
            h[field] = str(int(h.get(field, 0)) + 1)
            return int(h[field])

    def _push(self, key, value):
        with self._lock:
            self._data[key] = [*(self._live(key) or []), value]

    def _read(self, key):
        with self._lock:
            return list(self._live(key) or [])

    def _drop(self, *keys):
        with self._lock:
            for k in keys:
                self._data.pop(k, None)

    def _expire(self, *keys):
        with self._lock:
            for k in keys:
                self._until[k] = time.monotonic() + TTL


class Redis(ClassStore):
    """In a Redis server, shared by every app server that points at it."""

    def __init__(self, url: str):
        import redis
        super().__init__(url)
        self._r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5,
                                       socket_connect_timeout=3, health_check_interval=30)
        try:
            self._r.ping()
        except redis.RedisError as e:
            raise ClassError("no_redis", url=url, error=str(e)[:120]) from None

    def _hset(self, key, mapping):
        self._r.hset(key, mapping={str(k): str(v) for k, v in mapping.items()})

    def _hget(self, key):
        return self._r.hgetall(key)

    def _hincr(self, key, field):
        return int(self._r.hincrby(key, field, 1))

    def _push(self, key, value):
        self._r.rpush(key, value)

    def _read(self, key):
        return self._r.lrange(key, 0, -1)

    def _drop(self, *keys):
        if keys:
            self._r.delete(*keys)

    def _expire(self, *keys):
        with self._r.pipeline() as p:
            for k in keys:
                p.expire(k, TTL)
            p.execute()


def connect(url: str | None = None) -> ClassStore:
    """The class store at `url`, else $GM_CLASS_STORE: 'redis://…' (or 'rediss://…') for
    Redis, unset or 'memory://' for this process. Anything else: ClassError."""
    url = (url if url is not None else os.environ.get("GM_CLASS_STORE", "")).strip()
    if url in ("", "memory://"):
        return Memory()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return Redis(url)
    raise ClassError("bad_store", url=url[:80])
