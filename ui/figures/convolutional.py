"""The convolutional page's tables, lettered from the catalog: one digit's walk through
every layer, the conv models against the fully connected one; and a layer's name."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from ..text import say, t


def layer_name(row: dict) -> str:
    """A row of lessons.convolutional.walk: its layer's description parts, joined."""
    return " + ".join(say(v) for v in row["layer"])


def layer_option(rows: list[dict], i: int) -> str:
    r = rows[i]
    return t("convolutional.layer_option", i=i, part=t(f"convolutional.part.{r['part']}"),
             layer=layer_name(r), shape=r["shape"])


def layer_table(rows: list[dict]) -> tuple[pd.DataFrame, dict]:
    """The walk as a table, and its column configuration for st.dataframe."""
    cols = {k: t(f"convolutional.col.{k}") for k in ("index", "part", "layer", "shape", "values", "params")}
    table = pd.DataFrame([{cols["index"]: i, cols["part"]: t(f"convolutional.part.{r['part']}"),
                           cols["layer"]: layer_name(r), cols["shape"]: r["shape"],
                           cols["values"]: r["values"], cols["params"]: r["params"]}
                          for i, r in enumerate(rows)])
    config = {cols["layer"]: st.column_config.TextColumn(width="large"),
              cols["values"]: st.column_config.NumberColumn(format="%d"),
              cols["params"]: st.column_config.NumberColumn(format="%d")}
    return table, config


def compare_table(scores: dict) -> tuple[pd.DataFrame, dict]:
    """lessons.convolutional.compare's scores, one row per model, and the column formats."""
    cols = {k: t(f"convolutional.cmp.{k}") for k in ("model", "params", "mse", "psnr", "seconds")}
    table = pd.DataFrame([{cols["model"]: t(f"convolutional.cmp.name.{k}"), cols["params"]: s["params"],
                           cols["mse"]: s["mse"], cols["psnr"]: s["psnr"], cols["seconds"]: s["seconds"]}
                          for k, s in scores.items()])
    config = {cols["mse"]: st.column_config.NumberColumn(format="%.4f"),
              cols["psnr"]: st.column_config.NumberColumn(format="%.1f"),
              cols["seconds"]: st.column_config.NumberColumn(format="%.1f")}
    return table, config
