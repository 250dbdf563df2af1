"""Every plotly figure of the lab, sized and lettered for a projector: the shared latent
map here (`latent_map`), one module per lesson beside it for that lesson's figures."""
from .latent_map import FONT, PALETTE, add_marker, add_path, add_points, latent_map
from ..text import t


def chart(fig, *, key: str, where=None, **kwargs):
    """Show a figure with the session's decimal and thousands separators (plotly's
    `separators`, from the catalog: ".," in English, ",." in Danish) in every tick, hover
    and text template; `where` is a column or container (default the page)."""
    import streamlit as st
    fig.update_layout(separators=t("plot.separators"))
    return (where or st).plotly_chart(fig, key=key, **kwargs)


__all__ = ["FONT", "PALETTE", "add_marker", "add_path", "add_points", "chart", "latent_map"]
