"""The drawing canvas (streamlit-drawable-canvas) and what its browser side sends, read
without trusting it: too large or malformed data is treated as a blank canvas with a hint,
never decoded, never a traceback."""
from __future__ import annotations

import base64
import binascii

import numpy as np
import streamlit as st

from gm.sketch import BadDrawing, MAX_BYTES, decode_png

from .text import t


def _raw(result) -> bytes | None:
    url = getattr(result, "_image_data_url", None)
    if url is None:
        return None
    if not isinstance(url, str) or ";base64," not in url[:80]:
        raise BadDrawing("malformed")
    encoded = url.split(";base64,", 1)[1]
    if len(encoded) > MAX_BYTES * 4 // 3 + 8:  # checked before the base64 is even decoded
        raise BadDrawing("too_big")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise BadDrawing("malformed") from None


def drawing(key: str, size: int = 280) -> np.ndarray | None:
    """Draw a white-on-black canvas; the RGBA pixels drawn so far, or None (blank, or data
    that was refused, with a notice)."""
    from streamlit_drawable_canvas import st_canvas  # importable inside a running app only
    result = st_canvas(fill_color="rgba(0,0,0,0)", stroke_width=22, stroke_color="#FFFFFF",
                       background_color="#000000", height=size, width=size,
                       drawing_mode="freedraw", key=key, return_image_data=True)
    try:
        return decode_png(_raw(result))
    except BadDrawing as e:
        st.warning(t(f"canvas.{e.reason}"))
        return None
