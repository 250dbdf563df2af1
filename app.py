"""gm lab home page: what the lab is, a map of the pages, and the lecture's first two
distinctions (supervised vs unsupervised, generative vs discriminative), live."""
import streamlit as st

import ui

settings = ui.setup("Generative models lab", "home", icon="🧪")
st.title("🧪 The generative-models lab")
st.markdown(
    "Real models, trained on real handwritten digits, answering in under a second. Each page "
    "follows one step of the lecture: change one thing, watch what the model does, and read "
    "the number that says how well. Every claim on these pages is measured, not just drawn.")

PAGES = [
    ("pages/1_Autoencoder.py", "Autoencoder", "encoder, bottleneck, decoder; code size; stacking; feature extraction"),
    ("pages/2_Overcomplete_and_sparse.py", "Overcomplete & sparse", "the identity trap and the sparsity cure"),
    ("pages/3_Denoising.py", "Denoising", "train on corrupted inputs, compare with the clean ones"),
    ("pages/4_Convolutional.py", "Convolutional", "conv + max-pool encoder, transposed-conv decoder"),
    ("pages/5_VAE.py", "VAE", "mean and deviation, sampling, the KL term, beta"),
    ("pages/6_Latent_gaps.py", "Latent gaps", "why a plain autoencoder cannot invent, and the VAE can"),
    ("pages/7_Interpolation.py", "Interpolation", "from a 0 to a 9 through latent space"),
    ("pages/8_GAN.py", "GAN", "generator against discriminator, live"),
]
st.subheader("Map of the lab")
import os
cols = st.columns(2)
for i, (path, label, what) in enumerate(PAGES):
    with cols[i % 2]:
        if os.path.exists(path):
            st.page_link(path, label=f"**{label}**: {what}")
ui.share()
