"""The fonts badges print with: found through fontconfig, read with fontTools, cached.

Two questions are answered from the actual font files, so nothing is guessed:
which characters of a name no badge font can draw (the pre-print check), and how wide a name
is at a given size (long names shrink to fit). Widths add up each character's advance in the
widest of the fonts that has it: shaping (kerning, ligatures) only ever makes text narrower,
so the estimate never comes out smaller than what WeasyPrint lays out.
"""
from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache

from fontTools.ttLib import TTFont

# Latin names in a Latin face, everything else (Chinese, kana, hangul) in Noto Sans CJK SC.
# The CSS font-family of every badge text is exactly this list, in this order.
FAMILIES = ("DejaVu Sans", "Noto Sans CJK SC")
CSS_FAMILY = ", ".join(f'"{family}"' for family in FAMILIES)
MM_PER_PT = 25.4 / 72


class FontsMissing(RuntimeError):
    """fontconfig finds none of the badge fonts (install fonts-dejavu-core and fonts-noto-cjk)."""


@dataclass(frozen=True)
class FontFace:
    family: str
    bold: bool
    path: str
    index: int


@dataclass(frozen=True)
class _Metrics:
    advances: dict[int, float]  # code point -> advance width in em


@cache
def find_face(family: str, bold: bool) -> FontFace | None:
    """The file fontconfig picks for the family, or None when only a substitute would be used."""
    if shutil.which("fc-match") is None:
        return None
    pattern = f"{family}:bold" if bold else family
    result = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", pattern],
                            capture_output=True, text=True, timeout=10, check=False)
    families, _, rest = result.stdout.partition("|")
    path, _, index = rest.partition("|")
    if family not in families.split(",") or not path:
        return None  # fontconfig would substitute another family: not the font we measure
    return FontFace(family, bold, path, int(index or 0))


def faces(bold: bool = False) -> list[FontFace]:
    found = [face for family in FAMILIES if (face := find_face(family, bold)) is not None]
    if not found:
        raise FontsMissing(f"none of the badge fonts is installed: {', '.join(FAMILIES)}")
    return found


@cache
def _metrics(face: FontFace) -> _Metrics:
    font = TTFont(face.path, fontNumber=face.index, lazy=True)
    units = font["head"].unitsPerEm
    hmtx = font["hmtx"]
    advances = {code: hmtx[glyph][0] / units for code, glyph in font.getBestCmap().items()}
    font.close()
    return _Metrics(advances)


def _ignorable(char: str) -> bool:
    # Joiners and variation selectors draw nothing of their own; spaces are in every font.
    return unicodedata.category(char) in ("Cf", "Mn") or char.isspace()


def missing_characters(text: str) -> list[str]:
    """Characters of the text that no badge font can draw (they would print as empty boxes)."""
    regular = [_metrics(face) for face in faces()]
    bold = [_metrics(face) for face in faces(bold=True)]
    missing: list[str] = []
    for char in text:
        if char in missing or _ignorable(char):
            continue
        # Names print bold and the other lines regular: a character must be in both.
        code = ord(char)
        if not any(code in m.advances for m in regular) or not any(code in m.advances for m in bold):
            missing.append(char)
    return missing


def width_em(text: str, bold: bool = True) -> float:
    """An upper bound of the text's width in em, in the badge fonts."""
    metrics = [_metrics(face) for face in faces(bold)]
    total = 0.0
    for char in text:
        code = ord(char)
        widths = [m.advances[code] for m in metrics if code in m.advances]
        total += max(widths) if widths else 1.0  # drawn by some fallback font: assume full width
    return total


def fit_size(text: str, width_mm: float, largest_pt: float, smallest_pt: float) -> float | None:
    """The largest size (in 0.5 pt steps) at which the text fits the width, or None if even the
    smallest does not."""
    em = width_em(text)
    if em == 0:
        return largest_pt
    size = min(largest_pt, width_mm / (em * MM_PER_PT))
    size = int(size * 2) / 2  # round down to half a point
    return size if size >= smallest_pt else None
