"""The model cache under abuse, with real processes: a forced retrain racing a reader,
kills mid-write, a stopped lock holder, odd files where entries should be, and a
read-only cache. Every wait is bounded."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import gm
from gm.files import sweep

ROOT = Path(__file__).resolve().parent.parent
SPEC = gm.Spec("ae", "digits", epochs=1, latent_dim=4)


def python(code: str, cache: Path, **kw) -> subprocess.Popen:
    env = {**os.environ, "GM_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", code], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_forced_retrain_racing_a_reader_never_loses_or_deletes_an_entry(tmp_path):
    gm.get_model(SPEC, cache=tmp_path)
    writer = python("import gm, time\n"
                    "end = time.time() + 12\n"
                    "spec = gm.Spec('ae', 'digits', epochs=1, latent_dim=4)\n"
                    "n = 0\n"
                    "while time.time() < end:\n"
                    "    gm.get_model(spec, force=True); n += 1\n"
                    "print('wrote', n)", tmp_path)
    reader = python("import gm, time, logging\n"
                    "logging.basicConfig(level=logging.WARNING)\n"
                    "end = time.time() + 12\n"
                    "spec = gm.Spec('ae', 'digits', epochs=1, latent_dim=4)\n"
                    "n = bad = 0\n"
                    "while time.time() < end:\n"
                    "    m = gm.get_model(spec)\n"
                    "    n += 1\n"
                    "    bad += m.spec != spec\n"
                    "print('read', n, bad)", tmp_path)
    w_out, w_err = writer.communicate(timeout=120)
    r_out, r_err = reader.communicate(timeout=120)
    assert writer.returncode == 0, w_err
    assert reader.returncode == 0, r_err
    assert int(w_out.split()[1]) >= 2 and r_out.split()[2] == "0"
    assert "unreadable" not in r_err, r_err  # the reader never called a good entry corrupt
    assert gm.is_cached(SPEC, cache=tmp_path)
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]


def test_a_kill_mid_write_leaves_the_old_entry_and_its_temporaries_are_swept(tmp_path):
    first = gm.get_model(SPEC, cache=tmp_path)
    for delay in (0.4, 0.8, 1.2, 1.6):
        p = python("import gm\n"
                   "while True: gm.get_model(gm.Spec('ae', 'digits', epochs=1, latent_dim=4), force=True)",
                   tmp_path)
        time.sleep(delay + 1.5)  # imports take about a second
        p.send_signal(signal.SIGKILL)
        p.wait(30)
        assert gm.is_cached(SPEC, cache=tmp_path)
        assert gm.get_model(SPEC, cache=tmp_path).spec == SPEC
    sweep(tmp_path)
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name or ".old-" in p.name]
    assert first.cache_path.is_dir()


def test_a_stopped_lock_holder_is_reported_not_waited_for_forever(tmp_path):
    spec = gm.Spec("ae", "digits", epochs=400, latent_dim=4)
    holder = python("import gm\n"
                    "gm.get_model(gm.Spec('ae', 'digits', epochs=400, latent_dim=4))", tmp_path)
    lock = gm.store.entry_path(spec, tmp_path).with_name(gm.store.entry_path(spec, tmp_path).name + ".lock")
    end = time.monotonic() + 60
    while not (lock.is_file() and lock.read_text().strip()) and time.monotonic() < end:
        time.sleep(0.1)
    os.kill(holder.pid, signal.SIGSTOP)
    try:
        t = time.monotonic()
        with pytest.raises(gm.CacheError, match="stopped"):
            gm.get_model(spec, cache=tmp_path)
        assert time.monotonic() - t < 30
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(30)


@pytest.mark.parametrize("odd", ["file", "symlink", "lock_is_folder", "cache_is_file", "read_only"])
def test_odd_files_in_the_cache_give_one_clear_message_or_are_repaired(tmp_path, odd):
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = gm.store.entry_path(SPEC, cache)
    if odd == "file":
        entry.write_text("not a folder")
    elif odd == "symlink":
        (tmp_path / "elsewhere").mkdir()
        entry.symlink_to(tmp_path / "elsewhere")
    elif odd == "lock_is_folder":
        entry.with_name(entry.name + ".lock").mkdir()
        with pytest.raises(gm.CacheError, match="is a folder"):
            gm.get_model(SPEC, cache=cache)
        return
    elif odd == "cache_is_file":
        cache.rmdir()
        cache.write_text("oops")
        with pytest.raises(gm.CacheError, match="is a file, not a folder"):
            gm.get_model(SPEC, cache=cache)
        return
    elif odd == "read_only":
        gm.get_model(SPEC, cache=cache)  # one model cached, then the folder made read-only
        cache.chmod(0o555)
        try:
            assert gm.get_model(SPEC, cache=cache).spec == SPEC  # cached models still load
            if os.geteuid() != 0:  # root writes anyway
                with pytest.raises(gm.CacheError, match="read-only"):
                    gm.get_model(SPEC.replace(latent_dim=6), cache=cache)
        finally:
            cache.chmod(0o755)
        return
    model = gm.get_model(SPEC, cache=cache)  # the odd entry is replaced by a real one
    assert model.spec == SPEC and entry.is_dir() and not entry.is_symlink()
    assert not any((tmp_path / "elsewhere").iterdir()) if odd == "symlink" else True


# --- train.py ---------------------------------------------------------------------------------

def children(pid: int) -> set[int]:
    """Every live process whose parent chain leads to `pid` (read from /proc)."""
    parent = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parent[int(d.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except (OSError, ValueError):
                pass
    out, todo = set(), [pid]
    while todo:
        p = todo.pop()
        for c, pp in parent.items():
            if pp == p and c not in out:
                out.add(c)
                todo.append(c)
    return out


def alive(pids: set[int]) -> set[int]:
    out = set()
    for p in pids:
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
            if stat[stat.rindex(")") + 2] != "Z":
                out.add(p)
        except OSError:
            pass
    return out


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_train_py_leaves_no_worker_behind(tmp_path, sig):
    p = subprocess.Popen([sys.executable, "train.py", "--jobs", "2", "--models", "gan", "vae",
                          "--cache-dir", str(tmp_path), "--force"], cwd=ROOT,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 90
    kids: set[int] = set()
    while len(kids) < 2 and time.monotonic() < end:  # two workers (and the resource tracker)
        time.sleep(0.5)
        kids = alive(children(p.pid))
    assert len(kids) >= 2, "train.py never started its workers"
    time.sleep(2)
    kids = alive(children(p.pid))
    p.send_signal(sig)
    p.wait(30)
    end = time.monotonic() + 30
    while alive(kids) and time.monotonic() < end:
        time.sleep(0.2)
    assert not alive(kids), f"left behind: {alive(kids)}"


@pytest.mark.parametrize("args", [["--device", "cuda:abc"], ["--device", "mps"],
                                  ["--jobs", "99999999999999999999"], ["--cache-dir", ""],
                                  ["--cache-dir", "/etc/hostname"]])
def test_impossible_flags_exit_2_with_a_message(args):
    r = subprocess.run([sys.executable, "train.py", *args], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "usage: train.py" in r.stderr and "error: argument" in r.stderr


# --- idx files ----------------------------------------------------------------------------------

def idx(path: Path, a) -> None:
    import numpy as np
    a = np.asarray(a, dtype=np.uint8)
    head = bytes([0, 0, 8, a.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in a.shape)
    path.write_bytes(head + a.tobytes())


@pytest.mark.parametrize("images, labels, match", [
    ((1000, 28, 28), 100, "1000 images .* but 100 labels"),
    ((1000, 28, 28), 200, "but 200 labels"),
    ((1000 * 784,), 1000, "not images"),
    ((10, 28, 28), 10, "only 10 images"),
    ((1000, 28, 28), "big", "label 12"),
])
def test_idx_files_are_checked_against_each_other(tmp_path, images, labels, match):
    import numpy as np
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    idx(raw / "t10k-images-idx3-ubyte", np.zeros(images))
    lab = np.full(1000, 12) if labels == "big" else np.arange(labels) % 10
    idx(raw / "t10k-labels-idx1-ubyte", lab)
    with pytest.raises(gm.DatasetError, match=match):
        gm.load_dataset("mnist", tmp_path, download=False)


# --- canvas data ---------------------------------------------------------------------------------

def png(w: int, h: int) -> bytes:
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGBA", (w, h)).save(buf, "PNG", optimize=True)
    return buf.getvalue()


def test_an_image_bomb_from_the_canvas_is_refused_before_decoding():
    import resource

    from gm.sketch import BadDrawing, decode_png
    bomb = png(8000, 8000)
    assert len(bomb) < 300_000  # small on the wire...
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BadDrawing) as e:
        decode_png(bomb)  # ...256 MB once decoded
    assert e.value.reason == "too_big"
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50, grown_mb
    assert decode_png(png(280, 280)).shape == (280, 280, 4)


@pytest.mark.parametrize("url", ["data:image/png;base64,!!!not base64!!!",
                                 "data:image/png;base64," + "QUJD" * 10,  # base64 of text, not a PNG
                                 "javascript:alert(1)", 12345])
def test_malformed_canvas_data_is_a_blank_drawing_with_a_reason(url):
    from gm.sketch import BadDrawing, decode_png
    from ui.canvas import _raw

    class Result:
        _image_data_url = url

    with pytest.raises(BadDrawing) as e:
        decode_png(_raw(Result()))
    assert e.value.reason == "malformed"
