"""Organization logos: PNG or JPEG checked by their content with Pillow, re-encoded and shrunk to
fit ``MAX_SIDE`` × ``MAX_SIDE``, and stored outside the web root under a random name.

Nothing of the upload is kept but its pixels: re-encoding drops metadata and anything hidden
after the image data. Files follow the transaction like résumés do: a file written in a
transaction that rolls back is deleted, and a replaced file is deleted only after the commit.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageFile, ImageOps

from eventsapp.validation import ValidationFailed

MAX_SIDE = 400
# Refused before decoding: a few kilobytes of PNG can claim a picture that fills gigabytes.
MAX_SOURCE_SIDE = 8000
MAX_SOURCE_PIXELS = 25_000_000
ACCEPTED_FORMATS = ("PNG", "JPEG")
JPEG_QUALITY = 88
MIMETYPES = {".png": "image/png", ".jpg": "image/jpeg"}


class NotALogo(ValidationFailed):
    """The upload is not an image we accept; the message says why."""

    def __init__(self, message: str):
        super().__init__([("logo", message)])


@dataclass(frozen=True)
class Logo:
    """A checked logo, ready to store."""

    data: bytes
    extension: str  # ".png" or ".jpg"
    width: int
    height: int


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def _open(data: bytes) -> Image.Image:
    """The decoded image, or NotALogo; decompression bombs are errors, not warnings."""
    not_an_image = _l("This file is not a PNG or JPEG image. Save the logo as PNG or JPEG and upload that file.")
    damaged = _l("This image is incomplete or damaged. Save it again as PNG or JPEG and upload the new file.")
    too_large = _l("This image has too many pixels: a logo can have at most %(max)d pixels on each side. "
                   "Make it smaller and upload it again.", max=MAX_SOURCE_SIDE)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(BytesIO(data), formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise NotALogo(too_large) from None
        except Exception:  # UnidentifiedImageError, or any parser failure on an uploaded file
            raise NotALogo(not_an_image) from None
        width, height = image.size
        if width > MAX_SOURCE_SIDE or height > MAX_SOURCE_SIDE or width * height > MAX_SOURCE_PIXELS:
            raise NotALogo(too_large)
        if width < 1 or height < 1:
            raise NotALogo(damaged)
        # WeasyPrint sets Pillow's process-wide LOAD_TRUNCATED_IMAGES when imported (for badges),
        # which would quietly pad a cut-off upload; an upload must be whole.
        lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            image.load()
        except Exception:  # truncated or corrupt pixel data
            raise NotALogo(damaged) from None
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return image


def check_logo(data: bytes, max_bytes: int) -> Logo:
    """The logo to store, re-encoded and fitted into MAX_SIDE × MAX_SIDE; raises NotALogo otherwise."""
    if not data:
        raise NotALogo(_l("The file is empty. Choose the logo as a PNG or JPEG image."))
    if len(data) > max_bytes:
        raise NotALogo(_l("The file has %(size)s MB; a logo can have at most %(max)s MB.",
                          size=megabytes(len(data)), max=megabytes(max_bytes)))
    image = _open(data)
    source_format = image.format
    image = ImageOps.exif_transpose(image)  # photos taken sideways stand upright
    if source_format == "PNG":
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    else:
        image = image.convert("RGB")  # also CMYK and greyscale JPEGs
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)  # keeps the aspect ratio; never enlarges
    output = BytesIO()
    if source_format == "PNG":
        image.save(output, format="PNG", optimize=True)
        extension = ".png"
    else:
        image.save(output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        extension = ".jpg"
    return Logo(data=output.getvalue(), extension=extension, width=image.width, height=image.height)


def mimetype_of(storage_name: str) -> str:
    return MIMETYPES.get(Path(storage_name).suffix, "application/octet-stream")
