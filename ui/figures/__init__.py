"""Every plotly figure of the lab, sized and lettered for a projector: the shared latent
map here (`latent_map`), one module per lesson beside it for that lesson's figures."""
from .latent_map import FONT, PALETTE, add_marker, add_path, add_points, latent_map

__all__ = ["FONT", "PALETTE", "add_marker", "add_path", "add_points", "latent_map"]
