"""The lecture's terms, each linked to the lesson that shows it live. The words and their
explanations are in the message catalogs (`glossary.term.<id>`, `glossary.what.<id>`),
so the glossary reads in the lecture's own Danish as well as in English."""
from __future__ import annotations

from gm import Spec

SLUG = "glossary"
PAGE = "pages/9_Glossary.py"

# (term id, the lesson whose page shows it), in the lecture's order
TERMS = (
    ("unsupervised", "home"), ("supervised", "home"), ("generative", "home"),
    ("discriminative", "home"), ("autoencoder", "autoencoder"), ("encoder", "autoencoder"),
    ("decoder", "autoencoder"), ("bottleneck", "autoencoder"), ("latent_space", "latent_gaps"),
    ("dimensionality", "autoencoder"), ("feature_extraction", "autoencoder"),
    ("stacked", "autoencoder"), ("overcomplete", "overcomplete"), ("sparse", "overcomplete"),
    ("denoising", "denoising"), ("convolutional", "convolutional"),
    ("transposed", "convolutional"), ("vae", "vae"), ("mean_sd", "vae"),
    ("reparameterization", "vae"), ("kl", "vae"), ("gaps", "latent_gaps"),
    ("interpolation", "interpolation"), ("gan", "gan"), ("generator", "gan"),
    ("discriminator", "gan"),
)


def pretrain(dataset: str, seed: int = 0) -> list[Spec]:
    """A glossary trains nothing."""
    return []
