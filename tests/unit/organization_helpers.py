"""Shared builders for the organization tests: valid credit codes and tiny images made by Pillow."""
from __future__ import annotations

import struct
import zlib
from io import BytesIO

from PIL import Image

from eventsapp.employers.creditcode import check_character
from eventsapp.employers.models import Industry, OrganizationSize
from eventsapp.employers.services import OrganizationData


def credit_code(number: int = 1) -> str:
    """A valid code: Zhejiang's enterprise prefix, a made-up organization number and its check character."""
    first_17 = f"91330106MA2{number:06d}"
    return first_17 + check_character(first_17)


def organization_data(**overrides) -> OrganizationData:
    values = dict(name_zh="杭州西子智能科技有限公司", name_en="Hangzhou Xizi Intelligent Technology Co., Ltd.",
                  credit_code=credit_code(1), industry=Industry.I, size=OrganizationSize.FROM_100, city="滨江区",
                  website="https://www.xizi.example.com", description="We build software.\nAnd robots.")
    values.update(overrides)
    return OrganizationData(**values)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20), mode: str = "RGB", **save) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, "red" if mode in ("RGB", "RGBA", "CMYK") else 128).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: a decompression bomb's first bytes."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return bytes(data)
