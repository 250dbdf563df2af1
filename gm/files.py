"""Filesystem primitives the model cache stands on: a folder replaced atomically (the old
entry stays until the new one is in place), a lock file that reports a stuck holder
within a bounded time, and the sweep of temporaries that killed writers left behind.

Linux first (renameat2's RENAME_EXCHANGE, /proc for the lock holder's state); elsewhere
the same calls fall back to plain renames and a plain wait.
"""
from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path


class CacheError(RuntimeError):
    """The cache folder cannot be used as it is; the message says what to do."""


def check_folder(root: Path, writable: bool) -> None:
    """A clear CacheError for a cache path that is a file, or a read-only folder when a
    write is needed."""
    if root.exists() and not root.is_dir():
        raise CacheError(f"the model cache {root} is a file, not a folder: point GM_CACHE_DIR "
                         f"or --cache-dir at a folder")
    if writable:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise CacheError(f"cannot create the model cache {root} ({e.strerror})") from None
        if not os.access(root, os.W_OK | os.X_OK):
            raise CacheError(f"the model cache {root} is read-only, so a model that is not in "
                             f"it cannot be trained: train it with write access first "
                             f"(python train.py) or point GM_CACHE_DIR at a writable folder")


_libc = None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        fn = _libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def replace_folder(tmp: Path, path: Path) -> None:
    """Put the finished folder `tmp` at `path`. An existing entry is swapped out in one
    atomic step and deleted afterwards, so a reader or a kill at any moment finds either
    the old entry or the new one, never none."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    if not path.exists():
        os.replace(tmp, path)
        return
    if _exchange(tmp, path):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old entry
        return
    old = path.with_name(f".{path.name}.old-{os.getpid()}-{time.monotonic_ns()}")
    os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.tmp-{os.getpid()}-{time.monotonic_ns()}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep(root: Path) -> int:
    """Remove temporaries (`.<entry>.tmp-PID-*`, `.<entry>.old-PID-*`) whose writer is gone."""
    removed = 0
    for p in root.glob(".*-*-*"):
        parts = p.name.rsplit("-", 2)
        if ".tmp" not in p.name and ".old" not in p.name or len(parts) != 3 or not parts[1].isdigit():
            continue
        if int(parts[1]) != os.getpid() and not _alive(int(parts[1])):
            shutil.rmtree(p, ignore_errors=True)
            removed += 1
    return removed


def _stopped(pid: int) -> bool:
    """Whether a process is stopped (Ctrl+Z, SIGSTOP): it will not release its lock."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] in "Tt"
    except (OSError, ValueError, IndexError):
        return False


@contextmanager
def locked(path: Path, what: str, timeout: float | None = None, stopped_grace: float = 5.0):
    """Hold an exclusive lock on the file `path` (its holder's pid is written in it).
    Waiting is bounded: CacheError after `timeout` seconds (default $GM_LOCK_TIMEOUT or
    900), or after `stopped_grace` seconds if the holder is a stopped process."""
    timeout = float(os.environ.get("GM_LOCK_TIMEOUT", 900)) if timeout is None else timeout
    if path.is_dir():
        raise CacheError(f"the lock file {path} is a folder; remove it")
    with open(path, "a+") as f:
        start, stopped_since = time.monotonic(), None
        while True:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            f.seek(0)
            holder = f.read().strip()
            pid = int(holder) if holder.isdigit() else None
            now = time.monotonic()
            if pid is not None and _stopped(pid):
                stopped_since = stopped_since or now
                if now - stopped_since > stopped_grace:
                    raise CacheError(f"{what} is locked by process {pid}, which is stopped "
                                     f"(Ctrl+Z?): resume it (fg, or kill -CONT {pid}) or end it")
            else:
                stopped_since = None
            if now - start > timeout:
                raise CacheError(f"gave up after {timeout:.0f} s waiting for {what}: process "
                                 f"{pid or '?'} holds its lock ({path})")
            time.sleep(0.1)
        try:
            f.seek(0)
            f.truncate()
            f.write(str(os.getpid()))
            f.flush()
            yield
        finally:
            f.seek(0)
            f.truncate()
            f.flush()
            fcntl.flock(f, fcntl.LOCK_UN)
