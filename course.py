"""Run the lab for a large course on one machine: several Streamlit app servers behind
nginx with sticky sessions, one Redis holding the class state, one shared model cache.

    python train.py                 # once, before class: every lesson's models
    python course.py                # nginx on :8080 (every network address), 2 app servers
    python course.py --servers 3 --port 9000 --listen 127.0.0.1

Students open http://<this machine>:8080 (the tour's class session shows its QR code).
nginx pins each browser to one app server with a cookie (gm_server; Streamlit keeps a
session, its widgets and its images in the server that started it) and falls back to the
next server if that one stops. Redis (`redis-server`, in memory only: drawings live as long
as the session) is every server's GM_CLASS_STORE. The servers share $GM_CACHE_DIR; a model
two servers are asked for at once is trained once (the cache's file lock). Ctrl-C stops
everything. Needs Debian's nginx and redis-server: `apt-get install -y nginx redis-server`.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NGINX = """worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {run}/body; proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi; uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    # sticky sessions: a browser with a gm_server cookie goes back to its server (and to
    # the others only if that one is down); a new browser goes round robin
    upstream gm_any {{
{any}
    }}
{pinned}
    map $cookie_gm_server $gm_pool {{
        default gm_any;
{pools}
    }}
    map $upstream_addr $gm_id {{
        default "";
{ids}
    }}
    server {{
        listen {listen}:{port};
        client_max_body_size 4m;
        location / {{
            proxy_pass http://$gm_pool;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 1d;
            proxy_buffering off;
            add_header Set-Cookie "gm_server=$gm_id; Path=/; SameSite=Lax";
            add_header X-GM-Server $gm_id;
        }}
    }}
}}
"""


def nginx_config(run: Path, listen: str, port: int, ports: list[int]) -> str:
    """nginx.conf for app servers on `ports`, listening on listen:port."""
    any_ = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
    pinned = "\n".join(
        "    upstream gm_%d {\n        server 127.0.0.1:%d;\n%s\n    }" % (
            i, p, "\n".join(f"        server 127.0.0.1:{q} backup;" for q in ports if q != p))
        for i, p in enumerate(ports, 1))
    pools = "\n".join(f'        "{i}" gm_{i};' for i in range(1, len(ports) + 1))
    ids = "\n".join(f'        "~:{p}$" {i};' for i, p in enumerate(ports, 1))
    return NGINX.format(run=run, listen=listen, port=port, any=any_, pinned=pinned, pools=pools, ids=ids)


def wait_http(url: str, procs: list, timeout: float = 90) -> None:
    """Until `url` answers 200; every process in `procs` must keep running meanwhile."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise SystemExit(f"course.py: {' '.join(map(str, p.args[:3]))} stopped (exit {p.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"course.py: {url} did not answer within {timeout:.0f} s")


def parse(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="course.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--servers", type=int, default=2, help="app servers (1-16, default 2)")
    ap.add_argument("--port", type=int, default=8080, help="nginx's port (default 8080)")
    ap.add_argument("--listen", default="0.0.0.0",
                    help="nginx's address (default every address, so phones reach it)")
    ap.add_argument("--first-app-port", type=int, default=8601, help="the app servers' ports start here")
    ap.add_argument("--redis-port", type=int, default=6380)
    ap.add_argument("--run-dir", help="logs and nginx.conf (default: a fresh temporary folder)")
    a = ap.parse_args(argv)
    if not 1 <= a.servers <= 16:
        ap.error("--servers must be 1 to 16")
    for name in ("port", "first_app_port", "redis_port"):
        if not 1 <= getattr(a, name) <= 65535 - (a.servers if name == "first_app_port" else 0):
            ap.error(f"--{name.replace('_', '-')} must be a port number")
    missing = [b for b in ("nginx", "redis-server") if not shutil.which(b) and not Path(f"/usr/sbin/{b}").exists()]
    if missing:
        ap.error(f"{' and '.join(missing)} not found: apt-get install -y nginx redis-server")
    return a


def main(argv=None) -> int:
    a = parse(argv)
    run = Path(a.run_dir or tempfile.mkdtemp(prefix="gm-course-")).resolve()
    run.mkdir(parents=True, exist_ok=True)
    ports = [a.first_app_port + i for i in range(a.servers)]
    store = f"redis://127.0.0.1:{a.redis_port}/0"
    env = {**os.environ, "GM_CLASS_STORE": store}
    procs: list[subprocess.Popen] = []

    def start(cmd, log: str, **kw):
        p = subprocess.Popen(cmd, stdout=open(run / log, "w"), stderr=subprocess.STDOUT, cwd=ROOT,
                             start_new_session=True, **kw)
        procs.append(p)
        return p

    def shutdown():
        for p in reversed(procs):
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    def stop(*_):
        shutdown()
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        start([shutil.which("redis-server") or "/usr/sbin/redis-server", "--port", str(a.redis_port),
               "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(run)], "redis.log")
        for p in ports:
            start([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.address", "127.0.0.1", "--server.port", str(p),
                   "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                  f"app-{p}.log", env=env)
        (run / "nginx.conf").write_text(nginx_config(run, a.listen, a.port, ports))
        start([shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(run / "nginx.conf"), "-p", str(run),
               "-e", str(run / "nginx-error.log"), "-g", "daemon off;"], "nginx.log")
        for p in ports:
            wait_http(f"http://127.0.0.1:{p}/_stcore/health", procs)
        host = "127.0.0.1" if a.listen in ("0.0.0.0", "::") else a.listen
        wait_http(f"http://{host}:{a.port}/_stcore/health", procs)
        print(f"gm lab for a large course: http://{host}:{a.port}  ({a.servers} app servers on "
              f"{', '.join(map(str, ports))}, class state in {store}, logs in {run})", flush=True)
        while all(p.poll() is None for p in procs):
            time.sleep(1)
        dead = next(p for p in procs if p.poll() is not None)
        print(f"course.py: {' '.join(map(str, dead.args[:3]))} stopped; see {run}", file=sys.stderr)
        shutdown()
        return 1
    except SystemExit as e:
        if e.code not in (0, None):
            shutdown()
        raise


if __name__ == "__main__":
    sys.exit(main())
