"""The lecture, one pure module per lesson (no Streamlit, no plotly).

Every lesson module has the same parts, so adding one is a known recipe:

    SLUG       its name: catalog keys start with it ("vae.title", "vae.nav", ...)
    PAGE       the page file that shows it (pages/5_VAE.py)
    options    constants for what its controls can return (BETAS = (0.0, 0.5, ...))
    specs(...) the gm.Specs a choice of the controls needs
    pretrain(dataset, seed) the Specs `python train.py` trains before class
    sweeps(dataset, seed)   optional: those of them that only a control moved away from its
                            opening value shows (`train.py --skip-sweeps` leaves them out)
    compute functions: models and numbers in, numbers and `Verdict`s (catalog keys) out

`LESSONS`, in the lecture's order, is the one list the sidebar, the home page's map and
`train.py` read.
"""
from __future__ import annotations

from gm import Spec
from gm.referee import second_spec, spec as referee_spec

from . import (autoencoder, classroom, convolutional, denoising, gan, gan2d, glossary, home, interpolation,
               latent_gaps, overcomplete, tour, vae)
from .verdict import Verdict, verdict

LESSONS = [home, tour, classroom, autoencoder, overcomplete, denoising, convolutional, vae, latent_gaps,
           interpolation, gan, gan2d, glossary]


def pretrain(dataset: str, seed: int = 0, data_root: str | None = None, sweeps: bool = True) -> list[Spec]:
    """Every model a lesson shows without a student asking for a new setting, once each,
    in the lecture's order, and the dataset's two judges (the referee and a second one of
    another architecture) that score them. `sweeps=False`: only what the pages and the
    tour open with (each lesson's `sweeps` left out; those train when a control asks)."""
    out: list[Spec] = []
    for lesson in LESSONS:
        out += [s for s in lesson.pretrain(dataset, seed) if s not in out]
    if not sweeps:
        skipped = {s for lesson in LESSONS if hasattr(lesson, "sweeps") for s in lesson.sweeps(dataset, seed)}
        skipped -= set(tour.pretrain(dataset, seed))  # the tour opens on its models
        out = [s for s in out if s not in skipped]
    return out + [referee_spec(dataset, data_root), second_spec(dataset, data_root)]


__all__ = ["LESSONS", "Verdict", "verdict", "pretrain"]
