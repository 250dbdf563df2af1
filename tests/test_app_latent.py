"""The latent-gaps and interpolation pages and the lessons behind them (lessons.latent_gaps,
lessons.interpolation, lessons.latent_maps), the drawing preprocessing (gm.sketch) and
gm.latent's one PCA and one interpolation path. Models are pre-trained once into a
temporary cache so every page renders at once. Tests check numbers and verdict keys; the
pages must show the catalog's wording of what the lessons computed."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import gm
from apptest_support import captions, cache_fixtures, page
from gm import latent, sketch
from gm.referee import get_referee
from lessons import interpolation, latent_gaps as gaps, latent_maps
from ui.text import say, t

MODELS = [("ae", {"latent_dim": 2}), ("vae", {"latent_dim": 2}), ("gan", {})]

cache, clear = cache_fixtures(MODELS)
GAPS, INTERP = "pages/6_Latent_gaps.py", "pages/7_Interpolation.py"


def models():
    return (gm.get_model("ae", "digits", seed=0, latent_dim=2),
            gm.get_model("vae", "digits", seed=0, latent_dim=2), get_referee("digits"))


def canvas(kind: str, size: int = 280) -> np.ndarray:
    """A fake canvas drawing: a ring ('0') or a vertical bar ('1'), white strokes."""
    a = np.zeros((size, size, 4), np.uint8)
    yy, xx = np.mgrid[:size, :size] / size
    if kind == "0":
        r = np.sqrt(((yy - 0.5) / 0.36) ** 2 + ((xx - 0.5) / 0.22) ** 2)
        m = (r > 0.8) & (r < 1.0)
    else:
        m = (abs(xx - 0.53) < 0.04) & (yy > 0.15) & (yy < 0.85)
    a[m] = 255
    return a


def infos(at) -> list[str]:
    """The info boxes as written (Streamlit shows a leading emoji as the box's icon)."""
    return [f"{i.proto.icon} {i.value}" if i.proto.icon else i.value for i in at.info]


# --- the one PCA and the one interpolation path (gm.latent) ----------------------------------

def test_path_ends_exactly_at_the_codes_linear_is_straight_slerp_keeps_the_norm():
    z0, z1 = torch.tensor([3.0, 4.0, 0.0]), torch.tensor([0.0, 0.0, 5.0])
    for mode in interpolation.MODES:
        p = latent.path(z0, z1, 7, mode)
        assert p.shape == (7, 3) and torch.equal(p[0], z0) and torch.equal(p[-1], z1)
    lin = latent.path(z0, z1, 5, "linear")
    assert torch.allclose(lin[1:] - lin[:-1], (z1 - z0).expand(4, 3) / 4, atol=1e-6)  # even steps
    sl = latent.path(z0, z1, 5, "slerp")
    assert torch.allclose(sl.norm(dim=1), torch.full((5,), 5.0), atol=1e-5)  # |z0| = |z1| = 5
    angle = torch.arccos((sl @ z0) / 25).clamp(0, 3.2)
    assert torch.allclose(angle, torch.linspace(0, torch.pi / 2, 5), atol=1e-3)  # even turn
    assert lin[2].norm() < 4.0  # the straight line cuts through the centre
    assert torch.allclose(latent.path([1.0, 0.0], [-1.0, 0.0], 3, "slerp")[1], torch.zeros(2))
    with pytest.raises(ValueError):
        latent.path(z0, z1, 5, "lerp")


def test_pca_inverse_undoes_the_projection_on_the_plane():
    x = torch.randn(200, 6, generator=torch.Generator().manual_seed(0)) * torch.arange(1, 7)
    pca = latent.pca_fit(x, 2)
    y = latent.pca_project(x, pca)
    assert y.shape == (200, 2) and torch.allclose(y.mean(0), torch.zeros(2), atol=1e-4)
    assert torch.allclose(latent.pca_project(latent.pca_inverse(y, pca), pca), y, atol=1e-4)
    assert y[:, 0].var() > y[:, 1].var() > 3 * x[:, 0].var()  # the widest directions first
    full = latent.pca_fit(x, 6)
    assert torch.allclose(latent.pca_inverse(latent.pca_project(x, full), full), x, atol=1e-4)


# --- drawing ----------------------------------------------------------------------------------

def test_drawing_becomes_a_dataset_image_the_referee_reads():
    ref = get_referee("digits")
    for kind in "01":
        x = sketch.to_dataset_image(canvas(kind), (1, 8, 8))
        assert x.shape == (1, 8, 8) and 0 <= x.min() and x.max() == pytest.approx(1.0)
        assert int(ref.predict_proba(x[None]).argmax()) == int(kind)
    m = sketch.to_dataset_image(canvas("0"), (1, 28, 28))  # MNIST: mass centred, 20 px box
    ys, xs = torch.nonzero(m[0] > 0, as_tuple=True)
    assert m.shape == (1, 28, 28) and abs(float(ys.float().mean()) - 13.5) < 1.5
    assert int(ys.max() - ys.min()) + 1 <= 21


def test_blank_or_odd_drawings_give_none_without_raising():
    for odd in [np.zeros((280, 280, 4)), None, "x", np.zeros(5), [[1, 2], [3]],
                np.full((3, 3, 4), np.nan), np.zeros((0, 0, 4))]:
        assert sketch.to_dataset_image(odd, (1, 8, 8)) is None
    huge = np.zeros((3000, 20, 4), np.uint8)  # a long thin canvas with one stroke
    huge[100:2900, 5:15] = 255
    assert sketch.to_dataset_image(huge, (1, 28, 28)).shape == (1, 28, 28)


def test_a_drawing_is_encoded_reconstructed_and_placed_on_both_maps():
    ae, vae, ref = models()
    maps = gaps.maps(ae, vae, "raw", 30, 0, 0)
    out = gaps.read_drawing(ae, vae, ref, canvas("1"), maps)
    x = sketch.to_dataset_image(canvas("1"), (1, 8, 8))
    assert out["images"].shape == (3, 1, 8, 8) and torch.equal(out["images"][0], x)
    assert out["label"][0] == 1 and len(out["confidence"]) == 3
    for name, model in zip(gaps.NAMES, (ae, vae)):  # raw view: the mark is the code itself
        assert np.allclose(out["xy"][name], latent.codes(model, x[None])[0].numpy())
    assert gaps.read_drawing(ae, vae, ref, np.zeros((280, 280, 4)), maps) is None


# --- latent gaps ------------------------------------------------------------------------------

def test_click_codes_decode_the_same_map_point_in_both_models():
    z = np.random.default_rng(0).standard_normal((50, 2)).astype(np.float32)
    maps = {"ae": {"z": z, "points": z, "view": "raw"},
            "vae": {"z": z * 0.1, "points": z * 0.1, "view": "raw"}}
    out = latent_maps.click_codes([0.5, -1.0], "ae", maps)
    assert np.allclose(out["ae"]["code"], [0.5, -1.0]) and np.allclose(out["vae"]["code"], [0.5, -1.0])
    maps8 = {}
    for n, m in maps.items():
        z8 = torch.from_numpy(np.c_[m["z"], m["z"] ** 2, -m["z"]])
        pca = latent.pca_fit(z8, 2)
        maps8[n] = {"z": z8.numpy(), "points": latent.pca_project(z8, pca).numpy(), "pca": pca, "view": "pca"}
    out = latent_maps.click_codes([0.3, 0.2], "vae", maps8)
    for n in maps8:  # the PCA inverse lands back on the clicked map point
        assert out[n]["code"].shape == (6,)
        assert np.allclose(latent_maps.to_map(out[n]["code"], maps8[n])[0], [0.3, 0.2], atol=1e-4)
    tsne = {n: dict(m, view="tsne") for n, m in maps.items()}
    out = latent_maps.click_codes(maps["ae"]["points"][7] + 1e-3, "ae", tsne)
    assert out["ae"]["index"] == 7 and np.allclose(out["vae"]["code"], maps["vae"]["z"][7])
    assert np.allclose(out["vae"]["xy"], maps["vae"]["points"][7])


def test_a_click_is_new_once_and_holds_only_in_the_view_it_was_made_in():
    ev = {"ae": {"selection": {"points": [{"x": 1.0, "y": 2.0}]}}, "vae": None}
    mem, click = gaps.track_click({"ae": None, "vae": None}, {}, "raw", 2)
    assert click is None
    mem, click = gaps.track_click(ev, mem, "raw", 2)
    assert click == {"model": "ae", "view": "raw", "dims": 2, "xy": [1.0, 2.0]}
    mem, again = gaps.track_click(ev, mem, "raw", 2)
    assert again == click  # the same report is no new click, the old one holds
    mem, gone = gaps.track_click(ev, mem, "pca", 2)
    assert gone is None  # made on the raw view: meaningless on the PCA view
    mem, gone = gaps.track_click(ev, mem, "pca", 2)
    assert gone is None and mem["click"]["view"] == "raw"  # and not revived by the old report


def test_the_gaps_measured_ae_prior_samples_are_far_worse_than_the_vaes():
    ae, vae, ref = models()
    h = gaps.holes(ae, vae, ref, 0)
    fd = {k: h[k]["fd"] for k in gaps.ROWS}
    assert fd["ae_prior"] > 1.5 * fd["vae_prior"] and fd["ae_fitted"] < fd["ae_prior"]
    assert fd["floor"] < fd["vae_prior"] < fd["ceiling"]
    assert h["ratio"].key == "latent_gaps.fd.ratio"
    assert h["ratio"]["ratio"] == pytest.approx(fd["ae_prior"] / fd["vae_prior"])
    assert all(h["images"][k].shape == (gaps.SHOWN, 1, 8, 8) for k in ("ae_prior", "ae_fitted", "vae_prior"))


def test_gaps_page_click_decodes_with_both_models_and_measures_holes():
    ae, vae, ref = models()
    h = gaps.holes(ae, vae, ref, 0)
    at = page(GAPS)
    assert t("latent_gaps.click_hint") in infos(at)
    assert t("latent_gaps.draw.hint", side=8) in infos(at)  # empty canvas: a hint, no error
    table = at.dataframe[0].value
    fd = dict(zip(table[t("latent_gaps.table.samples")], table[t("latent_gaps.table.fd")]))
    assert fd == {t(f"latent_gaps.row.{k}"): round(h[k]["fd"], 1) for k in gaps.ROWS}
    assert say(h["ratio"]) in captions(at)
    # a click as the plotly chart reports it, on the autoencoder's map, in empty space
    at.session_state["latent_gaps.map_ae"] = {"selection": {"points": [{"x": 3.0, "y": -3.0}],
                                                            "point_indices": [0], "box": [], "lasso": []}}
    at.run()
    assert not at.exception and at.session_state["latent_gaps.clicks"]["click"]["xy"] == [3.0, -3.0]
    picked = gaps.decode_click(ae, vae, ref, gaps.maps(ae, vae, "raw", 30, 0, 0),
                               {"model": "ae", "xy": [3.0, -3.0]})
    assert picked["what"].key == "latent_gaps.decoded.point"
    assert torch.equal(picked["images"][0], latent.decode(ae, torch.tensor([[3.0, -3.0]]))[0])
    decoded = [t("latent_gaps.decoder", model=t(f"latent_gaps.name.{n}"), label=str(picked["label"][j]),
                 p=picked["confidence"][j], real=picked["realism"][j]) for j, n in enumerate(gaps.NAMES)]
    assert [m.value for m in at.markdown if m.value in decoded] == decoded
    assert say(picked["what"]) in infos(at) and t("latent_gaps.click_hint") not in infos(at)
    at.radio(key="latent_gaps.view").set_value("pca").run()  # a click on another view is not reused
    assert not at.exception and t("latent_gaps.click_hint") in infos(at)
    assert not [m for m in at.markdown if m.value in decoded]


def test_gaps_page_tsne_view_and_its_click_decodes_the_nearest_test_image():
    at = page(GAPS, view="tsne", perplexity="15")
    assert at.session_state["latent_gaps.view"] == "tsne" and at.session_state["latent_gaps.perplexity"] == 15
    assert t("latent_gaps.map.caption_tsne") in captions(at)
    assert t("latent_gaps.map.caption") not in captions(at)
    assert at.toggle(key="latent_gaps.prior").disabled
    ae, vae, ref = models()
    maps = gaps.maps(ae, vae, "tsne", 15, 0, 0)
    assert maps["ae"]["prior"] is None and maps["frame"] is None
    picked = gaps.decode_click(ae, vae, ref, maps, {"model": "vae", "xy": maps["vae"]["points"][5].tolist()})
    assert picked["what"].key == "latent_gaps.decoded.nearest" and picked["what"]["i"] == 5
    assert torch.equal(picked["images"][0], latent.decode(ae, torch.from_numpy(maps["ae"]["z"][5:6]))[0])


def test_gaps_page_shows_pca_for_an_8d_code_request():
    assert gaps.Choice(latent=8, view="raw").shown_view == "pca"
    assert gaps.Choice(latent=2, view="raw").shown_view == "raw"
    assert gaps.Choice(latent=8, view="tsne").shown_view == "tsne"


# --- interpolation ----------------------------------------------------------------------------

def test_gan_inversion_finds_a_close_generated_image():
    gan = gm.get_model("gan", "digits", seed=0)
    x = gm.load_dataset("digits").x_test[0]
    z, err = latent_maps.invert_gan(gan, x)
    far = float(((gan.sample(64, seed=1) - x) ** 2).flatten(1).mean(1).min())
    assert z.shape == (gan.latent_dim,) and err < far  # better than the best of 64 random draws
    assert not any(p.grad is not None for p in gan.parameters())  # the shared model is untouched


def walks(i0: int, i1: int, steps: int, mode: str) -> dict:
    ae, vae, ref = models()
    gan = gm.get_model("gan", "digits", seed=0)
    ends = (interpolation.gan_code(gan, i0), interpolation.gan_code(gan, i1))
    return interpolation.walks(ae, vae, gan, ref, i0, i1, steps, mode, ends), (ae, vae, gan), ends


def test_walks_start_and_end_at_the_two_digits_codes():
    d = gm.load_dataset("digits")
    i0, i1 = interpolation.pick("digits", 0, 0), interpolation.pick("digits", 9, 0)
    assert (int(d.y_test[i0]), int(d.y_test[i1])) == (0, 9)
    assert interpolation.pick("digits", 9, 1) > i1 and interpolation.pick("digits", 9, 10_000) in \
        np.flatnonzero(d.y_test.numpy() == 9)
    res, (ae, vae, gan), ends = walks(i0, i1, 6, "slerp")
    for name, model in (("ae", ae), ("vae", vae)):
        z = latent.codes(model, d.x_test[[i0, i1]]).numpy()
        assert res[name]["codes"].shape == (6, 2) and np.allclose(res[name]["codes"][[0, -1]], z)
        assert res[name]["images"].shape == (6, 1, 8, 8)
        assert res[name]["mean"] == pytest.approx(np.mean(res[name]["realism"]))
        assert res[name]["lowest"] == min(res[name]["realism"]) <= res[name]["mean"]
        assert all(0 <= p <= 1 for p in res[name]["confidence"] + res[name]["realism"])
    assert np.allclose(res["gan"]["codes"][[0, -1]], [ends[0][0], ends[1][0]])
    assert res["fit_mse"] == (ends[0][1], ends[1][1]) and torch.equal(res["ends"], d.x_test[[i0, i1]])


def test_interpolation_page_default_0_to_9_and_slerp():
    """The page opens on the lesson's Choice (the walk the phenomenon test checks)."""
    c = interpolation.Choice()
    assert (c.start, c.end, c.steps, c.mode) == (0, 9, 10, "linear")
    i0, i1 = interpolation.pick("digits", c.start, c.start_pick), interpolation.pick("digits", c.end, c.end_pick)
    at = page(INTERP, latent=2)  # the page opens at 8; these fixtures hold the 2-number models
    assert at.subheader[0].value == t("interpolation.subheader", i0=i0, a="0", i1=i1, b="9")

    def rows(res):
        return [t("interpolation.row", model=t(f"interpolation.name.{n}"), mean=res[n]["mean"],
                  lowest=res[n]["lowest"]) for n in interpolation.NAMES]
    shown = [m.value for m in at.markdown if m.value.startswith("**")]
    assert shown == rows(walks(i0, i1, 10, "linear")[0])
    at.radio(key="interpolation.mode").set_value("slerp").run()
    at.slider(key="interpolation.steps").set_value(5).run()
    assert not at.exception
    res = walks(i0, i1, 5, "slerp")[0]
    assert [m.value for m in at.markdown if m.value.startswith("**")] == rows(res)
    assert t("interpolation.rows.caption", e0=res["fit_mse"][0], e1=res["fit_mse"][1]) in captions(at)


def test_interpolation_page_reads_its_link():
    at = page(INTERP, latent="2", **{"from": "3", "from_pick": "2", "to": "8", "mode": "slerp", "steps": "4"})
    i0, i1 = interpolation.pick("digits", 3, 2), interpolation.pick("digits", 8, interpolation.Choice().end_pick)
    assert at.subheader[0].value == t("interpolation.subheader", i0=i0, a="3", i1=i1, b="8")
    assert (at.session_state["interpolation.mode"], at.session_state["interpolation.steps"]) == ("slerp", 4)
