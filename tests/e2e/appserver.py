"""`streamlit run app.py` on a free loopback port, in its own process group, for the
end-to-end tests and the benchmarks (benchmarks/load.py, benchmarks/app_speed.py)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """Starts the app and waits on /_stcore/health; `stop()` kills it with its children."""

    def __init__(self, env: dict, log: Path, wait: bool = True):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(log)
        self._log = open(log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port),
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        if wait:
            self.wait_healthy()

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"streamlit not healthy after {timeout:.0f} s:\n{self.tail()}")
                time.sleep(0.05)

    def tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
        self._log.close()


def free_ports(n: int) -> int:
    """The first of `n` consecutive free loopback ports."""
    import random
    for _ in range(200):
        base = random.randint(20000, 60000 - n)
        try:
            socks = []
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free ports")


class Course:
    """`course.py` on loopback: `servers` app servers behind nginx and a Redis; `url` is
    nginx's. A browser picks its app server with the cookie gm_server=<1..servers>."""

    def __init__(self, env: dict, run_dir: Path, servers: int = 2, timeout: float = 120):
        self.port, first, redis = free_port(), free_ports(servers), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.app_ports = [first + i for i in range(servers)]
        self.redis_url = f"redis://127.0.0.1:{redis}/0"
        run_dir = Path(run_dir)
        run_dir.mkdir(parents=True, exist_ok=True)
        self.log = run_dir / "course.out"
        self._log = open(self.log, "w")
        self.proc = subprocess.Popen(
            [sys.executable, "course.py", "--listen", "127.0.0.1", "--port", str(self.port),
             "--servers", str(servers), "--first-app-port", str(first), "--redis-port", str(redis),
             "--run-dir", str(run_dir)],
            cwd=ROOT, env={**os.environ, **env}, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while "gm lab for a large course" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"course.py did not start:\n{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # course.py stops its servers, nginx, redis
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._log.close()
