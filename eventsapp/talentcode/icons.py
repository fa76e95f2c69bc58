"""The home-screen icons of "My code": the site's red tile with its gold star (static/img/favicon.svg),
drawn with Pillow at the sizes the web app manifest lists. A maskable icon keeps the star inside the
middle 60 %, where every launcher's mask leaves it whole."""
from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image, ImageDraw

RED = "#c8102e"
GOLD = "#ffd23f"
SIZES = (192, 512)
# The favicon's star, in its 64 × 64 box.
STAR = ((32, 12), (37.9, 24), (51, 25.9), (41.5, 35.2), (43.7, 48.3), (32, 42.1), (20.3, 48.3), (22.5, 35.2),
        (13, 25.9), (26.1, 24))


@lru_cache(maxsize=8)
def icon_png(size: int, maskable: bool = False) -> bytes:
    scale = 4  # drawn large and scaled down: smooth edges
    side = size * scale
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, side, side), fill=RED)
        star_box, offset = side * 0.6, side * 0.2
    else:
        draw.rounded_rectangle((0, 0, side - 1, side - 1), radius=side * 14 // 64, fill=RED)
        star_box, offset = side, 0
    # The star sits a little low in its box (12 to 48.3 of 64): centre it.
    shift = (32 - (12 + 48.3) / 2) * star_box / 64
    draw.polygon([(offset + x * star_box / 64, offset + y * star_box / 64 + shift) for x, y in STAR], fill=GOLD)
    output = io.BytesIO()
    image.resize((size, size), Image.Resampling.LANCZOS).save(output, format="PNG", optimize=True)
    return output.getvalue()
