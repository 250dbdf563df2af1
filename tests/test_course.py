"""course.py, the large-course launcher: its flags, its nginx configuration (checked by
nginx itself), and the model cache it shares between app servers: two server processes
asking for the same untrained model at once train it once. The servers, nginx and Redis
running together: tests/e2e/test_course.py."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import course

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")


@pytest.mark.parametrize("args", [["--servers", "0"], ["--servers", "x"], ["--port", "70000"], ["--bogus"]])
def test_a_bad_flag_exits_2_with_usage(args):
    r = subprocess.run([sys.executable, "course.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "usage: course.py" in r.stderr, r.stderr


@pytest.mark.skipif(not NGINX, reason="nginx is not installed (apt-get install -y nginx)")
def test_nginx_accepts_the_sticky_configuration(tmp_path):
    conf = tmp_path / "nginx.conf"
    conf.write_text(course.nginx_config(tmp_path, "127.0.0.1", 18080, [18601, 18602, 18603]))
    text = conf.read_text()
    assert "upgrade" in text and "$cookie_gm_server" in text and text.count("backup;") == 6
    r = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr


ASK = """
import sys, gm
trained = []
gm.get_model("ae", "digits", seed=7, latent_dim=3, epochs=3, cache=sys.argv[1],
             progress=lambda info: trained.append(1))
print("TRAINED" if trained else "LOADED", flush=True)
"""


def test_two_servers_asking_for_one_model_at_once_train_it_once(tmp_path):
    procs = [subprocess.Popen([sys.executable, "-c", ASK, str(tmp_path)], cwd=ROOT, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    out = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in out]
    said = sorted(o[0].strip().splitlines()[-1] for o in out)
    assert said == ["LOADED", "TRAINED"], said
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 1
