"""The lecture tour: one screen per claim of the lecture, in its order, for a teacher at a
projector. Each step is a lesson's page in a preset state, shrunk to one live figure, one
number and (where the lecture claims something) a question the class answers before the
teacher reveals what the trained model measures.

A step (`Step`) holds catalog keys only (as `Verdict`s): its headline, its number's label,
its question and answers. Its functions are the lesson's own compute functions with the
preset filled in:

    specs(dataset, seed)     the gm.Specs it shows (the page requires them: cached or trained live)
    measure(*models, seed)   the lesson's compute functions on those models -> a dict with
                             "number" (a Verdict whose message formats the one number),
                             "figure" (what ui.tour draws: see FIGURES), "facts" (the numbers
                             `judge` reads) and "why" (the measured sentence shown on reveal)
    judge(facts)             the index of the answer the measurement supports

The figures ui.tour draws (FIGURES), as plain data:

    images  {"panels": ((caption Verdict, images (N,1,H,W) in [0,1], columns), ...)}; side by
            side when they fit SHOWN_CLASSES digits across; before the reveal the first
            panel (the inputs) stays sharp and the others (a lone panel too) are blurred
    bars    {"labels": Verdicts, "values": floats, "fmt": ".0%", "axis": Verdict, "log": bool}
    curve   {"x": numbers, "series": ((name Verdict, ys), ...), "axis": (x Verdict, y Verdict)}
    map     {"points": (N,2), "labels": (N,), "classes": names, "title": Verdict, and optionally
            "reference": (M,2) drawn in grey with "reference_name"}
    plot    {"name": one of DEMOS, "data": that demo's measurement}: the figure of
            lessons.labels, lessons.harder or lessons.gan2d (ui.figures.demos)

each with "kind" set to its name; a plot is blurred as a whole until the reveal.

Three steps show points no page of its own shows (DEMOS): labels are expensive and
sometimes wrong (lessons.labels), generative models are harder to train (lessons.harder),
and a GAN imitates a distribution in the plane (lessons.gan2d). Each of those modules has
a `tour_step(dataset, seed)` giving its number, figure data, answers and verdict;
`demo_step` turns it into a measurement like any other step's.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

import gm
from gm import Spec
from gm.referee import second_spec, spec as referee_spec

from . import (autoencoder, convolutional, denoising, gan, gan2d, harder, home, interpolation,
               labels, latent_gaps, overcomplete, vae)
from .verdict import Verdict, verdict

SLUG = "tour"
PAGE = "pages/0_Tour.py"
FIGURES = ("images", "bars", "curve", "map", "plot")  # the figure kinds ui.tour draws
DEMOS = ("labels", "harder", "gan2d")  # steps whose figure is a demo's own plot
SHOWN_CLASSES = 6     # digits across in an image figure: 6 x 84 px fit a 1024 px projector
LIKE_DIGITS = 0.7     # generated images "look like digits": the referee's mean realism (its
                      # P(a digit)) at least this (MNIST: GAN .99, VAE .81, AE prior .49, real .997)
CLEARLY = 0.05        # relative gap below which two errors or accuracies count as "the same"


@dataclass(frozen=True)
class Step:
    id: str                                   # the URL's ?step=
    lesson: object                            # the lesson module; its page is the full view
    headline: Verdict
    label: Verdict                            # what the one number is
    specs: Callable[[str, int], tuple]
    measure: Callable[..., dict]
    preset: tuple = ()                        # (param, value) pairs of the lesson page's controls
    question: Verdict | None = None
    answers: tuple = ()                       # 2-4 Verdicts
    judge: Callable[[dict], int] | None = None

    @property
    def page(self) -> str:
        return self.lesson.PAGE


def _first_of_each(d, n: int = SHOWN_CLASSES) -> list[int]:
    """Indices of the first test image of each of the first `n` classes."""
    return [int(torch.nonzero(d.y_test == c)[0, 0]) for c in range(min(n, len(d.classes)))]


def _images(*panels) -> dict:
    """An image figure: panels side by side, each (caption Verdict, images (N,1,H,W), columns)."""
    return {"kind": "images", "panels": tuple(panels)}


def _bars(labels, values, fmt: str, axis: Verdict, log: bool = False) -> dict:
    """A bar figure: one bar per label (Verdicts), each written on it with `fmt`."""
    return {"kind": "bars", "labels": tuple(labels), "values": tuple(float(v) for v in values),
            "fmt": fmt, "axis": axis, "log": log}


def _rel(a: float, b: float) -> float:
    """How much smaller a is than b, relative to b (0.1 = 10% smaller)."""
    return (b - a) / max(abs(b), 1e-12)


# --- 1. unsupervised: structure without labels ------------------------------------------------

def unsupervised_specs(dataset: str, seed: int) -> tuple[Spec]:
    return (Spec("ae", dataset, seed=seed, latent_dim=home.AE_DIM),)


def unsupervised_measure(ae, seed: int) -> dict:
    c = home.clusters(ae, seed)
    sc = c["scores"]
    k = len(gm.load_dataset(ae.spec.dataset).classes)
    rows = c["gallery"].view(k, home.PER_CLUSTER, *c["gallery"].shape[1:])[:4, :SHOWN_CLASSES]
    return {"number": verdict("tour.unsupervised.number", ari=sc["codes"]["ari"]),
            "figure": _images((verdict("tour.unsupervised.caption"), rows.reshape(-1, *rows.shape[2:]),
                               SHOWN_CLASSES)),
            "facts": {"codes": sc["codes"]["ari"], "pixels": sc["pixels"]["ari"]},
            "why": verdict("tour.unsupervised.why", codes=sc["codes"]["ari"], pixels=sc["pixels"]["ari"])}


def unsupervised_judge(f: dict) -> int:
    gap = f["codes"] - f["pixels"]
    return 0 if gap > home.SAME_ARI else 1 if gap < -home.SAME_ARI else 2


# --- 2. generative vs discriminative ----------------------------------------------------------

GENERATED = 3  # the class the generative step asks for


def generative_specs(dataset: str, seed: int) -> tuple[Spec, Spec]:
    return (Spec("vae", dataset, seed=seed), referee_spec(dataset))


def generative_measure(vae_model, referee, seed: int) -> dict:
    label = GENERATED % len(gm.load_dataset(vae_model.spec.dataset).classes)
    new = home.generate(vae_model, referee, label, 0, n=SHOWN_CLASSES * 2)  # the page's first draw
    q = home.class_quality(vae_model, referee, label)
    name = gm.load_dataset(vae_model.spec.dataset).classes[label]
    return {"number": verdict("tour.generative.number", rate=q["rate"]),
            "figure": _images((verdict("tour.generative.caption", label=name), new["images"], SHOWN_CLASSES)),
            "facts": {"rate": q["rate"]},
            "why": verdict("tour.generative.why", rate=q["rate"], n=home.MEASURED, label=name)}


def generative_judge(f: dict) -> int:
    return 0 if f["rate"] >= 0.8 else 1 if f["rate"] >= 0.3 else 2


# --- 3. the autoencoder: encoder, bottleneck, decoder -----------------------------------------

def autoencoder_specs(dataset: str, seed: int) -> tuple[Spec]:
    return (autoencoder.spec(dataset, seed, 8),)


def autoencoder_measure(ae, seed: int) -> dict:
    rec = autoencoder.reconstructions(ae)
    n, k = rec["n"], min(SHOWN_CLASSES, rec["n"])
    return {"number": verdict("tour.autoencoder.number", pixels=rec["pixels"], z=ae.latent_dim),
            "figure": _images((verdict("tour.autoencoder.caption"),
                               torch.cat([rec["images"][:k], rec["images"][n:n + k]]), k)),
            "facts": {"mse": rec["mse"], "psnr": rec["psnr"]},
            "why": verdict("tour.autoencoder.why", psnr=rec["psnr"], ratio=rec["compression"])}


# --- 4. dimensionality reduction: the autoencoder against PCA ---------------------------------

def bottleneck_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return autoencoder.curve_specs(dataset, seed, 1)


def bottleneck_measure(*aes, seed: int) -> dict:
    rd = autoencoder.rate_distortion(aes[0].spec.dataset, *aes)
    sizes = list(rd["ae"])
    ae8, pca8 = rd["ae"][8], rd["pca"][8]
    return {"number": verdict("tour.bottleneck.number", mse=ae8),
            "figure": {"kind": "curve", "x": tuple(sizes),
                       "series": ((verdict("autoencoder.rd.pca"), tuple(rd["pca"][s] for s in sizes)),
                                  (verdict("tour.bottleneck.ae"), tuple(rd["ae"][s] for s in sizes))),
                       "axis": (verdict("autoencoder.rd.x"), verdict("autoencoder.rd.y"))},
            "facts": {"ae": ae8, "pca": pca8},
            "why": verdict("tour.bottleneck.why", ae=ae8, pca=pca8)}


def lower_error_judge(f: dict, a: str = "ae", b: str = "pca") -> int:
    """0: `a` clearly lower, 1: `b` clearly lower, 2: within CLEARLY of each other."""
    return 0 if _rel(f[a], f[b]) > CLEARLY else 1 if _rel(f[b], f[a]) > CLEARLY else 2


# --- 5. feature extraction: keep the encoder -------------------------------------------------

FEW_LABELS = 5  # labelled examples per class


def features_measure(ae, seed: int) -> dict:
    acc = autoencoder.features(ae, FEW_LABELS)
    pixels = int(np.prod(gm.load_dataset(ae.spec.dataset).shape))
    return {"number": verdict("tour.features.number", acc=acc["codes"]),
            "figure": _bars((verdict("tour.features.codes", z=ae.latent_dim),
                             verdict("tour.features.pca", z=ae.latent_dim),
                             verdict("tour.features.pixels", pixels=pixels)),
                            (acc["codes"], acc["pca"], acc["pixels"]), ".0%", verdict("tour.features.axis")),
            "facts": {"codes": acc["codes"], "pixels": acc["pixels"]},
            "why": verdict("tour.features.why", codes=acc["codes"], pixels=acc["pixels"], n=FEW_LABELS)}


def features_judge(f: dict) -> int:
    gap = f["codes"] - f["pixels"]
    return 0 if gap > CLEARLY / 2 else 1 if gap < -CLEARLY / 2 else 2


# --- 6. stacked autoencoders ------------------------------------------------------------------

def stacked_specs(dataset: str, seed: int) -> tuple[Spec, Spec]:
    # three hidden layers (512-256-128), tied and with dropout as every stack is (see
    # gm.models.ae.AEConfig): on the embedded MNIST test .0198 against one layer's .0217
    return (autoencoder.spec(dataset, seed, 8, 1), autoencoder.spec(dataset, seed, 8, 3))


def stacked_measure(one, three, seed: int) -> dict:
    r1, r3 = autoencoder.reconstructions(one), autoencoder.reconstructions(three)
    n, k = r1["n"], min(SHOWN_CLASSES, r1["n"])
    return {"number": verdict("tour.stacked.number", mse=r3["mse"]),
            "figure": _images((verdict("tour.stacked.originals"), r1["images"][:k], k),
                              (verdict("tour.stacked.one"), r1["images"][n:n + k], k),
                              (verdict("tour.stacked.three"), r3["images"][n:n + k], k)),
            "facts": {"one": r1["mse"], "three": r3["mse"]},
            "why": verdict("tour.stacked.why", one=r1["mse"], three=r3["mse"],
                           params_one=r1["params"], params_three=r3["params"])}


def stacked_judge(f: dict) -> int:
    gain = _rel(f["three"], f["one"])
    return 0 if gain > 2 * CLEARLY else 2 if gain < -CLEARLY else 1


# --- 7. interpolation in the code ------------------------------------------------------------

WALK = interpolation.Choice(start=0, end=9, steps=SHOWN_CLASSES * 2)
CONFIDENT = 0.8  # the referee's realism (P(a digit)) that counts as "clearly a digit"


def interpolation_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return interpolation.specs(WALK, dataset, seed) + (referee_spec(dataset),)


def interpolation_measure(ae, vae_model, gan_model, referee, seed: int) -> dict:
    ds = ae.spec.dataset
    i0 = interpolation.pick(ds, WALK.start, WALK.start_pick)
    i1 = interpolation.pick(ds, WALK.end, WALK.end_pick)
    ends = (interpolation.gan_code(gan_model, i0), interpolation.gan_code(gan_model, i1))
    w = interpolation.walks(ae, vae_model, gan_model, referee, i0, i1, WALK.steps, WALK.mode, ends)["ae"]
    return {"number": verdict("tour.interpolation.number", p=w["lowest"]),
            "figure": _images((verdict("tour.interpolation.caption"), w["images"], SHOWN_CLASSES)),
            "facts": {"lowest": w["lowest"], "mean": w["mean"]},
            "why": verdict("tour.interpolation.why", lowest=w["lowest"], mean=w["mean"])}


def interpolation_judge(f: dict) -> int:
    return 0 if f["lowest"] >= CONFIDENT else 1


# --- 8. overcomplete: the identity trap -------------------------------------------------------

COPIES = 0.5  # output-noise correlation from which the output is a copy (bottleneck AE: about 0.1)

def overcomplete_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return overcomplete.trap_specs(dataset, seed)


def overcomplete_measure(*models, seed: int) -> dict:
    tr = overcomplete.trap(0, seed, *models)
    rows = [overcomplete.PROBES.index(p) for p in ("test digit", "uniform noise", "square")]
    noise = overcomplete.PROBES.index("uniform noise")
    used = tr["used"]  # the pixels digits ink: only there can any autoencoder learn to copy
    x, out = tr["inputs"][noise][used], tr["outputs"]["overcomplete_ae"][noise][used]
    facts = {"corr": float(torch.corrcoef(torch.stack([out, x]))[0, 1]),
             "ink": float(out.mean() / x.mean().clamp_min(1e-12))}
    oc, bn = tr["noise_mse"]["overcomplete_ae"], tr["noise_mse"]["ae"]
    return {"number": verdict("tour.overcomplete.number", mse=oc),
            "figure": _images((verdict("overcomplete.input"), tr["inputs"][rows], 1),
                              (verdict("tour.overcomplete.bottleneck"), tr["outputs"]["ae"][rows], 1),
                              (verdict("tour.overcomplete.wide"), tr["outputs"]["overcomplete_ae"][rows], 1)),
            "facts": facts,
            "why": verdict("tour.overcomplete.why", oc=oc, bn=bn)}


def overcomplete_judge(f: dict) -> int:
    """0: copies the noise (its output follows the noise pixel by pixel: correlation
    COPIES or more), 2: blank (a fifth of the noise's ink or less), 1: anything else, a digit."""
    return 0 if f["corr"] >= COPIES else 2 if f["ink"] < 0.2 else 1


# --- 9. sparse ---------------------------------------------------------------------------------

def sparse_specs(dataset: str, seed: int) -> tuple[Spec, Spec]:
    return (overcomplete.sparse_spec(overcomplete.Choice(), dataset, seed),
            Spec("overcomplete_ae", dataset, seed=seed))


def sparse_measure(sparse, wide, seed: int) -> dict:
    v = overcomplete.sparsity(sparse, wide)
    sp, ov = v["sparse"], v["overcomplete"]
    return {"number": verdict("tour.sparse.number", n=sp["active_per_image"], units=sp["units"]),
            "figure": _bars((verdict("tour.sparse.sparse"), verdict("tour.sparse.wide")),
                            (sp["active_per_image"], ov["active_per_image"]), ".0f",
                            verdict("tour.sparse.axis", units=sp["units"])),
            "facts": {"sparse": sp["on"], "wide": ov["on"]},
            "why": verdict("tour.sparse.why", sp=sp["active_per_image"], ov=ov["active_per_image"],
                           units=sp["units"])}


def sparse_judge(f: dict) -> int:
    return 0 if f["sparse"] < overcomplete.SPARSE_FRACTION * f["wide"] else \
        2 if f["sparse"] > (1 + CLEARLY) * f["wide"] else 1


# --- 10. denoising -----------------------------------------------------------------------------

DENOISE = denoising.Choice(kind="mask", train_level=0.5)


def denoising_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return denoising.specs(DENOISE, dataset, seed)


def denoising_measure(dae, same, plain, seed: int) -> dict:
    rep = denoising.report(dae, same, plain, DENOISE.kind, DENOISE.train_level, 0)
    im, k = rep["images"], 4
    p = rep["psnr_all"]
    return {"number": verdict("tour.denoising.number", gain=rep["gain"]),
            "figure": _images((verdict("tour.denoising.clean"), im["clean"][:k], 1),
                              (verdict("tour.denoising.noisy"), im["noisy"][:k], 1),
                              (verdict("tour.denoising.dae"), im["denoising_ae"][:k], 1),
                              (verdict("tour.denoising.same"), im["overcomplete_ae"][:k], 1),
                              (verdict("tour.denoising.plain"), im["ae"][:k], 1)),
            "facts": {row: p[row] for row in denoising.ROWS},
            "why": verdict("tour.denoising.why", dae=p["denoising_ae"], same=p["overcomplete_ae"],
                           plain=p["ae"])}


def denoising_judge(f: dict) -> int:
    return int(np.argmax([f[row] for row in denoising.ROWS]))


# --- 11. convolutional -------------------------------------------------------------------------

def convolutional_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return convolutional.specs(convolutional.Choice(8), dataset, seed)


def convolutional_measure(conv, nearest, fc, seed: int) -> dict:
    c = convolutional.compare(conv, nearest, fc)
    s = c["scores"]
    return {"number": verdict("tour.convolutional.number", ratio=c["ratio"]),
            "figure": _bars((verdict("tour.convolutional.conv", params=s["conv"]["params"]),
                             verdict("tour.convolutional.fc", params=s["fc"]["params"])),
                            (s["conv"]["mse"], s["fc"]["mse"]), ".4f", verdict("autoencoder.rd.y")),
            "facts": {"conv": s["conv"]["mse"], "fc": s["fc"]["mse"]},
            "why": verdict("tour.convolutional.why", conv=s["conv"]["mse"], fc=s["fc"]["mse"],
                           ratio=c["ratio"])}


def convolutional_judge(f: dict) -> int:
    return lower_error_judge(f, "conv", "fc")


# --- 12. the VAE: a mean and a deviation, sampled ---------------------------------------------

VAE = vae.Choice(latent=2, beta=1.0, first=0)
DRAWS = 3  # inputs shown, each with its resampled decodings


def vae_specs(dataset: str, seed: int) -> tuple[Spec, Spec]:
    return vae.specs(VAE, dataset, seed) + (referee_spec(dataset),)


def vae_measure(vae_model, referee, seed: int) -> dict:
    d = gm.load_dataset(vae_model.spec.dataset)
    shown = vae.draws(vae_model, VAE.first, seed)
    per = shown["resampled"].view(vae.SHOWN, -1, *d.shape)                  # (inputs, 8, 1, H, W)
    read = referee.predict_proba(per.flatten(0, 1)).argmax(1).view(vae.SHOWN, -1)
    truth = d.y_test[VAE.first:VAE.first + vae.SHOWN]
    same = float((read == truth[:, None]).float().mean())
    spread = float(per.std(1).mean())
    kl = vae.elbo_panel(vae_model, d.x_test)["kl"]
    cols = SHOWN_CLASSES - 1
    return {"number": verdict("tour.vae.number", kl=kl),
            "figure": _images((verdict("overcomplete.input"), d.x_test[VAE.first:VAE.first + DRAWS], 1),
                              (verdict("tour.vae.draws"), per[:DRAWS, :cols].flatten(0, 1), cols)),
            "facts": {"same": same, "spread": spread},
            "why": verdict("tour.vae.why", same=same, spread=spread)}


def vae_judge(f: dict) -> int:
    """0: versions of the same digit, 1: identical copies, 2: other digits."""
    return 1 if f["spread"] < 0.01 else 0 if f["same"] >= 0.7 else 2


# --- 13. beta: how hard KL pulls ------------------------------------------------------------

BETA = 8.0


def kl_specs(dataset: str, seed: int) -> tuple[Spec, Spec]:
    return (Spec("vae", dataset, seed=seed, latent_dim=2, beta=BETA),
            Spec("vae", dataset, seed=seed, latent_dim=2, beta=1.0))


def kl_measure(strong, usual, seed: int) -> dict:
    s, u = vae.test_stats(strong), vae.test_stats(usual)
    classes = gm.load_dataset(strong.spec.dataset).classes
    return {"number": verdict("tour.kl.number", kl=s["panel"]["kl"]),
            "figure": {"kind": "map", "points": s["mu"], "labels": s["labels"], "classes": tuple(classes),
                       "title": verdict("tour.kl.map", beta=BETA), "reference": u["mu"],
                       "reference_name": verdict("tour.kl.usual")},
            "facts": {"collapsed": bool(s["panel"]["collapsed"]), "coverage": s["coverage"]},
            "why": verdict("tour.kl.why", kl=s["panel"]["kl"], kl1=u["panel"]["kl"],
                           spread=s["panel"]["spread"], beta=BETA)}


def kl_judge(f: dict) -> int:
    """0: the code collapses, 1: it covers the prior without gaps, 2: it leaves gaps."""
    return 0 if f["collapsed"] else 1 if (f["coverage"] or 0) >= vae.FULL_COVERAGE else 2


# --- 14. no gaps: sampling N(0, I) --------------------------------------------------------------

GAPS = latent_gaps.Choice(latent=8)


def gaps_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return latent_gaps.specs(GAPS, dataset, seed) + (referee_spec(dataset),)


def gaps_measure(ae, vae_model, referee, seed: int) -> dict:
    h = latent_gaps.holes(ae, vae_model, referee, seed)
    ceiling = h["ceiling"]["fd"]
    share = {k: h[k]["fd"] / ceiling for k in ("ae_prior", "vae_prior")}
    real = {k: h[k]["realism"] for k in ("ae_prior", "vae_prior")}
    n = SHOWN_CLASSES // 2
    return {"number": verdict("tour.gaps.number", ratio=h["ae_prior"]["fd"] / max(h["vae_prior"]["fd"], 1e-9)),
            "figure": _images((verdict("latent_gaps.samples.ae_prior"), h["images"]["ae_prior"][:2 * n], n),
                              (verdict("latent_gaps.samples.vae_prior"), h["images"]["vae_prior"][:2 * n], n)),
            "facts": real,
            "why": verdict("tour.gaps.why", ae_real=real["ae_prior"], vae_real=real["vae_prior"],
                           bound=LIKE_DIGITS, ae=share["ae_prior"], vae=share["vae_prior"])}


def gaps_judge(f: dict) -> int:
    """0: only the AE's, 1: only the VAE's, 2: both, 3: neither look like digits (mean
    realism LIKE_DIGITS or more)."""
    ae, v = f["ae_prior"] >= LIKE_DIGITS, f["vae_prior"] >= LIKE_DIGITS
    return 2 if ae and v else 0 if ae else 1 if v else 3


# --- 15. the GAN ---------------------------------------------------------------------------------

def gan_specs(dataset: str, seed: int) -> tuple[Spec, ...]:
    return gan.specs(dataset, seed) + (referee_spec(dataset), second_spec(dataset))


def gan_measure(gan_model, referee, second, seed: int) -> dict:
    q = gan.quality(gan_model, referee, second)
    x = gan.sheet(gan_model, referee, 0)["x"].clamp(0, 1)[:2 * SHOWN_CLASSES]
    return {"number": verdict("tour.gan.number", n=q["classes_covered"], of=q["n_classes"]),
            "figure": _images((verdict("tour.gan.caption", n=len(x)), x, SHOWN_CLASSES)),
            "facts": {"covered": q["classes_covered"], "of": q["n_classes"]},
            "why": verdict("tour.gan.why", n=q["classes_covered"], of=q["n_classes"], share=q["share"],
                           scored=gan.SCORED)}


def gan_judge(f: dict) -> int:
    """0: (nearly) every class, 1: some, 2: one or two (mode collapse)."""
    return 0 if f["covered"] >= f["of"] - 1 else 1 if f["covered"] > 2 else 2


# --- the three demos without a page of their own ------------------------------------------------

def demo_step(step: dict, name: str) -> dict:
    """A demo's `tour_step` as a measurement: its number, its plot, the index of the answer
    it supports (the only fact `demo_judge` reads) and its verdict."""
    return {"number": verdict(step["number_key"], number=step["number"]),
            "figure": {"kind": "plot", "name": name, "data": step["figure_data"]},
            "facts": {"answer": step["answers"].index(step["answer"])}, "why": step["verdict"]}


def demo_judge(f: dict) -> int:
    return f["answer"]


def labels_specs(dataset: str, seed: int) -> tuple[Spec]:
    return (labels.code_spec(dataset, seed),)


def labels_measure(ae, seed: int) -> dict:
    return demo_step(labels.tour_step(ae.spec.dataset, seed, ae), "labels")


def harder_specs(dataset: str, seed: int) -> tuple[Spec]:
    """The referee stands for the dataset: the classifier the demo trains is its own."""
    return (referee_spec(dataset),)


def harder_measure(referee, seed: int) -> dict:
    return demo_step(harder.tour_step(referee.spec.dataset, seed), "harder")


def gan2d_specs(dataset: str, seed: int) -> tuple:
    return ()  # the target is a mixture in the plane; nothing is cached


def gan2d_measure(seed: int) -> dict:
    return demo_step(gan2d.tour_step(seed=seed), "gan2d")


# --- the steps, in the lecture's order ---------------------------------------------------------

def _answers(step: str, n: int) -> tuple:
    return tuple(verdict(f"tour.{step}.answer.{i}") for i in range(n))


def _demo(step_id: str, module, page, specs, measure, preset: tuple = ()) -> Step:
    """A demo's step: its words are the demo's own (<module>.tour.*), its full page `page`."""
    return Step(step_id, page, verdict(f"{step_id}.tour.headline"), verdict(f"{step_id}.tour.label"),
                specs, measure, preset=preset, question=verdict(f"{step_id}.tour.question"),
                answers=tuple(verdict(f"{step_id}.tour.answer.{a}") for a in module.ANSWERS),
                judge=demo_judge)


def _steps() -> list[Step]:
    """The lecture's order."""
    ae8 = dict(specs=autoencoder_specs, preset=(("latent", 8), ("depth", 1), ("labels", FEW_LABELS)))
    steps = [
        Step("unsupervised", home, verdict("tour.unsupervised.headline"), verdict("tour.unsupervised.label"),
             unsupervised_specs, unsupervised_measure, preset=(("classes", "0,1"),),
             question=verdict("tour.unsupervised.question"), answers=_answers("unsupervised", 3),
             judge=unsupervised_judge),
        _demo("labels", labels, autoencoder, labels_specs, labels_measure, preset=(("latent", labels.LATENT),)),
        Step("generative", home, verdict("tour.generative.headline"), verdict("tour.generative.label"),
             generative_specs, generative_measure, preset=(("classes", "3,8"), ("target", GENERATED)),
             question=verdict("tour.generative.question"), answers=_answers("generative", 3),
             judge=generative_judge),
        _demo("harder", harder, gan, harder_specs, harder_measure),
        Step("autoencoder", autoencoder, verdict("tour.autoencoder.headline"), verdict("tour.autoencoder.label"),
             measure=autoencoder_measure, **ae8),
        Step("bottleneck", autoencoder, verdict("tour.bottleneck.headline"), verdict("tour.bottleneck.label", z=8),
             bottleneck_specs, bottleneck_measure, preset=(("latent", 8), ("depth", 1)),
             question=verdict("tour.bottleneck.question", z=8), answers=_answers("bottleneck", 3),
             judge=lower_error_judge),
        Step("features", autoencoder, verdict("tour.features.headline"),
             verdict("tour.features.label", n=FEW_LABELS),
             measure=features_measure, question=verdict("tour.features.question", n=FEW_LABELS),
             answers=_answers("features", 3), judge=features_judge, **ae8),
        Step("stacked", autoencoder, verdict("tour.stacked.headline"), verdict("tour.stacked.label"),
             stacked_specs, stacked_measure, preset=(("latent", 8), ("depth", 3)),
             question=verdict("tour.stacked.question"), answers=_answers("stacked", 3), judge=stacked_judge),
        Step("interpolation", interpolation, verdict("tour.interpolation.headline"),
             verdict("tour.interpolation.label"),
             interpolation_specs, interpolation_measure,
             preset=(("from", WALK.start), ("to", WALK.end), ("steps", WALK.steps), ("mode", WALK.mode),
                     ("latent", WALK.latent)),
             question=verdict("tour.interpolation.question"), answers=_answers("interpolation", 2),
             judge=interpolation_judge),
        Step("overcomplete", overcomplete, verdict("tour.overcomplete.headline"),
             verdict("tour.overcomplete.label"),
             overcomplete_specs, overcomplete_measure, preset=(("digit", 0),),
             question=verdict("tour.overcomplete.question"), answers=_answers("overcomplete", 3),
             judge=overcomplete_judge),
        Step("sparse", overcomplete, verdict("tour.sparse.headline"), verdict("tour.sparse.label"),
             sparse_specs, sparse_measure, preset=(("penalty", "kl"), ("weight", 0.03), ("rho", 0.05)),
             question=verdict("tour.sparse.question"), answers=_answers("sparse", 3), judge=sparse_judge),
        Step("denoising", denoising, verdict("tour.denoising.headline"), verdict("tour.denoising.label"),
             denoising_specs, denoising_measure,
             preset=(("kind", DENOISE.kind), ("train", DENOISE.train_level), ("test", DENOISE.train_level),
                     ("noise_seed", 0)),
             question=verdict("tour.denoising.question"), answers=_answers("denoising", 3), judge=denoising_judge),
        Step("convolutional", convolutional, verdict("tour.convolutional.headline"),
             verdict("tour.convolutional.label"),
             convolutional_specs, convolutional_measure, preset=(("latent", 8),),
             question=verdict("tour.convolutional.question"), answers=_answers("convolutional", 3),
             judge=convolutional_judge),
        Step("vae", vae, verdict("tour.vae.headline"), verdict("tour.vae.label", beta=VAE.beta),
             vae_specs, vae_measure,
             preset=(("latent", VAE.latent), ("beta", VAE.beta), ("first", VAE.first)),
             question=verdict("tour.vae.question"), answers=_answers("vae", 3), judge=vae_judge),
        Step("kl", vae, verdict("tour.kl.headline"), verdict("tour.kl.label", beta=BETA), kl_specs, kl_measure,
             preset=(("latent", 2), ("beta", BETA)),
             question=verdict("tour.kl.question", beta=BETA), answers=_answers("kl", 3), judge=kl_judge),
        Step("gaps", latent_gaps, verdict("tour.gaps.headline"), verdict("tour.gaps.label"),
             gaps_specs, gaps_measure,
             preset=(("latent", GAPS.latent), ("view", "pca")),
             question=verdict("tour.gaps.question"), answers=_answers("gaps", 4), judge=gaps_judge),
        Step("gan", gan, verdict("tour.gan.headline"), verdict("tour.gan.label"), gan_specs, gan_measure,
             preset=(("mode", "sample"), ("noise", 0)),
             question=verdict("tour.gan.question"), answers=_answers("gan", 3), judge=gan_judge),
        _demo("gan2d", gan2d, gan2d, gan2d_specs, gan2d_measure, preset=(("target", "gaussians8"),)),
    ]
    return steps


STEPS: list[Step] = _steps()
IDS: tuple[str, ...] = tuple(s.id for s in STEPS)


def step(step_id: str) -> Step:
    return STEPS[IDS.index(step_id)]


def neighbour(step_id: str, by: int) -> str:
    """The step `by` places on (clamped at both ends)."""
    return IDS[min(len(IDS) - 1, max(0, IDS.index(step_id) + by))]


def answer(s: Step, measured: dict) -> int | None:
    """The answer the measurement supports, or None for a step without a question."""
    return None if s.judge is None or not s.answers else int(s.judge(measured["facts"]))


def preset(s: Step) -> dict:
    return dict(s.preset)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """Every model a step shows (each is also its own lesson's; the judges are trained anyway)."""
    out: list[Spec] = []
    for s in STEPS:
        out += [x for x in s.specs(dataset, seed) if x.name != "referee" and x not in out]
    return out
