"""The referee: a small classifier per dataset that scores what the models make.

A second judge of the other architecture (`second_spec`) scores the same samples, so a
quality claim never rests on one network. The referee's penultimate layer is the feature
space for Frechet distances and precision/recall, its softmax the labeller
for class histograms, the classifier score and class-conditional generation. The network
is `gm.models.referee.Referee`; it is trained and cached like every model, through
`gm.get_model("referee", ...)`, with the settings below picked by image size.
"""
from __future__ import annotations

from .data import DEFAULT_DATASET, load_dataset
from .models.referee import Referee, RefereeConfig  # noqa: F401  (re-exported)
from .spec import Spec
from .store import get_model

# training settings per image size (part of the cache key, like any config). Both judges
# also carry a realism detector (reject: a quarter of its batches are noise or blends of two
# digits), so `realism(x)` can say when a class label means nothing. On the embedded MNIST
# the referee's realism separates held-out digits from uniform noise (AUROC 1.00), pixel
# blends (1.00) and decoded points between the AE's clusters (.999), the plain AE's prior
# samples less well (.93: some are plain digits); it reads the AE's and the VAE's
# reconstructions of test digits as digits (median 1.0), at test accuracy 98.4%
# (tests/test_phenomena.py).
SETTINGS = {"mlp": {"epochs": 30, "lr": 1e-2, "batch_size": 64, "shift": 0, "seed": 0, "reject": 0.25},
            "cnn": {"epochs": 12, "lr": 3e-3, "batch_size": 64, "shift": 2, "seed": 0, "reject": 0.25}}


def spec(dataset: str = DEFAULT_DATASET, data_root: str | None = None) -> Spec:
    """The referee of a dataset: an MLP for 8x8 images, a CNN for 28x28."""
    shape = load_dataset(dataset, data_root).shape
    return Spec("referee", dataset, **SETTINGS["mlp" if shape[1] <= 16 else "cnn"])


# the second judge: a CNN without shifts on 8x8 (97.2% on digits, like the MLP; shifting
# 8x8 digits by 2 pixels cost it 6 points), an MLP on 28x28
SECOND_SMALL = {"arch": "cnn", "epochs": 30, "lr": 3e-3, "batch_size": 64, "shift": 0, "seed": 1,
                "reject": 0.25}
SECOND_LARGE = {**SETTINGS["mlp"], "arch": "mlp", "seed": 1}


def second_spec(dataset: str = DEFAULT_DATASET, data_root: str | None = None) -> Spec:
    """A second judge, so that no result rests on one referee's opinion: the other
    architecture (a CNN for 8x8 images, an MLP for 28x28), its own seed, trained apart."""
    small = load_dataset(dataset, data_root).shape[1] <= 16
    return Spec("referee", dataset, **(SECOND_SMALL if small else SECOND_LARGE))


def get_judges(dataset: str = DEFAULT_DATASET, cache: str | None = None,
               data_root: str | None = None) -> tuple[Referee, Referee]:
    """The referee and the second judge, each loaded or trained and cached."""
    return (get_referee(dataset, cache, data_root),
            get_model(second_spec(dataset, data_root), cache=cache, data_root=data_root))


def get_referee(dataset: str = DEFAULT_DATASET, cache: str | None = None,
                data_root: str | None = None, progress=None) -> Referee:
    """The dataset's referee, loaded from the cache or trained (seconds on digits) and
    cached. `.info["test_accuracy"]` is its held-out accuracy."""
    ref = get_model(spec(dataset, data_root), cache=cache, data_root=data_root, progress=progress)
    ref.info.setdefault("test_accuracy", ref.info["metrics"]["test_accuracy"])
    return ref
